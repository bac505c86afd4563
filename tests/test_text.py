"""Text measurement and wrapping: widths match the bundled fonts, lines never overflow."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from generators import load_generator
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jmap.layout import text as T
from jmap.layout.text import ELLIPSIS, is_rtl, measure, wrap

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "src" / "jmap" / "fonts"
CJK_FONTS = Path("/usr/share/fonts/opentype/noto")


@cache
def _gen_metrics() -> ModuleType:
    return load_generator("gen_metrics")


@cache
def _font_table() -> dict[str, Any]:
    """The metrics table as tools/gen_metrics.py reads it from the fonts (runs, ranges, classes)."""
    return _gen_metrics().build_table(FONTS)  # type: ignore[no-any-return]


# --- the metrics table ------------------------------------------------------------


def test_metrics_table_matches_the_bundled_fonts() -> None:
    committed = (ROOT / "src" / "jmap" / "layout" / "_metrics.py").read_text(encoding="utf-8")
    assert _gen_metrics().render(_font_table()) == committed, "run python tools/gen_metrics.py"


def _expand(ranges: list[list[int]]) -> list[str]:
    return [chr(cp) for lo, hi in ranges for cp in range(lo, hi + 1)]


@pytest.mark.parametrize("weight", ["regular", "semibold"])
def test_the_loaded_table_is_the_table_read_from_the_fonts(weight: str) -> None:
    """Every width and kerning pair that measuring looks up is the one in the fonts."""
    face = T._Face(T._table()[weight])  # a fresh face: nothing looked up yet
    data = _font_table()["faces"][weight]
    expected = {chr(run[0] + i): w for run in data["widths"] for i, w in enumerate(run[1:])}
    for ch, w in expected.items():
        if T._in(ord(ch), T._EMOJI_PRESENTATION):
            w = max(w, T._EMOJI)  # drawn as emoji (jmap.layout.text's rule, not the font's)
        assert face.widths[ch] == w, hex(ord(ch))
    assert face.widths["\u4e00"] == 1000 and "\u4e00" not in face.kern_left  # not in the fonts
    kern = data["kern"]
    lefts, rights = [_expand(r) for r in kern["left"]], [_expand(r) for r in kern["right"]]
    positive = {(a, b): v for lc, rc, v in kern["pairs"] for a in lefts[lc] for b in rights[rc]}
    assert len(positive) > 10_000
    for pair, v in positive.items():
        assert face.pairs[pair] == v, pair
    for pair in zip(expected, list(expected)[7:], strict=False):  # a sample of everything else
        assert face.pairs[pair] == positive.get(pair, 0), pair
    assert face.ligatures == data["ligatures"]
    assert face.forms == {chr(int(cp)): tuple(w) for cp, w in data["forms"].items()}
    assert face.joining == {ch: kind for kind, r in data["joining"].items() for ch in _expand(r)}
    assert T._vertical("ascender") == _font_table()["faces"]["regular"]["ascender"]


def test_fonts_and_licence_are_bundled() -> None:
    for name in ("Inter-Regular.otf", "Inter-SemiBold.otf", "NotoSansArabic-Regular.ttf",
                 "NotoSansArabic-Bold.ttf", "NotoSansHebrew-Regular.ttf",
                 "NotoSansHebrew-Bold.ttf", "LICENSE-OFL.txt", "README.md"):  # fmt: skip
        assert (FONTS / name).is_file(), name
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONTS / "LICENSE-OFL.txt").read_text()


def _advance_sum(font_file: str, text: str, size: float) -> float:
    from fontTools.ttLib import TTFont

    with TTFont(FONTS / font_file, lazy=True) as font:
        cmap = font.getBestCmap()
        hmtx = font["hmtx"]
        upem = font["head"].unitsPerEm
        return sum(hmtx[cmap[ord(c)]][0] for c in text) * size / upem


@pytest.mark.parametrize(("weight", "font_file"),
                         [("regular", "Inter-Regular.otf"), ("semibold", "Inter-SemiBold.otf")])  # fmt: skip
def test_measure_matches_fonttools(weight: str, font_file: str) -> None:
    expected = _advance_sum(font_file, "Hello world", 16)
    got = measure("Hello world", 16, weight)
    assert expected <= got <= expected + 0.5


def test_positive_kerning_widens_and_bold_is_semibold() -> None:
    # Inter kerns "LA" apart: the browser draws it wider than the plain advances.
    assert measure("LA", 100) > measure("L", 100) + measure("A", 100)
    assert measure("Hello", 16, "bold") == measure("Hello", 16, "semibold")
    assert measure("Hello", 16, "semibold") > measure("Hello", 16)
    with pytest.raises(ValueError, match="weight"):
        measure("Hello", 16, "heavy")


def test_measure_scales_with_size_and_is_additive() -> None:
    assert measure("Hello world", 32) == pytest.approx(2 * measure("Hello world", 16))
    assert measure("Hello world", 16) == pytest.approx(measure("Hello", 16) + measure(" ", 16) + measure("world", 16))
    assert measure("", 16) == 0


_PLAIN = st.text(
    st.sampled_from("abcdefgxyzABCLTVWY0123456789 .,-/–—>< äöüß東京日本。、「」مرحباשלום👋❤\ufe0f"),
    max_size=30,
)


_NON_JOINING = st.text(
    st.sampled_from("abcdefgxyzABCLTVWY0123456789 .,-/–—>< äöüß東京日本。、「」שלום👋❤\ufe0f"),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(_NON_JOINING, _NON_JOINING, st.floats(4, 64))
def test_measure_of_joined_text_is_at_least_the_parts(a: str, b: str, size: float) -> None:
    # kerning, ligatures and emoji presentation only ever add width at a join. Arabic is left out:
    # its letters legitimately take narrower joined forms next to each other (tested separately).
    assert measure(a + b, size) >= measure(a, size) + measure(b, size) - 1e-9


def test_characters_outside_the_table() -> None:
    assert measure("漢字かな", 20) == 80  # East Asian wide: exactly 1 em
    assert measure("ＡＢ", 10) == 20  # fullwidth
    assert measure("🦜", 10) == pytest.approx(13)  # emoji: 1.3 em, above every emoji font
    assert measure("e\u0301", 16) == measure("é", 16)  # measured in NFC
    assert measure("\u0301\u200d", 16) == 0  # marks and joiners take no room
    assert measure("❤\ufe0f", 10) >= 12.5  # VS16 asks for the emoji glyph


@pytest.mark.parametrize("font", ["NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"])
def test_estimates_cover_noto_sans_cjk(font: str) -> None:
    """Characters left to Noto Sans CJK are never measured narrower than it draws them."""
    path = CJK_FONTS / font
    if not path.is_file():
        pytest.skip("fonts-noto-cjk is not installed")
    from fontTools.ttLib import TTFont

    weight = "semibold" if "Bold" in font else "regular"
    table = set(T._table()[weight]["chars"])
    with TTFont(path, fontNumber=0, lazy=True) as cjk:  # JP: first CJK font of FONT_STACK
        hmtx = cjk["hmtx"]
        upem = cjk["head"].unitsPerEm
        too_narrow = [
            hex(cp)
            for cp, glyph in cjk.getBestCmap().items()
            if chr(cp) not in table and hmtx[glyph][0] * 1000 > T._fallback_width(chr(cp), 0) * upem
        ]
    assert too_narrow == []


def test_arabic_widths_cover_the_joined_forms_cairo_draws() -> None:
    """PNG/PDF draw Arabic pre-joined into presentation forms; those are never wider."""
    import arabic_reshaper

    for phrase in ("مرحبا بكم في خدمة العملاء", "الدفع عبر الإنترنت لا يعمل", "سلام"):
        assert measure(arabic_reshaper.reshape(phrase), 16) <= measure(phrase, 16)


_ARABIC = st.text(
    # No ZWJ: arabic_reshaper crashes on some ZWJ sequences (jmap.export.rtl drops the joiner then).
    st.sampled_from("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإئؤةىپچژگکی ًٌٍَُِّْـ\u200c 123،؟"),
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(_ARABIC, st.sampled_from(["regular", "semibold"]))
def test_arabic_is_measured_in_joined_forms(text: str, weight: str) -> None:
    """Logical Arabic text measures at least what cairo draws, and not much more."""
    import arabic_reshaper

    reshaper = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False})
    drawn = measure(reshaper.reshape(text), 100, weight)
    assert drawn <= measure(text, 100, weight) <= drawn * 1.06 + 30


def test_arabic_letters_take_their_joined_width() -> None:
    beh = measure("ب", 100)
    assert measure("ببب", 100) < 3 * beh  # initial, medial, final forms are narrower
    assert measure("ب ب ب", 100) == pytest.approx(3 * beh + 2 * measure(" ", 100))


# --- wrapping ------------------------------------------------------------------------

_REMOVED = set(T._BREAK_SPACES) | set("\t\n\r\f\v")


def _fits(line: str, width: float, size: float, weight: str) -> bool:
    return measure(line, size, weight) <= width or len(T._clusters(line)) == 1 or line == ELLIPSIS


def _assert_content_kept(text: str, lines: tuple[str, ...], truncated: bool) -> None:
    """Every non-space character comes out, in order; only break hyphens are added."""
    expected = [c for c in unicodedata.normalize("NFC", text) if c not in _REMOVED]
    if truncated:
        assert lines[-1].endswith(ELLIPSIS)
        lines = (*lines[:-1], lines[-1][: -len(ELLIPSIS)])
    j = 0
    for line in lines:
        chars = [c for c in line if c not in _REMOVED]
        for k, c in enumerate(chars):
            if j < len(expected) and expected[j] == c:
                j += 1
            elif c == T.HYPHEN and k == len(chars) - 1:
                continue  # hyphen added where a word was broken
            else:
                raise AssertionError(f"{c!r} out of place in {lines!r} for {text!r}")
    if truncated:
        assert j < len(expected) or not expected
    else:
        assert j == len(expected), f"lost text: {expected[j:]!r} from {lines!r}"


_WORDS = st.sampled_from([
    "customer", "journey", "Wohnsitzanmeldebestätigung", "Kundenzufriedenheitsumfrage",
    "e-mail", "and/or", "https://example.com/checkout/step", "mail@example.org",
    "東京都の住民登録が必要です。", "「確認」してください、", "한국어 텍스트",
    "مرحبا", "بكم", "שלום", "עולם", "👋🏽", "👨\u200d👩\u200d👧", "🇩🇪", "❤\ufe0f",
    "naïve", "cafe\u0301", "(note)", "A", "--->", "\n", "\n\n", "  ", "\t", "100%",
    "ภาษาไทยยาวมาก", "x" * 40,
])  # fmt: skip
_TEXT = st.lists(_WORDS, max_size=25).map(" ".join) | st.text(max_size=60)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _TEXT,
    st.floats(20, 400),
    st.sampled_from([9, 12, 14, 16, 24]),
    st.sampled_from(["regular", "semibold"]),
    st.one_of(st.none(), st.integers(1, 5)),
)
def test_wrap_never_overflows_and_keeps_content(
    text: str, width: float, size: float, weight: str, max_lines: int | None
) -> None:
    result = wrap(text, width, size, weight, max_lines)
    for line in result.lines:
        assert _fits(line, width, size, weight), (line, measure(line, size, weight), width)
    if max_lines is not None:
        assert len(result.lines) <= max_lines
    _assert_content_kept(text, result.lines, result.truncated)
    assert result.rtl == is_rtl(text)


# --- the reference wrap: the greedy algorithm, every candidate line measured whole ---

_SPACES = T._BREAK_SPACES


def _reference_paragraphs(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [re.sub(r"[ \t\f\v]+", " ", p).strip(" ") for p in text.split("\n")]
    while paragraphs and not paragraphs[-1]:
        paragraphs.pop()
    while paragraphs and not paragraphs[0]:
        paragraphs.pop(0)
    return paragraphs


def _reference_units(text: str, weight: str) -> int:
    """What `measure` adds up (1/1000 em), one character at a time."""
    face = T._face(weight)
    text = unicodedata.normalize("NFC", text)
    total, before = 0, ""
    for i, ch in enumerate(text):
        width = face.widths[ch]
        total += width
        if ch == T._VS16 and i:  # the character before is drawn as an emoji
            total += max(0, T._EMOJI - face.widths[text[i - 1]])
        if width:  # invisible characters do not come between a kerning pair
            left, right = face.kern_left.get(before), face.kern_right.get(ch)
            if left is not None and right is not None:
                total += face.kern_pairs.get(left * 256 + right, 0)
            before = ch
    bare = "".join(ch for ch in text if not unicodedata.combining(ch))
    total += sum(extra * bare.count(lig) for lig, extra in face.ligatures.items())
    return total + (T._arabic_adjustment(text, face) if not face.arabic.isdisjoint(text) else 0)


def _reference_wrap(text: str, width: float, size: float, weight: str, max_lines: int | None) -> T.Wrapped:
    """What `wrap` returns, the slow and simple way (the algorithm before it summed widths as it went)."""

    def fits(line: str) -> bool:
        return _reference_units(line, weight) * size / 1000 <= width

    lines: list[tuple[str, bool]] = []  # (line, ends with an added hyphen)

    def break_word(clusters: list[str], hyphenate: bool) -> str:
        start, n = 0, len(clusters)
        while True:
            best: tuple[int, str, bool] | None = None
            for end in range(start + 1, n + 1):
                piece = "".join(clusters[start:end])
                if end == n:
                    if end == start + 1 or fits(piece.rstrip(_SPACES)):
                        return piece
                    break
                if not fits(piece):
                    break
                hyphen = hyphenate and T._hyphenates(clusters[end - 1], clusters[end])
                if not hyphen or fits(piece + T.HYPHEN):
                    best = (end, piece + T.HYPHEN if hyphen else piece, hyphen)
            if best is None:
                best = (start + 1, clusters[start], False)
            start, line, hyphen = best
            lines.append((line.rstrip(_SPACES), hyphen))
            while start < n - 1 and clusters[start][0] in _SPACES:  # no line starts with a space
                start += 1

    def paragraph(text: str) -> None:
        words = [m.span() for m in re.finditer(r"[^ ]+", text) if re.search(r"://|@|\bwww\.", m.group(), re.I)]
        current, offset = "", 0
        for segment in T._segments_general(text):
            start, offset = offset, offset + len(segment)
            if fits((current + segment).rstrip(_SPACES)):
                current += segment
                continue
            if current:
                lines.append((current.rstrip(_SPACES), False))
            if fits(segment.rstrip(_SPACES)):
                current = segment
                continue
            current = break_word(T._clusters(segment), not any(lo <= start < hi for lo, hi in words))
        lines.append((current.rstrip(_SPACES), False))

    def ellipsize(line: str, hyphen: bool) -> str:
        clusters = T._clusters((line[: -len(T.HYPHEN)] if hyphen else line).rstrip(_SPACES))
        while clusters:
            candidate = "".join(clusters).rstrip(_SPACES) + ELLIPSIS
            if fits(candidate):
                return candidate
            clusters.pop()
        return ELLIPSIS

    for p in _reference_paragraphs(text):
        paragraph(p)
        if max_lines is not None and len(lines) > max_lines:
            break
    rtl = is_rtl(text)
    if max_lines is None or len(lines) <= max_lines:
        return T.Wrapped(tuple(line for line, _ in lines), False, rtl)
    kept = [line for line, _ in lines[: max_lines - 1]]
    return T.Wrapped((*kept, ellipsize(*lines[max_lines - 1])), True, rtl)


# Text where the sum of widths is easy to get wrong: pairs Inter kerns (LA, rt, "\\…"),
# marks and other characters of no width between them, emoji with VS16 and ZWJ, ligatures
# (arrows, lam-alef), Arabic joining, CJK, addresses, words too long for a line,
# unusual spaces (U+3000, zero-width), Hangul jamo, and characters no font has.
_TRICKY = st.sampled_from([
    *"AVTAWAYLTYo.,-/–—>< äöüÅÿ東京。、「」（）一ابلاةمرحباשלום👋🏽❤\ufe0f\u200d\u0301\u0308\u200b\u3000\u00a0\t\n",
    "LA", "YT", "rt", "th", "iV", "\\", "L\u034fA", "r\u200bt", "Y\u200dT", "t\u034f\u034fh", "\\\u034f",
    "A\u0301V", "T\u0301A", "Lx\u0308", "❤\ufe0fA", "V\ufe0f", "--->", "<-", "–>",
    "لا", "لآ", "e-mail", "and/or", "https://www.example.com/LTAV", "x@y.org", "Wohnsitzanmeldebestätigung",
    "\u1100\u1161\u11a8", "각", "ภาษาไทย", "\U0001f1e9\U0001f1ea", "\u0378", "\U000e0041", "  ",
])  # fmt: skip
_WRAP_TEXT = _TEXT | st.lists(_TRICKY, max_size=40).map("".join) | st.lists(_TRICKY, max_size=20).map(" ".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _WRAP_TEXT,
    st.floats(-5, 400) | st.sampled_from([0.0, 1.0, 8.0, 30.0]),
    st.sampled_from([9, 11, 12.5, 14, 24]),
    st.sampled_from(["regular", "semibold"]),
    st.one_of(st.none(), st.integers(1, 5)),
)
@example("Wohnsitzanmeldebestätigung per e-mail an https://www.example.com/formular", 60, 14, "regular", 3)
@example("東京都の住民登録が必要です。「確認」してください、お願いします。", 90, 14, "semibold", None)
@example("مرحبا بكم في خدمة العملاء لا يعمل --->", 70, 14, "regular", 2)
@example("LATTE\u200b\u200bLATTE \\\u034f\\\u034f\\\u034f\\\u034f ❤\ufe0f❤\ufe0f❤\ufe0f", 25, 12, "regular", 2)
@example("  first\t\tline  \r\n\r\n  second   \u3000line\u3000", 45, 12, "semibold", None)
def test_wrap_gives_the_lines_of_the_reference(
    text: str, width: float, size: float, weight: str, max_lines: int | None
) -> None:
    expected = _reference_wrap(text, width, size, weight, max_lines)
    assert T._wrap.__wrapped__(text, width, size, weight, max_lines) == expected  # not the cached result
    assert wrap(text, width, size, weight, max_lines) == expected


@settings(max_examples=300, deadline=None)
@given(_WRAP_TEXT, st.sampled_from(["regular", "semibold"]))
def test_measure_adds_up_the_characters(text: str, weight: str) -> None:
    assert T._units_uncached(text, weight) == _reference_units(text, weight)


_PLAIN_TRICKY = _TRICKY.filter(lambda token: T._face("regular").plain(token) and T._face("semibold").plain(token))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_PLAIN_TRICKY, max_size=16).map("".join),
    st.sampled_from(["regular", "semibold"]),
    st.sampled_from(["", T.HYPHEN, ELLIPSIS]),
)
@example("LA L\u034fA r\u200btY\u200dT", "regular", "")  # kerning across characters of no width
@example("x\\\u034f", "semibold", ELLIPSIS)  # "\\" kerns with "…", across the mark
@example("\u034f\u200bA❤\ufe0fV\ufe0f\ufe0f", "regular", T.HYPHEN)  # VS16: the emoji before it is wider
def test_pieces_of_plain_text_measure_as_measured_alone(text: str, weight: str, mark: str) -> None:
    text = unicodedata.normalize("NFC", text)
    m = T._Plain(text, weight)
    assert T._face(weight).plain(text)
    for i in range(len(text) + 1):
        for j in range(i, len(text) + 1):
            assert m.units(i, j, mark) == T._units_uncached(text[i:j] + mark, weight), (i, j)


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(max_codepoint=0x2FF, exclude_categories=["Cs"]), max_size=80))
def test_fast_segmentation_agrees_with_the_general_one(text: str) -> None:
    # the general one is ICU's UAX #14; the fast one leaves words with ( ! ? ... for `_refine`
    for paragraph in T._paragraphs(text):
        assert [p for s in T._segments(paragraph) for p in T._refine(s)] == T._segments_general(paragraph)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("aZé1 2.,:;'\"&-/#@()!?+%[]{}$*=<>~^|_\\`\u201c\u201d\u2018\u2019\u00b7"), max_size=40))
def test_fast_segmentation_of_ascii_punctuation_is_uax14(text: str) -> None:
    from icu4py.breakers import LineBreaker

    for paragraph in T._paragraphs(text):
        expected = [piece for piece in LineBreaker(paragraph, "") if piece]
        assert [p for s in T._fast_segments(paragraph) for p in T._refine(s)] == expected


def test_german_compound_is_hyphenated_in_a_narrow_box() -> None:
    word = "Wohnsitzanmeldebestätigung"
    result = wrap(word, 60, 14)
    assert len(result.lines) >= 3 and not result.truncated
    assert all(line.endswith("-") for line in result.lines[:-1])
    assert "".join(line.removesuffix("-") for line in result.lines) == word
    assert all(measure(line, 14) <= 60 for line in result.lines)


def test_words_wrap_at_spaces_hyphens_and_slashes() -> None:
    width = measure("journey map", 14)
    assert measure("customer journey", 14) > width > measure("customer", 14)
    assert wrap("customer journey map", width, 14).lines == ("customer", "journey map")
    assert wrap("self-service", measure("self-serv", 14), 14).lines == ("self-", "service")
    assert wrap("and/or", measure("and/o", 14), 14).lines == ("and/", "or")
    # an address is broken without hyphens, which would read as part of it
    assert "-" not in "".join(wrap("https://example.com/abcdefghijkl", 50, 14).lines)


def test_explicit_newlines_are_kept() -> None:
    assert wrap("first\nsecond\n\nfourth\n", 500, 14).lines == ("first", "second", "", "fourth")
    assert wrap("tabs\tand   spaces", 500, 14).lines == ("tabs and spaces",)
    assert wrap("", 100, 14).lines == () and wrap("  \n ", 100, 14).lines == ()


def test_cjk_breaks_between_characters() -> None:
    text = "顧客体験の改善は全社的な取り組みである"
    size = 14
    result = wrap(text, 100, size)
    assert "".join(result.lines) == text
    assert len(result.lines) > 1
    for line, following in zip(result.lines, result.lines[1:], strict=False):
        assert measure(line, size) <= 100 < measure(line + following[0], size)


def test_cjk_lines_never_start_with_closing_punctuation() -> None:
    text = "東京都の住民登録が必要です。「確認」してください、お願いします。（住所）は必須です。"
    for width in range(30, 300, 7):
        lines = wrap(text, width, 14).lines
        assert "".join(lines) == text
        for line in lines:
            assert line[0] not in T._NO_LINE_START, (width, lines)
            assert line[-1] not in T._NO_LINE_END, (width, lines)


def test_max_lines_truncates_with_an_ellipsis() -> None:
    text = "The quick brown fox jumps over the lazy dog again and again"
    result = wrap(text, 80, 14, max_lines=2)
    assert result.truncated and len(result.lines) == 2
    assert result.lines[-1].endswith(ELLIPSIS)
    assert all(measure(line, 14) <= 80 for line in result.lines)
    # a broken word loses its hyphen before the ellipsis
    cut = wrap("Wohnsitzanmeldebestätigung", 50, 14, max_lines=1)
    assert cut.truncated and cut.lines[0].endswith(ELLIPSIS) and "-" not in cut.lines[0]
    # exactly enough lines: nothing is cut
    assert not wrap("one two", 30, 14, max_lines=2).truncated
    with pytest.raises(ValueError):
        wrap(text, 80, 14, max_lines=0)


def test_single_character_wider_than_the_box_goes_alone() -> None:
    assert wrap("東京", 5, 14).lines == ("東", "京")
    assert wrap("ab", 1, 14).lines == ("a", "b")


def test_is_rtl() -> None:
    assert is_rtl("مرحبا بكم")
    assert is_rtl("שלום עולם")
    assert is_rtl("123 - שלום, hello")  # digits and punctuation are weak
    assert not is_rtl("Hello مرحبا")
    assert not is_rtl("東京")
    assert not is_rtl("123")
    assert wrap("مرحبا بكم في خدمة العملاء", 60, 14).rtl


def test_vertical_metrics() -> None:
    assert T.line_height(16) == pytest.approx(21.6)
    assert 0.9 * 16 < T.ascent(16) < 16
    assert 0 < T.descent(16) < 0.3 * 16
    assert T.ascent(16) < T.first_baseline(16) < T.line_height(16)


def test_font_stack_names_inter_first() -> None:
    assert T.FONT_STACK.startswith("Inter, ")
    assert T.FONT_STACK.endswith("sans-serif")


# --- line breaking by the rules of each script (issue 12) ---------------------------------------


def test_german_compound_hyphenates_at_a_syllable_with_the_dictionary() -> None:
    word = "Sachbearbeitungsschalter"
    width = measure("Sachbearbeitungsschal-", 13)  # room for more than the compound's first part
    assert wrap(word, width, 13, language="de").lines == ("Sachbearbeitungs-", "schalter")
    # without a language nothing is guessed: the word is broken where it fills the line
    assert wrap(word, width, 13).lines == ("Sachbearbeitungsschal-", "ter")


@pytest.mark.parametrize("width", [50, 70, 90, 110, 130])
def test_german_lines_end_at_syllables_and_fit(width: float) -> None:
    from jmap.layout import linebreak

    for word in ("Sachbearbeitungsschalter", "Wohnsitzanmeldebestätigung", "Kundenzufriedenheit"):
        lines = wrap(word, width, 13, language="de").lines
        assert "".join(line.removesuffix("-") for line in lines) == word
        points = linebreak.hyphenation_points(word, "de")
        at = 0
        for line in lines[:-1]:
            assert line.endswith("-"), lines
            start, at = at, at + len(line) - 1
            # a syllable boundary of the dictionary, unless the next one is too wide for the line
            following = [p for p in points if p > start]
            assert at in points or not following or measure(word[start : following[0]] + "-", 13) > width, lines
            assert measure(line, 13) <= width, (line, width)  # measured with its hyphen
        assert measure(lines[-1], 13) <= width


def test_hyphenation_drops_one_letter_syllables() -> None:
    from jmap.layout import linebreak

    points = linebreak.hyphenation_points("Sachbearbeitungsschalter", "de")
    assert 16 in points and not {6, 7, 8} & set(points)  # pyphen also offers "Sachbe-a-r-beitung"
    assert linebreak.hyphenation_points("Sachbearbeitungsschalter", None) == []
    assert linebreak.hyphenation_points("Sachbearbeitungsschalter", "xx") == []


_JA = [
    "料金比較サイトでプランを比べる",
    "機種別の読み取り位置をアニメーションで案内",
    "オプションが初期状態で選択されている",
    "回答者の42%が「開通手続きがわかりにくい」と回答。",
    "ちょっと待ってください。ショップへ行かずにスマホだけで完結すること",
]
_SMALL_KANA = "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶー"
_CLOSING = "、。，．）」』】〕》〉！？・：；…"


@pytest.mark.parametrize("language", ["ja", None])
def test_japanese_lines_never_start_with_closing_punctuation_or_small_kana(language: str | None) -> None:
    for text in _JA:
        for width in range(40, 320, 9):
            lines = wrap(text, width, 13, language=language).lines
            assert "".join(lines) == text
            for line in lines[1:]:
                assert line[0] not in _SMALL_KANA + _CLOSING, (width, lines)
            assert all(measure(line, 13) <= width for line in lines)


def test_japanese_last_line_is_never_a_lone_character() -> None:
    for text in _JA:
        for width in range(60, 320, 5):
            lines = wrap(text, width, 13, language="ja").lines
            assert "".join(lines) == text
            if len(lines) > 1:
                letters = [ch for ch in lines[-1] if ch not in _CLOSING]
                assert len(letters) > 1, (width, lines)
            assert all(measure(line, 13) <= width for line in lines)
    # the case of the Japanese example: 「比べる」 stays whole instead of leaving 「る」 alone
    width = measure("料金比較サイトでプランを比べ", 13)
    lines = wrap("料金比較サイトでプランを比べる", width, 13, language="ja").lines
    assert lines == ("料金比較サイトでプランを", "比べる")


def test_japanese_breaks_between_phrases_where_they_fit() -> None:
    text = "機種別の読み取り位置をアニメーションで案内"
    width = measure("機種別の読み取り位置をアニメ", 13)
    # without a language, UAX #14 breaks between any two characters (but not before "ー")
    assert wrap(text, width, 13).lines[0] == "機種別の読み取り位置をアニ"
    assert wrap(text, width, 13, language="ja").lines == ("機種別の読み取り位置を", "アニメーションで案内")


def test_korean_breaks_at_spaces() -> None:
    text = "고객 센터에 전화했습니다"
    width = measure("고객 센터에 전화", 13)
    assert wrap(text, width, 13, language="ko").lines == ("고객 센터에", "전화했습니다")
    # without a language, UAX #14 lets Hangul break between syllables
    assert wrap(text, width, 13).lines == ("고객 센터에 전화", "했습니다")


@pytest.mark.parametrize(
    ("text", "width_of", "lines"),
    [
        ("see e-mail", "see e-", ("see e-", "mail")),  # after a hyphen
        ("ab foo(bar)", "foo(bar)", ("ab", "foo(bar)")),  # not before an opening parenthesis ("ab foo" fits)
        ("EUR 10,000-30,000", "10,000-30,000", ("EUR", "10,000-30,000")),  # not in a number range
        ("and/or", "and/", ("and/", "or")),  # after a slash
        ("wait !", "wait", ("wait", "!")),  # a lone mark that fits nowhere else
        ("say “hi” now", "say “hi”", ("say “hi”", "now")),
    ],
)
def test_uax14_break_opportunities(text: str, width_of: str, lines: tuple[str, ...]) -> None:
    assert wrap(text, measure(width_of, 13), 13).lines == lines


def test_a_shortened_text_is_still_reported_with_a_language() -> None:
    text = "料金比較サイトでプランを比べる。" * 4
    result = wrap(text, 80, 13, max_lines=2, language="ja")
    assert result.truncated and len(result.lines) == 2 and result.lines[-1].endswith(ELLIPSIS)
    assert all(measure(line, 13) <= 80 for line in result.lines)
    german = wrap("Sachbearbeitungsschalter Wohnsitzanmeldebestätigung", 60, 13, max_lines=2, language="de")
    assert german.truncated and german.lines[-1].endswith(ELLIPSIS)


@pytest.mark.parametrize("language", ["de", "en_US", "fr", "nl", "pt_BR"])
def test_lazily_parsed_dictionaries_hyphenate_as_pyphen_does(language: str) -> None:
    import pyphen  # type: ignore[import-untyped]

    from jmap.layout import linebreak

    path = pyphen.LANGUAGES[language]
    eager = pyphen.Pyphen(filename=path, cache=False)
    lazy = pyphen.Pyphen.__new__(pyphen.Pyphen)
    lazy.left, lazy.right, lazy.hd = 2, 2, linebreak._lazy_patterns(pyphen, path)
    assert type(lazy.hd.patterns) is linebreak._Patterns  # not pyphen's own, slow way
    words = ["Sachbearbeitungsschalter", "Wohnsitzanmeldebestätigung", "accessibility", "responsabilité", "Übergabe"]
    assert [lazy.positions(w) for w in words] == [eager.positions(w) for w in words]
