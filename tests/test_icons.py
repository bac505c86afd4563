"""The channel and marker icons: complete, well-formed, inside their grid."""

from __future__ import annotations

import math
import re

import pytest

from jmap import icons, resources

SCHEMA_CHANNELS: list[str] = resources.schema()["$defs"]["touchpoint"]["oneOf"][1]["properties"]["channel"]["enum"]

MARKERS = (
    "moment-of-truth",
    "evidence",
    "assumption",
    "severity",
    "opportunity",
    "kpi",
    "thought",
    "face-very-sad",
    "face-sad",
    "face-neutral",
    "face-happy",
    "face-very-happy",
)

#: Arguments per path command.
ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}
TOKEN = re.compile(r"\s*,?\s*([MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.\d*|\.\d+|\d+))")

#: Every point must keep half a stroke (stroke-width 2) away from the 24 x 24 edge.
LOW, HIGH = 1.0, 23.0


def tokens(d: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(d):
        match = TOKEN.match(d, pos)
        assert match, f"unexpected text at {pos} in {d!r}"
        out.append(match.group(1))
        pos = match.end()
        while pos < len(d) and d[pos].isspace():
            pos += 1
    return out


def arc_points(
    x1: float, y1: float, rx: float, ry: float, large: int, sweep: int, x2: float, y2: float
) -> list[tuple[float, float]]:
    """Points along an unrotated SVG arc (SVG 1.1 F.6.5), to check its extent."""
    if (x1, y1) == (x2, y2):
        return []
    dx, dy = (x1 - x2) / 2, (y1 - y2) / 2
    scale = (dx / rx) ** 2 + (dy / ry) ** 2
    if scale > 1:  # radii too small: scaled up, as renderers do
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    num = rx**2 * ry**2 - rx**2 * dy**2 - ry**2 * dx**2
    den = rx**2 * dy**2 + ry**2 * dx**2
    coef = math.sqrt(max(0.0, num / den)) * (-1 if large == sweep else 1)
    cx = coef * rx * dy / ry + (x1 + x2) / 2
    cy = -coef * ry * dx / rx + (y1 + y2) / 2
    a1 = math.atan2((y1 - cy) / ry, (x1 - cx) / rx)
    a2 = math.atan2((y2 - cy) / ry, (x2 - cx) / rx)
    delta = a2 - a1
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    return [(cx + rx * math.cos(a1 + delta * i / 32), cy + ry * math.sin(a1 + delta * i / 32)) for i in range(33)]


def path_points(d: str) -> list[tuple[float, float]]:
    """Every end and control point of a path (and points along its arcs), absolute."""
    toks = tokens(d)
    assert toks and toks[0] in "Mm", f"a path starts with a moveto: {d!r}"
    points: list[tuple[float, float]] = []
    x = y = sx = sy = 0.0
    i = 0
    cmd = ""
    while i < len(toks):
        if toks[i].isalpha():
            cmd = toks[i]
            i += 1
        elif cmd in "Zz":
            raise AssertionError(f"numbers after a closepath in {d!r}")
        up = cmd.upper()
        rel = cmd.islower()
        if up == "Z":
            x, y = sx, sy
            continue
        raw = toks[i : i + ARITY[up]]
        assert len(raw) == ARITY[up] and not any(t.isalpha() for t in raw), f"{cmd} needs {ARITY[up]} numbers: {d!r}"
        args = [float(t) for t in raw]
        i += ARITY[up]
        ox, oy = (x, y) if rel else (0.0, 0.0)
        if up == "H":
            x = args[0] + (x if rel else 0.0)
        elif up == "V":
            y = args[0] + (y if rel else 0.0)
        elif up == "A":
            rx, ry, rot, large, sweep = args[:5]
            assert rx > 0 and ry > 0 and rot == 0, f"arc radii/rotation in {d!r}"
            assert large in (0, 1) and sweep in (0, 1), f"arc flags in {d!r}"
            nx, ny = args[5] + ox, args[6] + oy
            points += arc_points(x, y, rx, ry, int(large), int(sweep), nx, ny)
            x, y = nx, ny
        else:
            pairs = [(args[k] + ox, args[k + 1] + oy) for k in range(0, len(args), 2)]
            points += pairs[:-1]
            x, y = pairs[-1]
        if up == "M":
            sx, sy = x, y
            cmd = "l" if rel else "L"  # implicit lineto after a moveto
        points.append((x, y))
    return points


def test_every_schema_channel_has_an_icon_and_a_label() -> None:
    assert SCHEMA_CHANNELS  # the schema path above is right
    for channel in SCHEMA_CHANNELS:
        assert channel in icons.ICONS, channel
        assert icons.CHANNEL_LABELS.get(channel), channel
    assert set(icons.CHANNEL_LABELS) == set(SCHEMA_CHANNELS)


def test_marker_and_face_icons_exist() -> None:
    for name in MARKERS:
        assert name in icons.ICONS, name
    assert MARKERS[-5:] == icons.EMOTION_FACES


@pytest.mark.parametrize("name", sorted(icons.ICONS))
def test_paths_parse_and_stay_inside_the_grid(name: str) -> None:
    paths = icons.ICONS[name]
    assert paths and all(isinstance(d, str) and d for d in paths)
    for d in paths:
        assert re.fullmatch(r"[MmLlHhVvCcSsQqTtAaZz0-9.,\s+-]+", d), d
        for px, py in path_points(d):
            assert LOW - 1e-6 <= px <= HIGH + 1e-6, f"{name}: x={px:.2f} in {d!r}"
            assert LOW - 1e-6 <= py <= HIGH + 1e-6, f"{name}: y={py:.2f} in {d!r}"


def test_the_path_checker_catches_bad_paths() -> None:
    assert max(px for px, _ in path_points("M2 2h20.5")) == 22.5
    assert max(py for _, py in path_points("M12 2a10 10 0 1 1 0 20")) == pytest.approx(22)
    assert min(px for px, _ in path_points("M12 2a10 10 0 1 0 0 20")) == pytest.approx(2)
    with pytest.raises(AssertionError):
        path_points("M2 2L4")
    with pytest.raises(AssertionError):
        path_points("M2 2L4 L5 5")
    with pytest.raises(AssertionError):
        path_points("L2 2")
    with pytest.raises(AssertionError):
        tokens("M2 2 url(x)")


def test_icons_are_distinct() -> None:
    seen: dict[tuple[str, ...], str] = {}
    for name, paths in icons.ICONS.items():
        assert paths not in seen, f"{name} draws the same as {seen.get(paths)}"
        seen[paths] = name


def test_unknown_names_fall_back_to_other() -> None:
    assert icons.icon_paths("carrier-pigeon") == icons.ICONS["other"]
    assert icons.icon_paths("") == icons.ICONS["other"]
    assert icons.icon_paths("email") == icons.ICONS["email"]


@pytest.mark.parametrize(
    ("score", "face"),
    [
        (-2, "face-very-sad"),
        (-1.6, "face-very-sad"),
        (-1.5, "face-sad"),
        (-1, "face-sad"),
        (0, "face-neutral"),
        (0.4, "face-neutral"),
        (0.5, "face-happy"),
        (1.5, "face-very-happy"),
        (2, "face-very-happy"),
        (9, "face-very-happy"),
        (-9, "face-very-sad"),
    ],
)
def test_emotion_face(score: float, face: str) -> None:
    assert icons.emotion_face(score) == face


def test_every_icon_renders_ink() -> None:
    """Each icon, stroked as documented, draws something in its own cell."""
    cairosvg = pytest.importorskip("cairosvg")
    names = sorted(icons.ICONS)
    cells = []
    for i, name in enumerate(names):
        body = "".join(f'<path d="{d}"/>' for d in icons.ICONS[name])
        cells.append(
            f'<g transform="translate({i * 24} 0)" fill="none" stroke="#000" '
            f'stroke-width="{icons.STROKE_WIDTH}" stroke-linecap="round" '
            f'stroke-linejoin="round">{body}</g>'
        )
    width = 24 * len(names)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="24" '
        f'viewBox="0 0 {width} 24">{"".join(cells)}</svg>'
    )
    png = cairosvg.svg2png(bytestring=svg.encode())
    from io import BytesIO

    image = pytest.importorskip("PIL.Image").open(BytesIO(png)).convert("RGBA")
    alpha = image.getchannel("A")
    for i, name in enumerate(names):
        ink = sum(alpha.crop((i * 24, 0, i * 24 + 24, 24)).histogram()[129:])
        assert ink > 20, f"{name} draws almost nothing"
