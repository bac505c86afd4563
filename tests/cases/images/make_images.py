"""Write the tiny images tests/test_images.py and tests/test_export.py use (run once; the files are committed).

    python tests/cases/images/make_images.py
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, rows: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def main() -> None:
    # 4 x 4: red top half, blue bottom half.
    red, blue = b"\xff\x00\x00" * 4, b"\x00\x00\xff" * 4
    avatar = png(4, 4, b"".join(b"\x00" + row for row in (red, red, blue, blue)))
    (HERE / "avatar.png").write_bytes(avatar)
    # A header that claims 20000 x 20000 pixels (1.2 GB decoded) in a file of 70 bytes.
    (HERE / "bomb.png").write_bytes(png(20000, 20000, b"\x00" * 64))
    (HERE / "truncated.png").write_bytes(avatar[:-12])  # IEND cut off
    image = Image.new("RGB", (8, 8), (0, 160, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    (HERE / "avatar.jpg").write_bytes(out.getvalue())
    (HERE / "truncated.jpg").write_bytes(out.getvalue()[: len(out.getvalue()) // 2])
    for name, options in (("lossy.webp", {"quality": 80}), ("lossless.webp", {"lossless": True})):
        out = io.BytesIO()
        image.save(out, "WEBP", **options)
        (HERE / name).write_bytes(out.getvalue())
    out = io.BytesIO()
    Image.new("RGBA", (6, 5), (0, 0, 255, 128)).save(out, "WEBP", quality=80)  # alpha: VP8X
    (HERE / "alpha.webp").write_bytes(out.getvalue())
    out = io.BytesIO()
    Image.new("P", (1, 1)).save(out, "GIF")
    (HERE / "gif-renamed.png").write_bytes(out.getvalue())
    (HERE / "svg-renamed.png").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n')


if __name__ == "__main__":
    main()
