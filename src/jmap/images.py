"""Checks on the images a map embeds (persona avatars), before anything draws them.

An image must be PNG, JPEG or WebP, told by its first bytes and never by its
name; at most `MAX_IMAGE_BYTES` on disk and `MAX_IMAGE_SIDE` pixels a side. The
pixel size is read from the file header (PNG IHDR, JPEG SOFn, WebP VP8/VP8L/VP8X)
without decoding a single pixel, so a small file that would decompress to
20000 x 20000 pixels is refused, not decoded. A file that is cut off or damaged
is refused too: decoders deal with those in different ways, jmap reports them.

`avatar_data_uri` turns a checked file into the `data:` URI the renderers embed.
PNG and JPEG are embedded as they are; WebP is converted to PNG once here (after
the size checks), so the rasterisers only ever see PNG and JPEG, and
`check_data_uri` checks those again when cairo or resvg asks for them.

Only the standard library is imported at module level (validation imports this), and
base64 only when a data URI is made or read.
"""

import io
import os
import struct
import zlib
from pathlib import Path
from typing import NamedTuple

from jmap.diagnostics import Diagnostic, Span, clip

__all__ = [
    "MAX_IMAGE_BYTES", "MAX_IMAGE_SIDE", "ImageError", "ImageInfo", "avatar_data_uri", "check_data_uri",
    "check_image_file", "inspect_image",
]

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_SIDE = 4096

#: Diagnostic codes (listed with the others in jmap.diagnostics.CODES).
E_FORMAT = "E410"
E_BYTES = "E411"
E_PIXELS = "E412"
E_DAMAGED = "E413"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
# JPEG frame markers browsers, cairo and resvg all decode: baseline, extended, progressive.
_JPEG_SOF_OK = (0xC0, 0xC1, 0xC2)
# The other frame markers (lossless, hierarchical, arithmetic coding): valid JPEG, rarely decodable.
_JPEG_SOF_RARE = (0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF)
_DATA_URI_PREFIXES = {"data:image/png;base64,": "png", "data:image/jpeg;base64,": "jpeg"}


class ImageError(ValueError):
    """An image jmap will not embed; `code` and `message` are in the user's terms."""

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint

    def diagnostic(self, span: Span, prefix: str = "") -> Diagnostic:
        return Diagnostic(self.code, prefix + self.message, span, self.hint)


class ImageInfo(NamedTuple):
    kind: str  # "png", "jpeg" or "webp"
    width: int
    height: int

    @property
    def mime(self) -> str:
        return f"image/{self.kind}"


_CONVERT_HINT = "save it as PNG or JPEG (for example with an image editor's 'Export as')"


def _what_else(data: bytes) -> str | None:
    """A name for common files that are not PNG, JPEG or WebP, for the message."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "a GIF image"
    if head.startswith((b"<svg", b"<?xml", b"<!DOCTYPE svg")) or b"<svg" in data[:2048]:
        return "an SVG drawing"
    if head.startswith(b"BM"):
        return "a BMP image"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "a TIFF image"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        return "an AVIF image" if brand.startswith(b"avi") else "a HEIC/HEIF image"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if data.startswith(b"\x00\x00\x01\x00"):
        return "an icon (.ico) file"
    if data.startswith(b"RIFF"):
        return "a RIFF file that is not WebP"
    return None


def inspect_image(data: bytes) -> ImageInfo:
    """Kind and pixel size of an image, from its header only; raises ImageError when it is refused."""
    if len(data) > MAX_IMAGE_BYTES:
        raise _too_many_bytes(len(data))
    if data.startswith(_PNG_SIGNATURE):
        info = _png(data)
    elif data.startswith(b"\xff\xd8\xff"):
        info = _jpeg(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        info = _webp(data)
    else:
        other = _what_else(data)
        what = f"is {other}" if other else "is not an image jmap can read"
        raise ImageError(E_FORMAT, f"the file {what}; use PNG, JPEG or WebP (the content counts, not the name)",
                         hint=_CONVERT_HINT)
    if info.width < 1 or info.height < 1:
        raise ImageError(E_DAMAGED, f"the {info.kind.upper()} file says it has no pixels (damaged file)",
                         hint=_CONVERT_HINT)
    if info.width > MAX_IMAGE_SIDE or info.height > MAX_IMAGE_SIDE:
        raise ImageError(E_PIXELS, f"the image is {info.width} x {info.height} pixels; the limit is "
                         f"{MAX_IMAGE_SIDE} x {MAX_IMAGE_SIDE}",
                         hint="scale it down: an avatar needs no more than a few hundred pixels a side")
    return info


def check_image_file(path: Path | str) -> ImageInfo:
    """inspect_image on a file, reading at most one byte more than the size limit."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_IMAGE_BYTES:
                raise _too_many_bytes(size)
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as error:
        raise ImageError("E400", f"cannot read '{clip(str(path))}': {error.strerror or error}") from None
    return inspect_image(data)


def avatar_data_uri(path: Path | str) -> str:
    """A checked image as `data:image/png;base64,...` (PNG, and WebP converted) or `data:image/jpeg;...`.

    `path` must already be confined to the project (the model's `Persona.avatar` is).
    Raises ImageError, like check_image_file.
    """
    import base64

    with open(path, "rb") as handle:
        data = handle.read(MAX_IMAGE_BYTES + 1)
    info = inspect_image(data)
    if info.kind == "webp":
        data = _webp_to_png(data, info)
        info = ImageInfo("png", info.width, info.height)
    data = strip_metadata(data, info.kind)
    return f"data:{info.mime};base64,{base64.b64encode(data).decode('ascii')}"


#: JPEG segments that carry metadata, not pixels: EXIF/XMP (APP1), IPTC (APP13), comments.
_JPEG_METADATA = {0xE1, 0xED, 0xFE}
#: PNG chunks that carry metadata, not pixels: EXIF, text, time.
_PNG_METADATA = {b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"}


def strip_metadata(data: bytes, kind: str) -> bytes:
    """The image without EXIF, text and comment metadata, so a published map never carries
    a photo's GPS position or camera details. Pixels are untouched; unknown layouts are kept as is."""
    if kind == "jpeg":
        return _strip_jpeg(data)
    if kind == "png":
        return _strip_png(data)
    return data


def _strip_jpeg(data: bytes) -> bytes:
    out = bytearray(data[:2])  # SOI
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            break
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if length < 2 or at + 2 + length > len(data):
            return data  # not a layout we understand: leave it for the checks that already passed
        if marker not in _JPEG_METADATA:
            out += data[at:at + 2 + length]
        at += 2 + length
    return bytes(out + data[at:])


def _strip_png(data: bytes) -> bytes:
    out = bytearray(data[:8])  # signature
    at = 8
    while at + 12 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        end = at + 12 + length
        if end > len(data):
            return data
        if data[at + 4:at + 8] not in _PNG_METADATA:
            out += data[at:end]
        at = end
    return bytes(out + data[at:])


def check_data_uri(uri: str) -> bytes:
    """The bytes of a `data:image/png;base64,` or `data:image/jpeg;base64,` URI after the checks.

    Used by the rasterisers' URL fetcher: anything else (another type, an SVG, a
    URI that lies about its content) is refused with ImageError.
    """
    import base64
    import binascii

    found = [(prefix, kind) for prefix, kind in _DATA_URI_PREFIXES.items() if uri.startswith(prefix)]
    if not found:
        raise ImageError(E_FORMAT, "only PNG and JPEG images embedded by jmap can be drawn")
    prefix, kind = found[0]
    payload = uri[len(prefix):]
    if len(payload) > (MAX_IMAGE_BYTES + 2) // 3 * 4 + 4:
        raise ImageError(E_BYTES, "an embedded image is larger than 2 MB")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ImageError(E_DAMAGED, "an embedded image is not valid base64") from None
    info = inspect_image(data)
    if info.kind != kind:
        raise ImageError(E_FORMAT, f"an embedded image claims to be {kind.upper()} but is {info.kind.upper()}")
    return data


def _too_many_bytes(count: int) -> ImageError:
    return ImageError(E_BYTES, f"the image file has {count:,} bytes, more than the limit of "
                      f"{MAX_IMAGE_BYTES:,} bytes (2 MB)",
                      hint="make it smaller: an avatar needs no more than a few hundred pixels a side")


def _truncated(kind: str) -> ImageError:
    return ImageError(E_DAMAGED, f"the {kind} file is cut off or damaged",
                      hint="open and save it again, or export it anew")


def _png(data: bytes) -> ImageInfo:
    """Walk the chunks: IHDR first, a valid CRC on every critical chunk, IDAT, and IEND at the end."""
    pos = len(_PNG_SIGNATURE)
    width = height = 0
    seen_idat = False
    first = True
    while True:
        if pos + 8 > len(data):
            raise _truncated("PNG")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > len(data):
            raise _truncated("PNG")
        body = data[pos + 8:pos + 8 + length]
        if kind[0:1].isupper():  # critical chunk: its checksum must hold
            (crc,) = struct.unpack(">I", data[pos + 8 + length:end])
            if zlib.crc32(kind + body) != crc:
                raise _truncated("PNG")
        if first:
            if kind != b"IHDR" or length != 13:
                raise _truncated("PNG")
            width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
            if depth not in _PNG_DEPTHS.get(colour, ()) or compression or filtering or interlace > 1:
                raise _truncated("PNG")
            if max(width, height) > MAX_IMAGE_SIDE:  # refused for its size, whatever follows
                return ImageInfo("png", width, height)
            first = False
        seen_idat = seen_idat or kind == b"IDAT"
        pos = end
        if kind == b"IEND":
            break
    if not seen_idat:
        raise _truncated("PNG")
    return ImageInfo("png", width, height)


def _jpeg(data: bytes) -> ImageInfo:
    """Walk the markers up to the first scan; the frame header gives the size; EOI must follow."""
    pos = 2
    size: tuple[int, int] | None = None
    while True:
        if pos + 2 > len(data) or data[pos] != 0xFF:
            raise _truncated("JPEG")
        while pos + 1 < len(data) and data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 2 > len(data):
            raise _truncated("JPEG")
        marker = data[pos + 1]
        pos += 2
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length
            continue
        if marker in (0xD8, 0xD9):
            raise _truncated("JPEG")
        if pos + 2 > len(data):
            raise _truncated("JPEG")
        (length,) = struct.unpack(">H", data[pos:pos + 2])
        if length < 2 or pos + length > len(data):
            raise _truncated("JPEG")
        segment = data[pos + 2:pos + length]
        if marker in _JPEG_SOF_RARE:
            raise ImageError(E_FORMAT, "the JPEG uses a rare encoding (lossless, hierarchical or arithmetic) "
                             "that browsers cannot show", hint=_CONVERT_HINT)
        if marker in _JPEG_SOF_OK:
            if len(segment) < 6:
                raise _truncated("JPEG")
            height, width = struct.unpack(">HH", segment[1:5])
            size = (width, height)
            if max(size) > MAX_IMAGE_SIDE:  # refused for its size, whatever follows
                return ImageInfo("jpeg", width, height)
        pos += length
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
    if size is None:
        raise _truncated("JPEG")
    # Inside entropy-coded data 0xFF is always followed by 0x00 or a restart marker,
    # so FF D9 after the scan header can only be the end-of-image marker.
    if data.find(b"\xff\xd9", pos) < 0:
        raise _truncated("JPEG")
    return ImageInfo("jpeg", *size)


def _webp(data: bytes) -> ImageInfo:
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data) or len(data) < 30:
        raise _truncated("WebP")
    chunk, body = data[12:16], data[20:]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(body[4:7], "little")
        height = 1 + int.from_bytes(body[7:10], "little")
    elif chunk == b"VP8 ":
        if body[3:6] != b"\x9d\x01\x2a":
            raise _truncated("WebP")
        width, height = (v & 0x3FFF for v in struct.unpack("<HH", body[6:10]))
    elif chunk == b"VP8L":
        if body[0] != 0x2F:
            raise _truncated("WebP")
        (bits,) = struct.unpack("<I", body[1:5])
        width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    else:
        raise _truncated("WebP")
    return ImageInfo("webp", width, height)


def _webp_to_png(data: bytes, info: ImageInfo) -> bytes:
    """Decode a checked WebP (its size is bounded by now) and encode it as PNG, deterministically."""
    try:
        from PIL import Image  # installed with cairosvg
    except ImportError:
        raise ImageError(E_FORMAT, "WebP images need the Pillow package; convert the image to PNG",
                         hint=_CONVERT_HINT) from None
    try:
        with Image.open(io.BytesIO(data), formats=["WEBP"]) as image:
            if image.size != (info.width, info.height):
                raise ImageError(E_DAMAGED, "the WebP file's size does not match its header (damaged file)")
            converted = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        out = io.BytesIO()
        converted.save(out, "PNG")
    except ImageError:
        raise
    except Exception:  # noqa: BLE001 - any decoder failure means a damaged or unsupported file
        raise ImageError(E_DAMAGED, "the WebP file cannot be decoded (damaged, or a kind Pillow lacks)",
                         hint=_CONVERT_HINT) from None
    return out.getvalue()
