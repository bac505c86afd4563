"""The quotes lane end to end: reading, fmt, diff, layout, visual diff marks and the HTML page."""

from __future__ import annotations

import json
import re
from pathlib import Path

from test_layout import check_layout

from jmap import api
from jmap.layout.cards import quoted
from jmap.layout.diffmarks import ADDED, REMOVED, diff_view
from jmap.layout.engine import layout
from jmap.layout.geometry import Group, Layout, Text
from jmap.layout.geometry import Path as PathNode
from jmap.model.model import Quote
from jmap.render.html import render_html
from jmap.review.diff import diff
from jmap.review.fmt import format_text, same_meaning

MAP = """\
jmap: 1
title: Quotes
personas:
  - {id: maya, name: Maya Keller}
  - {id: jon, name: Jon Berger}
research:
  - {id: interviews, kind: interview, title: Twelve interviews}
stages:
  - id: browse
    name: Browse
    emotion: {maya: 1, jon: 0}
    quotes:
      - I just want to know if it fits.
      - text: Why does it ask for my address twice? It already has it from the first page, surely.
        persona: jon
        evidence: [interviews]
  - id: pay
    name: Pay
    emotion: {maya: -1, jon: 0}
    steps:
      - id: card
        name: Card
        quotes:
          - {text: 安心して買いたい, persona: maya, evidence: [interviews]}
"""


def write(tmp_path: Path, text: str, name: str = "map.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_quotes_are_read_with_speaker_and_evidence(tmp_path: Path) -> None:
    journey = api.model(write(tmp_path, MAP))
    first, second = journey.stages[0].lanes.quotes
    assert (first.text, first.persona, first.evidence) == ("I just want to know if it fits.", "", ())
    assert isinstance(second, Quote) and (second.persona, second.evidence) == ("jon", ("interviews",))
    assert journey.stages[1].steps[0].lanes.items("quotes")[0].persona == "maya"
    assert "quotes" in [lane.id for lane in journey.lanes]


def test_a_quote_without_evidence_is_an_assumption(tmp_path: Path) -> None:
    found = api.check(write(tmp_path, MAP)).diagnostics
    w501 = [d for d in found if d.code == "W501"]
    assert [d.span.line for d in w501] == [13]
    assert "this quote in stage 'browse' cites no evidence" in w501[0].message


def test_fmt_writes_quotes_canonically_and_round_trips(tmp_path: Path) -> None:
    source = MAP.replace(
        "      - I just want to know if it fits.\n",
        "      - {text: I just want to know if it fits.}\n"
        "      - {evidence: [interviews], persona: maya, text: Sizes!}\n",
    )
    formatted = format_text(source)
    assert "      - I just want to know if it fits.\n" in formatted  # `{text: X}` is written short
    assert "      - {text: Sizes!, persona: maya, evidence: [interviews]}\n" in formatted  # schema key order
    assert format_text(formatted) == formatted
    assert same_meaning(api.model(write(tmp_path, source, "a.yaml")), api.model(write(tmp_path, formatted, "b.yaml")))


def test_diff_words_added_removed_reworded_and_speaker_changes(tmp_path: Path) -> None:
    old = api.model(write(tmp_path, MAP, "old.yaml"))
    new_text = (MAP.replace("I just want to know if it fits.", "I just want to know whether it fits.")
                .replace("persona: jon", "persona: maya")
                .replace("{text: 安心して買いたい, persona: maya, evidence: [interviews]}",
                         "Where is the voucher field?"))
    new = api.model(write(tmp_path, new_text, "new.yaml"))
    messages = [c.message for c in diff(old, new).changes]
    assert "quote reworded: I just want to know [-if-]{+whether+} it fits." in messages
    assert any(m.startswith('quote "Why does it ask') and m.endswith("persona jon → maya") for m in messages), messages
    assert 'quote added: "Where is the voucher field?"' in messages
    assert 'quote removed: "安心して買いたい" (said by maya)' in messages


def test_quote_cards_stay_inside_their_cells_with_the_speaker(tmp_path: Path) -> None:
    lay = layout(api.model(write(tmp_path, MAP)))
    check_layout(lay)  # cards inside their cells, no overlaps, texts fit
    cards = [n for n in lay.walk() if isinstance(n, Group) and "quote" in n.cls.split()]
    assert len(cards) == 3
    words = [[line.text for t in card.walk() if isinstance(t, Text) for line in t.lines] for card in cards]
    assert words[0] == ["\u201cI just want to know if it fits.\u201d"]  # no speaker: no footer
    assert words[1][0].startswith("\u201cWhy") and words[1][-2:] == ["Jon Berger", "1"]  # speaker, footnote
    assert words[2] == ["\u300c安心して買いたい\u300d", "Maya Keller", "1"]
    marks = [n for n in cards[1].walk() if isinstance(n, PathNode) and n.cls == "speaker-mark"]
    assert len(marks) == 1 and marks[0].fill == lay_color(lay, "jon")
    assert "assumption" in cards[0].cls.split() and "assumption" not in cards[1].cls.split()


def lay_color(lay: Layout, persona: str) -> str:
    """The colour of a persona's curve, as the map draws it."""
    curve = next(n for n in lay.walk() if isinstance(n, Group) and dict(n.data).get("persona") == persona
                 and "curve" in n.cls.split())
    return next(n.stroke for n in curve.walk() if isinstance(n, PathNode) and n.stroke)


def test_quotation_marks_follow_the_script() -> None:
    assert quoted("Fits well") == "\u201cFits well\u201d"
    assert quoted("安心") == "\u300c安心\u300d"
    assert quoted("\u201eSchon da\u201c") == "\u201eSchon da\u201c"  # already quoted by the author


def test_visual_diff_marks_quote_cards(tmp_path: Path) -> None:
    old = api.model(write(tmp_path, MAP, "old.yaml"))
    new_text = (MAP.replace("I just want to know if it fits.", "Does it fit?")
                .replace("          - {text: 安心", "          - Nice.\n          - {text: 安心"))
    new = api.model(write(tmp_path, new_text, "new.yaml"))
    journey, marks = diff_view(diff(old, new))
    assert dict(marks.items) == {
        ("browse", "quotes", 0): REMOVED,  # the old words, drawn faded where they stood
        ("browse", "quotes", 1): ADDED,
        ("card", "quotes", 0): ADDED,
    }
    ghost = journey.stages[0].lanes.quotes[0]
    assert ghost.text == "I just want to know if it fits."
    check_layout(layout(journey, None, marks))


def test_html_has_the_lane_toggle_and_speaker_tooltips(tmp_path: Path) -> None:
    page = render_html(api.model(write(tmp_path, MAP)))
    assert re.search(r'data-toggle="lane" value="quotes" checked> <span dir="auto">Quotes</span>', page)
    island = re.search(r'<script type="application/json" id="jmap-data">(.*?)</script>', page, re.DOTALL)
    assert island
    items = json.loads(island.group(1))["cards"]
    quotes = [info for info in items.values() if info.get("lane") == "Quotes"]
    assert len(quotes) == 3
    speakers = sorted(fact[1] for info in quotes for fact in info["facts"] if fact[0] == "Speaker")
    assert speakers == ["Jon Berger", "Maya Keller"]
