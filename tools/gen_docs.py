"""Generate docs/format.md from the JSON Schema, and docs/errors.md from the diagnostic codes.

    python tools/gen_docs.py           # rewrite both files
    python tools/gen_docs.py --check   # exit 1 when either is out of date (tests/test_docs.py does this)

The schema is the documentation of the format: every property's description,
type and allowed values come from schemas/journey.schema.json. This script
adds what a schema cannot hold: the order a reader wants, plain words for the
types, and a short example per section. docs/errors.md takes each code's
description from every code table jmap has (`all_codes`: jmap.diagnostics.CODES,
jmap.project.builder.BUILD_CODES, jmap.export.export.EXPORT_CODES), the example message from running
jmap on a small broken map (or, for build and export codes, jmap's own function that
reports it: EXAMPLES), and the fix from FIXES below.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generated import write_or_check

from jmap.model.lanes import LANES
from jmap.model.model import BLUEPRINT_LANES


def _and(words: list[str]) -> str:
    """Words in a sentence: "a, b and c"."""
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


#: The lanes a stage fills, in words (the blueprint rows are named together).
_STAGE_LANES = ", ".join(lane.nouns[1] if lane.item else lane.title.lower() for lane in LANES
                         if lane.id not in BLUEPRINT_LANES and lane.id != "evidence")
#: The lanes of text items (the blueprint rows and custom lanes aside).
_TEXT_LANES = ", ".join(lane.nouns[1] for lane in LANES if lane.item == "text_item"
                        and lane.id not in BLUEPRINT_LANES).capitalize()
#: The lanes whose items are assumptions when they cite no research.
_EVIDENCED = _and([lane.nouns[1] for lane in LANES if lane.evidenced])

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schemas" / "journey.schema.json"
FORMAT_MD = ROOT / "docs" / "format.md"
ERRORS_MD = ROOT / "docs" / "errors.md"

# --- docs/format.md ---------------------------------------------------------------------

#: A complete small map, shown first. tests/test_docs.py checks that it is valid.
EXAMPLE_MAP = """\
# yaml-language-server: $schema=.jmap/journey.schema.json
jmap: 1
title: First purchase in our online shop
description: How a new customer finds us and places a first order.
owner: CX team

personas:
  - id: alex
    name: Alex Morgan
    role: Busy parent, shops on the phone
    quote: "I want to be done in five minutes."
    goals:
      - Get the right thing without a return

research:
  - id: interviews
    kind: interview
    title: Eight customer interviews
    date: "2026-10"

chapters:
  - {id: before, name: Before, stages: [discover]}
  - {id: during, name: During, stages: [buy]}

stages:
  - id: discover
    name: Discover
    actions:
      - Sees an ad on social media
    touchpoints:
      - {channel: social, name: Instagram ad}
    thoughts:
      - text: Is this shop trustworthy?
        evidence: [interviews]
    emotion: 1

  - id: buy
    name: Buy
    evidence: [interviews]
    actions:
      - Pays with a saved card
    pain_points:
      - text: Shipping costs appear only at the last step
        severity: high
    opportunities:
      - text: Show shipping costs on the product page
        priority: high
        owner: web team
    kpis:
      - {name: Checkout completion, value: 62, target: 75, unit: "%"}
    emotion: -1
    moment_of_truth: Will it arrive in time?
"""

#: The sections of format.md: (schema definition, heading, introduction, example, key).
#: Each example is a snippet of a map; its value under `key` is one value of the definition, or a
#: list of them. tests/test_docs.py validates every one against the schema.
SECTIONS: list[tuple[str, str, str, str, str | None]] = [
    ("stage", "Stages",
     "Stages are the columns of the map, in the order the customer goes through them: for example "
     "awareness, consideration, purchase, use and loyalty. Every lane (" + _STAGE_LANES + ", the "
     "service-blueprint rows and your custom lanes) is filled per stage.",
     """\
stages:
  - id: consideration
    name: Consideration
    description: Compares offers over a few evenings.
    duration: 2-5 evenings
    actions:
      - Reads reviews
    touchpoints:
      - {channel: website, name: Product page}
    thoughts:
      - Will this fit me?
    feelings:
      - Hopeful, a little unsure
    emotion: 0.5
    pain_points:
      - {text: No size advice, severity: high}
    opportunities:
      - {text: Add a fit finder, priority: high, owner: product}
    backstage:
      - Stock levels sync every hour
""", "stages"),
    ("step", "Steps",
     "A stage can be split into steps, each its own, narrower column. A step holds the same lanes as a "
     "stage (but no steps of its own). Lanes set on the stage itself span all of its steps.",
     """\
steps:
  - id: browse
    name: Browses the catalogue
    emotion: 1
  - id: size
    name: Checks the size chart
    duration: 5 min
    moment_of_truth: Will it fit me?
    actions:
      - Measures herself with a tape measure
    emotion: -1
""", "steps"),
    ("text_item", "Text items",
     _TEXT_LANES + ", the service-blueprint rows (" + ", ".join(BLUEPRINT_LANES) + ") and the "
     "items of custom lanes are text items. Most of the time a plain line of text is enough; the full "
     "form adds evidence and a note.",
     """\
thoughts:
  - Is this shop trustworthy?
  - text: Why do I need an account?
    evidence: [interviews]
    note: Said by six of eight people we interviewed.
""", "thoughts"),
    ("touchpoint", "Touchpoints",
     "Where the customer meets the brand. Give the channel, and jmap draws its icon.",
     """\
touchpoints:
  - Friend's recommendation
  - {channel: mobile-app, name: Order tracking}
  - {channel: email}
""", "touchpoints"),
    ("quote", "Quotes",
     "What customers said, verbatim, drawn as quote cards with the speaker's name and colour marker. "
     "Write the words without quotation marks: jmap adds them (“…”, or 「…」 for Chinese and Japanese). "
     "`persona` names the speaker by id; `evidence` cites the research the quote comes from (a quote "
     "that cites none is an assumption, like any other item).",
     """\
quotes:
  - I just want to know if it fits.
  - text: Why does it ask for my address twice?
    persona: maya
    evidence: [checkout-test]
""", "quotes"),
    ("emotion", "Emotion",
     "The emotion score draws the emotional curve of the map: -2 is very negative, 0 neutral, +2 very "
     "positive; halves such as 0.5 are fine. With one persona (or none), write a plain number, such as "
     "`emotion: 1`. With several personas, give each persona's score by its id.",
     "emotion: {maya: 1, jon: -0.5}\n", "emotion"),
    ("pain_point", "Pain points",
     "Pain points and barriers the customer meets in a stage, with how badly they hurt.",
     """\
pain_points:
  - Too many form fields
  - text: Shipping costs appear only at the last step
    severity: critical
    evidence: [checkout-test]
""", "pain_points"),
    ("opportunity", "Opportunities",
     "Ideas to improve the experience, with their priority and the team that owns them.",
     """\
opportunities:
  - Guest checkout
  - {text: Show shipping costs on the product page, priority: high, owner: web team}
""", "opportunities"),
    ("kpi", "KPIs",
     "Key performance indicators: numbers measured in a stage, with the target the team aims for.",
     """\
kpis:
  - {name: Reach, value: 120000}
  - {name: Landing page load time, value: 6.2, target: 2.5, unit: s, better: lower}
""", "kpis"),
    ("storyboard_image", "Storyboard",
     "Pictures of a stage or step: screenshots, photos or sketches of what the customer sees. Each picture "
     "is a PNG, JPEG or WebP file inside the project (at most 2 MB and 4096 pixels a side), checked like a "
     "persona's avatar and embedded in the map with its metadata (EXIF, GPS) left out. It is drawn scaled to "
     "the column's width, keeping its proportions (at most 200 px high), with its caption below it. The alt "
     "text is required: it says what the picture shows to readers who cannot see it, and it is the "
     "picture's tooltip.",
     """\
storyboard:
  - image: storyboard/checkout.png
    alt: Phone screen with the checkout form, the pay button below the fold
    caption: The checkout form on a phone
""", "storyboard"),
    ("persona", "Personas",
     "Personas are the fictitious composite customers the map follows. A map can follow one persona, "
     "compare several, or (with none) follow one anonymous customer.",
     """\
personas:
  - id: maya
    name: Maya Keller
    role: Nurse and parent of two
    age: 34
    location: Hamburg
    quote: "I shop on my phone in the twenty minutes after bedtime."
    goals:
      - Clothes that fit without returning them
    frustrations:
      - Sizes differ from brand to brand
    avatar: images/maya.png
    color: "#2563eb"
""", "personas"),
    ("research", "Research",
     "Maps should not rest on assumptions. List each research source once, then cite it from any item "
     "with `evidence: [id]`. When a map lists research, jmap warns about " + _EVIDENCED + " that cite "
     "none (they are assumptions).",
     """\
research:
  - id: checkout-test
    kind: usability-test
    title: Mobile checkout usability test
    date: "2026-09-22"
    summary: 5 of 8 participants missed the voucher field.
    sample_size: 8
    url: https://research.example.com/checkout-test
""", "research"),
    ("chapter", "Chapters",
     "Chapters group consecutive stages into life-cycle phases such as before, during and after, drawn as "
     "bands above the stages. Each stage belongs to at most one chapter, and chapters follow the stages "
     "in order.",
     """\
chapters:
  - {id: before, name: Before, stages: [awareness, consideration]}
  - {id: during, name: During, stages: [purchase]}
  - {id: after, name: After, stages: [delivery, use, loyalty]}
""", "chapters"),
    ("lane", "Lanes",
     "`lanes` chooses which rows the map shows and in what order, and defines custom lanes. Without it, "
     "every built-in lane that holds content is shown in the default order. A stage fills a custom lane "
     "under `custom:`, e.g. `custom: {legal: [Terms accepted]}`.",
     """\
lanes:
  - actions
  - touchpoints
  - emotion
  - pain_points
  - {id: legal, name: Legal checks, style: cards}
""", "lanes"),
    ("theme", "Theme",
     "The look of the map: the name of a built-in theme, or a name with overrides.",
     """\
theme:
  name: print
  font_size: 14
  colors:
    accent: "#7c3aed"
""", "theme"),
    ("library", "Shared files",
     "A team can keep its personas and research in one shared file and include it from several maps "
     "with `include: [shared/personas.yaml]`. Paths are relative to the map and must stay inside the "
     "project (the folder with `jmap.toml`, `pyproject.toml` or `.git`). An `include` or `avatar` inside a "
     "shared file is relative to that file, and must stay inside the map's project too; links are followed, "
     "so a link to a file elsewhere is refused (`E401`). The shared file's personas and "
     "research come before the map's own. For your editor, start a shared file with "
     "`# yaml-language-server: $schema=.jmap/library.schema.json` and write that schema with "
     "`jmap schema --library -o .jmap/library.schema.json` (the map schema would flag the missing "
     "`title` and `stages`). Shared files may include others: a file that two of them "
     "include is read once. The same id in two different files is an error (E300).",
     """\
jmap: 1
personas:
  - {id: maya, name: Maya Keller}
research:
  - {id: interviews, kind: interview, title: Twelve customer interviews}
""", None),
]

#: How tables name a definition when they link to its section.
LINK_WORDS = {
    "stage": "stages", "step": "steps", "text_item": "text items", "touchpoint": "touchpoints", "quote": "quotes",
    "emotion": "emotion", "pain_point": "pain points", "opportunity": "opportunities", "kpi": "KPIs",
    "storyboard_image": "storyboard pictures",
    "persona": "personas", "research": "research sources", "chapter": "chapters", "lane": "lanes",
    "theme": "theme", "library": "shared file", "id": "id", "color": "colour", "theme_name": "theme name",
}

#: Small definitions described once, under "Values", and linked from everywhere else.
VALUES: list[tuple[str, str, str]] = [
    ("id", "Ids", "checkout-step-2"),
    ("evidence", "Evidence", "[interviews, ga-2026q3]"),
    ("score", "Scores", "-1.5"),
    ("color", "Colours", '"#2563eb"'),
    ("short_text", "Texts", "Pays with a saved card"),
    ("theme_name", "Theme names", "high-contrast"),
]

_TYPE_WORDS = {"string": "text", "number": "number", "integer": "whole number", "boolean": "`true` or `false`"}


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    keep = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return "#" + keep.replace(" ", "-")


class FormatDoc:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.defs: dict[str, Any] = schema["$defs"]
        self.links = {name: anchor(heading) for name, heading, *_ in SECTIONS}
        self.links.update({name: anchor(heading) for name, heading, _ in VALUES})
        handled = set(self.links) | {"score"}
        unknown = sorted(set(self.defs) - handled)
        if unknown:
            raise SystemExit(f"gen_docs.py: document the new schema definitions {unknown} (SECTIONS or VALUES)")

    # words for a schema node ---------------------------------------------------------------

    def kind(self, node: dict[str, Any]) -> str:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return self.ref_word(name)
        if "const" in node:
            return f"always `{json.dumps(node['const'])}`"
        if "enum" in node:
            return "one of " + ", ".join(f"`{value}`" for value in node["enum"])
        if "oneOf" in node:
            return " or ".join(self.kind(alternative) for alternative in node["oneOf"])
        kind = node.get("type")
        if kind == "array":
            words = "list of " + self.kind(node.get("items", {}))
            limits = []
            if node.get("minItems", 0) > 1:
                limits.append(f"at least {node['minItems']}")
            elif node.get("minItems") == 1:
                limits.append("not empty")
            if "maxItems" in node:
                limits.append(f"at most {node['maxItems']}")
            if node.get("uniqueItems"):
                limits.append("no repeats")
            return words + (f"; {', '.join(limits)}" if limits else "")
        if kind == "object":
            if "properties" in node:
                return "mapping with " + ", ".join(f"`{key}`" for key in node["properties"])
            value = node.get("additionalProperties", {})
            keys = self.kind(node["propertyNames"]) if "propertyNames" in node else "text"
            return f"mapping from {keys} to {self.kind(value)}"
        if kind in ("number", "integer"):
            word = _TYPE_WORDS[kind]
            low, high = node.get("minimum"), node.get("maximum")
            if low is not None and high is not None:
                return f"{word} from {number(low)} to {number(high)}"
            if low is not None:
                return f"{word}, at least {number(low)}"
            return word
        if kind == "string":
            return "text" + (f" (up to {node['maxLength']} characters)" if "maxLength" in node else "")
        if isinstance(kind, str):
            return _TYPE_WORDS.get(kind, kind)
        return "any value"

    def ref_word(self, name: str) -> str:
        if name == "short_text":
            return "[text](#texts)"
        if name == "score":
            return "[score](#scores) (-2 to +2)"
        if name == "evidence":
            return "list of [research ids](#evidence)"
        return f"[{LINK_WORDS[name]}]({self.links[name]})"

    def description(self, node: dict[str, Any]) -> str:
        if "description" in node:
            return str(node["description"])
        if "$ref" in node:
            return self.description(self.defs[node["$ref"].rsplit("/", 1)[-1]])
        return ""

    # tables and sections --------------------------------------------------------------------

    def table(self, node: dict[str, Any]) -> list[str]:
        required = set(node.get("required", []))
        rows = ["| Key | What it is | Value |", "|---|---|---|"]
        for key, prop in node["properties"].items():
            need = " **(required)**" if key in required else ""
            rows.append(f"| `{key}`{need} | {cell(self.description(prop))} | {cell(self.kind(prop))} |")
        lines = rows
        for key, prop in node["properties"].items():
            if prop.get("type") == "object" and "properties" in prop:
                lines += ["", f"`{key}` holds:", "", *self.table(prop)]
        return lines

    def section(self, name: str, heading: str, intro: str, example: str) -> list[str]:
        node = self.defs[name]
        out = [f"## {heading}", "", intro, ""]
        objects = [alt for alt in node.get("oneOf", []) if alt.get("type") == "object"]
        short = [alt for alt in node.get("oneOf", []) if alt.get("type") != "object"]
        if node.get("type") == "object":
            out += self.table(node)
        elif objects:
            if short:
                forms = " or ".join(self.kind(alt) for alt in short)
                descriptions = "; ".join(d for d in (self.description(alt) for alt in short) if d)
                out += [f"**Short form:** {forms}." + (f" {descriptions}" if descriptions else ""), ""]
            full = objects[0]
            label = "**Full form:**" if short else "**Form:**"
            if "properties" in full:
                out += [f"{label} {self.description(full)}", "", *self.table(full)]
            else:
                out += [f"{label} {self.description(full).rstrip('.')}: a {self.kind(full)}."]
        else:
            out += [f"Value: {self.kind(node)}."]
        out += ["", "Example:", "", "```yaml", example.rstrip("\n"), "```", ""]
        return out

    def render(self) -> str:
        top = self.schema
        out = [
            "# The journey format (version 1)",
            "",
            "<!-- Generated by tools/gen_docs.py from schemas/journey.schema.json; do not edit by hand. -->",
            "",
            "A journey map is a text file in YAML: `key: value` lines, with lists written as lines that "
            "start with `- `. Indentation (spaces, never tabs) shows what belongs to what. This page "
            "describes every key jmap understands. Anything after `#` on a line is a comment.",
            "",
            "Check a map with `jmap validate journey.yaml`: it names the line and column of every problem "
            "and how to fix it (see [errors.md](errors.md)). `jmap init` writes a starter map whose first "
            "line points your editor at the format, so the editor completes keys and underlines mistakes.",
            "",
            "## A complete small example",
            "",
            "```yaml",
            EXAMPLE_MAP.rstrip("\n"),
            "```",
            "",
            "## Contents",
            "",
            "- [The map](#the-map)",
            *(f"- [{heading}]({anchor(heading)})" for _, heading, *_ in SECTIONS),
            "- [Values](#values)",
            "",
            "## The map",
            "",
            str(top["description"]),
            "",
            *self.table(top),
            "",
            "Short forms keep maps short: where an item is only text, write the text (`- Pays by card`) "
            "instead of the full form (`- {text: Pays by card}`). Use the full form when you need more, "
            "such as evidence, a severity or a note.",
            "",
        ]
        for name, heading, intro, example, _ in SECTIONS:
            out += self.section(name, heading, intro, example)
        out += ["## Values", "", "Kinds of values that many keys share.", ""]
        for name, heading, example in VALUES:
            node = self.defs[name]
            out += [f"### {heading}", "", self.description(node), "", f"Value: {self.kind(node)}.", "",
                    f"Example: `{example}`", ""]
        return "\n".join(out).rstrip("\n") + "\n"


def number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_md() -> str:
    return FormatDoc(json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))).render()


# --- docs/errors.md ---------------------------------------------------------------------

STAGE = "stages:\n  - id: start\n    name: Start\n    emotion: 0\n"
MAP = "jmap: 1\ntitle: Checkout\n" + STAGE

AVATAR = ("jmap: 1\ntitle: Checkout\npersonas:\n  - id: maya\n    name: Maya\n    avatar: maya.png\n"
          "stages:\n  - id: start\n    name: Start\n    emotion: {maya: 0}\n")


def _png(width: int, height: int, pixels: bool = True) -> bytes:
    """A small PNG file (or only its header, for a size check)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    rows = b"".join(b"\x00" + b"\x80" * 3 * width for _ in range(height))
    data = chunk(b"IDAT", zlib.compress(rows)) if pixels else b""
    return b"\x89PNG\r\n\x1a\n" + header + data + chunk(b"IEND", b"")


#: For each code: how to fix it, and a small map (file name -> content) that produces it.
#: A content of None means the file is missing; bytes are written as they are.
FIXES: dict[str, tuple[str, dict[str, str | bytes | None]]] = {
    "E100": ("Check the path: the file must exist and be a file, not a folder.", {"journey.yaml": None}),
    "E101": ("Split the map into smaller maps, or raise the limit with `--max-bytes` if it really is one map.",
             {"journey.yaml": MAP + "# " + "padding " * 200 + "\n"}),
    "E102": ("Save the file as UTF-8 in your editor (\"Save with encoding\" or \"Reopen with encoding\").",
             {"journey.yaml": b"jmap: 1\ntitle: Caf\xe9 visit\n" + STAGE.encode()}),
    "E103": ("Delete the invisible character, or the escape (`\\0`, `\\e`, `\\u0007` ...) in quoted text. "
             "Copying text from a PDF or a chat often brings such characters along.",
             {"journey.yaml": MAP + 'description: "Before\\0after"\n'}),
    "E104": ("Fix the YAML at the place shown: indent with spaces, line up the keys of one mapping, put a "
             "space after each key's colon (`jmap: 1`, not `jmap:1`), close every bracket and quote, and put "
             "text containing `: ` in quotes.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\ndescription: Question: why?\n" + STAGE}),
    "E105": ("Keep one of the two keys, or merge what they say. Until then the rest of the file is "
             "checked with the first one.", {"journey.yaml": MAP + "title: Again\n"}),
    "E106": ("Remove the tag (the word starting with `!`). A journey map is plain YAML: text, numbers, "
             "lists and mappings.", {"journey.yaml": MAP + "owner: !!python/object/apply:os.system [ls]\n"}),
    "E107": ("Anchors (`&name`) and aliases (`*name`) are for reusing a small piece, not for multiplying "
             "content. Write the content out, or reuse less.",
             {"journey.yaml": "jmap: 1\ntitle: T\n" + "".join(
                 f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10) if i else 'x'}]\n" for i in range(6)) + STAGE}),
    "E108": ("Flatten the structure: a journey map needs only a few levels of nesting.",
             {"journey.yaml": MAP + "tags: " + "[" * 40 + "]" * 40 + "\n"}),
    "E109": ("Write the map, or run `jmap init` for a commented starter.", {"journey.yaml": "# to do\n"}),
    "E110": ("The file must start with keys such as `jmap: 1` and `title: ...`, not with a list or text.",
             {"journey.yaml": "- jmap: 1\n- title: Checkout\n"}),
    "E111": ("Write an ordinary number: no `.nan` or `.inf`, and at most 18 digits.",
             {"journey.yaml": MAP.replace("emotion: 0", "emotion: .nan")}),
    "E200": ("Fix the spelling (the hint suggests the closest key), or remove the key. The sections of "
             "[format.md](format.md) list the keys each part allows.",
             {"journey.yaml": MAP + "titel: Checkout\n"}),
    "E201": ("Add the missing key.", {"journey.yaml": "jmap: 1\n" + STAGE}),
    "E202": ("Write the value in the form the key needs: text, a number, a list (lines starting with `- `) "
             "or a mapping (`key: value` lines). Quotes make a value text (`name: \"2026\"`); a number is "
             "written without them (`emotion: 2`).",
             {"journey.yaml": MAP.replace("emotion: 0", "emotion: 0\n    actions: Opens the app")}),
    "E203": ("Use one of the allowed values, in lower case (the hint names the closest one), or the form "
             "the description asks for; a date is a real one, as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.",
             {"journey.yaml": MAP + "    touchpoints:\n      - {channel: webside, name: Shop}\n"}),
    "E204": ("Use a number inside the range; emotion scores go from -2 to +2.",
             {"journey.yaml": MAP.replace("emotion: 0", "emotion: 3")}),
    "E205": ("Shorten the text or list, or fill in the empty one.", {"journey.yaml": 'jmap: 1\ntitle: ""\n' + STAGE}),
    "E206": ("Start the map with `jmap: 1`.", {"journey.yaml": "title: Checkout\n" + STAGE}),
    "E207": ("Remove the repeated entry.", {"journey.yaml": MAP + "tags: [mobile, retail, mobile]\n"}),
    "E300": ("Give each persona, research source, chapter, stage and step its own id.",
             {"journey.yaml": MAP + "  - id: start\n    name: Start again\n    emotion: 1\n"}),
    "E301": ("Use the id of a persona listed under `personas`, or add the persona.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\npersonas:\n  - {id: maya, name: Maya}\n"
                              "stages:\n  - id: start\n    name: Start\n    emotion: {mya: 1}\n"}),
    "E302": ("Use the id of a stage listed under `stages`.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\nchapters:\n  - {id: before, name: Before, stages: [strat]}\n"
                              + STAGE}),
    "E303": ("Use the id of a source listed under `research`, or add the source.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\nresearch:\n  - {id: survey, kind: survey, title: Survey}\n"
                              + STAGE + "    evidence: [servey]\n"}),
    "E304": ("List each stage in at most one chapter; a chapter lists consecutive stages in journey order, "
             "and the chapters follow each other in that order too.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\nchapters:\n  - {id: after, name: After, stages: [b]}\n"
                              "  - {id: before, name: Before, stages: [a]}\n"
                              "stages:\n  - {id: a, name: A, emotion: 0}\n  - {id: b, name: B, emotion: 1}\n"}),
    "E305": ("Give a score per persona: `emotion: {maya: 1, jon: -1}`.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\npersonas:\n  - {id: maya, name: Maya}\n"
                              "  - {id: jon, name: Jon}\nstages:\n  - id: start\n    name: Start\n    emotion: 1\n"}),
    "E306": ("Add the lane to `lanes` as `{id: ..., name: ...}`, or fix the lane's id under `custom`.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\nlanes:\n  - actions\n  - {id: legal, name: Legal}\n"
                              + STAGE + "    custom:\n      legl: [Terms accepted]\n"}),
    "E307": ("List each lane once in `lanes`.", {"journey.yaml": MAP + "lanes: [actions, thoughts, actions]\n"}),
    "E400": ("Fix the path: it is relative to the map file.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\ninclude: [shared/personas.yaml]\n" + STAGE}),
    "E401": ("Keep shared files and images inside the project folder (the one with `jmap.toml`, "
             "`pyproject.toml` or `.git`), and refer to them by a relative path, not a URL.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\ninclude: [../other-project/personas.yaml]\n" + STAGE}),
    "E402": ("Point at an ordinary file, not a folder or a device.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\ninclude: [shared.yaml]\n" + STAGE, "shared.yaml/x": "x"}),
    "E403": ("Remove one of the includes so that no file includes itself through others.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\ninclude: [journey.yaml]\n" + STAGE}),
    "E404": ("Include fewer files (at most 20 in all, at most 4 levels deep); a team usually needs one "
             "shared persona file.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\ninclude:\n" + "".join(
                 f"  - {'./' * i}people.yaml\n" for i in range(21)) + STAGE, "people.yaml": "jmap: 1\n"}),
    "E405": ("Keep the output folder inside the project (`output = \"renders\"`, not a link to a folder "
             "elsewhere; `jmap build -o DIR` may point anywhere), and give maps names that `naming` keeps "
             "inside it (a map named `...yaml` with `naming = \"{stem}/index.{ext}\"` would not be).",
             {"jmap.toml": 'output = "../renders"\n', "journey.yaml": "jmap: 1\ntitle: Checkout\n" + STAGE}),
    "E410": ("Save the picture as PNG, JPEG or WebP (for example with an image editor's \"Export as\"); "
             "renaming a file to `.png` does not change what it is.",
             {"journey.yaml": AVATAR, "maya.png": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"}),
    "E411": ("Make the image smaller: an avatar needs a few hundred pixels a side, well under 2 MB.",
             {"journey.yaml": AVATAR, "maya.png": b"\x89PNG\r\n\x1a\n" + bytes(2 * 1024 * 1024)}),
    "E412": ("Scale the image down to at most 4096 x 4096 pixels (a few hundred are plenty for an avatar).",
             {"journey.yaml": AVATAR, "maya.png": _png(20000, 20000, pixels=False)}),
    "E413": ("Open the image and save it again, or export it anew: the file is incomplete or damaged.",
             {"journey.yaml": AVATAR, "maya.png": _png(2, 2)[:-20]}),
    "W500": ("Add `emotion:` to the stage, so the emotional curve passes through it.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\nstages:\n  - id: start\n    name: Start\n"}),
    "W501": ("Cite the research behind the item with `evidence: [id]` (on the item or on its stage), or "
             "keep it as a known assumption.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\nresearch:\n  - {id: survey, kind: survey, title: Survey}\n"
                              + STAGE + "    thoughts:\n      - Is it safe?\n    evidence: []\n"}),
    "W502": ("Give the persona an emotion score in the stages, or remove it from the map.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\npersonas:\n  - {id: maya, name: Maya}\n"
                              "  - {id: jon, name: Jon}\nstages:\n  - id: start\n    name: Start\n"
                              "    emotion: {maya: 1}\n"}),
    "W503": ("Cite the source from the items it backs up, or remove it.",
             {"journey.yaml": "jmap: 1\ntitle: Checkout\nresearch:\n  - {id: survey, kind: survey, title: Survey}\n"
                              + STAGE}),
    "W505": ("Pick a colour that stands out from what it is drawn on (a darker text, a lighter card), or leave "
             "the override out. `--strict` fails on this warning.",
             {"journey.yaml": 'jmap: 1\ntitle: Checkout\ntheme:\n  colors:\n    text: "#cccccc"\n' + STAGE}),
    "W504": ("Shorten the text, or split it into two items: PNG and PDF show only what fits, and the SVG and "
             "HTML maps show the rest only in a tooltip.",
             {"journey.yaml": MAP + "    pain_points:\n      - text: " + "Checkout asks for the address twice " * 8
                              + "\n"}),
    # Only a build or PNG/PDF export reports these: EXAMPLES makes their messages.
    "E414": ("Build SVG or HTML for a map this large, draw PNG at a smaller `--scale`, use a paper size for PDF "
             "(`--page-size a3-landscape`), or split the map.", {}),
    "E415": ("Install cairo (see docs/export.md), or build SVG and HTML only, which need no cairo.", {}),
    "E416": ("Give PNG and PDF export the SVG that jmap wrote, unchanged.", {}),
    "W510": ("Use a smaller `--scale` (PNG) or a paper size (PDF), or split the map into smaller maps.", {}),
    "W511": ("Install a font for the script (for example from the Noto family), or build SVG or HTML, which "
             "the browser draws with its own fonts.", {}),
    "W512": ("Install the fonts in jmap's fonts folder on this machine (see docs/export.md).", {}),
    "W513": ("Install jmap's PNG/PDF drawer's libraries (pycairo, uharfbuzz), or report the reason as a bug: "
             "jmap's own maps should never need the reference path.", {}),
    "E900": ("Report it with the map: this is a bug in jmap. The other maps are still built.", {}),
    "E901": ("Rename one of the maps, or put `{dir}` in the `naming` of the config so that each map's folder "
             "is part of its output path.", {}),
    "E902": ("Check the output folder (`-o`, or `output` in the config): it must be a folder you can write to, "
             "with room on the disk.", {}),
}


def _raised(action: Callable[[], object]) -> Any:
    """The first diagnostic of the JmapError an action raises."""
    from jmap.diagnostics import JmapError

    try:
        action()
    except JmapError as error:
        return error.diagnostics[0]
    raise SystemExit("gen_docs.py: the example did not raise")


def _warned(action: Callable[[Callable[[Any], None]], object]) -> Any:
    """The first diagnostic an action passes to its `warn`."""
    found: list[Any] = []
    action(found.append)
    return found[0]


def _example_e902() -> Any:
    """A real build into an output folder that is a file."""
    from jmap.project.builder import BuildOptions, build_map

    Path("journey.yaml").write_text(MAP, encoding="utf-8")
    Path("renders").write_text("a file where the output folder should be\n", encoding="utf-8")
    return build_map(Path("journey.yaml"), Path(), BuildOptions(out_dir=Path("renders"))).diagnostics[0]


def _export(name: str) -> Any:
    from jmap.export import export

    return getattr(export, name)


def _build(name: str) -> Any:
    from jmap.project import builder

    return getattr(builder, name)


def _written(code: str, message: str, hint: str = "") -> Any:
    """A message that depends on the machine (its fonts, its libraries), written out as jmap words it."""
    from jmap.diagnostics import Diagnostic, Span

    return Diagnostic(code, message, Span("journey.yaml", 0, 0), hint)


#: Codes that `jmap validate` cannot report: made by the jmap function that reports them.
EXAMPLES: dict[str, Callable[[], Any]] = {
    "E414": lambda: _raised(lambda: _export("_fit_png")(400_000, 3000, 2.0, "journey.yaml", lambda d: None)),
    "E415": lambda: _written("E415", _export("NO_CAIRO"), "see docs/export.md; SVG and HTML need no cairo"),
    "E416": lambda: _raised(lambda: _export("svg_to_png")(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<image href="file:///etc/passwd" width="5" height="5"/></svg>', source="journey.svg")),
    "W510": lambda: _warned(lambda warn: _export("_fit_png")(20_000, 3000, 2.0, "journey.yaml", warn)),
    "W511": lambda: _written("W511", "no font on this machine has 3 of the map's characters (ᏣᎳᎩ): PNG and PDF "
                             "show them as boxes", "install a font for this script (for example from the Noto "
                             "family)"),
    "W513": lambda: _written("W513", "PNG/PDF drawn by the slower reference path (cairosvg): uharfbuzz is not "
                             "installed", "see docs/export.md, which path draws"),
    "W512": lambda: _written("W512", "PNG and PDF text is drawn with another font than the bundled Inter, so it "
                             "may not fit its cards", "jmap's fonts are in the jmap/fonts folder of the installed "
                             "package; install them on this machine, or see docs/export.md"),
    "E900": lambda: _build("internal_error")(Path("journey.yaml"), KeyError("stage")),
    "E901": lambda: _build("_collision")(Path("b/journey.yaml"), Path("a/journey.yaml")).diagnostics[0],
    "E902": _example_e902,
}


def all_codes() -> dict[str, str]:
    """Every code jmap can report, with its one-line description: the union of its code tables."""
    sys.path.insert(0, str(ROOT / "src"))
    from jmap.diagnostics import CODES
    from jmap.export.export import EXPORT_CODES
    from jmap.project.builder import BUILD_CODES

    return {**CODES, **EXPORT_CODES, **BUILD_CODES}

MAX_BYTES = {"E101": 200}
#: Codes a build or a config reports, not `jmap validate`: their example is the project's jmap.toml.
CONFIG_EXAMPLES = {"E405"}


@contextmanager
def _in_folder(folder: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def example_message(code: str) -> str:
    """What `jmap validate` prints for the example map of a code (only that code's first diagnostic)."""
    sys.path.insert(0, str(ROOT / "src"))
    from jmap.api import check
    from jmap.cli.report import format_text

    files = FIXES[code][1]
    with tempfile.TemporaryDirectory() as temporary:
        project = Path(temporary) / "project"
        project.mkdir()
        (project / "jmap.toml").write_text("")
        for name, content in files.items():
            path = project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            elif isinstance(content, bytes):
                path.write_bytes(content)
        with _in_folder(project):
            if code in EXAMPLES:
                return format_text(EXAMPLES[code]())
            if code in CONFIG_EXAMPLES:
                from jmap.diagnostics import JmapError
                from jmap.project.config import parse_config

                try:
                    parse_config(Path("jmap.toml"))
                    found = []
                except JmapError as error:
                    found = [d for d in error.diagnostics if d.code == code]
                if not found:
                    raise SystemExit(f"gen_docs.py: the config example for {code} reported nothing")
                return format_text(found[0])
            result = check("journey.yaml", max_bytes=MAX_BYTES.get(code, 1_000_000), texts=True)
            found = [d for d in result.diagnostics if d.code == code]
            if not found:
                raise SystemExit(f"gen_docs.py: the example for {code} produced {result.diagnostics}")
            return format_text(found[0])


def errors_md() -> str:
    codes = all_codes()
    missing = sorted(set(codes) - set(FIXES))
    if missing:
        raise SystemExit(f"gen_docs.py: add a fix and an example for {missing} to FIXES")
    groups = [("E1", "Reading the file"), ("E2", "The format"), ("E3", "Meaning"),
              ("E4", "Included files, images and outputs"), ("E9", "Building"), ("W5", "Warnings")]
    ungrouped = sorted(code for code in codes if not code.startswith(tuple(prefix for prefix, _ in groups)))
    if ungrouped:
        raise SystemExit(f"gen_docs.py: put {ungrouped} in a group of errors_md")
    out = [
        "# Errors and warnings",
        "",
        "<!-- Generated by tools/gen_docs.py from jmap.diagnostics.CODES; do not edit by hand. -->",
        "",
        "`jmap validate` reports every problem with the file, line and column where it is, a code, a "
        "message in plain words, the line itself with a caret (`^`) under the spot, and often a hint:",
        "",
        "```text",
        "journey.yaml:7:5: error[E200]: unknown key 'touchpionts' in stage 'start'",
        " 7 |     touchpionts: [x]",
        "   |     ^",
        "   = hint: did you mean 'touchpoints'?",
        "```",
        "",
        "Errors (codes starting with `E`) make the map invalid: `jmap validate` exits with 1 and "
        "`jmap build` draws nothing. Warnings (`W`) point at what a good map should have; they fail only "
        "with `--strict`. The codes are stable, so CI scripts may rely on them; `--format json` and "
        "`--format github` report the same codes for machines. A few codes come only from `jmap build`: "
        "PNG and PDF export (E414-E416, W510-W512) and writing the outputs (E900-E902).",
        "",
        "A file that cannot be read as YAML at all (E100-E102, E104, E107-E110, or a raw control "
        "character, E103) is reported at its first such problem. Anything else is reported together with "
        "every other problem of the file: a duplicate key (E105), a tag (E106), a number jmap does not "
        "read (E111) or an escaped control character (E103) included.",
        "",
    ]
    for prefix, title in groups:
        out += [f"## {title}", ""]
        for code, description in sorted(codes.items()):
            if not code.startswith(prefix):
                continue
            out += [f"### {code}", "", description, "", "```text", example_message(code), "```", "",
                    f"**How to fix it:** {FIXES[code][0]}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    outputs = {FORMAT_MD: format_md(), ERRORS_MD: errors_md()}
    return max([write_or_check(path, text, argv, __file__) for path, text in outputs.items()])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
