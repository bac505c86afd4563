"""Line-break opportunities and hyphenation points by the rules of each script and language.

`jmap.layout.text` imports this module only for text its own quick rules do not cover
(characters from U+0300 up, or a word too wide for its line in a language with a
hyphenation dictionary), because the libraries cost start-up time a plain English map
need not pay (see docs/performance.md):

* ICU's line breaker (icu4py), the one Chromium uses: the Unicode line-breaking
  algorithm (UAX #14) plus CSS `line-break: strict` for Japanese and Chinese (no small
  kana or prolonged sound mark at a line start);
* BudouX's phrase boundaries for Japanese and Chinese (what CSS `word-break:
  auto-phrase` uses in Chromium): between two CJK characters a line breaks only
  between phrases, unless a phrase is wider than its line;
* pyphen's hyphenation dictionaries (the LibreOffice ones) for Latin-script languages.

Korean keeps its words whole (CSS `word-break: keep-all`): lines break at spaces.
"""

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from itertools import accumulate
from typing import Any

__all__ = ["hyphenation_points", "opportunities"]

#: Languages whose lines follow CSS `line-break: strict` (kinsoku shori).
_STRICT = frozenset({"ja", "zh", "yue"})


def _primary(language: str) -> str:
    """The primary language subtag of a BCP 47 tag ("pt-BR" -> "pt"), lower case."""
    return language.replace("_", "-").split("-", 1)[0].lower()


@cache
def _locale(language: str | None) -> str:
    """The ICU locale for `language` (None: the root locale, no language-specific rules)."""
    if not language:
        return ""
    primary = _primary(language)
    return primary + ("@lb=strict" if primary in _STRICT else "")


def _is_hangul(ch: str) -> bool:
    cp = ord(ch)
    return 0xAC00 <= cp <= 0xD7A3 or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F


def opportunities(text: str, language: str | None, phrases: bool = True) -> list[str]:
    """`text` cut where a line may break (each piece keeps the spaces after it).

    With `phrases`, Japanese breaks only between phrases (a phrase too wide for a line
    is broken again with `phrases=False`).
    """
    from icu4py.breakers import LineBreaker  # ICU: ~30 ms at first import, only for such text

    pieces = [piece for piece in LineBreaker(text, _locale(language)) if piece]
    if phrases and language and _primary(language) in ("ja", "zh"):
        pieces = _within_phrases(pieces, _phrase_ends(text, language))
    if language and _primary(language) == "ko":
        merged: list[str] = []
        for piece in pieces:
            if merged and _is_hangul(merged[-1][-1]) and _is_hangul(piece[0]):
                merged[-1] += piece
            else:
                merged.append(piece)
        pieces = merged
    return pieces


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _phrase_ends(text: str, language: str) -> set[int]:
    """Where BudouX ends a phrase of `text` (offsets), for Japanese or Chinese."""
    parse = _phrase_parser(language)
    phrases: list[str] = parse(text)
    if "".join(phrases) != text:
        return set(range(len(text) + 1))  # never seen: fall back to every opportunity
    return set(accumulate(map(len, phrases), initial=0))


@cache
def _phrase_parser(language: str) -> Callable[[str], list[str]]:
    import budoux  # pure Python, ~15 ms at first import: only for Japanese and Chinese text

    if _primary(language) == "ja":
        return budoux.load_default_japanese_parser().parse
    subtags = {tag.lower() for tag in language.replace("_", "-").split("-")[1:]}
    traditional = bool(subtags & {"hant", "tw", "hk", "mo"}) and "hans" not in subtags
    parser = (
        budoux.load_default_traditional_chinese_parser()
        if traditional
        else (budoux.load_default_simplified_chinese_parser())
    )
    return parser.parse


def _within_phrases(pieces: list[str], ends: set[int]) -> list[str]:
    """`pieces` joined again where they meet between two CJK characters inside a phrase."""
    out: list[str] = []
    at = 0
    for piece in pieces:
        if out and at not in ends and _is_wide(out[-1][-1]) and _is_wide(piece[0]):
            out[-1] += piece
        else:
            out.append(piece)
        at += len(piece)
    return out


@cache
def _dictionary(language: str) -> object | None:
    """pyphen's dictionary for `language`, or None where it has none (or the script is not hyphenated)."""
    import pyphen  # type: ignore[import-untyped]

    tag = language.replace("-", "_")
    for name in (tag, _primary(language)):
        found = pyphen.language_fallback(name)
        if found:
            path = pyphen.LANGUAGES[found]
            if path not in pyphen.hdcache:
                pyphen.hdcache[path] = _lazy_patterns(pyphen, path)
            # at least 4 letters go to the next line: "Sachbearbeitungs-schalter", not "...schal-ter"
            dictionary: object = pyphen.Pyphen(lang=found, left=2, right=4)
            return dictionary
    return None


def _lazy_patterns(pyphen: Any, path: Any) -> Any:
    """A `pyphen.HyphDict` that parses a pattern only when a word needs it.

    pyphen parses every pattern of a dictionary up front: 0.5 s for the 1 MB German one,
    more than a whole build. Here the file is only split into lines and each line's letters
    (C-speed byte and string operations, ~30 ms); `positions` asks for a few dozen patterns a word.
    """
    with path.open("rb") as fd:
        encoding = fd.readline().decode().strip()
    if encoding.lower() == "microsoft-cp1251":
        encoding = "cp1251"
    data = re.sub(rb"[ \t\r]*\n[ \t]*", b"\n", path.read_bytes())  # as pyphen strips each line
    if re.search(rb"(?m)^[^#%\n]*[/^]", data):
        return pyphen.HyphDict(path)  # hex escapes or nonstandard hyphenation: pyphen's own way
    # digits are ASCII in every encoding the dictionaries use: removed from the bytes, fast.
    # Comment lines stay in, under keys no word asks for (pyphen lower-cases words).
    lines = data.decode(encoding).split("\n")[1:]
    keys = data.translate(None, b"0123456789").decode(encoding).split("\n")[1:]
    pairs = zip(keys, lines, strict=True)
    hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
    hd.patterns = _Patterns(pairs, pyphen.parse)
    hd.cache = {}
    hd.maxlen = max(map(len, keys))
    return hd


class _Patterns:
    """Pattern letters -> (offset, values), parsed from the raw line when first asked for (as pyphen does)."""

    def __init__(self, raw: Any, parse: Any) -> None:
        self.raw: dict[str, str] = dict(raw)
        self.parse = parse
        self.parsed: dict[str, tuple[int, tuple[int, ...]] | None] = {}

    def get(self, key: str) -> tuple[int, tuple[int, ...]] | None:
        if key in self.parsed:
            return self.parsed[key]
        line = self.raw.get(key)
        value = None
        if line is not None:
            values = tuple(int(i or "0") for i, _ in self.parse(line))
            if max(values):
                start, end = 0, len(values)
                while not values[start]:
                    start += 1
                while not values[end - 1]:
                    end -= 1
                value = (start, values[start:end])
        self.parsed[key] = value
        return value


def hyphenation_points(word: str, language: str | None) -> list[int]:
    """Where `word` may be hyphenated (offsets into it), by the language's dictionary.

    None without a language (nothing is guessed). Points that would leave a one-letter
    syllable are dropped: the dictionaries offer some ("Sachbe-a-r-beitung") that no
    typesetter would use.
    """
    if not language or _primary(language) in _STRICT or _primary(language) == "ko":
        return []
    dictionary = _dictionary(language)
    if dictionary is None:
        return []
    points: list[int] = dictionary.positions(word)  # type: ignore[attr-defined]
    edges = [0, *points, len(word)]
    return [p for k, p in enumerate(points, 1) if edges[k] - edges[k - 1] > 1 and edges[k + 1] - edges[k] > 1]
