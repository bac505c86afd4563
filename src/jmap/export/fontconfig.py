"""Make cairo draw PNG and PDF text with jmap's bundled fonts, whatever the machine has.

cairo finds fonts by family name through fontconfig, which reads its configuration
once, when first used, from the file named by `FONTCONFIG_FILE`. `configure()`
writes a fonts.conf of jmap's own (deterministic content, in the user's cache
folder); `activated()` points `FONTCONFIG_FILE` at it while jmap.export.export loads cairo
and makes fontconfig read it, then puts the variable back (so programs jmap starts
later, a browser for instance, keep the system's fonts.conf):

- the bundled fonts folder comes first; copies of the bundled families found on the
  system (another Inter version, an Inter *Bold* that would win over the bundled
  SemiBold for `font-weight: 600`) are rejected, so the metrics that laid the map
  out are the metrics that draw it;
- the system font folders follow, so Noto Sans CJK (Debian's `fonts-noto-cjk`) and
  fonts for other scripts are found;
- the system's own fontconfig rules (hinting, subpixel order, aliases) are not
  read: the same SVG gives the same pixels on machines with the same fonts.

On Windows and macOS cairo usually finds fonts without fontconfig; there the
bundled fonts are registered for this process (best effort), and jmap.export.export
checks which font cairo really uses and warns when it is not the bundled one.

`family_for()` asks fontconfig (through ctypes, when the library is there) for a
family that has a glyph for a character none of jmap's fonts has.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from jmap.resources import data_dir

__all__ = ["BUNDLED_FAMILIES", "SYSTEM_FONT_DIRS", "activated", "bundled_dir", "configure", "family_for", "font_file",
           "fonts_conf", "is_inside"]

#: Families the bundled fonts provide; system copies of these are never used.
BUNDLED_FAMILIES = ("Inter", "Noto Sans Arabic", "Noto Sans Hebrew")

#: System font folders listed after the bundled one (None: the platform's usual ones).
#: Tests set it to simulate a machine with other fonts.
SYSTEM_FONT_DIRS: tuple[str, ...] | None = None

_configured: Path | None = None


def bundled_dir() -> Path:
    return data_dir("fonts").resolve()


def _platform_font_dirs() -> tuple[str, ...]:
    if sys.platform == "darwin":
        return ("/System/Library/Fonts", "/Library/Fonts", "~/Library/Fonts",
                "/opt/homebrew/share/fonts", "/usr/local/share/fonts")
    if os.name == "nt":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        local = os.environ.get("LOCALAPPDATA", "")
        user = (os.path.join(local, "Microsoft", "Windows", "Fonts"),) if local else ()
        return (os.path.join(windir, "Fonts"), *user)
    return ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")


def _platform_cache_dirs() -> tuple[str, ...]:
    """Where fontconfig keeps (and finds) its per-folder caches; the first writable one gets new caches."""
    if sys.platform.startswith("linux"):
        return ("/var/cache/fontconfig",)
    return ()


def escape(text: str) -> str:
    """Text for XML element content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _font_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".otf", ".ttf", ".ttc"))


def fonts_conf(bundled: Path, system_dirs: tuple[str, ...], cache_dir: Path) -> str:
    """The fonts.conf text: the same inputs always give the same bytes."""
    lines = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
        "<!-- Written by jmap for drawing PNG and PDF (jmap.export.fontconfig); rewritten when it changes. -->",
        "<fontconfig>",
        f"  <dir>{escape(str(bundled))}</dir>",
        *(f"  <dir>{escape(d)}</dir>" for d in system_dirs),
        *(f"  <cachedir>{escape(d)}</cachedir>" for d in _platform_cache_dirs()),
        '  <cachedir prefix="xdg">fontconfig</cachedir>',
        f"  <cachedir>{escape(str(cache_dir))}</cachedir>",
        "  <selectfont>",
        "    <acceptfont>",
        *(f'      <pattern><patelt name="file"><string>{escape(str(f))}</string></patelt></pattern>'
          for f in _font_files(bundled)),
        "    </acceptfont>",
        "    <rejectfont>",
        *(f'      <pattern><patelt name="family"><string>{escape(f)}</string></patelt></pattern>'
          for f in BUNDLED_FAMILIES),
        "    </rejectfont>",
        "  </selectfont>",
        '  <alias binding="same"><family>sans-serif</family><prefer><family>Inter</family></prefer></alias>',
        "  <config><rescan><int>0</int></rescan></config>",
        "</fontconfig>",
        "",
    ]
    return "\n".join(lines)


def _cache_root() -> Path:
    """jmap's per-user cache folder, or a private temporary one when that is not writable."""
    if env := os.environ.get("JMAP_CACHE_DIR"):
        candidates = [Path(env)]
    elif sys.platform == "darwin":
        candidates = [Path.home() / "Library" / "Caches" / "jmap"]
    elif os.name == "nt":
        candidates = [Path(os.environ.get("LOCALAPPDATA", Path.home())) / "jmap" / "Cache"]
    else:
        candidates = [Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jmap"]
    uid = getattr(os, "getuid", lambda: 0)()
    candidates.append(Path(tempfile.gettempdir()) / f"jmap-{uid}")
    for candidate in candidates:
        try:
            candidate.mkdir(parents=True, exist_ok=True, mode=0o700)
            if os.name != "nt" and candidate.stat().st_uid != uid:
                continue  # a folder someone else made: not ours to trust
            if os.access(candidate, os.W_OK):
                return candidate
        except OSError:
            continue
    return Path(tempfile.mkdtemp(prefix="jmap-"))


def _write_once(folder: Path, text: str) -> Path:
    """Write text to a file named by its hash (atomically), unless it is there already."""
    data = text.encode("utf-8")
    path = folder / f"fonts-{hashlib.sha256(data).hexdigest()[:16]}.conf"
    try:
        if path.read_bytes() == data:
            return path
    except OSError:
        pass
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".fonts-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def configure() -> Path:
    """Write jmap's fonts.conf (once per process) and return its path.

    FONTCONFIG_FILE must name it when fontconfig first initialises (jmap.export.export does this).
    """
    global _configured
    if _configured is None:
        root = _cache_root()
        (root / "fontconfig").mkdir(exist_ok=True)
        dirs = SYSTEM_FONT_DIRS if SYSTEM_FONT_DIRS is not None else _platform_font_dirs()
        _configured = _write_once(root, fonts_conf(bundled_dir(), dirs, root / "fontconfig"))
        _register_for_process()
    return _configured


@contextmanager
def activated() -> Iterator[Path]:
    """FONTCONFIG_FILE names jmap's fonts.conf inside the block, and what it was after it.

    fontconfig reads the variable once, when first used (by cairo, or family_for): do that
    inside. Programs started later (a browser, say) keep the system's configuration.
    """
    conf = configure()
    previous = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    try:
        yield conf
    finally:
        if previous is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = previous


def _register_for_process() -> None:
    """Make the bundled fonts visible to Windows GDI and macOS Core Text in this process (best effort)."""
    files = _font_files(bundled_dir())
    try:
        if os.name == "nt":
            gdi32 = ctypes.WinDLL("gdi32")  # type: ignore[attr-defined]
            gdi32.AddFontResourceExW.argtypes = [ctypes.c_wchar_p, ctypes.c_uint32, ctypes.c_void_p]
            for path in files:
                gdi32.AddFontResourceExW(str(path), 0x10, None)  # FR_PRIVATE
        elif sys.platform == "darwin":
            cf = ctypes.CDLL("/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation")
            ct = ctypes.CDLL("/System/Library/Frameworks/CoreText.framework/CoreText")
            cf.CFURLCreateFromFileSystemRepresentation.restype = ctypes.c_void_p
            cf.CFURLCreateFromFileSystemRepresentation.argtypes = [
                ctypes.c_void_p, ctypes.c_char_p, ctypes.c_long, ctypes.c_bool]
            cf.CFRelease.argtypes = [ctypes.c_void_p]
            ct.CTFontManagerRegisterFontsForURL.restype = ctypes.c_bool
            ct.CTFontManagerRegisterFontsForURL.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p]
            for path in files:
                raw = os.fsencode(path)
                url = cf.CFURLCreateFromFileSystemRepresentation(None, raw, len(raw), False)
                if url:
                    ct.CTFontManagerRegisterFontsForURL(url, 1, None)  # kCTFontManagerScopeProcess
                    cf.CFRelease(url)
    except Exception:  # noqa: BLE001 - best effort; export warns if cairo still lacks the fonts
        return


# --- asking fontconfig for a font that has a character ----------------------------


class _Fontconfig:
    """The few libfontconfig calls needed to find a font by the characters it covers."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        p, i, s = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
        self.lib = lib
        for name, restype, argtypes in (
            ("FcPatternCreate", p, []),
            ("FcPatternDestroy", None, [p]),
            ("FcCharSetCreate", p, []),
            ("FcCharSetDestroy", None, [p]),
            ("FcCharSetAddChar", i, [p, ctypes.c_uint32]),
            ("FcCharSetHasChar", i, [p, ctypes.c_uint32]),
            ("FcPatternAddCharSet", i, [p, s, p]),
            ("FcPatternAddInteger", i, [p, s, i]),
            ("FcConfigSubstitute", i, [p, p, i]),
            ("FcDefaultSubstitute", None, [p]),
            ("FcFontMatch", p, [p, p, ctypes.POINTER(i)]),
            ("FcPatternGetString", i, [p, s, i, ctypes.POINTER(ctypes.c_char_p)]),
            ("FcPatternGetCharSet", i, [p, s, i, ctypes.POINTER(p)]),
            ("FcPatternAddString", i, [p, s, s]),
            ("FcPatternGetInteger", i, [p, s, i, ctypes.POINTER(i)]),
        ):
            function = getattr(lib, name)
            function.restype = restype
            function.argtypes = argtypes

    def family_for(self, codepoint: int, bold: bool) -> str | None:
        lib = self.lib
        pattern = lib.FcPatternCreate()
        charset = lib.FcCharSetCreate()
        try:
            lib.FcCharSetAddChar(charset, codepoint)
            lib.FcPatternAddCharSet(pattern, b"charset", charset)
            lib.FcPatternAddInteger(pattern, b"weight", 200 if bold else 80)
            with self._matched(pattern) as font:
                if font is None:
                    return None
                covered = ctypes.c_void_p()
                if lib.FcPatternGetCharSet(font, b"charset", 0, ctypes.byref(covered)) != 0:
                    return None
                if not lib.FcCharSetHasChar(covered, codepoint):
                    return None
                family = ctypes.c_char_p()
                if lib.FcPatternGetString(font, b"family", 0, ctypes.byref(family)) != 0 or not family.value:
                    return None
                return family.value.decode("utf-8", "replace")
        finally:
            lib.FcPatternDestroy(pattern)
            lib.FcCharSetDestroy(charset)

    def font_file(self, family: str, bold: bool) -> tuple[str, int, tuple[str, ...]] | None:
        """The file, face index and family names of the font cairo's toy font face for (family, bold) opens.

        The pattern is the one cairo builds (family, roman slant, weight medium or
        bold), substituted and matched the same way, so the answer is cairo's font.
        """
        lib = self.lib
        pattern = lib.FcPatternCreate()
        try:
            lib.FcPatternAddString(pattern, b"family", family.encode("utf-8"))
            lib.FcPatternAddInteger(pattern, b"slant", 0)  # FC_SLANT_ROMAN
            lib.FcPatternAddInteger(pattern, b"weight", 200 if bold else 100)  # FC_WEIGHT_BOLD, FC_WEIGHT_MEDIUM
            with self._matched(pattern) as font:
                if font is None:
                    return None
                file, name, index = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_int()
                if lib.FcPatternGetString(font, b"file", 0, ctypes.byref(file)) != 0 or not file.value:
                    return None
                if lib.FcPatternGetInteger(font, b"index", 0, ctypes.byref(index)) != 0:
                    index.value = 0
                names: list[str] = []  # a font can have several family names (one per language)
                while len(names) < 16 and lib.FcPatternGetString(font, b"family", len(names), ctypes.byref(name)) == 0:
                    names.append((name.value or b"").decode("utf-8", "replace"))
                return os.fsdecode(file.value), index.value, tuple(names)
        finally:
            lib.FcPatternDestroy(pattern)

    @contextmanager
    def _matched(self, pattern: Any) -> Iterator[Any]:
        """The font fontconfig matches to `pattern` after the usual substitutions (None: none); freed after use."""
        lib = self.lib
        lib.FcConfigSubstitute(None, pattern, 0)  # FcMatchPattern
        lib.FcDefaultSubstitute(pattern)
        result = ctypes.c_int()
        font = lib.FcFontMatch(None, pattern, ctypes.byref(result))
        try:
            yield font or None
        finally:
            if font:
                lib.FcPatternDestroy(font)


@lru_cache(maxsize=1)
def _fontconfig() -> _Fontconfig | None:
    name = ctypes.util.find_library("fontconfig")
    if not name and sys.platform.startswith("linux"):
        name = "libfontconfig.so.1"
    if not name:
        return None
    try:
        return _Fontconfig(ctypes.CDLL(name))
    except (OSError, AttributeError):
        return None


@lru_cache(maxsize=4096)
def family_for(char: str, bold: bool = False) -> str | None:
    """A font family on this machine with a glyph for char, as fontconfig finds it; None if none."""
    fc = _fontconfig()
    if fc is None or len(char) != 1:
        return None
    try:
        with activated():  # in case fontconfig is first used here
            return fc.family_for(ord(char), bold)
    except Exception:  # noqa: BLE001 - a broken fontconfig must not stop the export
        return None


@lru_cache(maxsize=64)
def font_file(family: str, bold: bool = False) -> tuple[str, int, tuple[str, ...]] | None:
    """(file, face index, family names) of the font cairo draws `family` with, as fontconfig matches it."""
    fc = _fontconfig()
    if fc is None:
        return None
    try:
        with activated():
            return fc.font_file(family, bold)
    except Exception:  # noqa: BLE001 - a broken fontconfig: the caller takes the reference path
        return None


def is_inside(path: str, folder: Path) -> bool:
    """Whether the font file `path` is in `folder` (the bundled fonts)."""
    return Path(path).resolve().is_relative_to(folder)
