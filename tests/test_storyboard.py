"""The storyboard lane: pictures per stage or step, checked like avatars, drawn in every format.

Invalid pictures (outside the project, missing, not an image, too large, cut off, no alt
text) are data files in tests/cases/invalid/ (e4xx-storyboard-*, e201-storyboard-*).
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from jmap.api import check
from jmap.layout.engine import layout
from jmap.layout.geometry import Group, Layout, Picture, Rect, Text
from jmap.layout.storyboard import MAX_PICTURE_H
from jmap.model.model import Journey
from jmap.render.svg import avatar_images, diff_layout, render_layout_svg, render_svg
from jmap.review.diff import describe, diff_files
from jmap.review.fmt import format_text

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "journey.schema.json").read_text(encoding="utf-8"))
RED = (220, 20, 20)


def png(width: int, height: int, colour: tuple[int, int, int] = RED, text: bytes = b"") -> bytes:
    """A solid PNG; `text` goes into a tEXt chunk (metadata jmap must strip)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    data = out.getvalue()
    if not text:
        return data
    body = b"Comment\x00" + text
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    return data[:33] + chunk + data[33:]  # right after IHDR


def storyboard_map(pictures: str, *, extra: str = "") -> str:
    return (
        "jmap: 1\ntitle: Storyboard\nstages:\n"
        "  - id: pay\n    name: Pays\n    emotion: 0\n    actions: [Enters the card number]\n"
        f"    storyboard:\n{pictures}"
        "  - id: track\n    name: Tracks the parcel\n    emotion: 1\n    actions: [Opens the tracking page]\n"
        + extra
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "jmap.toml").write_text("", encoding="utf-8")
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "wide.png").write_bytes(png(80, 40, text=b"GPS 53.55N 9.99E secret"))
    (tmp_path / "shots" / "tall.png").write_bytes(png(100, 400, (20, 20, 220)))
    return tmp_path


WIDE = "      - {image: shots/wide.png, alt: The card form on a phone, caption: Card form}\n"
TALL = "      - {image: shots/tall.png, alt: A long parcel tracking screen}\n"


def journey_of(path: Path) -> Journey:
    result = check(path)
    assert not [d for d in result.diagnostics if d.code.startswith("E")], [str(d) for d in result.diagnostics]
    return result.journey()


def write(project: Path, text: str, name: str = "map.yaml") -> Path:
    path = project / name
    path.write_text(text, encoding="utf-8")
    return path


def laid_out(journey: Journey) -> Layout:
    return layout(journey, avatar_images(journey))


def cards(lay: Layout) -> list[Group]:
    return [n for n in lay.walk() if isinstance(n, Group) and "storyboard" in n.cls.split() and "item" in n.cls.split()]


# --- schema ---------------------------------------------------------------------------------


def test_schema_describes_the_storyboard_and_requires_alt_text() -> None:
    image = SCHEMA["$defs"]["storyboard_image"]
    assert image["description"] and set(image["required"]) == {"image", "alt"}
    assert all(p.get("description") for p in image["properties"].values())
    assert image["properties"]["image"]["pattern"] == SCHEMA["$defs"]["persona"]["properties"]["avatar"]["pattern"]
    for kind in ("stage", "step"):
        lane = SCHEMA["$defs"][kind]["properties"]["storyboard"]
        assert lane["items"] == {"$ref": "#/$defs/storyboard_image"} and lane["description"]
    assert "storyboard" in SCHEMA["$defs"]["lane"]["oneOf"][0]["enum"]


# --- layout ---------------------------------------------------------------------------------


def test_picture_card_sits_in_its_cell_keeps_the_aspect_ratio_and_overlaps_nothing(project: Path) -> None:
    journey = journey_of(write(project, storyboard_map(WIDE + TALL)))
    lay = laid_out(journey)
    found = cards(lay)
    assert len(found) == 2
    (cell,) = [n for n in lay.walk() if isinstance(n, Group) and "cell" in n.cls.split()
               and ("lane", "storyboard") in n.data]
    assert cell.box is not None
    previous_bottom = cell.box.y
    for card, (iw, ih) in zip(found, [(80, 40), (100, 400)], strict=True):
        assert card.box is not None
        box = card.box
        assert cell.box.x <= box.x and box.x + box.w <= cell.box.x + cell.box.w
        assert cell.box.y <= box.y and box.y + box.h <= cell.box.y + cell.box.h + 0.01
        assert box.y >= previous_bottom  # stacked, not overlapping
        previous_bottom = box.y + box.h
        (picture,) = [n for n in card.children if isinstance(n, Picture)]
        assert picture.w / picture.h == pytest.approx(iw / ih, rel=1e-3)
        assert box.x < picture.x and picture.x + picture.w < box.x + box.w
        assert box.y < picture.y and picture.y + picture.h < box.y + box.h
        assert picture.h <= MAX_PICTURE_H + 0.01
    wide, tall = ([n for n in c.children if isinstance(n, Picture)][0] for c in found)
    assert tall.h == pytest.approx(MAX_PICTURE_H)  # a tall screen is capped, centred, not stretched
    assert tall.w < wide.w
    # The caption sits below the picture, inside the card.
    (caption,) = [n for n in found[0].children if isinstance(n, Text) and n.cls == "caption"]
    assert caption.lines[0].text == "Card form" and caption.y >= wide.y + wide.h
    assert "storyboard" in [lane.id for lane in journey.lanes]


def test_a_picture_that_cannot_be_read_in_a_visual_diff_is_a_placeholder_of_the_same_size(project: Path) -> None:
    journey = journey_of(write(project, storyboard_map(WIDE)))
    drawn = cards(laid_out(journey))[0]
    blank = cards(layout(journey, {}))[0]  # no data URI: the old side of a diff whose file is gone
    assert "placeholder" in blank.cls.split() and not [n for n in blank.children if isinstance(n, Picture)]
    assert blank.box == drawn.box
    assert any(isinstance(n, Text) and n.cls == "alt" for n in blank.children)
    assert any(isinstance(n, Rect) and n.dash for n in blank.children)


# --- SVG, PNG, HTML -------------------------------------------------------------------------


def test_svg_embeds_the_checked_picture_without_metadata_and_labels_it(project: Path) -> None:
    svg = render_svg(journey_of(write(project, storyboard_map(WIDE))))
    start = svg.index('<image href="data:image/png;base64,') + len('<image href="data:image/png;base64,')
    data = base64.b64decode(svg[start:svg.index('"', start)])
    assert data.startswith(b"\x89PNG") and b"tEXt" not in data and b"secret" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (80, 40)
    assert 'aria-label="The card form on a phone"' in svg
    assert "<title>The card form on a phone</title>" in svg
    assert 'preserveAspectRatio="xMidYMid meet"' in svg


def test_png_draws_the_picture_where_the_layout_puts_it(project: Path) -> None:
    from jmap.export.export import svg_to_png

    journey = journey_of(write(project, storyboard_map(WIDE)))
    lay = layout(journey, avatar_images(journey), tooltips=False)
    (picture,) = [n for n in lay.walk() if isinstance(n, Picture)]
    data = svg_to_png(render_layout_svg(lay), scale=1.0)
    with Image.open(io.BytesIO(data)) as image:
        rgb = image.convert("RGB")
        centre = rgb.getpixel((int(picture.x + picture.w / 2), int(picture.y + picture.h / 2)))
        outside = rgb.getpixel((int(picture.x + picture.w / 2), int(picture.y + picture.h + 30)))
    assert isinstance(centre, tuple) and isinstance(outside, tuple)
    assert max(abs(a - b) for a, b in zip(centre, RED, strict=True)) < 12
    assert max(abs(a - b) for a, b in zip(outside, RED, strict=True)) > 60


def test_pdf_embeds_the_picture_at_its_pixel_size(project: Path) -> None:
    import re

    from jmap.export.export import svg_to_pdf

    journey = journey_of(write(project, storyboard_map(WIDE)))
    pdf = svg_to_pdf(render_layout_svg(layout(journey, avatar_images(journey), tooltips=False)))
    images = re.findall(rb"/Subtype\s*/Image\s*/Width\s*(\d+)\s*/Height\s*(\d+)", pdf)
    assert images == [(b"80", b"40")]


def test_html_has_the_lane_toggle_and_a_tooltip_with_caption_and_alt_text(project: Path) -> None:
    from jmap.render.html import card_data, render_html

    journey = journey_of(write(project, storyboard_map(WIDE)))
    page = render_html(journey)
    assert '<input type="checkbox" data-toggle="lane" value="storyboard" checked>' in page
    assert 'data-lane="storyboard"' in page and "data:image/png;base64," in page
    tips = card_data(journey, laid_out(journey))
    (tip,) = [t for t in tips.values() if t["lane"] == "Storyboard"]
    assert tip["text"] == "Card form" and ["Alt text", "The card form on a phone"] in tip["facts"]


# --- fmt, diff ------------------------------------------------------------------------------


def test_fmt_writes_picture_keys_in_schema_order_and_keeps_the_meaning() -> None:
    text = storyboard_map("      - caption: Card form\n        alt: The card form\n        image: shots/wide.png\n")
    out = format_text(text)
    assert "      - image: shots/wide.png\n        alt: The card form\n        caption: Card form\n" in out
    assert out.index("storyboard:") < out.index("actions:")  # the lane's place in the schema
    assert format_text(out) == out


def test_diff_words_pictures_added_removed_and_changed(project: Path) -> None:
    old = write(project, storyboard_map(WIDE + TALL), "old.yaml")
    new = write(project, storyboard_map(
        "      - {image: shots/tall.png, alt: The card form on a phone, caption: 'Card form, with errors'}\n",
        extra="    storyboard:\n      - {image: shots/wide.png, alt: The tracking page}\n"), "new.yaml")
    result = diff_files(old, new)
    assert result.diagnostics == []
    messages = [describe(c) for c in result.changes]
    assert messages == [
        "storyboard image reworded: Card form{+, with errors+}",  # the caption
        'storyboard image "Card form, with errors": image shots/wide.png → shots/tall.png',
        'storyboard image removed: "A long parcel tracking screen" (tall.png)',
        'storyboard image added: "The tracking page" (wide.png)',
    ]


def test_diff_words_a_changed_alt_text_when_the_caption_stays(project: Path) -> None:
    old = write(project, storyboard_map(WIDE), "old.yaml")
    new = write(project, storyboard_map(WIDE.replace("The card form on a phone", "The empty card form")), "new.yaml")
    (change,) = diff_files(old, new).changes
    assert describe(change) == 'storyboard image "Card form": alt text The card form on a phone → The empty card form'


def test_diff_marks_an_added_picture_in_the_visual_diff(project: Path) -> None:
    old = write(project, storyboard_map(WIDE), "old.yaml")
    new = write(project, storyboard_map(WIDE + TALL), "new.yaml")
    _, lay = diff_layout(diff_files(old, new))
    marked = {card.id: set(card.cls.split()) for card in cards(lay)}
    assert "diff-added" in marked["item-storyboard-pay-1"]
    assert not {"diff-added", "diff-changed", "diff-removed"} & marked["item-storyboard-pay-0"]


def test_builds_record_the_pictures_as_inputs(project: Path) -> None:
    from jmap.project.builder import BuildOptions, build

    path = write(project, storyboard_map(WIDE))
    (result,) = build([str(path)], BuildOptions(out_dir=project / "out"), jobs=1).results
    assert (project / "shots" / "wide.png").resolve() in [Path(d).resolve() for d in result.deps]


def test_alt_text_is_required_and_said_in_the_users_terms(project: Path) -> None:
    result = check(write(project, storyboard_map("      - {image: shots/wide.png, caption: Card form}\n")))
    (error,) = [d for d in result.diagnostics if d.code == "E201"]
    assert error.message == "storyboard image 1 of stage 'pay' needs an 'alt'"


def test_git_revisions_mirror_the_pictures_so_both_sides_pass_their_checks(project: Path) -> None:
    import os
    import subprocess

    from jmap.review.diff import diff_revisions

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})

    path = write(project, storyboard_map(WIDE))
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "map")
    write(project, storyboard_map(WIDE.replace("caption: Card form", "caption: Card form v2")))
    (result,) = diff_revisions("HEAD", [str(path)], cwd=project)
    assert result.diagnostics == [], [str(d) for d in result.diagnostics]
    assert [describe(c) for c in result.changes] == ["storyboard image reworded: Card form{+ v2+}"]
    _, lay = diff_layout(result)
    assert len([n for n in lay.walk() if isinstance(n, Picture)]) == 1  # the new side's picture, drawn
