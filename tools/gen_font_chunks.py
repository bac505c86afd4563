"""Generate src/jmap/fonts/chunks/: Inter cut ahead of time into unicode-range chunks for HTML pages.

An HTML page embeds the bundled fonts it needs. Subsetting Inter to the page's
characters with fontTools on every build took about 2.5 s (decompiling Inter's large
layout tables twice), ten times the rest of the build. So each Inter file is cut here,
once, into chunks by script, as web font services do (Latin, Latin Extended-A, -B and
Additional, other Latin, Greek, Cyrillic, the rest): each a WOFF2 subset (brotli, a
fifth smaller than WOFF) holding its characters' glyphs and what the layout features
reach from them. A page embeds the chunks its characters touch, each with its
`unicode-range`, and the browser takes each character from the chunk that holds it.
Kerning and contextual forms work within a chunk; between characters of two chunks (a
"Ţ" before an "a") the browser does not kern, which layout allows for, as it never
counts on negative kerning.

The Noto Arabic and Hebrew fonts are small and subset in about 60 ms, so pages that need
them still get an exact subset at build time; only their character maps are listed here,
so that a page without Arabic or Hebrew does not load fontTools to learn it needs neither.

`manifest.json` holds, for every bundled font, the SHA-256 of the font file, its character
map (as ranges of hexadecimal codepoints, "0020-007E 00A0-00FF") and, for Inter, its
chunks (file, ranges, SHA-256 of the chunk). jmap.render.html uses the manifest's data for
a font only while the font file's digest matches (and each chunk file's its own);
otherwise it subsets at build time as before. tests/test_html.py checks the digests, the
plan and each chunk's character map.

Run:  python tools/gen_font_chunks.py            (writes the chunks and the manifest)
      python tools/gen_font_chunks.py --check    (exit 1 if any of them is stale)
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FONTS_DIR = ROOT / "src" / "jmap" / "fonts"
OUTPUT = FONTS_DIR / "chunks"
MANIFEST = OUTPUT / "manifest.json"

#: The chunks of each Inter file, in order: a character goes to the first chunk whose ranges
#: hold it; the last chunk (no ranges) takes every character of the font left over. The first
#: chunk, which every page embeds, holds what nearly every map draws: ASCII, Latin-1, general
#: punctuation and the labels' symbols (arrows, minus, <= and >=).
CHUNKS: tuple[tuple[str, str], ...] = (
    ("latin", "0000-00FF 0131 0152-0153 02BB-02BC 02C6 02DA 02DC 2000-206F 2074 20AC 2122 2190-2193 "
              "2212 2215 2264-2265 FEFF FFFD"),
    ("latin-ext-a", "0100-017F"),
    ("latin-ext-b", "0180-024F"),
    ("latin-ext-additional", "1E00-1EFF"),
    ("latin-ext", "0250-036F 1D00-1DBF 20A0-20CF 2C60-2C7F A720-A7FF"),
    ("greek", "0370-03FF 1F00-1FFF"),
    ("cyrillic", "0400-052F 1C80-1C8F 2DE0-2DFF A640-A69F FE2E-FE2F"),
    ("symbols", ""),
)
CHUNKED = ("Inter-Regular.otf", "Inter-SemiBold.otf")
LISTED = ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "NotoSansHebrew-Regular.ttf",
          "NotoSansHebrew-Bold.ttf")


def parse_ranges(spec: str) -> set[int]:
    """"0000-00FF 0131" -> the codepoints."""
    out: set[int] = set()
    for part in spec.split():
        first, _, last = part.partition("-")
        out.update(range(int(first, 16), int(last or first, 16) + 1))
    return out


def to_ranges(codepoints: set[int]) -> str:
    """Codepoints as runs in the form `parse_ranges` reads: "0020-007E 00A0-00FF 0131"."""
    runs: list[list[int]] = []
    for cp in sorted(codepoints):
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return " ".join(f"{first:04X}" if first == last else f"{first:04X}-{last:04X}" for first, last in runs)


def cmap_of(file: str) -> set[int]:
    from fontTools.ttLib import TTFont

    with TTFont(FONTS_DIR / file, lazy=True) as font:
        return set(font.getBestCmap())


def plan(cmap: set[int]) -> list[tuple[str, set[int]]]:
    """The chunks of a font with this character map: (name, codepoints), disjoint, covering it all."""
    left = set(cmap)
    out = []
    for name, spec in CHUNKS:
        taken = left & parse_ranges(spec) if spec else set(left)
        left -= taken
        if taken:
            out.append((name, taken))
    return out


def subset_chunk(file: str, codepoints: set[int]) -> bytes:
    """One chunk as WOFF2, with the options jmap.render.html.subset_font uses for whole pages."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from jmap.render.html import subset_options

    options = subset_options("woff2")
    out = io.BytesIO()
    # fontTools packs GSUB/GPOS with HarfBuzz's repacker when uharfbuzz is installed, and with its
    # own code otherwise: the same bytes on every machine need one of them, always the same.
    no_repacker = {"fontTools.ttLib.tables.otBase:USE_HARFBUZZ_REPACKER": False}
    with TTFont(FONTS_DIR / file, recalcTimestamp=False, cfg=no_repacker) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(codepoints))
        subsetter.subset(font)
        font.flavor = "woff2"
        font.save(out, reorderTables=True)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def generate() -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and the chunk files (name -> bytes)."""
    fonts: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for file in (*CHUNKED, *LISTED):
        cmap = cmap_of(file)
        entry: dict[str, Any] = {"sha256": sha256((FONTS_DIR / file).read_bytes()), "cmap": to_ranges(cmap)}
        if file in CHUNKED:
            entry["chunks"] = []
            for name, codepoints in plan(cmap):
                chunk_file = f"{Path(file).stem}.{name}.woff2"
                data = subset_chunk(file, codepoints)
                files[chunk_file] = data
                entry["chunks"].append({"name": name, "file": chunk_file, "sha256": sha256(data),
                                        "ranges": to_ranges(codepoints)})
        fonts[file] = entry
    manifest = {"generator": "tools/gen_font_chunks.py", "fonts": fonts}
    return manifest, files


def manifest_text(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    manifest, files = generate()
    text = manifest_text(manifest)
    if "--check" in argv:
        stale = [name for name, data in files.items()
                 if not (OUTPUT / name).exists() or (OUTPUT / name).read_bytes() != data]
        if not MANIFEST.exists() or MANIFEST.read_text(encoding="utf-8") != text:
            stale.append(MANIFEST.name)
        extra = sorted(p.name for p in OUTPUT.glob("*.woff*") if p.name not in files) if OUTPUT.exists() else []
        if stale or extra:
            print(f"stale font chunks {stale + extra}: run python tools/gen_font_chunks.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.mkdir(exist_ok=True)
    for old in OUTPUT.glob("*.woff*"):
        if old.name not in files:
            old.unlink()
    for name, data in sorted(files.items()):
        (OUTPUT / name).write_bytes(data)
    MANIFEST.write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} chunks ({sum(map(len, files.values())):,} bytes) and {MANIFEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
