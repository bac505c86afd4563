"""`jmap diff`'s reports: plain or coloured text for a terminal, markdown for a pull request, JSON.

jmap.review.diff compares and words each change (`describe`); these only lay the results out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from jmap.cli.report import safe_text
from jmap.diagnostics import clip
from jmap.model.model import LANE_TITLES
from jmap.review.diff import (
    ADDED,
    MOVED,
    REMOVED,
    RENAMED,
    Change,
    DiffResult,
    Style,
    WordOps,
    bounded,
    count_words,
    describe,
    exit_code,
)


def report_json(results: Sequence[DiffResult]) -> dict[str, Any]:
    return {"equal": exit_code(results) == 0, "maps": [r.to_json() for r in results]}


_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_escape(text: str) -> str:
    """User text made inert in GitHub markdown: no markup, HTML, mentions, references or bidi tricks."""
    text = "".join(" " if (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0) else c for c in text).translate(_BIDI)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "@\u2060").replace("#", "#\u2060").replace(":", ":\u2060", text.count("://"))


def _md_code(text: str) -> str:
    return "`" + clip(text, 200).replace("`", "'") + "`"


class MarkdownStyle(Style):
    """GitHub-flavoured markdown for pull-request comments."""

    def text(self, value: str, limit: int | None = 160) -> str:
        return md_escape(bounded(value, limit))

    def words(self, ops: WordOps) -> str:
        out = []
        for tag, text in ops:
            shown = self.text(text)
            if tag == "=":
                out.append(shown)
            else:
                core = shown.strip()
                lead = shown[:len(shown) - len(shown.lstrip())]
                trail = shown[len(shown.rstrip()):]
                out.append(f"{lead}{'~~' if tag == '-' else '**'}{core}{'~~' if tag == '-' else '**'}{trail}"
                           if core else shown)
        return "".join(out)

    def code(self, value: str) -> str:
        return _md_code(str(value))


class RichStyle(Style):
    """Rich console markup (colour on a terminal)."""

    def text(self, value: str, limit: int | None = 160) -> str:
        from rich.markup import escape

        return escape(safe_text(bounded(value, limit)))

    def words(self, ops: WordOps) -> str:
        parts = []
        for tag, text in ops:
            shown = self.text(text)
            parts.append(shown if tag == "=" else f"[red strike]{shown}[/]" if tag == "-" else f"[green]{shown}[/]")
        return "".join(parts)


class _TerminalPlain(Style):
    def text(self, value: str, limit: int | None = 160) -> str:
        return safe_text(bounded(value, limit))


MARKDOWN = MarkdownStyle()
_GOOD = {"rose", "improved", "eased", "resolved"}
_BAD = {"fell", "worsened", "worse"}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _marker(change: Change) -> str:
    return {ADDED: "+", REMOVED: "-", MOVED: ">"}.get(change.kind, "~")


def _colour(change: Change) -> str:
    if change.verb in _GOOD:
        return "green"
    if change.verb in _BAD:
        return "red"
    return {ADDED: "green", REMOVED: "red", MOVED: "cyan", RENAMED: "cyan"}.get(change.kind, "yellow")


def _sections(result: DiffResult) -> list[tuple[str, list[tuple[str, list[Change]]]]]:
    """Groups, each split into runs under a sub-heading ("" for the group's own changes)."""
    step_names = {c.id: c.name for j in (result.old, result.new) if j for s in j.stages for c in s.steps}
    lane_names = {lane.id: lane.name for j in (result.old, result.new) if j for lane in j.lanes if lane.custom}
    out = []
    for title, changes in result.groups():
        runs: list[tuple[str, list[Change]]] = []
        for change in changes:
            parts = []
            if change.step is not None and change.what != "step":
                parts.append(f"Step {step_names.get(change.step, change.step)}")
            if change.lane is not None:
                parts.append(LANE_TITLES.get(change.lane) or lane_names.get(change.lane, change.lane))
            heading = " · ".join(parts)
            if runs and runs[-1][0] == heading:
                runs[-1][1].append(change)
            else:
                runs.append((heading, [change]))
        out.append((title, runs))
    return out


def render_text(results: Sequence[DiffResult], *, colour: bool = False) -> str:
    """The changes for a terminal: rich markup when `colour`, else plain text."""
    style: Style = RichStyle() if colour else _TerminalPlain()

    def paint(text: str, how: str) -> str:
        return f"[{how}]{text}[/]" if colour else text

    blocks = []
    for result in results:
        lines = []
        sides = f"{style.text(result.old_label)} → {style.text(result.new_label)}"
        if result.failed:
            lines.append(f"{paint('could not compare', 'bold red')} {sides}")
            lines.extend(f"  {style.text(str(d))}" for d in result.diagnostics)
            blocks.append("\n".join(lines))
            continue
        lines.append(f"{paint(style.text(result.title), 'bold')}  ({sides})")
        lines.append(f"  {style.text(result.summary_line(), limit=None)}")
        for title, runs in _sections(result):
            lines.append("")
            lines.append(f"  {paint(style.text(title), 'bold')}")
            for heading, changes in runs:
                indent = "    "
                if heading:
                    lines.append(f"    {paint(style.text(heading), 'italic')}")
                    indent = "      "
                for change in changes:
                    mark = paint(_marker(change), _colour(change))
                    lines.append(f"{indent}{mark} {_cap(describe(change, style, with_lane=not heading))}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def render_markdown(results: Sequence[DiffResult]) -> str:
    """A pull-request comment: per map, a summary line, then the grouped changes in a <details> block."""
    s = MARKDOWN
    blocks = []
    for result in results:
        place = _md_code(result.new_label if result.new is not None else result.old_label)
        if result.failed:
            lines = [f"**{s.text(result.new_label or result.old_label)}**: could not be compared", ""]
            lines.extend(f"- {s.text(str(d))}" for d in result.diagnostics)
            blocks.append("\n".join(lines))
            continue
        head = f"**{s.text(result.title)}** ({place}): {s.text(result.summary_line(), limit=None)}"
        if result.equal:
            blocks.append(head)
            continue
        count = len(result.changes)
        lines = [head, "", f"<details><summary>{count_words(count, 'change', 'changes')}</summary>", ""]
        for title, runs in _sections(result):
            lines.append(f"**{s.text(title)}**")
            lines.append("")
            for heading, changes in runs:
                indent = ""
                if heading:
                    lines.append(f"- *{s.text(heading)}*")
                    indent = "  "
                lines.extend(f"{indent}- {_cap(describe(c, s, with_lane=not heading))}" for c in changes)
            lines.append("")
        lines.append("</details>")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""
