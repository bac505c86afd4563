"""Channel and marker icons, as SVG path data.

These icons were drawn for jmap and are released with it under the MIT licence
(they are not copied from an icon set). Each icon is a tuple of SVG path ``d``
strings on a 24 x 24 grid, meant to be *stroked*, never filled::

    <g transform="translate(x y) scale(size / 24)" fill="none" stroke="currentColor"
       stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      <path d="..."/> ...
    </g>

Use :data:`STROKE_WIDTH` (in grid units) so every icon has the same weight;
``h.01`` segments are dots and only show with round caps. Circles are written
as two arcs. The data is static: no user input ever reaches a path, so paths
can be placed into SVG and HTML without escaping.
"""

from __future__ import annotations

import math

#: The grid the paths are drawn on (viewBox="0 0 24 24").
GRID = 24
#: The stroke width the icons are designed for, in grid units.
STROKE_WIDTH = 2.0


def _circle(cx: float, cy: float, r: float) -> str:
    """A circle as a closed path of two arcs (used at import time only)."""
    return f"M{_n(cx + r)} {_n(cy)}a{_n(r)} {_n(r)} 0 1 1 {_n(-2 * r)} 0a{_n(r)} {_n(r)} 0 1 1 {_n(2 * r)} 0z"


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


_FACE = _circle(12, 12, 10)
_EYES = ("M9 9.5h.01", "M15 9.5h.01")

#: Icon name -> path data. Channel names match the schema's `touchpoint.channel`.
ICONS: dict[str, tuple[str, ...]] = {
    # --- channels -------------------------------------------------------------
    "website": (  # a browser window
        "M5 4h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
        "M3 9h18",
        "M6 6.5h.01",
        "M8.5 6.5h.01",
    ),
    "mobile-app": (  # a smartphone
        "M8 2h8a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z",
        "M11 18h2",
    ),
    "email": (  # an envelope
        "M4 5h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",
        "M2.5 7.5l8.4 5.6a2 2 0 0 0 2.2 0l8.4-5.6",
    ),
    "social": (  # three connected nodes
        _circle(18, 5, 3),
        _circle(6, 12, 3),
        _circle(18, 19, 3),
        "M8.6 10.5l6.8-4",
        "M8.6 13.5l6.8 4",
    ),
    "ad": (  # a megaphone
        "M3 10v4a1 1 0 0 0 1 1h2.5l9.5 5V4L6.5 9H4a1 1 0 0 0-1 1z",
        "M7 15.3L8.2 20h2.6l-.75-3.1",
        "M19 9a4 4 0 0 1 0 6",
    ),
    "search": (  # a magnifying glass
        _circle(11, 11, 7),
        "M16 16l5 5",
    ),
    "store": (  # a shop front with an awning
        "M3 8l1.6-4a1.6 1.6 0 0 1 1.5-1h11.8a1.6 1.6 0 0 1 1.5 1L21 8",
        "M3 8a3 3 0 0 0 6 0a3 3 0 0 0 6 0a3 3 0 0 0 6 0",
        "M5 11.5V21h14v-9.5",
        "M10 21v-5h4v5",
    ),
    "phone": (  # a telephone handset
        "M6.5 3h2.4a1 1 0 0 1 .95.68l1.2 3.6a1 1 0 0 1-.36 1.12L8.9 9.6a12 12 0 0 0 5.5 5.5"
        "l1.2-1.8a1 1 0 0 1 1.12-.36l3.6 1.2a1 1 0 0 1 .68.95v2.4A2.5 2.5 0 0 1 18.5 20"
        "A15.5 15.5 0 0 1 4 5.5A2.5 2.5 0 0 1 6.5 3z",
    ),
    "chat": (  # a round speech bubble with dots
        "M7.75 18.86A8.5 8.5 0 1 0 4.64 15.75L3.5 20.5z",
        "M8 11.5h.01",
        "M12 11.5h.01",
        "M16 11.5h.01",
    ),
    "support": (  # a headset with a microphone
        "M4 14v-2a8 8 0 0 1 16 0v2",
        "M4 14a1 1 0 0 1 1-1h1.5a1 1 0 0 1 1 1v4a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1z",
        "M20 14a1 1 0 0 0-1-1h-1.5a1 1 0 0 0-1 1v4a1 1 0 0 0 1 1H19a1 1 0 0 0 1-1z",
        "M20 18v.5a3.5 3.5 0 0 1-3.5 3.5H13",
    ),
    "word-of-mouth": (  # a person saying something
        _circle(8, 9, 3),
        "M2.5 20a5.5 5.5 0 0 1 11 0",
        "M15 3h6a1 1 0 0 1 1 1v4a1 1 0 0 1-1 1h-3.5L15 11V9a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z",
    ),
    "mail": (  # a letterbox on a post
        "M7 5h10a4 4 0 0 1 4 4v8H3V9a4 4 0 0 1 4-4z",
        "M7 5a4 4 0 0 1 4 4v8",
        "M12 17v5",
        "M15 6V2h4v3h-4",
    ),
    "event": (  # a calendar page
        "M5 5h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",
        "M8 3v4",
        "M16 3v4",
        "M3 10h18",
        "M7.5 13.5h3v3h-3z",
    ),
    "partner": (  # a handshake
        "M2 13.5L2.8 5H5",
        "M22 13.5L21.2 5H19",
        "M5 6h4",
        "M19 5.5h-3a3 3 0 0 0-1.8.6L9.5 9.3a1.6 1.6 0 0 0 2 2.4l3-2 4.5 4.5",
        "M4.5 13.5l5.5 5.5a1.8 1.8 0 0 0 2.55-2.55",
        "M10 14.5l3.5 3.5a1.8 1.8 0 0 0 2.55-2.55",
        "M12.5 12l3.5 3.5a1.8 1.8 0 0 0 2.55-2.55",
    ),
    "video": (  # a screen with a play button
        "M4 5h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",
        "M10 9v6l5-3z",
    ),
    "sms": (  # a text message
        "M20 15a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2h12a2 2 0 0 1 2 2z",
        "M8 9h8",
        "M8 13h5",
    ),
    "kiosk": (  # a self-service terminal
        "M7 2h10a2 2 0 0 1 2 2v17H5V4a2 2 0 0 1 2-2z",
        "M8 5h8v6H8z",
        "M9.5 15h5",
        "M3 21h18",
    ),
    "other": (  # a generic point of contact
        _circle(12, 12, 9),
        _circle(12, 12, 2.5),
    ),
    # --- markers --------------------------------------------------------------
    "moment-of-truth": (  # a star
        "M12 2.8L14.53 9.12L21.32 9.57L16.09 13.93L17.76 20.53L12 16.9L6.24 20.53L7.91 13.93L2.68 9.57L9.47 9.12z",
    ),
    "evidence": (  # a document
        "M14 2.5H7a2 2 0 0 0-2 2v15a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-12z",
        "M14 2.5v5h5",
        "M9 13h6",
        "M9 17h6",
        "M9 9h2",
    ),
    "assumption": (  # a question mark in a circle
        _circle(12, 12, 9.5),
        "M9.2 9.2a2.9 2.9 0 0 1 5.6 1c0 1.9-2.8 2.8-2.8 2.8",
        "M12 17h.01",
    ),
    "severity": (  # a warning triangle
        "M10.3 4L2.8 17.5A1.7 1.7 0 0 0 4.3 20h15.4a1.7 1.7 0 0 0 1.5-2.5L13.7 4a2 2 0 0 0-3.4 0z",
        "M12 9v4.5",
        "M12 17h.01",
    ),
    "opportunity": (  # a light bulb
        "M9 18v-3.2c0-.9-.6-1.6-1.3-2.3A6.5 6.5 0 1 1 16.3 12.5c-.7.7-1.3 1.4-1.3 2.3V18z",
        "M10 21h4",
    ),
    "kpi": (  # a bar chart
        "M3 3v16a2 2 0 0 0 2 2h16",
        "M8 17v-4",
        "M12.5 17V8",
        "M17 17v-7",
    ),
    "thought": (  # a thought bubble
        "M8.5 14a3.5 3.5 0 0 1-.6-6.95A4.5 4.5 0 0 1 16.2 5.6a3.8 3.8 0 1 1 2.3 8.4z",
        _circle(5.5, 17.5, 2),
        "M3 21.5h.01",
    ),
    # --- the emotion scale, -2 .. +2 -------------------------------------------
    "face-very-sad": (
        _FACE,
        "M9 10.5h.01",
        "M15 10.5h.01",
        "M7 8l3-1",
        "M17 8l-3-1",
        "M7.5 18a4.5 4.5 0 0 1 9 0z",
    ),
    "face-sad": (_FACE, *_EYES, "M8 16.5a5 5 0 0 1 8 0"),
    "picture": (  # a framed landscape: the storyboard lane
        "M5 4h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
        _circle(9, 9, 1.5),
        "M21 15l-5-5L5 20",
    ),
    "face-neutral": (_FACE, *_EYES, "M8.5 15h7"),
    "face-happy": (_FACE, *_EYES, "M8 14.5a5 5 0 0 0 8 0"),
    "face-very-happy": (
        _FACE,
        "M7.5 10a1.5 1.5 0 0 1 3 0",
        "M13.5 10a1.5 1.5 0 0 1 3 0",
        "M7.5 13.5h9a4.5 4.5 0 0 1-9 0z",
    ),
}

#: Channel id (schema enum) -> label for legends and tooltips.
CHANNEL_LABELS: dict[str, str] = {
    "website": "Website",
    "mobile-app": "Mobile app",
    "email": "Email",
    "social": "Social media",
    "ad": "Advertising",
    "search": "Search",
    "store": "Store",
    "phone": "Phone",
    "chat": "Chat",
    "support": "Support",
    "word-of-mouth": "Word of mouth",
    "mail": "Mail",
    "event": "Event",
    "partner": "Partner",
    "video": "Video",
    "sms": "SMS",
    "kiosk": "Kiosk",
    "other": "Other",
}

#: The face icons for the emotion scores -2, -1, 0, +1, +2.
EMOTION_FACES: tuple[str, ...] = (
    "face-very-sad",
    "face-sad",
    "face-neutral",
    "face-happy",
    "face-very-happy",
)


def icon_paths(name: str) -> tuple[str, ...]:
    """The path data of icon `name`; the generic "other" icon when it is unknown."""
    return ICONS.get(name, ICONS["other"])


def emotion_face(score: float) -> str:
    """The face icon name for an emotion score in -2..2 (rounded to the nearest step)."""
    step = max(-2, min(2, math.floor(score + 0.5)))
    return EMOTION_FACES[step + 2]
