"""Build the typed journey model from a validated document, expanding short forms."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jmap.diagnostics import Span
from jmap.loading.load import DocPath, Document, confine
from jmap.model.lanes import BY_ID, ITEM_LANES, LANES
from jmap.model.model import ANONYMOUS_PERSONA as _ANON
from jmap.model.model import (
    LANE_TITLES,
    Chapter,
    Journey,
    Kpi,
    Lane,
    Lanes,
    Opportunity,
    PainPoint,
    Persona,
    Quote,
    Research,
    Stage,
    Step,
    StoryboardImage,
    TextItem,
    Theme,
    Touchpoint,
)


def to_model(doc: Document) -> Journey:
    """The journey model of a document that passed validation without errors."""
    return _Normalizer(doc).journey()


class _Normalizer:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        data = doc.data
        self.persona_ids = [p["id"] for p in data.get("personas", [])]
        self.custom_lane_ids = [lane["id"] for lane in data.get("lanes", []) if isinstance(lane, dict)]

    def span(self, path: DocPath) -> Span:
        return self.doc.span(path)

    def journey(self) -> Journey:
        data = self.doc.data
        stages = tuple(self.stage(s, ("stages", i)) for i, s in enumerate(data["stages"]))
        return Journey(
            title=data["title"],
            description=data.get("description", ""),
            owner=data.get("owner", ""),
            language=data.get("language", ""),
            tags=tuple(data.get("tags", ())),
            theme=self.theme(data.get("theme", "default")),
            personas=tuple(self.persona(p, ("personas", i)) for i, p in enumerate(data.get("personas", []))),
            research=tuple(self.research(r, ("research", i)) for i, r in enumerate(data.get("research", []))),
            chapters=tuple(
                Chapter(c["id"], c["name"], tuple(c["stages"]), self.span(("chapters", i)))
                for i, c in enumerate(data.get("chapters", []))
            ),
            stages=stages,
            lanes=self.lanes(data.get("lanes"), stages),
            source=str(self.doc.path),
        )

    def theme(self, raw: str | dict[str, Any]) -> Theme:
        if isinstance(raw, str):
            return Theme(name=raw)
        return Theme(
            name=raw.get("name", "default"),
            font_size=raw.get("font_size"),
            colors=tuple(sorted(raw.get("colors", {}).items())),
        )

    def persona(self, raw: dict[str, Any], path: DocPath) -> Persona:
        avatar = ""
        if raw.get("avatar"):
            origin = Path(self.doc.span((*path, "avatar")).path)
            base = origin.parent if origin.name else self.doc.path.parent
            avatar = str(confine(raw["avatar"], base.resolve(), self.doc.root))
        return Persona(
            id=raw["id"],
            name=raw["name"],
            role=raw.get("role", ""),
            age=raw.get("age"),
            location=raw.get("location", ""),
            quote=raw.get("quote", ""),
            goals=tuple(raw.get("goals", ())),
            needs=tuple(raw.get("needs", ())),
            expectations=tuple(raw.get("expectations", ())),
            frustrations=tuple(raw.get("frustrations", ())),
            avatar=avatar,
            initials=raw.get("initials") or initials_of(raw["name"]),
            color=raw.get("color", ""),
            span=self.span(path),
        )

    def research(self, raw: dict[str, Any], path: DocPath) -> Research:
        return Research(
            id=raw["id"],
            kind=raw["kind"],
            title=raw["title"],
            date=raw.get("date", ""),
            summary=raw.get("summary", ""),
            sample_size=raw.get("sample_size"),
            url=raw.get("url", ""),
            span=self.span(path),
        )

    def stage(self, raw: dict[str, Any], path: DocPath) -> Stage:
        step = self.step(raw, path)
        steps = tuple(self.step(s, (*path, "steps", i)) for i, s in enumerate(raw.get("steps", [])))
        return Stage(*step, steps=steps)  # a Stage's fields are a Step's, then `steps`

    def step(self, raw: dict[str, Any], path: DocPath) -> Step:
        mot = raw.get("moment_of_truth", False)
        return Step(
            id=raw["id"],
            name=raw["name"],
            description=raw.get("description", ""),
            duration=raw.get("duration", ""),
            lanes=self.cell_lanes(raw, path),
            emotion=self.emotion(raw.get("emotion")),
            moment_of_truth=mot if isinstance(mot, str) else ("yes" if mot else ""),
            evidence=tuple(raw.get("evidence", ())),
            span=self.span(path),
        )

    def emotion(self, raw: float | dict[str, float] | None) -> tuple[tuple[str, float], ...]:
        if raw is None:
            return ()
        if isinstance(raw, dict):
            # Persona order, not YAML order, so curves and diffs are stable.
            return tuple((p, float(raw[p])) for p in self.persona_ids if p in raw)
        owner = self.persona_ids[0] if self.persona_ids else _ANON
        return ((owner, float(raw)),)

    def cell_lanes(self, raw: dict[str, Any], path: DocPath) -> Lanes:
        def texts(lane: str, base: DocPath | None = None) -> tuple[TextItem, ...]:
            where = base or (*path, lane)
            items = raw.get(lane, []) if base is None else raw.get("custom", {}).get(lane, [])
            return tuple(self.text_item(item, (*where, i)) for i, item in enumerate(items))

        readers: dict[str, Callable[[Any, DocPath], Any]] = {
            "text_item": self.text_item, "touchpoint": self.touchpoint, "pain_point": self.pain_point,
            "opportunity": self.opportunity, "kpi": self.kpi, "quote": self.quote,
            "storyboard_image": self.storyboard_image,
        }
        custom = raw.get("custom", {})
        return Lanes(
            **{lane: tuple(readers[BY_ID[lane].item](item, (*path, lane, i)) for i, item in enumerate(raw[lane]))
               for lane in ITEM_LANES if lane in raw},
            custom=tuple(
                (lane_id, texts(lane_id, (*path, "custom", lane_id)))
                for lane_id in self.custom_lane_ids
                if lane_id in custom
            ),
        )

    def storyboard_image(self, raw: dict[str, Any], path: DocPath) -> StoryboardImage:
        """A storyboard picture, its path resolved and confined to the project like an avatar's."""
        origin = Path(self.doc.span((*path, "image")).path)
        base = origin.parent if origin.name else self.doc.path.parent
        image = str(confine(raw["image"], base.resolve(), self.doc.root))
        from jmap.images import ImageError, check_image_file  # only for maps with a storyboard

        try:
            info = check_image_file(image)
            width, height = info.width, info.height
        except ImageError:  # reported by validation (E400-E413); a visual diff's old side draws a placeholder
            width = height = 0
        return StoryboardImage(image, raw["alt"], raw.get("caption", ""), raw.get("note", ""), width, height,
                               self.span(path))

    def text_item(self, raw: str | dict[str, Any], path: DocPath) -> TextItem:
        if isinstance(raw, str):
            return TextItem(raw, span=self.span(path))
        return TextItem(raw["text"], tuple(raw.get("evidence", ())), raw.get("note", ""), self.span(path))

    def touchpoint(self, raw: str | dict[str, Any], path: DocPath) -> Touchpoint:
        if isinstance(raw, str):
            return Touchpoint("other", raw, span=self.span(path))
        from jmap.icons import CHANNEL_LABELS

        name = raw.get("name") or CHANNEL_LABELS.get(raw["channel"], raw["channel"])
        return Touchpoint(raw["channel"], name, tuple(raw.get("evidence", ())), raw.get("note", ""), self.span(path))

    def pain_point(self, raw: str | dict[str, Any], path: DocPath) -> PainPoint:
        if isinstance(raw, str):
            return PainPoint(raw, span=self.span(path))
        return PainPoint(
            raw["text"],
            raw.get("severity", "medium"),
            tuple(raw.get("evidence", ())),
            raw.get("note", ""),
            self.span(path),
        )

    def opportunity(self, raw: str | dict[str, Any], path: DocPath) -> Opportunity:
        if isinstance(raw, str):
            return Opportunity(raw, span=self.span(path))
        return Opportunity(
            raw["text"],
            raw.get("priority", "medium"),
            raw.get("owner", ""),
            tuple(raw.get("evidence", ())),
            raw.get("note", ""),
            self.span(path),
        )

    def quote(self, raw: str | dict[str, Any], path: DocPath) -> Quote:
        if isinstance(raw, str):
            return Quote(raw, span=self.span(path))
        return Quote(raw["text"], raw.get("persona", ""), tuple(raw.get("evidence", ())), raw.get("note", ""),
                     self.span(path))

    def kpi(self, raw: dict[str, Any], path: DocPath) -> Kpi:
        return Kpi(
            raw["name"],
            raw["value"],
            raw.get("target"),
            raw.get("unit", ""),
            raw.get("better", "higher"),
            tuple(raw.get("evidence", ())),
            self.span(path),
        )

    def lanes(self, raw: list[Any] | None, stages: tuple[Stage, ...]) -> tuple[Lane, ...]:
        if raw is not None:
            return tuple(
                Lane(entry, LANE_TITLES[entry])
                if isinstance(entry, str)
                else Lane(entry["id"], entry["name"], custom=True, style=entry.get("style", "text"))
                for entry in raw
            )
        return default_lanes(stages)


def default_lanes(stages: tuple[Stage, ...]) -> tuple[Lane, ...]:
    """The lanes of a map without `lanes`: each built-in lane shown by default that holds content, in order."""
    return tuple(Lane(lane.id, lane.title) for lane in LANES if lane.default and _lane_used(lane.id, stages))


def _lane_used(lane: str, stages: tuple[Stage, ...]) -> bool:
    columns = [c for stage in stages for c in stage.self_and_steps]
    if lane == "emotion":
        return any(c.emotion for c in columns)
    return any(c.lanes.items(lane) for c in columns)


def initials_of(name: str) -> str:
    """Up to two initials from a name ("Maya Keller" -> "MK")."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    if not words:
        return name[:1].upper() or "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()
