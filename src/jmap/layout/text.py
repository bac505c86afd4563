"""Measure and wrap text with the metrics of the fonts that will draw it.

Cards must never overflow, in a browser (HTML, SVG) or in cairo (PNG, PDF), so
every width here is a safe upper bound for both:

* widths come from `_metrics.py`, generated from the bundled fonts by
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
module does no I/O beyond importing the metrics table on first use, fills its
width tables only with the characters it meets, and does not import fontTools or
dataclasses (`Wrapped` is a NamedTuple, with evaluated annotations: see
jmap.layout.geometry), so importing it and measuring the first text are cheap.
"""

import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from functools import cache, lru_cache
from itertools import accumulate
from typing import Any, NamedTuple

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
_TABS = str.maketrans("\t\f\v", "   ")  # collapse with spaces, as SVG and HTML draw them

# Kinsoku shori (CSS `line-break: strict`, which ICU applies for Japanese and Chinese):
# never start a line with a closing mark, small kana or a prolonged sound mark, never
# end one with an opening bracket. Here they tell a lone character on a last line.
_NO_LINE_START = frozenset(
    ")]}.,;:!?\u2019\u201d\u00bb\u203a"
    "\u3041\u3043\u3045\u3047\u3049\u3063\u3083\u3085\u3087\u308e\u3095\u3096"
    "\u30a1\u30a3\u30a5\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u30ee\u30f5\u30f6\u30fc\u31f0\u31f1"
    "\u3001\u3002\uff0c\uff0e\u30fb\uff1a\uff1b\uff1f\uff01\u203c\u2047\u2048\u2049"
    "\uff09\uff3d\uff5d\u3015\u3009\u300b\u300d\u300f\u3011\u3019\u3017\u301f\uff60"
    "\u309d\u309e\u30fd\u30fe\u3005\u303b\u2026\u2025"
)
_NO_LINE_END = frozenset(
    "([{\u2018\u201c\u00ab\u2039\uff08\uff3b\uff5b\u3014\u3008\u300a\u300c\u300e\u3010\u3018\u3016\u301d\uff5f"
)
# Words that are addresses: a hyphen added inside one would read as part of it.
_ADDRESS = r"(?i)://|@|\bwww\."
_WORD = r"[^ ]+"
_LETTERS = r"[^\W\d_]{5,}"  # a run of letters long enough to hyphenate
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


class _Widths(dict[str, int]):
    """Character -> width (1/1000 em), looked up in the table when first met."""

    def __init__(self, face: "_Face") -> None:
        super().__init__()
        self.face = face

    def __missing__(self, ch: str) -> int:
        return self.face.lookup(ch)


class _Kerning(dict[tuple[str, str], int]):
    """(character, next visible character) -> their kerning, worked out when first met.

    Both characters' widths are looked up before their kerning (that enters
    their kerning classes). Forgotten past `LIMIT` pairs, for long-running
    processes that see a lot of text (CJK has many pairs, none kerned).
    """

    LIMIT = 100_000

    def __init__(self, face: "_Face") -> None:
        super().__init__()
        self.face = face

    def __missing__(self, pair: tuple[str, str]) -> int:
        if len(self) >= self.LIMIT:
            self.clear()
        face = self.face
        left = face.kern_left.get(pair[0])
        right = face.kern_right.get(pair[1])
        kern = 0 if left is None or right is None else face.kern_pairs.get(left * 256 + right, 0)
        self[pair] = kern
        return kern


class _Face:
    """Widths (1/1000 em) of one weight, keyed by character, plus kerning and ligatures.

    A process pays only for the characters its maps use: `widths` and the
    kerning classes take each character when it is first met (`lookup`), and
    `pairs` each pair of neighbours.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.chars: str = data["chars"]  # sorted by code point
        # for each of `chars`, a character whose code point is its width, its left and right kerning class + 1
        self.table = (data["widths"], data["kern_left"], data["kern_right"])
        self.widths = _Widths(self)
        self.kern_left: dict[str, int] = {}
        self.kern_right: dict[str, int] = {}
        # left class * 256 + right class -> kerning
        self.kern_pairs = dict(zip(map(ord, data["kern_pairs"]), map(ord, data["kern_values"]), strict=True))
        self.pairs = _Kerning(self)
        self.ligatures: dict[str, int] = data["ligatures"]
        # Arabic: [isol, init, medi, fina] widths of joining letters, their joining type
        self.forms: dict[str, tuple[int, int, int, int]] = data["forms"]
        self.joining = {ch: kind for kind, letters in data["joining"].items() for ch in letters}
        self.arabic = frozenset(self.forms)
        # A set of characters every ligature contains one of: text without any of
        # them skips the ligature scan. Per ligature, its least common character.
        counts: dict[str, int] = {}
        for lig in self.ligatures:
            for ch in set(lig):
                counts[ch] = counts.get(ch, 0) + 1
        self.lig_triggers = frozenset(min(lig, key=lambda c: counts[c]) for lig in self.ligatures)
        # `_Plain` adds widths up: no ligature or joining may span two pieces, and VS16 takes no room
        self.not_plain = self.lig_triggers | self.arabic | ({_VS16} if self.widths[_VS16] else set())
        self.marks_plain = self.not_plain.isdisjoint(HYPHEN + ELLIPSIS)

    def lookup(self, ch: str) -> int:
        """Width of a character met for the first time; enters it and its kerning classes."""
        chars = self.chars
        k = bisect_left(chars, ch)
        if k < len(chars) and chars[k] == ch:
            widths, left, right = self.table
            w = ord(widths[k])
            cp = ord(ch)
            if cp >= _EMOJI_PRESENTATION[0][0] and _in(cp, _EMOJI_PRESENTATION):
                w = max(w, _EMOJI)  # drawn as emoji even where the font has a glyph
            if left[k] != "\0":
                self.kern_left[ch] = ord(left[k]) - 1
            if right[k] != "\0":
                self.kern_right[ch] = ord(right[k]) - 1
        else:
            w = _fallback_width(ch, self.widths[" "])
        self.widths[ch] = w
        return w

    def char_widths(self, text: str) -> list[int]:
        """The width of each character of `text`."""
        return list(map(self.widths.__getitem__, text))

    def kerning(self, chars: Sequence[str]) -> list[int]:
        """The kerning between each two neighbours of `chars` (visible characters)."""
        return list(map(self.pairs.__getitem__, zip(chars, chars[1:], strict=False)))

    def plain(self, text: str) -> bool:
        """Do the widths of the pieces of `text` add up, with kerning at the seams?

        Not where a ligature or Arabic joining can span two pieces (or a piece
        and the hyphen or ellipsis wrap adds).
        """
        return self.marks_plain and self.not_plain.isdisjoint(text)


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
def _table() -> dict[str, dict[str, Any]]:
    """The metrics of each face, imported on first use (see `tools/gen_metrics.py`).

    Only while the bundled fonts still have the digest the module was generated from (of the
    tables the metrics come from, `jmap.digests.FONT_TABLES`: about 0.4 MB of their 1 MB, once
    per process, only where text is measured); else they are read with fontTools now, which
    takes a second or two but is right.
    """
    from jmap.digests import font_tables_digest
    from jmap.layout import _metrics
    from jmap.resources import data_dir

    fonts = data_dir("fonts")
    paths = [fonts / font[0] for face in _metrics.FACES.values() for font in face["fonts"]]
    if font_tables_digest(paths) == _metrics.SOURCE_DIGEST:
        return _metrics.FACES
    from jmap.layout import fontmetrics  # fontTools: seconds, only for fonts changed since the module

    return fontmetrics.faces(fonts)


@cache
def _face(weight: str) -> _Face:
    try:
        name = _WEIGHTS[weight]
    except KeyError:
        raise ValueError(f"unknown font weight {weight!r}; use one of {', '.join(_WEIGHTS)}") from None
    return _Face(_table()[name])


def _units_uncached(text: str, weight: str) -> int:
    """Width of `text` in 1/1000 em (an integer, so sums are exact)."""
    face = _face(weight)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    widths = face.char_widths(text)
    # marks do not break a kerning pair (the font ignores them)
    visible = text if all(widths) else [ch for ch, w in zip(text, widths, strict=True) if w]
    total = sum(widths) + sum(face.kerning(visible))
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
                total += max(0, _EMOJI - widths[i - 1])
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


@cache
def _vertical(key: str) -> int:
    """Inter's vertical metric `key` in 1/1000 em (both weights share them)."""
    return int(_table()["regular"][key])


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


class Wrapped(NamedTuple):
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


def _segments_general(paragraph: str, language: str | None = None, phrases: bool = True) -> list[str]:
    """Cut a paragraph where UAX #14 (and the language's rules) let a line break, trailing spaces included."""
    from jmap.layout import linebreak  # ICU: imported only for text that needs it

    return _whole_clusters(linebreak.opportunities(paragraph, language, phrases))


# The same cuts for most map text without ICU. A paragraph of "simple" characters (Latin
# letters, digits, . , : ; ' " & # @ - / · curly quotes and spaces) is cut by the UAX #14
# rules that apply to them; one that also has the ASCII characters in `_FAST_COMPLEX` is
# cut at spaces the same way, and each word holding one of those inside (not just a
# bracket or mark at an end) is cut by ICU only if the line needs it (`_Wrapper.paragraph`).
# tests/test_text.py checks both against ICU.
_FAST_WORD = r"[^ ]+ *| +"
_FAST_SIMPLE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ .,:;'\"&#@-/"
    + "".join(chr(cp) for cp in range(0xC0, 0x250) if cp not in (0xD7, 0xF7))
)
_FAST_COMPLEX = frozenset("()[]{}!?+%$*=<>~^|\\`")  # "_" is a letter to UAX #14 (class AL)
_OPENING_QUOTES = "\u201c\u2018"  # UAX #14 LB15a: no break after one, even before a space
_CLOSING_QUOTES = "\u201d\u2019"  # LB15b: nor before one, even after a space
_FAST_KNOWN = _FAST_SIMPLE | _FAST_COMPLEX | frozenset(_OPENING_QUOTES + _CLOSING_QUOTES + "\u00b7")
_FAST_EDGES = ("([{" + _OPENING_QUOTES, ")]}!?.,:;'\"" + _CLOSING_QUOTES)  # brackets and marks around a word
_FAST_NO_BREAK_BEFORE = ".,:;/)]}!?"  # UAX #14 LB13: not even after a space
_QUOTES_AND_OPENING = "([{'\"" + _OPENING_QUOTES + _CLOSING_QUOTES
_DIGITS = "0123456789"


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled on first use: compiling all of them at import took longer than the rest of it."""
    return re.compile(pattern)


def _segments(paragraph: str, language: str | None = None) -> list[str]:
    """Cut a paragraph where a line may break (UAX #14), each piece with its trailing spaces.

    Text below U+0300 made of the characters `_fast_segments` knows is cut there, without
    importing ICU; other text goes to `jmap.layout.linebreak`.
    """
    if not _FAST_KNOWN.issuperset(paragraph):
        return _segments_general(paragraph, language)
    return _fast_segments(paragraph)


def _fast_segments(paragraph: str) -> list[str]:
    """UAX #14 cuts of a paragraph of `_FAST_SIMPLE` and `_FAST_COMPLEX` characters.

    A piece with a `_FAST_COMPLEX` character is left whole: `_refine` cuts it.
    """
    words: list[str] = []
    for token in _regex(_FAST_WORD).findall(paragraph):
        first, then = token[0], token[1:2]
        if first in _CLOSING_QUOTES:  # LB15b: only where what follows closes too
            joins = then in ("", " ") or then in _QUOTES_AND_OPENING[3:] + ")]}!?.,:;/"
        else:  # LB13, except LB15c: " .5"
            joins = first in _FAST_NO_BREAK_BEFORE and not (first in ".,:;" and then.isdigit())
        if words and (joins or _holds_on(words[-1].rstrip(" "))):
            words[-1] += token
        else:
            words.append(token)
    segments: list[str] = []
    for word in words:
        if ("-" in word or "/" in word) and _simple_inside(word):
            segments.extend(_fast_inner(word))
        else:
            segments.append(word)
    return segments


def _holds_on(word: str) -> bool:
    """Does `word` end so that no line may break after it, even at a space (UAX #14 LB14, LB15a)?"""
    if word[-1] in "([{":
        return True
    return word[-1] in _OPENING_QUOTES and (len(word) == 1 or word[-2] in _QUOTES_AND_OPENING + " ")


def _simple_inside(word: str) -> bool:
    """Are the characters of `word` simple, but for brackets and marks at either end?"""
    return _FAST_COMPLEX.isdisjoint(word.rstrip(" ").lstrip(_FAST_EDGES[0]).rstrip(_FAST_EDGES[1]))


def _fast_inner(word: str) -> list[str]:
    """`word` (simple characters, no space inside) cut after its hyphens and slashes, as UAX #14 does.

    After "-" before a letter, unless the hyphen begins the word (LB20a); after "/" before
    a letter, or before a digit unless a number runs up to it ("1/2", LB25).
    """
    cuts = [0]
    for found in _regex(r"[-/](?=\w|[&#@\u00b7])").finditer(word):
        i = found.end()
        after = word[i]
        if after in _DIGITS:
            if found.group() == "-" or _regex(r"\d[.,:;/]*$").search(word, 0, i):
                continue
        elif found.group() == "-" and (i < 2 or word[i - 2] == " "):
            continue
        cuts.append(i)
    cuts.append(len(word))
    return [word[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _refine(segment: str) -> list[str]:
    """A fast path piece with a `_FAST_COMPLEX` character, cut by ICU (a single piece otherwise)."""
    if _simple_inside(segment):
        return [segment]
    return _segments_general(segment)


def _whole_clusters(pieces: list[str]) -> list[str]:
    """`pieces` joined again wherever a cut would fall inside a cluster (see `_clusters`)."""
    text = "".join(pieces)
    ends = set(_offsets(_clusters(text)))
    out: list[str] = []
    at = 0
    for piece in pieces:
        if out and at not in ends:
            out[-1] += piece
        else:
            out.append(piece)
        at += len(piece)
    return out


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


class _Plain:
    """Widths of the pieces of one text whose widths add up (see `_Face.plain`).

    The text is measured once, character by character; the width of a piece is
    then the sum of its characters' widths and of what each adds by kerning with
    the one before it, except its first visible character, whose neighbour lies
    outside the piece. Equal to measuring the piece on its own (as `measure`
    does), without looking anything up again.
    """

    grows = True  # a piece is never narrower than its beginning (no negative kerning)

    def __init__(self, text: str, weight: str) -> None:
        face = _face(weight)
        self.text = text
        self.weight = weight
        self.widths = widths = face.char_widths(text)
        # what each character adds beyond its width, because of the one(s) before it
        if all(widths):
            self.lead = [0, *face.kerning(text)] if text else []
        else:  # kerning skips invisible characters; VS16 widens the character before it
            self.lead = [0] * len(text)
            visible = [k for k, w in enumerate(widths) if w]
            for k, kern in zip(visible[1:], face.kerning([text[k] for k in visible]), strict=True):
                self.lead[k] = kern
            for k in range(1, len(text)):
                if text[k] == _VS16:
                    self.lead[k] = max(0, _EMOJI - widths[k - 1])

    def units(self, i: int, j: int, mark: str = "") -> int:
        """Width of text[i:j] + mark, in 1/1000 em."""
        widths, lead = self.widths, self.lead
        total = 0
        if i < j:
            # lead[i] is kerning (or VS16 widening) with a character before the piece
            total = sum(widths[i:j]) + sum(lead[i + 1 : j])
            if not widths[i]:  # and so is the lead of its first visible character
                k = i + 1
                while k < j and not widths[k]:
                    k += 1
                if k < j:
                    total -= lead[k]
        if mark:  # it kerns with the last visible character before it
            k = j - 1
            while k >= i and not widths[k]:
                k -= 1
            total += _append_units(self.text[k] if k >= i else "", mark, self.weight)
        return total


class _Shaped:
    """Widths of the pieces of a text with ligatures or Arabic: each piece measured whole."""

    grows = False  # an Arabic letter that gains a neighbour can take a narrower form

    def __init__(self, text: str, weight: str) -> None:
        self.text = text
        self.weight = weight

    def units(self, i: int, j: int, mark: str = "") -> int:
        return _units_uncached(self.text[i:j] + mark, self.weight)


@cache
def _append_units(before: str, mark: str, weight: str) -> int:
    """What `mark` adds after plain text whose last visible character is `before`."""
    return _units_uncached(before + mark, weight) - _units_uncached(before, weight)


def _rstrip(text: str, i: int, j: int) -> int:
    """End of text[i:j] without the spaces it ends with."""
    while j > i and text[j - 1] in _BREAK_SPACES:
        j -= 1
    return j


def _offsets(pieces: list[str], start: int = 0) -> list[int]:
    """Where each piece starts, and where the last one ends."""
    return list(accumulate(map(len, pieces), initial=start))


class _Wrapper:
    """Greedy line filling for one call of `wrap`.

    Lines are spans [start, end) of the paragraph, measured by a `_Plain` (widths
    summed once) or `_Shaped` (each candidate measured whole) measurer.
    """

    def __init__(self, width: float, size: float, weight: str, language: str | None = None) -> None:
        self.width = width
        self.size = size
        self.weight = weight
        self.language = language
        self.face = _face(weight)
        self.lines: list[tuple[str, bool]] = []  # (text, ends with an added hyphen)
        self.starts: list[int] = []  # where each line of the current paragraph starts in it

    def measurer(self, text: str) -> _Plain | _Shaped:
        return _Plain(text, self.weight) if self.face.plain(text) else _Shaped(text, self.weight)

    def fits(self, units: int) -> bool:
        # the same arithmetic as `measure`, so a line that fits here measures <= width
        return units * self.size / 1000 <= self.width

    def emit(self, text: str, start: int, end: int, hyphen: bool = False) -> None:
        """Add the line text[start:end] (without its trailing spaces), plus the hyphen it was broken with."""
        self.lines.append((text[start : _rstrip(text, start, end)] + (HYPHEN if hyphen else ""), hyphen))
        self.starts.append(start)

    def paragraph(self, text: str) -> None:
        m = self.measurer(text)
        whole = _rstrip(text, 0, len(text))
        self.starts = []
        if m.grows and self.fits(m.units(0, whole)):
            # every line the loop below would try is a prefix of this one, no wider: all fit
            self.lines.append((text[:whole], False))
            return
        segments = _segments(text, self.language)
        bounds = _offsets(segments)
        line = end = k = 0  # the open line is text[line:end]
        while k < len(segments):
            segment = segments[k]
            start, stop = bounds[k], bounds[k + 1]
            k += 1
            core = _rstrip(text, start, stop)
            if self.fits(m.units(line, core if core > start else _rstrip(text, line, start))):
                end = stop
                continue
            pieces = _refine(segment)
            if len(pieces) > 1:  # a word with a break inside it, which only now matters
                segments[k - 1 : k] = pieces
                bounds[k - 1 : k + 1] = _offsets(pieces, start)
                k -= 1
                continue
            if end > line:
                self.emit(text, line, end)
            if self.fits(m.units(start, core)):
                line, end = start, stop
                continue
            line, end = self._break_word(m, start, segment), stop
        self.emit(text, line, end)
        self._no_lone_last(m, bounds)

    def _no_lone_last(self, m: _Plain | _Shaped, bounds: list[int]) -> None:
        """Give a lone CJK character on a Japanese or Chinese paragraph's last line company from the line before.

        The last break opportunity of the line before that leaves both lines fitting
        moves down; where there is none, the lines stay as they are.
        """
        if len(self.starts) < 2 or self.lines[-2][1] or not _is_cjk_language(self.language):
            return
        text, prev, last = m.text, self.starts[-2], self.starts[-1]
        letters = [c for c in _clusters(text[last:].rstrip(_BREAK_SPACES)) if c[0] not in _NO_LINE_START]
        if len(letters) != 1 or not _is_wide(letters[0][0]):
            return
        end = _rstrip(text, 0, len(text))
        if not text.isascii():  # inside phrases too (a phrase wider than the line was broken inside)
            bounds = _offsets(_segments_general(text, self.language, phrases=False))
        for cut in reversed(bounds):
            if not prev < cut < last:
                continue
            if self.fits(m.units(cut, end)) and self.fits(m.units(prev, _rstrip(text, prev, cut))):
                del self.lines[-2:], self.starts[-2:]
                self.emit(text, prev, cut)
                self.emit(text, cut, end)
            return

    def _break_word(self, m: _Plain | _Shaped, offset: int, word: str) -> int:
        """Emit lines for a run too wide for a line; return where its last, open piece starts.

        It breaks where the language lets it first (syllables from a hyphenation
        dictionary, with a hyphen; the break opportunities inside a Japanese phrase),
        at the last such place that fits; only where none fits, between any two
        characters (with a hyphen where the script hyphenates).
        """
        text = m.text
        stop = offset + len(word)
        preferred = self._inner_breaks(text, offset, word)
        clusters = _clusters(word)
        bounds = _offsets(clusters, offset)
        hyphenate = not _in_address(text, offset)
        start, n = 0, len(clusters)
        while True:
            a = bounds[start]
            if preferred and start < n - 1 and not self.fits(m.units(a, _rstrip(text, a, stop))):
                chosen = next(
                    ((cut, hyphen) for cut, hyphen in reversed(preferred)
                     if a < cut < stop and self.fits(m.units(a, cut, HYPHEN if hyphen else ""))),
                    None,
                )  # fmt: skip
                if chosen is not None:
                    self.emit(text, a, chosen[0], chosen[1])
                    start = bounds.index(chosen[0])
                    continue
            best: tuple[int, bool] | None = None
            for end in range(start + 1, n + 1):
                b = bounds[end]
                if end == n:
                    if end == start + 1 or self.fits(m.units(a, _rstrip(text, a, b))):
                        return a  # the rest (or one last character): left open
                    break
                if not self.fits(m.units(a, b)):
                    break
                if not (hyphenate and _hyphenates(clusters[end - 1], clusters[end])):
                    best = (end, False)
                elif self.fits(m.units(a, b, HYPHEN)):
                    best = (end, True)
            if best is None:  # not even one character fits: it goes alone
                best = (start + 1, False)
            self.emit(text, a, bounds[best[0]], best[1])
            start = best[0]
            while start < n - 1 and clusters[start][0] in _BREAK_SPACES:  # no line starts with a space
                start += 1

    def _inner_breaks(self, text: str, offset: int, word: str) -> list[tuple[int, bool]]:
        """Where the language breaks `word` (at text[offset]) inside: (offset in text, with a hyphen), in order."""
        language = self.language
        if not language:
            return []
        if any(_is_wide(ch) for ch in word):  # a Japanese phrase: break where ICU would without phrases
            from jmap.layout import linebreak

            pieces = _whole_clusters(linebreak.opportunities(word, language, phrases=False))
            return [(cut, False) for cut in _offsets(pieces, offset)[1:-1]]
        if _in_address(text, offset):
            return []
        breaks: list[tuple[int, bool]] = []
        for found in _regex(_LETTERS).finditer(word):  # each run of letters, by the dictionary
            from jmap.layout import linebreak  # pyphen: only for a word too wide for its line

            base = offset + found.start()
            breaks.extend((base + point, True) for point in linebreak.hyphenation_points(found.group(), language))
        return breaks

    def ellipsize(self, line: str, hyphen: bool) -> str:
        """`line` cut short enough to end in "…" and still fit."""
        if hyphen:
            line = line[: -len(HYPHEN)]
        line = line.rstrip(_BREAK_SPACES)
        m = self.measurer(line)
        for end in reversed(_offsets(_clusters(line))[1:]):
            cut = _rstrip(line, 0, end)
            if self.fits(m.units(0, cut, ELLIPSIS)):
                return line[:cut] + ELLIPSIS
        return ELLIPSIS


def _is_cjk_language(language: str | None) -> bool:
    """Is `language` (BCP 47) Japanese or Chinese?"""
    return language is not None and language.replace("_", "-").split("-", 1)[0].lower() in ("ja", "zh", "yue")


def _in_address(text: str, offset: int) -> bool:
    """Is text[offset] inside a word that is an address (where a hyphen added would read as part of it)?"""
    address = _regex(_ADDRESS)
    return any(m.start() <= offset < m.end() for m in _regex(_WORD).finditer(text) if address.search(m.group()))


def _collapse(line: str) -> str:
    """`line` with each run of spaces and tabs as one space, and no space at either end."""
    if "  " in line or "\t" in line or "\f" in line or "\v" in line:
        return " ".join(filter(None, line.translate(_TABS).split(" ")))
    return line.strip(" ")


def _paragraphs(text: str) -> list[str]:
    """NFC lines with spaces collapsed; blank lines kept, except at either end."""
    text = unicodedata.normalize("NFC", text)
    if "\n" not in text and "\r" not in text:  # most text: a label, a sentence
        line = _collapse(text)
        return [line] if line else []
    paragraphs = [_collapse(p) for p in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
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
    language: str | None = None,
) -> Wrapped:
    """Break `text` into lines no wider than `width` px at font `size` px.

    Lines break where the Unicode line-breaking algorithm (UAX #14) lets them: at
    spaces, after hyphens and slashes inside words, between CJK characters (never
    before closing punctuation or small kana, never after opening punctuation);
    explicit newlines are kept. `language` (BCP 47, the map's `language:`) adds its
    rules: Japanese breaks between phrases, Korean only at spaces, and a word wider
    than the box is hyphenated at syllables by the language's dictionary. A lone
    CJK character on a paragraph's last line takes company from the line before.
    Without a language nothing is guessed: UAX #14 only. Runs of spaces and tabs
    collapse to one space, as SVG and HTML draw them. A word wider than the box
    that has no such place is broken between characters, with a hyphen where the
    script hyphenates. Only a single character wider than `width` (or a lone "…")
    can exceed it. With `max_lines`, the text is cut and the last line ends in "…"
    (`truncated=True`); nothing is dropped silently.
    """
    if not (size > 0 and math.isfinite(size)):
        raise ValueError(f"font size must be a positive number, not {size!r}")
    if math.isnan(width):
        raise ValueError("width must be a number, not NaN")
    if max_lines is not None and max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, not {max_lines!r}")
    _face(weight)
    return _wrap(text, width, size, weight, max_lines, language or None)


@lru_cache(maxsize=4096)
def _wrap(
    text: str, width: float, size: float, weight: str, max_lines: int | None, language: str | None = None
) -> Wrapped:
    """`wrap`, remembered: each build of a map wraps the same labels in the same boxes."""
    rtl = is_rtl(text)
    wrapper = _Wrapper(width, size, weight, language)
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
