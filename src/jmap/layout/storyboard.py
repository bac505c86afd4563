"""The storyboard lane's card: a picture scaled to the card's width, its caption below it.

Pure like the rest of the layout: the picture's pixel size comes from the model (read
from the file's header when the map is loaded) and its checked `data:` URI from the
images the caller passes to `layout()` (keyed by the image's path, beside the avatars).
A picture without a URI (the old side of a visual diff whose file is gone) is drawn as
a placeholder with its alt text, the same size, so nothing moves.
"""

from __future__ import annotations

from jmap.layout.context import LayoutContext, Plan
from jmap.layout.geometry import Box, Group, Node, Picture, Rect
from jmap.layout.rhythm import PAD_X, PAD_Y, RADIUS
from jmap.model.model import Lane, StoryboardImage

__all__ = ["MAX_PICTURE_H", "PLACEHOLDER_RATIO", "picture_size", "storyboard_plan"]

#: The tallest a picture is drawn (px at 13 px type): a phone screenshot must not stretch its row.
MAX_PICTURE_H = 200.0
#: Height / width of a picture whose size is unknown (drawn as a placeholder).
PLACEHOLDER_RATIO = 0.75
#: Lines of caption before it is cut with "…" (the full caption is in the tooltip).
CAPTION_LINES = 3


def picture_size(item: StoryboardImage, inner_w: float, max_h: float) -> tuple[float, float]:
    """The drawn size of a picture: the inner width, the aspect ratio kept, at most `max_h` high."""
    ratio = item.height / item.width if item.width > 0 and item.height > 0 else PLACEHOLDER_RATIO
    w, h = inner_w, inner_w * ratio
    if h > max_h:
        w, h = max_h / ratio, max_h
    return w, h


def storyboard_plan(ctx: LayoutContext, lane: Lane, item: StoryboardImage, w: float,
                    data: tuple[tuple[str, str], ...], id_base: str) -> Plan:
    """A storyboard card: framed picture (alt text as its label and tooltip), wrapped caption below."""
    small, c = ctx.small, ctx.c
    inner = w - 2 * PAD_X
    pic_w, pic_h = picture_size(item, inner, MAX_PICTURE_H * ctx.body / 13)
    href = ctx.avatars.get(item.image, "")
    caption = (ctx.wrap(item.caption, inner, small, "regular", CAPTION_LINES, ("storyboard caption", item.span))
               if item.caption else None)
    caption_h = len(caption.lines) * ctx.lh(small) if caption else 0.0
    h = PAD_Y + pic_h + (6 + caption_h if caption else 0) + PAD_Y
    title = item.alt + (f"\n\n{item.note}" if item.note else "")
    classes = "card storyboard" + (" truncated" if caption and caption.truncated else "")
    classes += "" if href else " placeholder"

    def draw(x: float, y: float) -> Group:
        px, py = x + (w - pic_w) / 2, y + PAD_Y
        nodes: list[Node] = [Rect(x, y, w, h, fill=c["card"], stroke=c["card_border"],
                                  stroke_width=ctx.theme.strokes.card_border, rx=RADIUS, cls="box")]
        if href:
            nodes.append(Picture(px, py, pic_w, pic_h, href, item.alt))
            nodes.append(Rect(px, py, pic_w, pic_h, fill="none", stroke=c["card_border"], stroke_width=1,
                              cls="frame"))
        else:
            nodes.append(Rect(px, py, pic_w, pic_h, fill=c["lane_label_bg"], stroke=c["card_border"],
                              stroke_width=1, dash="4 3", cls="frame"))
            nodes.append(ctx.line(item.alt, px + 6, py + 6, max(pic_w - 12, 1), small, c["text_muted"],
                                  max_lines=max(1, int((pic_h - 12) // ctx.lh(small))), cls="alt",
                                  about=("storyboard alt text", item.span)))
        if caption:
            nodes.append(ctx.text(caption, x + PAD_X, py + pic_h + 6, inner, small, c["text"], full=item.caption,
                                  cls="caption"))
        return Group(tuple(nodes), id=ctx.uid(f"item-{id_base}"), cls=f"item {classes}", title=title,
                     box=Box(x, y, w, h), data=data)

    return Plan(h, draw)
