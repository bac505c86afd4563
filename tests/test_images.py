"""jmap.images: what a map may embed, told by content and header, never decoded to find out."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from jmap.api import check
from jmap.images import (
    MAX_IMAGE_BYTES,
    ImageError,
    ImageInfo,
    avatar_data_uri,
    check_data_uri,
    check_image_file,
    inspect_image,
)

IMAGES = Path(__file__).parent / "cases" / "images"


@pytest.mark.parametrize(("name", "info"), [
    ("avatar.png", ImageInfo("png", 4, 4)),
    ("avatar.jpg", ImageInfo("jpeg", 8, 8)),
    ("lossy.webp", ImageInfo("webp", 8, 8)),      # VP8
    ("lossless.webp", ImageInfo("webp", 8, 8)),   # VP8L
    ("alpha.webp", ImageInfo("webp", 6, 5)),      # VP8X
])
def test_accepted_images_and_their_size_from_the_header(name: str, info: ImageInfo) -> None:
    assert check_image_file(IMAGES / name) == info


@pytest.mark.parametrize(("name", "code", "words"), [
    ("bomb.png", "E412", "20000 x 20000"),   # 69 bytes that would decode to 1.2 GB: refused from the header
    ("gif-renamed.png", "E410", "GIF"),
    ("svg-renamed.png", "E410", "SVG"),
    ("truncated.jpg", "E413", "cut off"),
    ("truncated.png", "E413", "cut off"),
])
def test_refused_images(name: str, code: str, words: str) -> None:
    with pytest.raises(ImageError) as caught:
        check_image_file(IMAGES / name)
    assert caught.value.code == code
    assert words in caught.value.message


def test_the_size_limit_is_checked_before_anything_else() -> None:
    data = (IMAGES / "avatar.png").read_bytes()
    with pytest.raises(ImageError) as caught:
        inspect_image(data + b"\x00" * (MAX_IMAGE_BYTES + 1 - len(data)))
    assert caught.value.code == "E411"


def test_damaged_headers_are_refused_not_guessed() -> None:
    data = bytearray((IMAGES / "avatar.png").read_bytes())
    data[20] ^= 0xFF  # a bit flipped in IHDR: its checksum fails
    with pytest.raises(ImageError, match="cut off or damaged"):
        inspect_image(bytes(data))
    with pytest.raises(ImageError) as caught:
        inspect_image(b"\x89PNG\r\n\x1a\n")
    assert caught.value.code == "E413"
    with pytest.raises(ImageError) as caught:
        inspect_image(b"RIFF\x10\x00\x00\x00WEBPVP8 ")  # RIFF says more bytes than there are
    assert caught.value.code == "E413"
    with pytest.raises(ImageError) as caught:
        inspect_image(b"not an image at all")
    assert caught.value.code == "E410"


def test_uncommon_jpeg_encodings_are_refused() -> None:
    data = bytearray((IMAGES / "avatar.jpg").read_bytes())
    at = data.find(b"\xff\xc0")
    data[at + 1] = 0xC3  # lossless JPEG: valid, but browsers cannot show it
    with pytest.raises(ImageError, match="rare encoding"):
        inspect_image(bytes(data))


def test_avatar_data_uri_embeds_png_and_jpeg_as_they_are() -> None:
    for name, mime in (("avatar.png", "image/png"), ("avatar.jpg", "image/jpeg")):
        uri = avatar_data_uri(IMAGES / name)
        prefix = f"data:{mime};base64,"
        assert uri.startswith(prefix)
        assert base64.b64decode(uri[len(prefix):]) == (IMAGES / name).read_bytes()


def test_webp_avatars_become_png_so_rasterisers_see_png_or_jpeg_only() -> None:
    uri = avatar_data_uri(IMAGES / "alpha.webp")
    assert uri.startswith("data:image/png;base64,")
    assert check_data_uri(uri)[:8] == b"\x89PNG\r\n\x1a\n"
    assert inspect_image(check_data_uri(uri)) == ImageInfo("png", 6, 5)
    assert avatar_data_uri(IMAGES / "alpha.webp") == uri  # deterministic


def test_avatar_data_uri_checks_too() -> None:
    with pytest.raises(ImageError) as caught:
        avatar_data_uri(IMAGES / "bomb.png")
    assert caught.value.code == "E412"


def _uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def test_check_data_uri_accepts_only_checked_png_and_jpeg() -> None:
    png = (IMAGES / "avatar.png").read_bytes()
    assert check_data_uri(_uri("image/png", png)) == png
    refused = {
        _uri("image/svg+xml", (IMAGES / "svg-renamed.png").read_bytes()): "E410",
        _uri("image/png", (IMAGES / "avatar.jpg").read_bytes()): "E410",  # says PNG, is JPEG
        _uri("image/png", (IMAGES / "gif-renamed.png").read_bytes()): "E410",
        _uri("image/webp", (IMAGES / "lossy.webp").read_bytes()): "E410",  # jmap embeds WebP as PNG
        _uri("image/png", (IMAGES / "bomb.png").read_bytes()): "E412",
        "data:image/png;base64,not*base64": "E413",
        "data:image/png,rawbytes": "E410",
    }
    for uri, code in refused.items():
        with pytest.raises(ImageError) as caught:
            check_data_uri(uri)
        assert caught.value.code == code, uri[:40]


MAP = """\
jmap: 1
title: Avatars
personas:
  - id: ana
    name: Ana
    avatar: {avatar}
stages:
  - id: start
    name: Start
"""


@pytest.mark.parametrize(("image", "code"), [
    ("avatar.png", None),
    ("lossy.webp", None),
    ("gif-renamed.png", "E410"),
    ("svg-renamed.png", "E410"),
    ("bomb.png", "E412"),
    ("truncated.jpg", "E413"),
])
def test_validate_checks_avatar_images(tmp_path: Path, image: str, code: str | None) -> None:
    (tmp_path / "jmap.toml").write_text("")
    target = "face" + Path(image).suffix.replace(".jpg", ".jpeg")
    shutil.copy(IMAGES / image, tmp_path / target)
    (tmp_path / "journey.yaml").write_text(MAP.format(avatar=target))
    errors = [d for d in check(tmp_path / "journey.yaml").diagnostics if d.code.startswith("E")]
    if code is None:
        assert errors == []
        return
    assert [d.code for d in errors] == [code]
    assert errors[0].span.line == 6  # the avatar line
    assert "cannot use this avatar" in errors[0].message


def test_avatars_are_embedded_without_exif_or_text_metadata(tmp_path: Path) -> None:
    """A published map must not carry a photo's GPS position or camera details."""
    import base64
    import struct
    import zlib

    from jmap.images import avatar_data_uri

    images = Path(__file__).parent / "cases" / "images"
    jpeg = (images / "avatar.jpg").read_bytes()
    payload = b"Exif\0\0GPS 53.55N 9.99E secret-camera"
    with_exif = jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]
    (tmp_path / "a.jpg").write_bytes(with_exif)
    embedded = base64.b64decode(avatar_data_uri(tmp_path / "a.jpg").split(",", 1)[1])
    assert b"GPS" not in embedded and embedded == jpeg

    png = (images / "avatar.png").read_bytes()
    text = b"Comment\0taken at home, 12 Elm Street"
    chunk = struct.pack(">I", len(text)) + b"tEXt" + text + struct.pack(">I", zlib.crc32(b"tEXt" + text))
    with_text = png[:33] + chunk + png[33:]  # after the signature and IHDR
    (tmp_path / "a.png").write_bytes(with_text)
    embedded = base64.b64decode(avatar_data_uri(tmp_path / "a.png").split(",", 1)[1])
    assert b"Elm Street" not in embedded and embedded == png
