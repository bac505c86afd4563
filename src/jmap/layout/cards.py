"""Cards: how each lane's items are drawn (boxes, bubbles, severity and priority badges, KPIs, sources).

`CardsMixin.item_plan` picks the drawing for an item by its lane; each returns a `Plan`
(measured height, and how to draw at a position) so cells can stack cards before
placing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jmap.diagnostics import clip
from jmap.layout import text as tx
from jmap.layout.context import About, LayoutContext, Plan, fit
from jmap.layout.geometry import Box, Circle, Group, Node, Path, Rect, fmt
from jmap.layout.numbers import with_unit
from jmap.layout.rhythm import PAD_X, PAD_Y, RADIUS
from jmap.layout.shapes import bubble, left_stripe, marker_path
from jmap.layout.storyboard import storyboard_plan
from jmap.model.lanes import BY_ID, spec
from jmap.model.model import Kpi, Lane, Opportunity, PainPoint, Quote, Research, TextItem
from jmap.model.themes import PRIORITIES, SEVERITIES

#: Bars filled on a badge: severity (of 4) and priority (of 3) read without colour.
LEVELS = {"low": 1, "medium": 2, "high": 3, "critical": 4}


def item_about(lane: Lane, item: Any) -> About:
    """The words and the source place for a lane item (for the report of a shortened text)."""
    return (BY_ID[lane.id].noun if lane.id in BY_ID else f"'{clip(lane.name, 30)}' item"), item.span


def quoted(text: str) -> str:
    """The words in the quotation marks their script uses: 「…」 for Chinese and Japanese, else “…”.

    Words the author already put in quotation marks are left as they are.
    """
    if text[:1] in "\"'“„«»「『‘‚":
        return text
    if any("぀" <= ch <= "ヿ" or "一" <= ch <= "鿿" for ch in text):
        return f"「{text}」"
    return f"“{text}”"


def _clean_class(name: str) -> str:
    """A lane id as a CSS class (`pain_points` -> `pain-points`)."""
    return name.replace("_", "-")


def meter(x: float, y: float, level: int, of: int, color: str, h: float) -> list[Node]:
    """Bars of rising height, `level` of `of` filled: severity and priority read without colour."""
    nodes: list[Node] = []
    bar_w, step = 4.0, 2.0
    tallest = min(h - 2, 12.0)
    base = y + (h + tallest) / 2
    for i in range(of):
        bar_h = tallest * (i + 2) / (of + 1)
        filled = i < level
        nodes.append(Rect(x + i * (bar_w + step), base - bar_h, bar_w, bar_h,
                          fill=color if filled else "none", stroke=color, stroke_width=1 if not filled else 0,
                          rx=1, cls="bar" + (" on" if filled else "")))
    return nodes


def meter_width(of: int) -> float:
    """The width of a meter of `of` bars."""
    return of * 4 + (of - 1) * 2


class CardsMixin(LayoutContext):
    """One card (or line of text) per lane item."""

    def item_plan(self, lane: Lane, item: Any, w: float, data: tuple[tuple[str, str], ...], id_base: str) -> Plan:
        """A card (or a line of text) for one item of a lane."""
        self.cards += 1
        lid = lane.id
        base = {"lane": lane, "item": item, "w": w, "data": data, "id_base": id_base}
        c = self.c
        if lid == "evidence":
            return self.source_item_plan(item, w, data, id_base)
        if lid == "storyboard":
            return storyboard_plan(self, lane, item, w, data, id_base)
        if lane.custom:
            if lane.style == "cards":
                return self.card(**base, text=item.text, cls="card custom", fill=c["card"], stroke=c["card_border"])
            return self.text_item_plan(lane, item, w, data, id_base)
        if lid == "touchpoints":
            return self.card(**base, text=item.name, cls=f"card touchpoint channel-{item.channel}", fill=c["card"],
                             stroke=c["card_border"], lead_icon=item.channel, extra_data=(("channel", item.channel),))
        if lid == "thoughts":
            return self.card(**base, text=item.text, cls="card thought", fill=c["thought_bg"], stroke=c["card_border"],
                             shape="bubble")
        if lid == "pain_points":
            return self.pain_plan(base, item)
        if lid == "opportunities":
            return self.opportunity_plan(base, item)
        if lid == "kpis":
            return self.kpi_plan(base, item)
        if lid == "quotes":
            return self.quote_plan(base, item)
        if lid == "feelings":
            return self.card(**base, text=item.text, cls="card feeling", fill=c["card"], stroke=c["card_border"],
                             radius=14)
        if lid in ("backstage", "support"):
            return self.card(**base, text=item.text, cls=f"card {lid}", fill=c["lane_label_bg"],
                             stroke=c["card_border"])
        return self.card(**base, text=item.text, cls=f"card {spec(lid).css}",
                         fill=c["card"], stroke=c["card_border"])

    def card(self, *, lane: Lane, item: Any, w: float, data: tuple[tuple[str, str], ...], id_base: str, text: str,
             cls: str, fill: str, stroke: str, shape: str = "rect", radius: float = RADIUS,
             badge: tuple[float, Callable[[float, float, float], list[Node]]] | None = None, footer: str = "",
             lead_icon: str = "", stripe: str = "", extra_data: tuple[tuple[str, str], ...] = (),
             title_prefix: str = "", footer_what: str = "owner",
             footer_mark: Callable[[float, float], list[Node]] | None = None) -> Plan:
        """A boxed item: optional badge row, wrapped text, optional footer; evidence marks and assumption.

        `footer_mark` draws a small mark (a persona's marker) before the footer, centred on the point given.
        """
        body, small = self.body, self.small
        lh, small_lh = self.lh(body), self.lh(small)
        assumption = self.is_assumption(lane.id, item)
        refs = self.refs_plan(getattr(item, "evidence", ()))
        left = PAD_X + (4 if stripe else 0)
        tile = 24.0
        text_x = left + (tile + 8 if lead_icon else 0)
        text_w = w - text_x - PAD_X
        about = item_about(lane, item)
        wrapped = self.wrap(text, text_w, body, about=about)
        text_h = len(wrapped.lines) * lh
        block_h = max(text_h, tile) if lead_icon else text_h
        refs_in_badge = bool(badge and refs)
        footer_wrapped = None
        mark_w = 16.0 if footer_mark else 0.0
        footer_w = w - left - PAD_X - mark_w - (refs[0] + 8 if refs and not refs_in_badge else 0)
        if footer:
            footer_wrapped = self.wrap(footer, footer_w, small, "regular", 3,
                                       (f"{footer_what} of the {about[0]}", item.span))
        # Footnotes sit at the end of the last line when they fit there, else in a footer row.
        refs_inline = bool(
            refs and not refs_in_badge and not footer and wrapped.lines and not wrapped.rtl and not lead_icon
            and tx.measure(wrapped.lines[-1], body) + 8 + refs[0] <= text_w
        )
        footer_h = 0.0
        if footer_wrapped or (refs and not refs_in_badge and not refs_inline):
            footer_h = max(len(footer_wrapped.lines) * small_lh if footer_wrapped else 0.0, small_lh)
        h = PAD_Y + (badge[0] + 6 if badge else 0) + block_h + (6 + footer_h if footer_h else 0) + PAD_Y
        tail = 7.0 if shape == "bubble" else 0.0
        total = h + tail
        title = title_prefix + text + (f"\n\n{item.note}" if getattr(item, "note", "") else "")
        classes = cls + (" assumption" if assumption else "") + (" truncated" if wrapped.truncated else "")
        evidence = " ".join(e for e in getattr(item, "evidence", ()) if e in self.refs)
        group_data = (*data, *extra_data, *((("evidence", evidence),) if evidence else ()))

        def draw(x: float, y: float) -> Group:
            border = self.c["assumption"] if assumption else stroke
            dash = "5 3" if assumption else ""
            width = 1.5 if assumption else self.theme.strokes.card_border
            nodes: list[Node] = []
            if shape == "bubble":
                nodes.append(Path(bubble(x, y, w, h, 12, tail), stroke=border, stroke_width=width, fill=fill,
                                  dash=dash, cls="box"))
            else:
                nodes.append(Rect(x, y, w, h, fill=fill, stroke=border, stroke_width=width, rx=radius, dash=dash,
                                  cls="box"))
            if stripe:
                nodes.append(Path(left_stripe(x, y, h, radius), fill=stripe, cls="stripe"))
            cy = y + PAD_Y
            if badge:
                badge_w = w - left - PAD_X - (refs[0] + 8 if refs and refs_in_badge else 0)
                nodes.extend(badge[1](x + left, cy, badge_w))
                if refs and refs_in_badge:
                    nodes.extend(refs[1](x + w - PAD_X, cy + (badge[0] - small_lh) / 2))
                cy += badge[0] + 6
            if lead_icon:
                nodes.append(Rect(x + left, cy, tile, tile, fill=self.c["lane_label_bg"], rx=5))
                nodes.append(self.icon(lead_icon, x + left + 4, cy + 4, 16, self.c["text"]))
                self.channels.setdefault(lead_icon, None)
            text_y = cy + (block_h - text_h) / 2 if lead_icon else cy
            nodes.append(self.text(wrapped, x + text_x, text_y, text_w, body, self.c["text"], full=text))
            if refs and refs_inline:
                baseline = text_y + tx.first_baseline(body) + (len(wrapped.lines) - 1) * lh
                nodes.append(Group(tuple(refs[1](x + w - PAD_X, baseline - tx.first_baseline(small))), cls="refs"))
            cy += block_h
            if footer_h:
                cy += 6
                if footer_mark:
                    nodes.extend(footer_mark(x + left + 6, cy + small_lh / 2))
                if footer_wrapped:
                    nodes.append(self.text(footer_wrapped, x + left + mark_w, cy, footer_w, small,
                                           self.c["text_muted"], full=footer, cls="footer"))
                if refs and not refs_in_badge and not refs_inline:
                    nodes.append(Group(tuple(refs[1](x + w - PAD_X, cy + footer_h - small_lh)), cls="refs"))
            return Group(tuple(nodes), id=self.uid(f"item-{id_base}"), cls=f"item {classes}", title=title,
                         box=Box(x, y, w, total), data=group_data)

        return Plan(total, draw)

    def badge(self, level: int, of: int, label: str,
              color: str) -> tuple[float, Callable[[float, float, float], list[Node]]]:
        """A meter and a word (severity, priority): height, and how to draw it at (x, y) in width w."""
        small_lh = self.lh(self.small)
        mw = meter_width(of)

        def draw(x: float, y: float, w: float) -> list[Node]:
            return [
                *meter(x, y, level, of, color, small_lh),
                self.line(label, x + mw + 6, y, w - mw - 6, self.small, color, "semibold", cls="badge"),
            ]

        return small_lh, draw

    def pain_plan(self, base: dict[str, Any], item: PainPoint) -> Plan:
        level = item.severity if item.severity in SEVERITIES else "medium"
        fill, fg = self.theme.severity(level)
        self.flags.add("pain")
        return self.card(**base, text=item.text, cls=f"card pain-point severity-{level}", fill=fill, stroke=fg,
                         badge=self.badge(LEVELS[level], 4, level.capitalize(), fg), stripe=fg,
                         extra_data=(("severity", level),), title_prefix=f"Pain point ({level}): ")

    def opportunity_plan(self, base: dict[str, Any], item: Opportunity) -> Plan:
        level = item.priority if item.priority in PRIORITIES else "medium"
        fill, fg = self.theme.priority(level)
        self.flags.add("opportunity")
        return self.card(**base, text=item.text, cls=f"card opportunity priority-{level}", fill=fill, stroke=fg,
                         badge=self.badge(LEVELS[level], 3, f"{level.capitalize()} priority", fg),
                         footer=f"Owner: {item.owner}" if item.owner else "",
                         extra_data=(("priority", level),), title_prefix=f"Opportunity ({level} priority): ")

    def quote_plan(self, base: dict[str, Any], item: Quote) -> Plan:
        """A quote card: the words in quotation marks, then the speaker's marker and name."""
        index, persona = next(((i, p) for i, p in enumerate(self.j.personas) if p.id == item.persona), (0, None))
        mark = None
        if persona:
            color = self.persona_colors[persona.id]

            def mark(cx: float, cy: float) -> list[Node]:
                return [Path(marker_path(index, cx, cy, 4.5), fill=color, stroke=self.c["card"], stroke_width=1.5,
                             cls="speaker-mark")]

        speaker = persona.name if persona else ""
        return self.card(**base, text=quoted(item.text), cls="card quote", fill=self.c["card"],
                         stroke=self.c["card_border"], footer=speaker, footer_what="speaker", footer_mark=mark,
                         extra_data=(("persona", persona.id),) if persona else (),
                         title_prefix=f"{speaker}: " if speaker else "")

    def kpi_plan(self, base: dict[str, Any], item: Kpi) -> Plan:
        lane, w, data, id_base = base["lane"], base["w"], base["data"], base["id_base"]
        body, small, big = self.body, self.small, self.heading
        lh, small_lh, big_lh = self.lh(body), self.lh(small), self.lh(big)
        inner = w - 2 * PAD_X
        assumption = self.is_assumption(lane.id, item)
        refs = self.refs_plan(item.evidence)
        about = item_about(lane, item)
        name = self.wrap(item.name, inner, body, "regular", 4, about)
        met = item.met
        mark_label = "" if met is None else ("Met" if met else "Missed")
        mark_w = 0.0 if met is None else 14 + 4 + fit(mark_label, small, "semibold")
        value_text = with_unit(item.value, item.unit)
        value = self.wrap(value_text, inner - (mark_w + 8 if mark_w else 0), big, "semibold", 2,
                          ("KPI value", item.span))
        target_text = ""
        if item.target is not None:
            self.flags.add("kpi-target")
            sign = "\u2264" if item.better == "lower" else "\u2265"
            target_text = f"Target {sign} {with_unit(item.target, item.unit)}"
        target_w = inner - (refs[0] + 8 if refs else 0)
        target = self.wrap(target_text, target_w, small, "regular", 2, ("KPI target", item.span)) \
            if target_text else None
        foot_h = max(len(target.lines) * small_lh if target else 0.0, small_lh if refs else 0.0)
        h = PAD_Y + len(name.lines) * lh + 2 + len(value.lines) * big_lh + (2 + foot_h if foot_h else 0) + PAD_Y
        status = "none" if met is None else ("met" if met else "missed")
        evidence = " ".join(e for e in item.evidence if e in self.refs)
        group_data = (*data, ("met", status), *((("evidence", evidence),) if evidence else ()))
        title = f"{item.name}: {value_text}" + (f" ({target_text}: {mark_label.lower()})" if target_text else "")

        def draw(x: float, y: float) -> Group:
            border = self.c["assumption"] if assumption else self.c["card_border"]
            nodes: list[Node] = [Rect(x, y, w, h, fill=self.c["card"], stroke=border,
                                      stroke_width=1.5 if assumption else self.theme.strokes.card_border, rx=RADIUS,
                                      dash="5 3" if assumption else "", cls="box")]
            cy = y + PAD_Y
            nodes.append(self.text(name, x + PAD_X, cy, inner, body, self.c["text_muted"], full=item.name))
            cy += len(name.lines) * lh + 2
            nodes.append(self.text(value, x + PAD_X, cy, inner - (mark_w + 8 if mark_w else 0), big, self.c["text"],
                                   "semibold", full=value_text, cls="value"))
            if met is not None:
                color = self.c["kpi_met" if met else "kpi_missed"]
                mx = x + w - PAD_X - mark_w
                my = cy + big_lh / 2
                mark = (f"M{fmt(mx + 3.5)} {fmt(my)}l2.5 2.5l4.5 -5" if met else
                        f"M{fmt(mx + 4.5)} {fmt(my - 2.5)}l5 5M{fmt(mx + 9.5)} {fmt(my - 2.5)}l-5 5")
                nodes.append(Group((
                    Circle(mx + 7, my, 7, fill=color),
                    Path(mark, stroke=self.c["card"], stroke_width=1.75),
                    self.line(mark_label, mx + 18, my - small_lh / 2, mark_w - 18, small, color, "semibold"),
                ), cls=f"kpi-mark {status}"))
            cy += len(value.lines) * big_lh
            if foot_h:
                cy += 2
                if target:
                    nodes.append(self.text(target, x + PAD_X, cy, target_w, small, self.c["text_muted"],
                                           full=target_text, cls="target"))
                if refs:
                    nodes.append(Group(tuple(refs[1](x + w - PAD_X, cy + foot_h - small_lh)), cls="refs"))
            return Group(tuple(nodes), id=self.uid(f"item-{id_base}"),
                         cls=f"item card kpi {status}" + (" assumption" if assumption else ""),
                         title=title, box=Box(x, y, w, h), data=group_data)

        return Plan(h, draw)

    def text_item_plan(self, lane: Lane, item: TextItem, w: float, data: tuple[tuple[str, str], ...],
                       id_base: str) -> Plan:
        """A plain line of a custom `text` lane: a bullet and the text, no box."""
        lh = self.lh(self.body)
        refs = self.refs_plan(item.evidence)
        text_w = w - 12 - (refs[0] + 6 if refs else 0)
        wrapped = self.wrap(item.text, text_w, self.body, about=item_about(lane, item))
        h = max(len(wrapped.lines), 1) * lh

        def draw(x: float, y: float) -> Group:
            nodes: list[Node] = [
                Circle(x + (w - 3 if wrapped.rtl else 3), y + lh / 2, 2.5, fill=self.c["text_muted"]),
                self.text(wrapped, x + (0 if wrapped.rtl else 12), y, text_w, self.body, self.c["text"],
                          full=item.text),
            ]
            if refs:
                nodes.extend(refs[1](x + w, y + (lh - self.lh(self.small)) / 2))
            return Group(tuple(nodes), id=self.uid(f"item-{id_base}"), cls=f"item text-item {_clean_class(lane.id)}",
                         title=item.text + (f"\n\n{item.note}" if item.note else ""), box=Box(x, y, w, h), data=data)

        return Plan(h, draw)

    def source_item_plan(self, source: Research, w: float, data: tuple[tuple[str, str], ...], id_base: str) -> Plan:
        """A research source cited by a column, in the evidence lane."""
        lh = self.lh(self.body)
        number = str(self.refs[source.id])
        wrapped = self.wrap(source.title, w - 26, self.body, "regular", 4, ("research source", source.span))
        h = max(len(wrapped.lines) * lh, 18.0)

        def draw(x: float, y: float) -> Group:
            return Group((
                Circle(x + 9, y + lh / 2, 9, fill=self.c["accent"]),
                self.line(number, x, y + (lh - self.lh(self.small)) / 2, 18, self.small, self.c["on_accent"],
                          "semibold", "middle"),
                self.text(wrapped, x + 26, y, w - 26, self.body, self.c["text"], full=source.title),
            ), id=self.uid(f"item-{id_base}"), cls="item text-item evidence", title=source.title,
                box=Box(x, y, w, h), data=(*data, ("source", source.id)))

        return Plan(h, draw)

