"""Measure and wrap text with the metrics of the fonts that will draw it.

Cards must never overflow, in a browser (HTML, SVG) or in cairo (PNG, PDF), so
every width here is a safe upper bound for both:

* widths come from `metrics.json`, generated from the bundled fonts by
  `tools/gen_metrics.py`: the widest form a character can take (contextual
  alternates), positive kerning only (cairo does not kern, the browser does: the
  larger of the two is the unkerned width plus positive pairs), plus the few
  ligatures that are wider than their letters;
* Arabic letters are measured in the positional form (initial, medial, final,
  isolated) their neighbours give them, the wider of the browser's glyph and the
  presentation form arabic-reshaper hands to cairo; letters whose joining is not
  known are measured at their widest;
* characters the bundled fonts lack are estimated high: East Asian wide,
  fullwidth and ambiguous characters 1 em (Noto Sans CJK draws them at most
  1 em), emoji and other symbols 1.3 em (colour emoji fonts draw about 1.25 em),
  anything else 1 em, combining marks and format characters 0.

Text is measured and wrapped in NFC, the form the lines are returned in. This
module does no I/O beyond reading the metrics table once, on first use, and does
not import fontTools, so importing it is cheap.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

__all__ = [
    "FONT_STACK",
    "LINE_HEIGHT",
    "Wrapped",
    "ascent",
    "descent",
    "first_baseline",
    "is_rtl",
    "line_height",
    "measure",
    "wrap",
]

FONT_STACK = "Inter, 'Noto Sans Arabic', 'Noto Sans Hebrew', 'Noto Sans CJK JP', 'Noto Sans CJK SC', sans-serif"
"""The CSS/SVG font-family the renderers must use: the fonts the metrics describe."""

LINE_HEIGHT = 1.35
"""Line height as a multiple of the font size (CSS `line-height: 1.35`)."""

ELLIPSIS = "\u2026"
HYPHEN = "-"

_WEIGHTS = {"regular": "regular", "semibold": "semibold", "bold": "semibold"}

# Widths for characters outside the table, in 1/1000 em (see module docstring).
_WIDE = 1000
_EMOJI = 1300
_OTHER = 1000
# Characters outside the table that fonts draw wider than the rules above
# (Noto Sans CJK: two- and three-em dash; Latin ligatures ffi, ffl up to 1.04 em).
_WIDER = {0x2E3A: 2000, 0x2E3B: 3000, **dict.fromkeys(range(0xFB00, 0xFB07), 1100)}

# Characters with Emoji_Presentation=Yes below U+1F000 (Unicode emoji-data.txt):
# browsers draw them with a colour emoji font even when Inter has a glyph.
_EMOJI_PRESENTATION = (
    (0x231A, 0x231B), (0x23E9, 0x23EC), (0x23F0, 0x23F0), (0x23F3, 0x23F3),
    (0x25FD, 0x25FE), (0x2614, 0x2615), (0x2648, 0x2653), (0x267F, 0x267F),
    (0x2693, 0x2693), (0x26A1, 0x26A1), (0x26AA, 0x26AB), (0x26BD, 0x26BE),
    (0x26C4, 0x26C5), (0x26CE, 0x26CE), (0x26D4, 0x26D4), (0x26EA, 0x26EA),
    (0x26F2, 0x26F3), (0x26F5, 0x26F5), (0x26FA, 0x26FA), (0x26FD, 0x26FD),
    (0x2705, 0x2705), (0x270A, 0x270B), (0x2728, 0x2728), (0x274C, 0x274C),
    (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757), (0x2795, 0x2797),
    (0x27B0, 0x27B0), (0x27BF, 0x27BF), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50),
    (0x2B55, 0x2B55), (0x1F000, 0x1FAFF),
)  # fmt: skip
# Blocks where a character the fonts lack is most likely drawn as an emoji.
_EMOJI_BLOCKS = ((0x2300, 0x23FF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x1F000, 0x1FAFF))

_VS16 = "\ufe0f"  # asks for emoji presentation of the character before it
_ZWJ = "\u200d"

# Spaces that offer a line break and vanish at the end of a line (not NBSP,
# U+2007 or U+202F, which exist to prevent breaks). U+200B is the zero-width space.
_BREAK_SPACES = " \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000\u200b"
_COLLAPSE = re.compile(r"[ \t\f\v]+")

# Kinsoku shori (CSS `line-break: normal`): never start a line with a closing
# mark, never end one with an opening bracket.
_NO_LINE_START = frozenset(
    ")]}.,;:!?\u2019\u201d\u00bb\u203a"
    "\u3001\u3002\uff0c\uff0e\u30fb\uff1a\uff1b\uff1f\uff01\u203c\u2047\u2048\u2049"
    "\uff09\uff3d\uff5d\u3015\u3009\u300b\u300d\u300f\u3011\u3019\u3017\u301f\uff60"
    "\u309d\u309e\u30fd\u30fe\u3005\u303b\u2026\u2025"
)
_NO_LINE_END = frozenset(
    "([{\u2018\u201c\u00ab\u2039\uff08\uff3b\uff5b\u3014\u3008\u300a\u300c\u300e\u3010\u3018\u3016\u301d\uff5f"
)
# A line may break after these when letters surround them ("e-mail", "and/or").
_BREAK_AFTER_IN_WORD = frozenset("-\u2010/")
_BREAK_AFTER_DASH = frozenset("\u2013\u2014")
# Words that are addresses: a hyphen added inside one would read as part of it.
_ADDRESS = re.compile(r"://|@|\bwww\.", re.IGNORECASE)
_WORD = re.compile(r"[^ ]+")
# Scripts written without spaces or without hyphenation: a word broken by force
# gets no hyphen.
_NO_HYPHEN_BLOCKS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
)


def _in(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def _expand(ranges: list[list[int]]) -> list[int]:
    return [cp for lo, hi in ranges for cp in range(lo, hi + 1)]


class _Face:
    """Widths (1/1000 em) of one weight, keyed by character, plus kerning and ligatures."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.widths: dict[str, int] = {}
        for run in data["widths"]:
            start = run[0]
            self.widths.update(zip(map(chr, range(start, start + len(run) - 1)), run[1:], strict=True))
        for lo, hi in _EMOJI_PRESENTATION:  # drawn as emoji even where the font has a glyph
            for cp in range(lo, hi + 1):
                ch = chr(cp)
                if ch in self.widths:
                    self.widths[ch] = max(self.widths[ch], _EMOJI)
        kern = data["kern"]
        self.kern_left = {chr(cp): i for i, r in enumerate(kern["left"]) for cp in _expand(r)}
        self.kern_right = {chr(cp): i for i, r in enumerate(kern["right"]) for cp in _expand(r)}
        self.kern_pairs: dict[tuple[int, int], int] = {(a, b): v for a, b, v in kern["pairs"]}
        self.ligatures: dict[str, int] = data["ligatures"]
        # Arabic: [isol, init, medi, fina] widths of joining letters, their joining type
        self.forms = {chr(int(cp)): tuple(w) for cp, w in data["forms"].items()}
        self.joining = {chr(cp): k for k, r in data["joining"].items() for cp in _expand(r)}
        self.arabic = frozenset(self.forms)
        # A set of characters every ligature contains one of: text without any of
        # them skips the ligature scan. Per ligature, its least common character.
        counts: dict[str, int] = {}
        for lig in self.ligatures:
            for ch in set(lig):
                counts[ch] = counts.get(ch, 0) + 1
        self.lig_triggers = frozenset(min(lig, key=lambda c: counts[c]) for lig in self.ligatures)

    def fallback(self, ch: str) -> int:
        """Width of a character the table lacks; cached, as it is asked again."""
        w = _fallback_width(ch, self.widths.get(" ", 250))
        self.widths[ch] = w
        return w


def _fallback_width(ch: str, space: int) -> int:
    cp = ord(ch)
    if cp in _WIDER:
        return _WIDER[cp]
    category = unicodedata.category(ch)
    if category in ("Mn", "Me", "Cf") or (0xFE00 <= cp <= 0xFE0F):
        return 0
    if category == "Cc":
        return space if ch == "\t" else 0
    if _in(cp, _EMOJI_BLOCKS) or category == "So":
        return _EMOJI
    if unicodedata.east_asian_width(ch) in ("W", "F", "A"):
        return _WIDE
    return _OTHER


@cache
def _table() -> dict[str, Any]:
    path = files("jmap.layout").joinpath("metrics.json")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def _face(weight: str) -> _Face:
    try:
        name = _WEIGHTS[weight]
    except KeyError:
        raise ValueError(f"unknown font weight {weight!r}; use one of {', '.join(_WEIGHTS)}") from None
    return _Face(_table()["faces"][name])


def _units_uncached(text: str, weight: str) -> int:
    """Width of `text` in 1/1000 em (an integer, so sums are exact)."""
    face = _face(weight)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    widths = face.widths
    left = face.kern_left
    right = face.kern_right
    pairs = face.kern_pairs
    total = 0
    prev = ""
    for ch in text:
        w = widths.get(ch)
        if w is None:
            w = face.fallback(ch)
        total += w
        if w == 0:  # marks do not break a kerning pair (the font ignores them)
            continue
        lc = left.get(prev)
        if lc is not None:
            rc = right.get(ch)
            if rc is not None:
                total += pairs.get((lc, rc), 0)
        prev = ch
    if face.ligatures and not face.lig_triggers.isdisjoint(text):
        # fonts ligate across combining marks (lam, fathatan, alef), so look without them
        bare = "".join(ch for ch in text if not unicodedata.combining(ch))
        for lig, extra in face.ligatures.items():
            if lig in bare:
                total += extra * bare.count(lig)
    if not face.arabic.isdisjoint(text):
        total += _arabic_adjustment(text, face)
    if _VS16 in text:  # "❤️": the character before VS16 is drawn as an emoji
        for i in range(1, len(text)):
            if text[i] == _VS16:
                total += max(0, _EMOJI - widths.get(text[i - 1], _EMOJI))
    return total


# Form (index into _Face.forms) by (joins the previous letter, joins the next one).
_FORM = {(False, False): 0, (False, True): 1, (True, True): 2, (True, False): 3}
_TATWEEL = "\u0640"
_ZWNJ = "\u200c"
# Format characters that break joining (ArabicShaping.txt: joining type U), the
# visible prepended marks among them (U+0600 ARABIC NUMBER SIGN ...).
_NON_JOINING_FORMAT = frozenset("\u200c\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u08e2")


def _joining_kind(ch: str, joining: dict[str, str]) -> str:
    """Arabic joining type: D, R, C (joins both ways), T (transparent), U (never), ? (unknown)."""
    kind = joining.get(ch)
    if kind is not None:
        return kind
    if ch in (_ZWJ, _TATWEEL):
        return "C"
    if ch not in _NON_JOINING_FORMAT and unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return "T"
    if unicodedata.bidirectional(ch) == "AL" and ch.isalpha() and ord(ch) < 0xFB50:
        return "?"  # an Arabic letter the fonts have no forms for: may or may not join
    return "U"


def _arabic_adjustment(text: str, face: _Face) -> int:
    """How much narrower Arabic letters are in the forms their neighbours give them.

    The table holds each letter at its widest form; here each joining letter gets
    the form the shaper (browser) or arabic-reshaper (cairo) will pick, following
    the Unicode joining rules. Where a neighbour's joining is unknown, both
    possibilities are measured and the wider one kept.
    """
    joining = face.joining
    kinds = [_joining_kind(ch, joining) for ch in text]
    n = len(text)
    adjust = 0
    for i, ch in enumerate(text):
        forms = face.forms.get(ch)
        if forms is None:
            continue
        j = i - 1
        while j >= 0 and kinds[j] == "T":
            j -= 1
        before = kinds[j] if j >= 0 else "U"
        k = i + 1
        while k < n and kinds[k] == "T":
            k += 1
        after = kinds[k] if k < n else "U"
        joins_before = (True,) if before in "DC" else (True, False) if before == "?" else (False,)
        if kinds[i] == "D":
            joins_after = (True,) if after in "DRC" else (True, False) if after == "?" else (False,)
        else:
            joins_after = (False,)
        width = max(forms[_FORM[(p, q)]] for p in joins_before for q in joins_after)
        adjust += width - face.widths[ch]
    return adjust


# Layout measures the same labels again and again; wrap's trial lines go uncached.
_units = lru_cache(maxsize=8192)(_units_uncached)


def measure(text: str, size: float, weight: str = "regular") -> float:
    """Width in px of `text` on one line at font `size` px: a safe upper bound.

    `weight` is "regular" or "semibold" ("bold" is measured as semibold, the
    heaviest bundled face).
    """
    if not text:
        _face(weight)  # still reject an unknown weight
        return 0.0
    return _units(text, weight) * size / 1000


def _vertical(key: str) -> int:
    """Inter's vertical metric `key` in 1/1000 em (both weights share them)."""
    return int(_table()["faces"]["regular"][key])


def line_height(size: float) -> float:
    """Distance between two baselines, in px."""
    return LINE_HEIGHT * size


def ascent(size: float) -> float:
    """Height of Inter's ascender above the baseline, in px."""
    return _vertical("ascender") * size / 1000


def descent(size: float) -> float:
    """Depth of Inter's descender below the baseline, in px (positive)."""
    return _vertical("descender") * size / 1000


def first_baseline(size: float) -> float:
    """Offset from the top of a text block to its first baseline, in px.

    Half the leading sits above the ascender, as in CSS, so an SVG line and the
    same line in HTML land on the same baseline.
    """
    return (line_height(size) - ascent(size) - descent(size)) / 2 + ascent(size)


def is_rtl(text: str) -> bool:
    """True when the first strong directional character is right-to-left (R, AL)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Wrapped:
    """Lines (NFC, logical order) of wrapped text, each no wider than the box.

    `truncated` is True when `max_lines` cut text off; the last line then ends
    with "…". `rtl` is the paragraph direction (see `is_rtl`): renderers set it
    and leave the reordering of each line to the bidi algorithm.
    """

    lines: tuple[str, ...]
    truncated: bool
    rtl: bool


def _clusters(text: str) -> list[str]:
    """Split into user-perceived characters that a line break must not cut.

    A simplification of UAX #29 that covers what maps contain: a base with its
    combining marks, variation selectors and emoji modifiers, ZWJ emoji
    sequences, and flag pairs.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if 0x1F1E6 <= ord(text[i]) <= 0x1F1FF and j < n and 0x1F1E6 <= ord(text[j]) <= 0x1F1FF:
            j += 1
        while j < n:
            ch = text[j]
            cp = ord(ch)
            if ch == _ZWJ:
                j += 2 if j + 1 < n else 1
            elif (
                unicodedata.category(ch) in ("Mn", "Me", "Mc")
                or 0xFE00 <= cp <= 0xFE0F
                or 0x1F3FB <= cp <= 0x1F3FF
                or 0xE0020 <= cp <= 0xE007F
            ):
                j += 1
            else:
                break
        out.append(text[i:j])
        i = j
    return out


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _break_between(before2: str, before: str, after: str) -> bool:
    """May a line break between cluster `before` and cluster `after`?

    `before2` is the cluster before `before` ("" at the start).
    """
    a, b = before[-1], after[0]
    if b in _BREAK_SPACES:
        return False  # spaces stay at the end of the line they follow
    if a in _BREAK_SPACES:
        return True
    if b in _NO_LINE_START or a in _NO_LINE_END:
        return False
    if _is_wide(before[0]) or _is_wide(b):
        return True  # CJK (and emoji) break between any two characters
    if a in _BREAK_AFTER_IN_WORD:
        return bool(before2) and before2[0].isalnum() and b.isalnum()
    return a in _BREAK_AFTER_DASH and b.isalnum()


def _segments_general(paragraph: str) -> list[str]:
    """Cut a paragraph into unbreakable runs (trailing spaces included)."""
    segments: list[str] = []
    current: list[str] = []
    before2 = before = ""
    for cluster in _clusters(paragraph):
        if current and _break_between(before2, before, cluster):
            segments.append("".join(current))
            current = []
        current.append(cluster)
        before2, before = before, cluster
    if current:
        segments.append("".join(current))
    return segments


# The same cuts for text below U+0300 (Latin, no combining marks, nothing wide),
# by regular expression: most map text takes this path.
_FAST_LIMIT = "\u0300"
_FAST_WORD = re.compile(r"[^ ]+ *| +")
_FAST_INNER = re.compile(r"(?<=[^\W_][-/])(?=[^\W_])")


def _segments(paragraph: str) -> list[str]:
    if paragraph and max(paragraph) >= _FAST_LIMIT:
        return _segments_general(paragraph)
    segments: list[str] = []
    for token in _FAST_WORD.findall(paragraph):
        if "-" in token or "/" in token:
            segments.extend(_FAST_INNER.split(token))
        else:
            segments.append(token)
    return segments


def _hyphenates(before: str, after: str) -> bool:
    """Does a word broken by force between these clusters get a hyphen?"""
    a, b = before[0], after[0]
    if not (a.isalpha() and b.isalpha()):
        return False
    for ch in (a, b):
        if _is_wide(ch) or unicodedata.bidirectional(ch) in ("R", "AL"):
            return False
        if _in(ord(ch), _NO_HYPHEN_BLOCKS):
            return False
    return True


class _Wrapper:
    """Greedy line filling for one call of `wrap`."""

    def __init__(self, width: float, size: float, weight: str) -> None:
        self.width = width
        self.size = size
        self.weight = weight
        self.lines: list[tuple[str, bool]] = []  # (text, ends with an added hyphen)

    def fits(self, line: str) -> bool:
        # the same arithmetic as `measure`, so a line that fits here measures <= width
        return _units_uncached(line, self.weight) * self.size / 1000 <= self.width

    def paragraph(self, text: str) -> None:
        # spans of words that are addresses: a hyphen added inside one would read
        # as part of it, so those are broken without
        addresses = [m.span() for m in _WORD.finditer(text) if _ADDRESS.search(m.group())]
        current = ""
        offset = 0
        for joined in _segments(text):
            start, offset = offset, offset + len(joined)
            candidate = current + joined
            if self.fits(candidate.rstrip(_BREAK_SPACES)):
                current = candidate
                continue
            if current:
                self.lines.append((current.rstrip(_BREAK_SPACES), False))
            if self.fits(joined.rstrip(_BREAK_SPACES)):
                current = joined
                continue
            hyphenate = not any(lo <= start < hi for lo, hi in addresses)
            current = self._break_word(_clusters(joined), hyphenate)
        self.lines.append((current.rstrip(_BREAK_SPACES), False))

    def _break_word(self, clusters: list[str], hyphenate: bool) -> str:
        """Emit lines for a run too wide for a line; return its last, open piece."""
        start, n = 0, len(clusters)
        while True:
            best: tuple[int, str, bool] | None = None
            for end in range(start + 1, n + 1):
                piece = "".join(clusters[start:end])
                if end == n:
                    if end == start + 1 or self.fits(piece.rstrip(_BREAK_SPACES)):
                        return piece  # the rest (or one last character): left open
                    break
                if not self.fits(piece):
                    break
                hyphen = hyphenate and _hyphenates(clusters[end - 1], clusters[end])
                if not hyphen or self.fits(piece + HYPHEN):
                    best = (end, piece + HYPHEN if hyphen else piece, hyphen)
            if best is None:  # not even one character fits: it goes alone
                best = (start + 1, clusters[start], False)
            end, line, hyphen = best
            self.lines.append((line.rstrip(_BREAK_SPACES), hyphen))
            start = end

    def ellipsize(self, line: str, hyphen: bool) -> str:
        """`line` cut short enough to end in "…" and still fit."""
        if hyphen:
            line = line[: -len(HYPHEN)]
        clusters = _clusters(line.rstrip(_BREAK_SPACES))
        while clusters:
            candidate = "".join(clusters).rstrip(_BREAK_SPACES) + ELLIPSIS
            if self.fits(candidate):
                return candidate
            clusters.pop()
        return ELLIPSIS


def _paragraphs(text: str) -> list[str]:
    """NFC lines with spaces collapsed; blank lines kept, except at either end."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [_COLLAPSE.sub(" ", p).strip(" ") for p in text.split("\n")]
    while paragraphs and not paragraphs[-1]:
        paragraphs.pop()
    start = 0
    while start < len(paragraphs) and not paragraphs[start]:
        start += 1
    return paragraphs[start:]


def wrap(
    text: str,
    width: float,
    size: float,
    weight: str = "regular",
    max_lines: int | None = None,
) -> Wrapped:
    """Break `text` into lines no wider than `width` px at font `size` px.

    Lines break at spaces, after hyphens and slashes inside words, and between
    CJK characters (never before closing or after opening punctuation); explicit
    newlines are kept. Runs of spaces and tabs collapse to one space, as SVG and
    HTML draw them. A word wider than the box is broken between characters, with
    a hyphen where the script hyphenates. Only a single character wider than
    `width` (or a lone "…") can exceed it. With `max_lines`, the text is cut and
    the last line ends in "…" (`truncated=True`); nothing is dropped silently.
    """
    if not (size > 0 and math.isfinite(size)):
        raise ValueError(f"font size must be a positive number, not {size!r}")
    if math.isnan(width):
        raise ValueError("width must be a number, not NaN")
    if max_lines is not None and max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, not {max_lines!r}")
    _face(weight)
    rtl = is_rtl(text)
    wrapper = _Wrapper(width, size, weight)
    for paragraph in _paragraphs(text):
        wrapper.paragraph(paragraph)
        if max_lines is not None and len(wrapper.lines) > max_lines:
            break
    lines = wrapper.lines
    if max_lines is None or len(lines) <= max_lines:
        return Wrapped(tuple(line for line, _ in lines), False, rtl)
    kept = [line for line, _ in lines[: max_lines - 1]]
    kept.append(wrapper.ellipsize(*lines[max_lines - 1]))
    return Wrapped(tuple(kept), True, rtl)
