"""Check a loaded map: JSON Schema first, then meaning (ids, references, order).

Every problem is collected, turned into a Diagnostic in the user's terms with
the span of the key or value at fault, de-duplicated and returned together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from jmap.diagnostics import Diagnostic, clip, dedupe
from jmap.loading.load import DocPath, Document, confine
from jmap.model import lanes
from jmap.model.model import BUILTIN_LANES
from jmap.resources import schema

_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "array": "a list",
    "object": "a mapping (key: value lines)",
    "boolean": "true or false",
    "null": "empty",
}

_LIST_NOUNS = {
    "stages": "stage",
    "steps": "step",
    "personas": "persona",
    "research": "research source",
    "chapters": "chapter",
    "lanes": "lane",
    "include": "include",
    **{lane: lanes.BY_ID[lane].noun for lane in lanes.ITEM_LANES},
}


#: What a theme colour is drawn as, for W505 (`personas[2]` and `chapters[0]` are palette entries).
_COLOR_WORDS = {
    "background": "the page background",
    "surface": "the panels",
    "text": "the text",
    "text_muted": "the muted text",
    "accent": "the accent",
    "on_accent": "the text on the accent",
    "card": "the cards",
    "lane_label_bg": "the lane labels' fill",
    "thought_bg": "the thought bubbles",
    "emotion_positive_bg": "the emotion band's positive tint",
    "emotion_negative_bg": "the emotion band's negative tint",
    "kpi_met": "a met KPI",
    "kpi_missed": "a missed KPI",
    "neutral_line": "the neutral line",
    "assumption": "the assumption outline",
    "visibility_line": "the line of visibility",
    "moment_of_truth": "the moment-of-truth star",
}


def _color_words(key: str) -> str:
    if key in _COLOR_WORDS:
        return _COLOR_WORDS[key]
    palette, _, index = key.partition("[")
    if index:
        number = int(index.rstrip("]")) + 1
        return f"persona colour {number}" if palette == "personas" else f"chapter tint {number}"
    kind, level, part = key.split("_", 2) if key.count("_") >= 2 else (key, "", "")
    if kind in ("severity", "priority"):
        item = "pain point" if kind == "severity" else "opportunity"
        return f"the {level} {item}'s {'fill' if part == 'bg' else 'text'}"
    return "the " + key.replace("_", " ")


@cache
def _validator(definition: str) -> Any:
    from jsonschema import Draft202012Validator

    full = schema()
    if definition == "journey":
        return Draft202012Validator(full)
    return Draft202012Validator({"$ref": f"#/$defs/{definition}", "$defs": full["$defs"]})


def validate(doc: Document) -> list[Diagnostic]:
    """All diagnostics for a loaded map and its includes, errors and warnings, sorted."""
    token = _SUGGESTIONS.set([_MAX_SUGGESTIONS])
    try:
        found = list(schema_diagnostics(doc, "journey"))
        for included in _walk_includes(doc):
            found.extend(d for d in schema_diagnostics(included, "library"))
        found.extend(semantic_diagnostics(doc))
    finally:
        _SUGGESTIONS.reset(token)
    return with_reading_problems(doc, found)


def with_reading_problems(doc: Document, found: list[Diagnostic]) -> list[Diagnostic]:
    """The reading problems of the map and its includes, and the other diagnostics but their follow-ons.

    A value read despite a problem (a tag dropped, a bad number read as 0) is no value the author
    wrote: what the schema says about it, at the same place, would only repeat the problem.
    """
    problems = reading_problems(doc)
    places = {d.span for d in problems}
    return dedupe([*problems, *(d for d in found if d.span not in places)])


def reading_problems(doc: Document) -> list[Diagnostic]:
    """The errors found while reading the map and its includes that did not stop it (Document.problems)."""
    return [*doc.problems, *(d for included in _walk_includes(doc) for d in included.problems)]


def _walk_includes(doc: Document) -> Iterator[Document]:
    for included in doc.includes:
        yield included
        yield from _walk_includes(included)


# --- schema -------------------------------------------------------------------------


def schema_diagnostics(doc: Document, definition: str) -> Iterator[Diagnostic]:
    validator = _validator(definition)
    for error in validator.iter_errors(doc.data):
        for leaf in _leaf_errors(error):
            if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
                yield from _unknown_keys(doc, leaf)  # jsonschema reports them together; say each
            else:
                yield _describe_schema_error(doc, leaf)


def _leaf_errors(error: Any) -> list[Any]:
    """For oneOf/anyOf, the errors of the alternative the author evidently meant."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    by_branch: dict[int, list[Any]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    depth = len(error.absolute_path)
    plausible = [
        errors for errors in by_branch.values() if not any(_wrong_kind(e, depth) for e in errors)
    ]
    if len(plausible) == 1:
        return [leaf for sub in plausible[0] for leaf in _leaf_errors(sub)]
    if not plausible:
        return [error]  # a type mismatch against every form: described as such
    from jsonschema.exceptions import best_match

    return _leaf_errors(best_match(e for errors in plausible for e in errors))


def _wrong_kind(error: Any, depth: int) -> bool:
    """Whether an error says the value is of another kind than the branch wants (a mapping for a name).

    A `type` error at the value does; so does an `enum` or `const` none of whose choices is of the
    value's kind: a mapping given for `theme` meant the overrides form, not a misspelt theme name.
    """
    if len(error.absolute_path) != depth:
        return False
    if error.validator == "type":
        return True
    if error.validator in ("enum", "const"):
        choices = error.validator_value if error.validator == "enum" else [error.validator_value]
        return not any(_same_kind(choice, error.instance) for choice in choices)
    return False


def _same_kind(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return True
    return type(a) is type(b)


def _unknown_keys(doc: Document, error: Any) -> Iterator[Diagnostic]:
    path: DocPath = tuple(error.absolute_path)
    allowed = sorted(error.schema.get("properties", {}))
    where = _theme_path(path) or describe(doc.data, path)
    for key in error.instance:
        if key in allowed:
            continue
        suggestion = did_you_mean(key, allowed)
        hint = f"did you mean '{suggestion}'?" if suggestion else f"allowed keys: {', '.join(allowed)}"
        yield Diagnostic("E200", f"unknown key '{clip(key, 40)}' in {where}", doc.span((*path, key), key=True), hint)


def _describe_schema_error(doc: Document, error: Any) -> Diagnostic:
    path: DocPath = tuple(error.absolute_path)
    where = describe(doc.data, path)
    keyword = error.validator
    value = error.instance
    span = doc.span(path)
    if _theme_path(path) and keyword != "additionalProperties" and (len(path) > 1 or keyword == "oneOf"):
        return _theme_error(path, error, span)
    if keyword == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        key = unknown[0] if unknown else "?"
        suggestion = did_you_mean(key, allowed)
        hint = f"did you mean '{suggestion}'?" if suggestion else f"allowed keys: {', '.join(allowed)}"
        return Diagnostic("E200", f"unknown key '{clip(key, 40)}' in {where}", doc.span((*path, key), key=True), hint)
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        if not path and missing == "jmap":
            return Diagnostic(
                "E206", "the map does not say its format version", span, hint="add `jmap: 1` as the first line"
            )
        article = "an" if missing[:1] in ("a", "e", "i", "o", "u") else "a"
        return Diagnostic("E201", f"{where} needs {article} '{missing}'", span)
    field = _field_name(path)
    if keyword == "const" and path == ("jmap",):
        if isinstance(value, bool) or not isinstance(value, int | float):  # `jmap: "1"`: the version, but as text
            return Diagnostic(
                "E206",
                f"the format version must be the number 1, not {_type_word(value)}",
                span,
                hint="write `jmap: 1`, without quotes",
            )
        return Diagnostic(
            "E206",
            f"format version {clip(value)} is not supported; this jmap reads version 1",
            span,
            hint="write `jmap: 1`",
        )
    if keyword in ("type", "oneOf", "anyOf"):
        expected = _expected_words(error)
        subject = where if path and isinstance(path[-1], int) else f"{field} in {where}"
        return Diagnostic(
            "E202", f"{subject} must be {expected}, not {_type_word(value)}", span, _quote_hint(value, _types(error))
        )
    if keyword == "enum":
        choices = [str(c) for c in error.validator_value]
        suggestion = did_you_mean(str(value), choices)
        hint = f"did you mean '{suggestion}'?" if suggestion else f"choose one of: {', '.join(choices)}"
        subject = where if path and isinstance(path[-1], int) else f"{field} in {where}"
        return Diagnostic("E203", f"{subject} cannot be '{clip(value, 40)}'", span, hint)
    if keyword == "pattern" and path[-1:] == ("date",) and isinstance(value, str) and _calendar_problem(value):
        return _date_diagnostic(value, field, where, span)
    if keyword == "pattern":
        return Diagnostic(
            "E203",
            f"{field} in {where} has the wrong form: '{clip(value, 40)}'",
            span,
            hint=_pattern_hint(path, error.schema),
        )
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        bounds = f"from {_number(low)} to {_number(high)}" if low is not None and high is not None else error.message
        return Diagnostic("E204", f"{field} in {where} must be {bounds}, not {clip(value, 20)}", span)
    if keyword in ("minLength", "maxLength", "minItems", "maxItems", "maxProperties", "minProperties"):
        return Diagnostic("E205", f"{field} in {where} {_size_words(keyword, error.validator_value)}", span)
    if keyword == "uniqueItems":
        return Diagnostic("E207", f"{field} in {where} lists the same entry twice", span)
    if keyword == "propertyNames":
        return Diagnostic(
            "E203",
            f"'{clip(value, 40)}' in {where} is not a valid id",
            span,
            hint="ids use lower-case letters, digits, '-' and '_'",
        )
    return Diagnostic("E203", f"{field} in {where} is not valid: {clip(error.message, 100)}", span)


#: An example value for each part of a theme override, for messages.
_THEME_EXAMPLES = {"colors": "a mapping of colour names to colours", "font_size": "a number of pixels such as 14",
                   "name": "a theme name"}
_COLOUR_EXAMPLE = "'#1f6feb'"


def _theme_path(path: DocPath) -> str:
    """`theme.colors.accent` for a place inside a theme override ("" elsewhere): the user's own words."""
    if not path or path[0] != "theme":
        return ""
    return ".".join(str(key) for key in path)


def _theme_error(path: DocPath, error: Any, span: Any) -> Diagnostic:
    """A bad value in a theme override, named by its dotted path: `theme.colors.accent: '#ggg' is not a colour`."""
    where = _theme_path(path)
    keyword, value = error.validator, error.instance
    colour = len(path) == 3 and path[1] == "colors"
    if colour and keyword in ("pattern", "type"):
        shown = f"'{clip(value, 30)}'" if isinstance(value, str) else _type_word(value)
        return Diagnostic("E203" if keyword == "pattern" else "E202",
                          f"{where}: {shown} is not a colour like {_COLOUR_EXAMPLE}", span,
                          hint="a colour is '#' and six hex digits (0-9, a-f), in quotes: '#1f6feb'")
    if keyword == "enum":
        choices = [str(c) for c in error.validator_value]
        suggestion = did_you_mean(str(value), choices)
        hint = f"did you mean '{suggestion}'?" if suggestion else f"choose one of: {', '.join(choices)}"
        return Diagnostic("E203", f"{where}: there is no theme '{clip(value, 40)}'", span, hint)
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        bounds = f"from {_number(low)} to {_number(high)}"
        return Diagnostic("E204", f"{where} must be {bounds}, not {clip(value, 20)}", span,
                          hint=clip(error.schema.get("description", ""), 160))
    if keyword in ("type", "oneOf", "anyOf"):
        expected = _THEME_EXAMPLES.get(str(path[-1]), _expected_words(error)) if len(path) > 1 else \
            "a theme name such as default, or a mapping with name, colors and font_size"
        return Diagnostic("E202", f"{where} must be {expected}, not {_type_word(value)}", span)
    return Diagnostic("E203", f"{where} is not valid: {clip(error.message, 100)}", span)


def _types(error: Any) -> list[str]:
    """The JSON types a type error (or each alternative of a oneOf/anyOf) wants at its place."""
    if error.validator == "type":
        return error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    types: list[str] = []
    for sub in error.context:
        if sub.validator == "type" and len(sub.absolute_path) == len(error.absolute_path):
            for kind in sub.validator_value if isinstance(sub.validator_value, list) else [sub.validator_value]:
                if kind not in types:
                    types.append(kind)
    return types


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
#: The form of a date in a map (the schema's pattern accepts real months and days 01-31 only).
_DATE_FORM = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?")


def _calendar_problem(value: str) -> str:
    """Why a date of the form YYYY, YYYY-MM or YYYY-MM-DD is no real date ("" when it is one)."""
    import calendar

    match = _DATE_FORM.fullmatch(value)
    if not match or not match["month"]:
        return ""
    month = int(match["month"])
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(int(match["year"]), month)[1]
    if match["day"] and not 1 <= int(match["day"]) <= days:
        return f"{_MONTHS[month - 1]} {match['year']} has {days} days, not {int(match['day'])}"
    return ""


def _has_schema_form(date: str) -> bool:
    """Whether the schema accepts the date (it checks only the ranges of months and days)."""
    return re.fullmatch(schema()["$defs"]["research"]["properties"]["date"]["pattern"].rstrip("$"), date) is not None


def _date_diagnostic(value: str, field: str, where: str, span: Any) -> Diagnostic:
    return Diagnostic(
        "E203",
        f"{field} in {where} is not a real date: '{clip(value, 20)}' ({_calendar_problem(value)})",
        span,
        hint="write a real date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2026-02-28",
    )


def _expected_words(error: Any) -> str:
    words = list(dict.fromkeys(_TYPE_WORDS.get(t, str(t)) for t in _types(error)))
    return " or ".join(words) or "something else"


def _quote_hint(value: Any, types: list[str]) -> str:
    """Quotes decide between text and a number in YAML: say so when they are the fix."""
    if "string" in types and isinstance(value, bool | int):
        written = str(value).lower() if isinstance(value, bool) else str(value)
        return f'put quotes around it: "{clip(written, 20)}"'
    if "string" in types and isinstance(value, float):
        return "put quotes around it, as you wrote it, so that it is read as text"
    if isinstance(value, str) and not {"integer", "number"}.isdisjoint(types) and "string" not in types:
        text = value.strip()
        number = _as_number(text, whole="number" not in types)
        if number is not None:
            return f"write the number without quotes: {clip(text, 20)}"
    return ""


def _as_number(text: str, *, whole: bool) -> int | float | None:
    """The number a text spells (`"2"`, `"-1.5"`), or None; only whole numbers when `whole`."""
    if re.fullmatch(r"[-+]?[0-9]{1,15}", text):
        return int(text)
    if not whole and re.fullmatch(r"[-+]?[0-9]{0,15}\.[0-9]{1,15}", text) and any(c.isdigit() for c in text):
        return float(text)
    return None


def _type_word(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"the text '{clip(value, 30)}'"
    if isinstance(value, (int, float)):
        return f"the number {clip(value, 20)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _size_words(keyword: str, limit: int) -> str:
    return {
        "minLength": "must not be empty" if limit == 1 else f"needs at least {limit} characters",
        "maxLength": f"is longer than {limit} characters",
        "minItems": "must not be empty" if limit == 1 else f"needs at least {limit} entries",
        "maxItems": f"has more than {limit} entries",
        "maxProperties": f"has more than {limit} entries",
        "minProperties": "must not be empty",
    }[keyword]


def _pattern_hint(path: DocPath, subschema: dict[str, Any]) -> str:
    description = subschema.get("description", "")
    return clip(description, 160) if description else ""


def _field_name(path: DocPath) -> str:
    for key in reversed(path):
        if isinstance(key, str):
            return f"'{key}'"
    return "the value"


def describe(data: Any, path: DocPath) -> str:
    """Name the part of the map a path points into, as a person would ("stage 'checkout'")."""
    phrase = "the map"
    node = data
    index = 0
    while index < len(path):
        key = path[index]
        child = node.get(key) if isinstance(node, dict) and isinstance(key, str) else None
        if (
            isinstance(key, str)
            and isinstance(child, list)
            and index + 1 < len(path)
            and isinstance(path[index + 1], int)
        ):
            position = path[index + 1]
            assert isinstance(position, int)
            item = child[position] if position < len(child) else None
            noun = _LIST_NOUNS.get(key, key)
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, str) and ident:
                phrase = f"{noun} '{clip(ident, 40)}'"
            elif phrase == "the map":
                phrase = f"{noun} {position + 1}"
            else:
                phrase = f"{noun} {position + 1} of {phrase}"
            node = item
            index += 2
            continue
        node = (
            child
            if child is not None
            else (node[key] if isinstance(node, list) and isinstance(key, int) and key < len(node) else None)
        )
        index += 1
    return phrase


#: Did-you-mean look-ups left in the current validate() run (None: no limit). A hostile map can hold
#: thousands of unknown keys and references, each compared with hundreds of ids: the budget keeps
#: that linear, and real maps never come near it.
_SUGGESTIONS: ContextVar[list[int] | None] = ContextVar("jmap_suggestions", default=None)
_MAX_SUGGESTIONS = 100
_MAX_CHOICES = 250
_MAX_WORD = 64


def did_you_mean(word: str, choices: list[str]) -> str:
    """The closest choice by edit distance, when it is close enough to be a typo."""
    budget = _SUGGESTIONS.get()
    if budget is not None:
        if budget[0] <= 0:
            return ""
        budget[0] -= 1
    if len(word) > _MAX_WORD:
        return ""
    limit = max(1, min(3, len(word) // 3))
    best, best_distance = "", limit + 1
    for choice in choices[:_MAX_CHOICES]:
        distance = _edit_distance(word.lower(), choice.lower(), best_distance)
        if distance < best_distance:
            best, best_distance = choice, distance
    return best


def _edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Edits between two words, or limit + 1 when there are more.

    Swapping two neighbouring letters counts as one ("titel" -> "title"). Only cells within
    `limit` of the diagonal are computed, and a row above the limit stops early, so a
    comparison costs O(len * limit).
    """
    big = limit + 1
    if abs(len(a) - len(b)) > limit or len(a) > _MAX_WORD or len(b) > _MAX_WORD:
        return big
    before: list[int] = []
    previous = [min(j, big) for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        current = [big] * (len(b) + 1)
        current[0] = min(i, big)
        low, high = max(1, i - limit), min(len(b), i + limit)
        for j in range(low, high + 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cost = min(cost, before[j - 2] + 1)
            current[j] = min(cost, big)
        if min(current[low - 1 : high + 1]) >= big:
            return big
        before, previous = previous, current
    return previous[len(b)]


# --- meaning ------------------------------------------------------------------------


def semantic_diagnostics(doc: Document) -> list[Diagnostic]:
    """Checks the schema cannot express. Defensive: the data may also fail the schema."""
    return _Semantics(doc).run()


def _listing(ids: list[str], limit: int = 8) -> str:
    """Ids for a hint, each clipped and only the first few: the ids may be anything."""
    shown = ", ".join(clip(i, 30) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


def _ids(value: Any) -> list[str]:
    return [v["id"] for _, v in _dicts(value) if isinstance(v.get("id"), str)]


class _Semantics:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.data = doc.data
        self.found: list[Diagnostic] = []
        self.persona_ids = _ids(self.data.get("personas"))
        self.research_ids = _ids(self.data.get("research"))
        self.persona_set, self.research_set = set(self.persona_ids), set(self.research_ids)
        self.custom_lanes = [
            lane["id"] for _, lane in _dicts(self.data.get("lanes")) if isinstance(lane.get("id"), str)
        ]
        self.custom_set = set(self.custom_lanes)
        self.used_personas: set[str] = set()
        self.cited: set[str] = set()

    def error(self, code: str, message: str, path: DocPath, hint: str = "", *, key: bool = False) -> None:
        self.found.append(Diagnostic(code, message, self.doc.span(path, key=key), hint))

    def run(self) -> list[Diagnostic]:
        self.check_unique_ids()
        self.check_lanes()
        stages = _dicts(self.data.get("stages"))
        for index, stage in stages:
            self.check_column(stage, ("stages", index), "stage")
            for step_index, step in _dicts(stage.get("steps")):
                self.check_column(step, ("stages", index, "steps", step_index), "step", parent=stage)
        self.check_chapters(stages)
        self.check_dates()
        self.check_avatars()
        self.check_usage()
        self.check_theme_contrast()
        return self.found

    def check_unique_ids(self) -> None:
        seen: dict[str, DocPath] = {}
        places: list[tuple[DocPath, Any]] = []
        for section in ("personas", "research", "chapters", "stages"):
            for index, item in _dicts(self.data.get(section)):
                places.append(((section, index), item))
                if section == "stages":
                    for step_index, step in _dicts(item.get("steps")):
                        places.append(((section, index, "steps", step_index), step))
        for path, item in places:
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                first = self.doc.span((*seen[ident], "id"))
                elsewhere = first.path != self.doc.span((*path, "id")).path  # two files: say which
                self.error(
                    "E300",
                    f"the id '{clip(ident, 40)}' is already used by "
                    f"{describe(self.data, seen[ident])} (line {first.line}"
                    f"{f' of {clip(first.path, 80)}' if elsewhere else ''})",
                    (*path, "id"),
                    hint="every persona, research source, chapter, stage and step needs its own id",
                )
            else:
                seen[ident] = path

    def check_lanes(self) -> None:
        seen: set[str] = set()
        for index, lane in enumerate(self.data.get("lanes") or []) if isinstance(self.data.get("lanes"), list) else []:
            name = lane if isinstance(lane, str) else lane.get("id") if isinstance(lane, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                self.error("E307", f"the lane '{clip(name, 40)}' is listed twice in 'lanes'", ("lanes", index))
            elif isinstance(lane, dict) and name in BUILTIN_LANES:
                self.error(
                    "E300",
                    f"the custom lane '{name}' has the id of a built-in lane",
                    ("lanes", index, "id"),
                    hint=f"list it as plain `{name}`, or pick another id",
                )
            seen.add(name)

    def check_column(
        self, column: dict[str, Any], path: DocPath, kind: str, parent: dict[str, Any] | None = None
    ) -> None:
        where = describe(self.data, path)
        emotion = column.get("emotion")
        if isinstance(emotion, dict):
            for persona in emotion:
                if persona in self.persona_set:
                    self.used_personas.add(persona)
                else:
                    self.error(
                        "E301",
                        f"{where} gives an emotion score for '{clip(persona, 40)}', which is not a persona of this map",
                        (*path, "emotion", persona),
                        self.persona_hint(persona, ", or write a plain number"),
                        key=True,
                    )
        elif isinstance(emotion, (int, float)) and not isinstance(emotion, bool):
            if len(self.persona_ids) > 1:
                self.error(
                    "E305",
                    f"{where} has one emotion score, but the map has {len(self.persona_ids)} personas",
                    (*path, "emotion"),
                    hint="give a score per persona, e.g. `emotion: {"
                    + ", ".join(f"{clip(p, 30)}: 1" for p in self.persona_ids[:2])
                    + "}`",
                )
            else:
                self.used_personas.update(self.persona_ids)
        elif emotion is None and not _dicts(column.get("steps")) and not (parent and parent.get("emotion") is not None):
            self.found.append(
                Diagnostic(
                    "W500",
                    f"{where} has no emotion score, so the curve skips it",
                    self.doc.span(path),
                    hint="add e.g. `emotion: 0`",
                )
            )
        self.check_evidence(column.get("evidence"), (*path, "evidence"))
        self.check_storyboard(column, path)
        has_evidence = bool(column.get("evidence")) or bool(parent and parent.get("evidence"))
        for lane in lanes.ITEM_LANES:
            for index, item in enumerate(column.get(lane) or []) if isinstance(column.get(lane), list) else []:
                cites = item.get("evidence") if isinstance(item, dict) else None
                self.check_evidence(cites, (*path, lane, index, "evidence"))
                speaker = item.get("persona") if isinstance(item, dict) else None
                if isinstance(speaker, str) and speaker not in self.persona_set:
                    self.error(
                        "E301",
                        f"a {_LIST_NOUNS.get(lane, lane)} in {where} is said by '{clip(speaker, 40)}', "
                        "which is not a persona of this map",
                        (*path, lane, index, "persona"),
                        self.persona_hint(speaker),
                    )
                if lane in lanes.EVIDENCED_LANES and self.research_ids and not cites and not has_evidence:
                    self.found.append(
                        Diagnostic(
                            "W501",
                            f"this {_LIST_NOUNS.get(lane, lane)} in {where} cites no evidence, so it is an assumption",
                            self.doc.span((*path, lane, index)),
                            hint="cite research with `evidence: [id]` on the item or its stage",
                        )
                    )
        custom = column.get("custom")
        if isinstance(custom, dict):
            for lane_id, items in custom.items():
                if lane_id not in self.custom_set:
                    suggestion = did_you_mean(lane_id, self.custom_lanes)
                    hint = (
                        f"did you mean '{suggestion}'?"
                        if suggestion
                        else "add it to 'lanes' as `{id: " + clip(lane_id, 30) + ", name: ...}`"
                    )
                    self.error(
                        "E306",
                        f"{where} fills the lane '{clip(lane_id, 40)}', which 'lanes' does not define",
                        (*path, "custom", lane_id),
                        hint,
                        key=True,
                    )
                for index, item in enumerate(items) if isinstance(items, list) else []:
                    if isinstance(item, dict):
                        self.check_evidence(item.get("evidence"), (*path, "custom", lane_id, index, "evidence"))

    def persona_hint(self, persona: str, otherwise: str = "") -> str:
        """Did you mean the persona closest to `persona`, else which personas there are."""
        suggestion = did_you_mean(persona, self.persona_ids)
        if suggestion:
            return f"did you mean '{suggestion}'?"
        if self.persona_ids:
            return f"the personas are: {_listing(self.persona_ids)}"
        return "define the persona under 'personas'" + otherwise

    def check_evidence(self, cites: Any, path: DocPath) -> None:
        if not isinstance(cites, list):
            return
        for index, cite in enumerate(cites):
            if not isinstance(cite, str):
                continue
            self.cited.add(cite)
            if cite not in self.research_set:
                suggestion = did_you_mean(cite, self.research_ids)
                hint = (
                    f"did you mean '{suggestion}'?"
                    if suggestion
                    else (
                        "list the source under 'research' first"
                        if not self.research_ids
                        else f"the sources are: {_listing(self.research_ids)}"
                    )
                )
                self.error(
                    "E303",
                    f"the evidence '{clip(cite, 40)}' is not a research source of this map",
                    (*path, index),
                    hint,
                )

    def check_chapters(self, stages: list[tuple[int, dict[str, Any]]]) -> None:
        order = {stage["id"]: i for i, (_, stage) in enumerate(stages) if isinstance(stage.get("id"), str)}
        stage_ids = list(order)
        owner: dict[str, str] = {}
        last_position, last_chapter = -1, ""
        for index, chapter in _dicts(self.data.get("chapters")):
            ident = chapter.get("id")
            name: str = ident if isinstance(ident, str) else f"chapter {index + 1}"
            listed: list[Any] = chapter["stages"] if isinstance(chapter.get("stages"), list) else []
            positions: list[int] = []
            here: set[str] = set()
            for stage_index, stage_id in enumerate(listed):
                if not isinstance(stage_id, str) or stage_id in here:
                    continue  # the schema reports these (E202, E207); stage_index stays the item's real place
                here.add(stage_id)
                path: DocPath = ("chapters", index, "stages", stage_index)
                if stage_id not in order:
                    suggestion = did_you_mean(stage_id, stage_ids)
                    self.error(
                        "E302",
                        f"chapter '{clip(name, 40)}' lists the stage '{clip(stage_id, 40)}', which is not defined",
                        path,
                        f"did you mean '{suggestion}'?" if suggestion else "",
                    )
                    continue
                if stage_id in owner:
                    self.error(
                        "E304",
                        f"the stage '{clip(stage_id, 40)}' is in two chapters: "
                        f"'{clip(owner[stage_id], 40)}' and '{clip(name, 40)}'",
                        path,
                    )
                    continue
                owner[stage_id] = name
                positions.append(order[stage_id])
            if not positions:
                continue
            consecutive = positions == list(range(positions[0], positions[0] + len(positions)))
            message = (
                f"chapter '{clip(name, 40)}' must list consecutive stages in journey order, "
                "after the previous chapter's"
            )
            if not consecutive:
                expected = stage_ids[min(positions) : max(positions) + 1]
                self.error("E304", message, ("chapters", index, "stages"), hint="expected: " + _listing(expected))
                continue  # its stages are no measure for the next chapter: a correct one gets no follow-on error
            if positions[0] <= last_position:
                self.error(
                    "E304",
                    message,
                    ("chapters", index, "stages"),
                    hint=f"chapter '{clip(last_chapter, 40)}' before it already reaches the stage "
                    f"'{clip(stage_ids[last_position], 40)}': put the chapters in the order of their stages",
                )
                continue
            last_position, last_chapter = positions[-1], name

    def check_dates(self) -> None:
        """Dates of the right form that no calendar has (`2026-02-30`); the schema refuses month 13 and day 32."""
        for index, source in _dicts(self.data.get("research")):
            date = source.get("date")
            if isinstance(date, str) and _calendar_problem(date) and _has_schema_form(date):
                path: DocPath = ("research", index, "date")
                self.found.append(_date_diagnostic(date, "'date'", describe(self.data, path), self.doc.span(path)))

    def check_avatars(self) -> None:
        for index, persona in _dicts(self.data.get("personas")):
            avatar = persona.get("avatar")
            if isinstance(avatar, str):
                self.check_avatar(avatar, ("personas", index, "avatar"))

    def check_storyboard(self, column: dict[str, Any], path: DocPath) -> None:
        """Each storyboard picture of a column, checked exactly as an avatar is (E400-E413)."""
        pictures = column.get("storyboard")
        for index, picture in enumerate(pictures) if isinstance(pictures, list) else []:
            image = picture.get("image") if isinstance(picture, dict) else None
            if isinstance(image, str):
                self.check_avatar(image, (*path, "storyboard", index, "image"), "storyboard image")

    def check_avatar(self, avatar: str, path: DocPath, what: str = "avatar") -> None:
        from jmap.images import ImageError, check_image_file  # imported only for maps that have avatars

        origin = Path(self.doc.span(path).path)
        try:
            check_image_file(confine(avatar, origin.resolve().parent, self.doc.root))
        except ImageError as error:
            self.error(error.code, f"cannot use this {what}: {error.message}", path,
                       error.hint if what == "avatar" else error.hint.replace("an avatar", f"a {what}"))
        except ValueError as error:
            code, message = error.args[0]
            self.error(code, f"cannot use this {what}: {message}", path)

    def check_theme_contrast(self) -> None:
        """W505: a colour override that makes text, lines or markers hard to see (WCAG AA)."""
        theme = self.data.get("theme")
        if not isinstance(theme, dict) or not isinstance(theme.get("colors"), dict) or not theme["colors"]:
            return  # a plain map: nothing to check, nothing imported
        colors: dict[str, Any] = theme["colors"]
        from jmap.model.model import Theme
        from jmap.model.themes import ThemeError, contrast_misses, contrast_ratio, resolve_theme

        name = theme.get("name", "default")
        try:
            base = resolve_theme(Theme(name=name))
            resolved = resolve_theme(Theme(name=name, colors=tuple(sorted(colors.items()))))
        except (ThemeError, ValueError, TypeError):
            return  # the schema reports a bad name or colour
        misses = contrast_misses(resolved)
        for key, value in colors.items():
            mine = [m for m in misses if key in (m.fg, m.bg)]
            if not mine:
                continue
            worst = mine[0]  # in the order of CONTRAST_PAIRS: the page and the cards come first
            ratio = f"{math.floor(worst.ratio * 10) / 10:.1f}"
            if worst.fg == key:
                other, other_color, where = worst.bg, worst.bg_color, "on"
            else:
                other, other_color, where = worst.fg, worst.fg_color, "behind"
            darker = contrast_ratio("#000000", other_color) > contrast_ratio("#ffffff", other_color)
            needs = "text needs 4.5:1" if worst.minimum >= 4.5 else "lines and markers need 3:1"
            others = len(mine) - 1
            more = f"; it is also too close to {others} other colour{'s' if others > 1 else ''}" if others else ""
            self.found.append(Diagnostic(
                "W505",
                f"theme.colors.{key} '{clip(value, 20)}' {where} {_color_words(other)} '{other_color}' has a "
                f"contrast of {ratio}:1; {needs} (WCAG AA)",
                self.doc.span(("theme", "colors", key), key=True),
                hint=f"choose a {'darker' if darker else 'lighter'} colour for {key}, or leave it out to keep "
                     f"the theme's '{base.colors[key]}'{more}",
            ))

    def check_usage(self) -> None:
        for index, persona in _dicts(self.data.get("personas")):
            ident = persona.get("id")
            if isinstance(ident, str) and ident not in self.used_personas:
                self.found.append(
                    Diagnostic(
                        "W502",
                        f"the persona '{clip(ident, 40)}' has no emotion score anywhere, so no curve is drawn for it",
                        self.doc.span(("personas", index)),
                        hint=f"add `{clip(ident, 30)}: 0` to the stages' emotion",
                    )
                )
        for index, source in _dicts(self.data.get("research")):
            ident = source.get("id")
            if isinstance(ident, str) and ident not in self.cited:
                self.found.append(
                    Diagnostic(
                        "W503",
                        f"the research source '{clip(ident, 40)}' is never cited",
                        self.doc.span(("research", index)),
                        hint="cite it with `evidence: [" + clip(ident, 30) + "]`",
                    )
                )
