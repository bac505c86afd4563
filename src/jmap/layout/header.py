"""The top of the map: the title block (title, description, owner, counts, tags) and the persona cards.

Both flow left to right and wrap at the map's width; persona cards share one height so
a row of them reads as peers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from jmap.layout.context import About, LayoutContext, Plan, fit
from jmap.layout.geometry import Box, Circle, Group, Image, Node, Path, Rect
from jmap.layout.rhythm import FLOW_GAP, RADIUS, snap
from jmap.layout.shapes import left_stripe
from jmap.model.model import Persona
from jmap.model.themes import contrast_ratio


def _at_height(draw: Callable[[float, float, float], Group], h: float) -> Callable[[float, float], Group]:
    """A persona card's drawing at the height its row shares."""
    return lambda x, y: draw(x, y, h)


def _no_ghost(column: str) -> bool:
    """Outside a visual diff no column is a ghost."""
    return False


def _ink_on(color: str) -> str:
    """White or near-black ink, whichever reads better on `color`."""
    return max(("#ffffff", "#111827"), key=lambda ink: contrast_ratio(ink, color))


class HeaderMixin(LayoutContext):
    """The header block and the persona panel."""

    def top_panels(self, x0: float, y0: float) -> tuple[list[Node], float]:
        """The header block and persona cards, flowing left to right and wrapping."""
        header_w = min(self.content_w, snap(640 * self.body / 13))
        plans = [(header_w, self.header_plan(header_w))]
        persona_plans = [self.persona_plan(p) for p in self.j.personas]
        if persona_plans:
            tallest = max(h for h, _ in persona_plans)  # peers share a height
            plans += [(self.persona_w, Plan(tallest, _at_height(draw, tallest))) for _, draw in persona_plans]
        placed, bottom = self.flow(plans, x0, y0, self.content_w, FLOW_GAP)
        header, *cards = placed
        nodes: list[Node] = [header]
        if cards:
            nodes.append(Group(tuple(cards), id="personas", cls="personas"))
        return nodes, bottom

    def header_plan(self, w: float) -> Plan:
        j = self.j
        title = self.wrap(j.title, w, self.title_size, "semibold", 4, ("title", self.top))
        desc = self.wrap(j.description, w, self.body * 15 / 13, "regular", 6, ("description", self.top)) \
            if j.description else None
        chips = list(j.tags)
        stats = self.stats_line()
        meta_size = self.small
        meta_lh = self.lh(meta_size)
        chip_h = snap(meta_lh + 4, 2)
        # Chips flow in rows under the owner / stats line.
        chip_rows: list[list[tuple[str, float]]] = [[]]
        cx = 0.0
        for tag in chips:
            cw = min(fit(tag, meta_size) + 16, w)
            if chip_rows[-1] and cx + cw > w:
                chip_rows.append([])
                cx = 0.0
            chip_rows[-1].append((tag, cw))
            cx += cw + 6
        if not chip_rows[-1]:
            chip_rows.pop()
        owner = f"Owner: {j.owner}" if j.owner else ""
        meta_text = " · ".join(t for t in (owner, stats) if t)
        meta = self.wrap(meta_text, w, meta_size, "regular", 3)
        title_h = len(title.lines) * self.lh(self.title_size)
        desc_h = len(desc.lines) * self.lh(self.body * 15 / 13) if desc else 0.0
        meta_h = len(meta.lines) * meta_lh
        h = title_h + (8 + desc_h if desc else 0) + 16 + meta_h
        if chip_rows:
            h += 8 + len(chip_rows) * chip_h + (len(chip_rows) - 1) * 6

        def draw(x: float, y: float) -> Group:
            nodes: list[Node] = [self.text(title, x, y, w, self.title_size, self.c["text"], "semibold",
                                           full=j.title, cls="title")]
            cy = y + title_h
            if desc:
                cy += 8
                nodes.append(self.text(desc, x, cy, w, self.body * 15 / 13, self.c["text_muted"],
                                       full=j.description, cls="description"))
                cy += desc_h
            cy += 16
            nodes.append(self.text(meta, x, cy, w, meta_size, self.c["text_muted"], full=meta_text, cls="meta"))
            cy += meta_h + 8
            for row in chip_rows:
                chip_x = x
                for tag, cw in row:
                    nodes.append(Group((
                        Rect(chip_x, cy, cw, chip_h, fill=self.c["surface"], stroke=self.c["card_border"],
                             stroke_width=1, rx=chip_h / 2),
                        self.line(tag, chip_x + 8, cy + (chip_h - meta_lh) / 2, cw - 16, meta_size,
                                  self.c["text_muted"]),
                    ), cls="tag", box=Box(chip_x, cy, cw, chip_h)))
                    chip_x += cw + 6
                cy += chip_h + 6
            return Group(tuple(nodes), id="header", cls="header", box=Box(x, y, w, h))

        return Plan(h, draw)

    def stats_line(self) -> str:
        j = self.j
        # A visual diff counts what the new map has, not its ghosts.
        ghost = self.hl.is_ghost if self.hl is not None else _no_ghost
        stages = [s for s in j.stages if not ghost(s.id)]
        steps = sum(1 for s in stages for t in s.steps if not ghost(t.id))
        parts = [f"{len(stages)} stage{'s' if len(stages) != 1 else ''}"]
        if steps:
            parts.append(f"{steps} step{'s' if steps != 1 else ''}")
        if j.personas:
            parts.append(f"{len(j.personas)} persona{'s' if len(j.personas) != 1 else ''}")
        if j.research:
            parts.append(f"{len(j.research)} research source{'s' if len(j.research) != 1 else ''}")
        return " · ".join(parts)

    def persona_plan(self, p: Persona) -> tuple[float, Callable[[float, float, float], Group]]:
        """A persona card: its natural height, and how to draw it at (x, y) with a given height."""
        w = self.persona_w
        pad = 16
        inner = w - 2 * pad
        avatar = 48
        color = self.persona_colors[p.id]
        head_x = pad + avatar + 12
        head_w = w - head_x - pad
        about = ("persona", p.span)
        name = self.wrap(p.name, head_w, self.heading, "semibold", 2, about)
        facts = [p.role, f"{p.age}" if p.age is not None else "", p.location]
        facts_text = " · ".join(f for f in facts if f)
        facts_w = self.wrap(facts_text, head_w, self.small, "regular", 3, about) if facts_text else None
        head_h = len(name.lines) * self.lh(self.heading) + (
            2 + len(facts_w.lines) * self.lh(self.small) if facts_w else 0)
        head_h = max(head_h, avatar)
        quote_text = f"\u201c{p.quote}\u201d" if p.quote else ""
        quote = self.wrap(quote_text, inner - 12, self.body, "regular", 6, ("persona's quote", p.span)) \
            if p.quote else None
        quote_h = len(quote.lines) * self.lh(self.body) if quote else 0.0
        sections = [(label, items) for label, items in (
            ("Goals", p.goals), ("Needs", p.needs), ("Expectations", p.expectations),
            ("Frustrations", p.frustrations)) if items]
        sub_w = (inner - 16) / 2
        section_plans = [self.list_plan(label, items, sub_w, (f"persona's {label.lower()[:-1]}", p.span))
                         for label, items in sections]
        rows = [section_plans[i:i + 2] for i in range(0, len(section_plans), 2)]
        rows_h = [max(s.h for s in row) for row in rows]
        h = pad + head_h + (12 + quote_h if quote else 0) + sum(16 + rh for rh in rows_h) + pad
        h = snap(h)

        def draw(x: float, y: float, height: float) -> Group:
            nodes: list[Node] = [
                Rect(x, y, w, height, fill=self.c["surface"], stroke=self.c["card_border"], stroke_width=1,
                     rx=RADIUS + 2),
                Path(left_stripe(x, y, height, RADIUS + 2), fill=color, cls="stripe"),
            ]
            cx, cy = x + pad + avatar / 2, y + pad + avatar / 2
            # Up to three initials: the type shrinks to fit the circle rather than cut them.
            size = min(self.heading, self.heading * (avatar - 12) / max(fit(p.initials, self.heading, "semibold"), 1))
            picture = self.avatars.get(p.id)
            face: Node = (
                Image(cx, cy, avatar / 2, picture, f"avatar-{p.id}") if picture
                else self.text(self.wrap(p.initials, avatar - 8, size, "semibold", 1), cx - avatar / 2 + 4,
                               cy - self.lh(size) / 2, avatar - 8, size, _ink_on(color), "semibold", "middle")
            )
            nodes.append(Group((Circle(cx, cy, avatar / 2, fill=color), face),
                               cls="avatar" + (" has-image" if picture else ""), data=(("persona", p.id),)))
            ty = y + pad
            nodes.append(self.text(name, x + head_x, ty, head_w, self.heading, self.c["text"], "semibold",
                                   full=p.name, cls="persona-name"))
            ty += len(name.lines) * self.lh(self.heading) + 2
            if facts_w:
                nodes.append(self.text(facts_w, x + head_x, ty, head_w, self.small, self.c["text_muted"],
                                       full=facts_text))
            cy = y + pad + head_h
            if quote:
                cy += 12
                nodes.append(Rect(x + pad, cy, 3, quote_h, fill=color, rx=1.5))
                nodes.append(self.text(quote, x + pad + 12, cy, inner - 12, self.body, self.c["text"],
                                       full=quote_text, cls="quote"))
                cy += quote_h
            for row, rh in zip(rows, rows_h, strict=True):
                cy += 16
                for i, section in enumerate(row):
                    nodes.append(section.draw(x + pad + i * (sub_w + 16), cy))
                cy += rh
            return Group(tuple(nodes), id=self.uid(f"persona-{p.id}"), cls="persona",
                         title=p.name, box=Box(x, y, w, height), data=(("persona", p.id),))

        return h, draw

    def list_plan(self, label: str, items: Sequence[str], w: float, about: About | None = None) -> Plan:
        """A small titled bullet list (persona goals, needs ...)."""
        size = self.small
        lh = self.lh(size)
        body_lh = self.lh(self.body - 1)
        wrapped = [self.wrap(item, w - 12, self.body - 1, "regular", 4, about) for item in items]
        h = lh + 4 + sum(len(t.lines) * body_lh for t in wrapped) + 4 * (len(wrapped) - 1)

        def draw(x: float, y: float) -> Group:
            nodes: list[Node] = [self.line(label.upper(), x, y, w, size, self.c["text_muted"], "semibold")]
            cy = y + lh + 4
            for item, t in zip(items, wrapped, strict=True):
                bullet_y = cy + body_lh / 2
                nodes.append(Circle(x + 3, bullet_y, 2, fill=self.c["text_muted"]))
                nodes.append(self.text(t, x + 12, cy, w - 12, self.body - 1, self.c["text"], full=item))
                cy += len(t.lines) * body_lh + 4
            return Group(tuple(nodes), cls=f"persona-{label.lower()}", box=Box(x, y, w, h))

        return Plan(h, draw)

