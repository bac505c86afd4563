"""The metrics of the bundled fonts (src/jmap/fonts/), read with fontTools.

Layout measures text without fontTools (import time matters for the CLI), so the
advance widths it needs are extracted once, by tools/gen_metrics.py with this
module, into jmap.layout._metrics, a Python module of strings: its byte code loads
in half a millisecond, where parsing the same table as JSON took three.
tests/test_text.py rebuilds the module's text in memory and compares, so the table
can never drift from the fonts; and jmap.layout.text reads the fonts here itself
(`faces`, a few seconds) when their bytes no longer have the digest the module keeps.

Every number is a *safe upper bound* for what a renderer will draw, because the
same SVG is drawn by two kinds of renderer:

* browsers (HTML, SVG) shape text: they apply kerning, contextual alternates and
  Arabic positional forms;
* cairo (PNG, PDF via cairosvg) does not shape: plain advances, no kerning
  (Arabic is pre-joined with arabic-reshaper into presentation forms).

So a character's width is the largest advance of any glyph the default-on GSUB
features can turn it into (Arabic init/medi/fina forms, Inter's case forms), and
of kerning only the positive pairs are kept (negative kerning only makes the
browser's text narrower than cairo's unkerned text). Ligatures that come out wider
than their parts (Inter's long arrows such as "--->", lam-alef) are listed with the
extra. Arabic letters that join alike in the font and in arabic-reshaper also get
the width of each positional form, so layout can measure them as joined.
All values are in 1/1000 em, rounded up.

"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from itertools import product
from pathlib import Path
from typing import Any

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"

# Face name -> fonts in fallback order (the order of FONT_STACK in jmap.layout.text).
# A codepoint belongs to the first font whose cmap has it. The browser picks Bold
# for font-weight 600 when only Regular and Bold exist, so semibold Arabic and
# Hebrew are measured with the Bold fonts.
FACES: dict[str, tuple[str, ...]] = {
    "regular": (
        "Inter-Regular.otf",
        "NotoSansArabic-Regular.ttf",
        "NotoSansHebrew-Regular.ttf",
    ),
    "semibold": (
        "Inter-SemiBold.otf",
        "NotoSansArabic-Bold.ttf",
        "NotoSansHebrew-Bold.ttf",
    ),
}

# GSUB features a browser applies by default in horizontal text.
DEFAULT_GSUB = frozenset(
    {"ccmp", "locl", "rlig", "rclt", "calt", "liga", "clig", "init", "medi", "fina", "isol", "med2", "fin2", "fin3"}
)

# Arabic positional forms, in the order the table stores them.
FORMS = ("isol", "init", "medi", "fina")
_POSITIONAL = frozenset({"isol", "init", "medi", "fina", "med2", "fin2", "fin3"})
# Unicode presentation forms name their form in the decomposition (<initial> 0644).
_DECOMPOSITION_FORM = {"<isolated>": "isol", "<initial>": "init", "<medial>": "medi", "<final>": "fina"}

FORMAT = 2


def _em(value: int, upem: int) -> int:
    """`value` font units in 1/1000 em, rounded up (exact integer arithmetic)."""
    return -(-value * 1000 // upem)


def _subtables(lookup: Any) -> list[Any]:
    """Subtables of a lookup with extension wrappers (GSUB 7, GPOS 9) removed."""
    return [getattr(st, "ExtSubTable", st) for st in lookup.SubTable]


def _nested_lookups(subtable: Any) -> list[int]:
    """Lookup indices that a (chained) contextual subtable calls."""
    records: list[Any] = []
    for name in ("SubstLookupRecord", "PosLookupRecord"):
        records += getattr(subtable, name, None) or []
    for set_name in (
        "SubRuleSet",
        "SubClassSet",
        "ChainSubRuleSet",
        "ChainSubClassSet",
        "PosRuleSet",
        "PosClassSet",
        "ChainPosRuleSet",
        "ChainPosClassSet",
    ):
        for rule_set in getattr(subtable, set_name, None) or []:
            if rule_set is None:
                continue
            for attr in dir(rule_set):
                if attr.endswith("Rule") and attr[0].isupper():
                    for rule in getattr(rule_set, attr) or []:
                        for name in ("SubstLookupRecord", "PosLookupRecord"):
                            records += getattr(rule, name, None) or []
    return [r.LookupListIndex for r in records]


def _feature_lookups(table: Any, tags: frozenset[str]) -> list[int]:
    """Indices of all lookups reachable from features `tags`, nested ones included."""
    todo = [i for rec in table.FeatureList.FeatureRecord if rec.FeatureTag in tags for i in rec.Feature.LookupListIndex]
    seen: set[int] = set()
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        for st in _subtables(table.LookupList.Lookup[i]):
            todo += _nested_lookups(st)
    return sorted(seen)


class _Font:
    """What the table needs from one font file."""

    def __init__(self, path: Path) -> None:
        from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # not when only font_paths is asked

        self.name = path.name
        with TTFont(path, lazy=True) as font:  # lazy: read only what is used, then close
            self.upem: int = font["head"].unitsPerEm
            self.cmap: dict[int, str] = font.getBestCmap()
            self.advance: dict[str, int] = {g: m[0] for g, m in font["hmtx"].metrics.items()}
            names = font["name"]
            self.version = str(names.getDebugName(5)).split(";")[0]
            self.family = str(names.getDebugName(4))
            hhea = font["hhea"]
            self.ascender: int = hhea.ascent
            self.descender: int = -hhea.descent
            self.line_gap: int = hhea.lineGap
            self._singles: dict[str, set[str]] = defaultdict(set)
            self._plain_singles: dict[str, set[str]] = defaultdict(set)  # not positional
            self._form_map: dict[str, dict[str, set[str]]] = {f: defaultdict(set) for f in FORMS}
            self._ligatures: list[tuple[list[str], str]] = []
            if "GSUB" in font:
                self._read_gsub(font["GSUB"].table)
            # glyph -> every glyph the default features can turn it into (itself included)
            self.variants = {g: self._closure(g) for g in set(self.cmap.values())}
            # glyph -> codepoints that can end up as that glyph
            self.codepoints: dict[str, set[int]] = defaultdict(set)
            for cp, g in self.cmap.items():
                for v in self.variants[g]:
                    self.codepoints[v].add(cp)
            self.kern_pairs = self._read_kerning(font["GPOS"].table) if "GPOS" in font else {}

    def _read_gsub(self, gsub: Any) -> None:
        plain = set(_feature_lookups(gsub, DEFAULT_GSUB - _POSITIONAL))
        by_form = {f: set(_feature_lookups(gsub, frozenset({f}))) for f in FORMS}
        for i in _feature_lookups(gsub, DEFAULT_GSUB):
            for st in _subtables(gsub.LookupList.Lookup[i]):
                kind = st.LookupType
                if kind == 1:
                    for a, b in st.mapping.items():
                        self._singles[a].add(b)
                        if i in plain:
                            self._plain_singles[a].add(b)
                        for form, lookups in by_form.items():
                            if i in lookups:
                                self._form_map[form][a].add(b)
                elif kind == 2:
                    for a, seq in st.mapping.items():
                        if sum(self.advance[g] for g in seq) > self.advance[a]:
                            raise NotImplementedError(f"{self.name}: widening multiple subst {a}")
                elif kind == 4:
                    for first, ligs in st.ligatures.items():
                        for lig in ligs:
                            self._ligatures.append(([first, *lig.Component], lig.LigGlyph))
                elif kind not in (5, 6):  # contextual: their nested lookups are walked
                    raise NotImplementedError(f"{self.name}: GSUB lookup type {kind}")

    def _closure(self, glyph: str, singles: dict[str, set[str]] | None = None) -> frozenset[str]:
        """Every glyph `singles` (default: all default features) can turn `glyph` into."""
        singles = self._singles if singles is None else singles
        seen = {glyph}
        todo = [glyph]
        while todo:
            for nxt in singles.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return frozenset(seen)

    def width(self, cp: int) -> int:
        """Widest advance `cp` can be drawn with, in 1/1000 em."""
        return _em(max(self.advance[g] for g in self.variants[self.cmap[cp]]), self.upem)

    def _widest(self, glyphs: set[str]) -> int:
        """Widest advance of `glyphs` and what the non-positional features make of them."""
        return max(self.advance[v] for g in glyphs for v in self._closure(g, self._plain_singles))

    def arabic_forms(self, owned: set[int]) -> tuple[dict[int, list[int]], dict[str, set[int]]]:
        """Per joining letter, the width of each positional form; and the joining types.

        A browser picks a letter's form from its neighbours (GSUB init/medi/fina),
        cairo draws the presentation form arabic-reshaper picked: each width is the
        wider of the two glyphs. Dual-joining (D) letters have all three joined
        forms, right-joining (R) ones only the final form. Letters with no forms in
        the font, or joined differently by arabic-reshaper, are left out: layout
        measures them at their widest.
        """
        presentation: dict[tuple[int, str], set[str]] = defaultdict(set)
        for cp, glyph in self.cmap.items():
            parts = unicodedata.decomposition(chr(cp)).split()
            if len(parts) == 2 and parts[0] in _DECOMPOSITION_FORM:
                presentation[(int(parts[1], 16), _DECOMPOSITION_FORM[parts[0]])].add(glyph)
        forms: dict[int, list[int]] = {}
        joining: dict[str, set[int]] = {"D": set(), "R": set()}
        for cp in sorted(owned):
            glyph = self.cmap[cp]
            if cp >= 0xFB50 or unicodedata.bidirectional(chr(cp)) != "AL":
                continue  # presentation forms are drawn as they are
            if not chr(cp).isalpha():
                continue
            has = {f for f in ("init", "medi", "fina") if glyph in self._form_map[f]}
            # arabic-reshaper joins only letters with Unicode presentation forms:
            # where it and the font disagree, layout measures the letter at its widest
            # and treats its joining as unknown
            unicode_has = {f for f in FORMS if (cp, f) in presentation}
            if has == {"init", "medi", "fina"} and unicode_has == set(FORMS):
                kind = "D"
            elif has == {"fina"} and unicode_has == {"isol", "fina"}:
                kind = "R"
            else:
                continue
            joining[kind].add(cp)
            widths = []
            for form in FORMS:
                glyphs = (
                    {glyph, *self._form_map[form].get(glyph, ())}
                    if form == "isol"
                    else set(self._form_map[form].get(glyph, ()))
                )
                glyphs |= presentation.get((cp, form), set())
                widths.append(_em(self._widest(glyphs), self.upem) if glyphs else 0)
            if kind == "R":  # never joins the next letter: init is isol, medi is fina
                widths[1], widths[2] = widths[0], widths[3]
            forms[cp] = widths
        return forms, joining

    def arabic_ligature_extras(self, forms: dict[int, list[int]]) -> dict[str, int]:
        """Ligatures of joined letters (lam-alef) wider than the forms they replace.

        Keyed by the letters as typed ("لا"); the extra is added wherever they meet.
        """
        form_of: dict[str, set[tuple[int, int]]] = defaultdict(set)  # glyph -> (cp, form)
        for cp, _ in forms.items():
            glyph = self.cmap[cp]
            for k, form in enumerate(FORMS):
                targets = {glyph} if form == "isol" else set()
                targets |= self._form_map[form].get(glyph, set())
                for g in targets:
                    form_of[g].add((cp, k))
        for cp, glyph in self.cmap.items():  # presentation-form glyphs name theirs
            parts = unicodedata.decomposition(chr(cp)).split()
            if len(parts) == 2 and parts[0] in _DECOMPOSITION_FORM:
                base = int(parts[1], 16)
                if base in forms:
                    form_of[glyph].add((base, FORMS.index(_DECOMPOSITION_FORM[parts[0]])))
        lig_width: dict[tuple[int, ...], int] = defaultdict(int)  # presentation ligatures
        for cp, glyph in self.cmap.items():
            parts = unicodedata.decomposition(chr(cp)).split()
            if len(parts) > 2 and parts[0] in _DECOMPOSITION_FORM:
                key = tuple(int(x, 16) for x in parts[1:])
                lig_width[key] = max(lig_width[key], self.advance[glyph])
        extras: dict[str, int] = {}
        for components, lig in self._ligatures:
            for combo in product(*(sorted(form_of.get(g, ())) for g in components)):
                cps = tuple(cp for cp, _ in combo)
                drawn = max(self.advance[lig], lig_width.get(cps, 0))
                extra = _em(drawn, self.upem) - sum(forms[cp][k] for cp, k in combo)
                text = "".join(map(chr, cps))
                if extra > 0:
                    extras[text] = max(extras.get(text, 0), extra)
        return extras

    def ligature_extras(self, width: dict[int, int]) -> dict[str, int]:
        """Ligatures wider than the sum of their characters' widths -> the extra.

        Ligatures of a base with combining marks are left out: jmap measures and
        wraps NFC text, where those are precomposed characters with their own width.
        """
        extras: dict[str, int] = {}
        for components, lig in self._ligatures:
            choices = [sorted(self.codepoints.get(g, ())) for g in components]
            if not all(choices):
                continue
            for cps in product(*choices):
                text = "".join(map(chr, cps))
                if any(unicodedata.combining(c) for c in text):
                    continue
                if not all(cp in width for cp in cps):
                    continue
                extra = _em(self.advance[lig], self.upem) - sum(width[cp] for cp in cps)
                if extra > 0:
                    extras[text] = max(extras.get(text, 0), extra)
        return extras

    def _read_kerning(self, gpos: Any) -> dict[tuple[str, str], int]:
        """Glyph pairs -> positive kerning, as a shaper resolves them (first match wins)."""
        # only glyphs that some codepoint can become matter
        order = [g for g in self.advance if g in self.codepoints]
        positive: dict[tuple[str, str], int] = {}
        for i in _feature_lookups(gpos, frozenset({"kern"})):
            lookup = gpos.LookupList.Lookup[i]
            # pairs decided by an earlier subtable: listed pairs, and whole first glyphs
            matched: tuple[set[tuple[str, str]], set[str]] = (set(), set())
            for st in _subtables(lookup):
                kind = st.LookupType
                if kind == 1:  # only reached from contextual kerning: must not widen
                    values = [st.Value] if st.Format == 1 else st.Value
                    if any((getattr(v, "XAdvance", 0) or 0) > 0 for v in values):
                        raise NotImplementedError(f"{self.name}: widening contextual kerning")
                elif kind == 2:
                    self._pair_pos(st, order, matched, positive)
                elif kind not in (7, 8):  # contextual: nested lookups are checked above
                    raise NotImplementedError(f"{self.name}: GPOS kern lookup type {kind}")
        return positive

    @staticmethod
    def _x_advance(value: Any) -> int:
        return (getattr(value, "XAdvance", 0) or 0) if value is not None else 0

    def _pair_pos(
        self,
        st: Any,
        order: list[str],
        matched: tuple[set[tuple[str, str]], set[str]],
        positive: dict[tuple[str, str], int],
    ) -> None:
        pairs_done, firsts_done = matched
        if st.ValueFormat2:
            raise NotImplementedError(f"{self.name}: kerning moves the second glyph")
        cover = st.Coverage.glyphs
        if st.Format == 1:
            for first, pair_set in zip(cover, st.PairSet, strict=True):
                if first in firsts_done or first not in self.codepoints:
                    continue
                for rec in pair_set.PairValueRecord:
                    key = (first, rec.SecondGlyph)
                    if key in pairs_done:
                        continue
                    pairs_done.add(key)
                    value = self._x_advance(rec.Value1)
                    if value > 0:
                        positive[key] = value
            return
        # Format 2 matches every pair whose first glyph is covered.
        class1 = st.ClassDef1.classDefs
        class2 = st.ClassDef2.classDefs
        members2: dict[int, list[str]] = defaultdict(list)
        for g in order:
            members2[class2.get(g, 0)].append(g)
        rows = [  # class1 -> [(class2, value)] with value > 0
            [(c2, v) for c2, rec in enumerate(r.Class2Record) if (v := self._x_advance(rec.Value1)) > 0]
            for r in st.Class1Record
        ]
        for first in cover:
            if first in firsts_done or first not in self.codepoints:
                continue
            for c2, value in rows[class1.get(first, 0)]:
                for second in members2[c2]:
                    key = (first, second)
                    if key not in pairs_done:
                        positive[key] = value
        firsts_done.update(cover)  # later subtables never see these first glyphs

    def codepoint_kerning(self, owned: set[int]) -> dict[tuple[int, int], int]:
        """Positive kerning between codepoints this font draws, in 1/1000 em."""
        out: dict[tuple[int, int], int] = {}
        for (g1, g2), value in self.kern_pairs.items():
            em = _em(value, self.upem)
            for a in self.codepoints.get(g1, ()):
                if a not in owned:
                    continue
                for b in self.codepoints.get(g2, ()):
                    if b in owned and out.get((a, b), 0) < em:
                        out[(a, b)] = em
        return out


def _runs(values: dict[int, int]) -> list[list[int]]:
    """{cp: v} as runs [start, v0, v1, ...] of consecutive codepoints."""
    runs: list[list[int]] = []
    for cp in sorted(values):
        if runs and runs[-1][0] + len(runs[-1]) - 1 == cp:
            runs[-1].append(values[cp])
        else:
            runs.append([cp, values[cp]])
    return runs


def _ranges(cps: set[int]) -> list[list[int]]:
    """A set of codepoints as inclusive ranges [first, last]."""
    out: list[list[int]] = []
    for cp in sorted(cps):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def _classes(kern: dict[tuple[int, int], int]) -> dict[str, Any]:
    """Positive kerning pairs compressed into left/right classes and a sparse matrix."""
    rows: dict[int, dict[int, int]] = defaultdict(dict)
    for (a, b), v in kern.items():
        rows[a][b] = v
    left_of: dict[tuple[tuple[int, int], ...], set[int]] = defaultdict(set)
    for a, row in rows.items():
        left_of[tuple(sorted(row.items()))].add(a)
    left = sorted(left_of.values(), key=min)
    left_id = {cp: i for i, members in enumerate(left) for cp in members}
    cols: dict[int, dict[int, int]] = defaultdict(dict)
    for (a, b), v in kern.items():
        cols[b][left_id[a]] = v
    right_of: dict[tuple[tuple[int, int], ...], set[int]] = defaultdict(set)
    for b, col in cols.items():
        right_of[tuple(sorted(col.items()))].add(b)
    right = sorted(right_of.values(), key=min)
    right_id = {cp: i for i, members in enumerate(right) for cp in members}
    pairs = sorted({(left_id[a], right_id[b], v) for (a, b), v in kern.items()})
    return {
        "left": [_ranges(m) for m in left],
        "right": [_ranges(m) for m in right],
        "pairs": [list(p) for p in pairs],
    }


def build_table(fonts_dir: Path = FONTS_DIR) -> dict[str, Any]:
    """The metrics table for all faces, as plain JSON-ready data."""
    faces: dict[str, Any] = {}
    for face, files in FACES.items():
        fonts = [_Font(fonts_dir / name) for name in files]
        primary = fonts[0]
        width: dict[int, int] = {}
        owner: dict[int, _Font] = {}
        for font in fonts:
            for cp in font.cmap:
                if cp not in width:
                    width[cp] = font.width(cp)
                    owner[cp] = font
        kern: dict[tuple[int, int], int] = {}
        ligatures: dict[str, int] = {}
        forms: dict[int, list[int]] = {}
        joining: dict[str, set[int]] = {"D": set(), "R": set()}
        for font in fonts:
            owned = {cp for cp, f in owner.items() if f is font}
            kern.update(font.codepoint_kerning(owned))
            extras = font.ligature_extras({cp: width[cp] for cp in owned})
            font_forms, font_joining = font.arabic_forms(owned)
            for text, extra in font.arabic_ligature_extras(font_forms).items():
                extras[text] = max(extras.get(text, 0), extra)
            ligatures.update(extras)
            forms.update(font_forms)
            for kind, cps in font_joining.items():
                joining[kind] |= cps
        faces[face] = {
            "fonts": [{"file": f.name, "family": f.family, "version": f.version} for f in fonts],
            # vertical metrics of the primary font (hhea), 1/1000 em, rounded up
            "ascender": _em(primary.ascender, primary.upem),
            "descender": _em(primary.descender, primary.upem),
            "line_gap": _em(primary.line_gap, primary.upem),
            "widths": _runs(width),
            "kern": _classes(kern),
            "ligatures": dict(sorted(ligatures.items())),
            # Arabic: per joining letter [isol, init, medi, fina] widths; "widths"
            # holds the widest of them, for when the neighbours are unknown
            "forms": {str(cp): w for cp, w in sorted(forms.items())},
            "joining": {kind: _ranges(cps) for kind, cps in sorted(joining.items())},
        }
    return {
        "format": FORMAT,
        "faces": faces,
    }


def font_paths(fonts_dir: Path = FONTS_DIR) -> list[Path]:
    """The font files the metrics are read from, in the order their digest is taken."""
    return [fonts_dir / name for files in FACES.values() for name in files]


def _codes(values: list[int]) -> str:
    """Non-negative integers as the characters with those code points (a string loads fast)."""
    if any(not 0 <= v < 0xD800 for v in values):
        raise ValueError("a value does not fit the string encoding")
    return "".join(map(chr, values))


def _pair(left: int, right: int) -> int:
    """A pair of kerning classes as one number (see _HEADER)."""
    if not (0 <= left < 256 and 0 <= right < 256):
        raise ValueError("too many kerning classes for the encoding")
    return left * 256 + right


def face_values(face: dict[str, Any]) -> dict[str, Any]:
    """One face of the table as jmap.layout._metrics keeps it (see its docstring), by key."""
    width = {run[0] + i: w for run in face["widths"] for i, w in enumerate(run[1:])}
    cps = sorted(width)
    kern = face["kern"]
    left = {cp: i + 1 for i, ranges in enumerate(kern["left"]) for lo, hi in ranges for cp in range(lo, hi + 1)}
    right = {cp: i + 1 for i, ranges in enumerate(kern["right"]) for lo, hi in ranges for cp in range(lo, hi + 1)}
    if not set(left) | set(right) <= set(width):
        raise ValueError("a kerned character has no width")
    return {
        "fonts": tuple((f["file"], f["family"], f["version"]) for f in face["fonts"]),
        "ascender": face["ascender"],
        "descender": face["descender"],
        "line_gap": face["line_gap"],
        "chars": "".join(map(chr, cps)),
        "widths": _codes([width[cp] for cp in cps]),
        "kern_left": _codes([left.get(cp, 0) for cp in cps]),
        "kern_right": _codes([right.get(cp, 0) for cp in cps]),
        "kern_pairs": _codes([_pair(a, b) for a, b, _ in kern["pairs"]]),
        "kern_values": _codes([v for _, _, v in kern["pairs"]]),
        "ligatures": dict(face["ligatures"]),
        "forms": {chr(int(cp)): tuple(w) for cp, w in face["forms"].items()},
        "joining": {kind: "".join(chr(cp) for lo, hi in ranges for cp in range(lo, hi + 1))
                    for kind, ranges in face["joining"].items()},
    }


def faces(fonts_dir: Path = FONTS_DIR) -> dict[str, dict[str, Any]]:
    """What jmap.layout._metrics.FACES holds, read from the fonts now (the full path of jmap.layout.text)."""
    return {name: face_values(face) for name, face in build_table(fonts_dir)["faces"].items()}
