"""The tag kinds: what the tagger names in an article, registered in one place.

A kind of entity (places, actors, persons ...) is a taxonomy file plus one `TagKind` in
`TAG_KINDS`. Everything else reads this registry: the Article model grows a list field per
kind (`khabar.models`), the index mapping an object per kind (`khabar.es.templates`), alert
rules a condition key per kind (`processors.alerts.rules`), search a filter per kind
(`khabar.es.search`), the tagger loads and matches the kind's file
(`processors.tagging.taxonomy`, `names`), and the evaluators score the gold entries of each
kind (`khabar.cli.evaluate.tags`). `tests/unit/test_tagkinds.py` registers a new kind in a
fresh interpreter and follows it through all of these.

`EVENT_TYPES` (DESIGN.md §5) lives here too: rules, tagger and evaluation share one list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EVENT_TYPES: tuple[str, ...] = (
    "armed_clash", "government_regains_territory", "non_state_actor_overtakes_territory",
    "air_drone_strike", "shelling_artillery_missile_attack", "remote_explosive_landmine_ied",
    "suicide_bomb", "chemical_weapon", "grenade", "attack", "abduction_forced_disappearance",
    "arrests", "peaceful_protest", "protest_with_intervention", "agreement", "displacement",
)
EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]  # Literal of the tuple's values


class _Tag(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class GeoPoint(_Tag):
    lat: float
    lon: float


class EntityTag(_Tag):
    """One named entity found in an article: its taxonomy id, display names, how often it
    was mentioned and the surface forms as written (alert reasons quote them)."""

    id: str
    name: str
    name_en: str = ""
    kind: str = ""
    mentions: int = 0
    forms: list[str] = Field(default_factory=list)


class PlaceTag(EntityTag):
    country: str | None = None
    admin1: str | None = None
    location: GeoPoint | None = None


ActorTag = EntityTag


class PersonTag(_Tag):
    """Persons have no `kind` (the mapping has none; a role is not a kind)."""

    id: str
    name: str
    name_en: str = ""
    mentions: int = 0
    forms: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class TagKind:
    """One kind of entity. `field` names it everywhere: the Article field, the alert
    condition key, the gold-file key, the index object, the search filter."""

    field: str  # "actors"
    entry: str  # one entry of the kind, as the matcher calls it: "actor"
    files: str  # glob of its taxonomy file(s) under settings.taxonomy_dir
    tag: type[_Tag] = EntityTag  # the model of one tag in the Article
    geo: bool = False  # tags carry coordinates; alert conditions match containing areas
    label: str = ""  # for tables and dashboards

    @property
    def search_fields(self) -> tuple[str, ...]:
        """Fields a `--<kind> X` filter looks X up in (id or any name)."""
        return tuple(f"{self.field}.{f}" for f in ("id", "name", "name_en", "forms"))


TAG_KINDS: tuple[TagKind, ...] = (
    TagKind("places", "place", "places*.yaml", tag=PlaceTag, geo=True, label="Place"),
    TagKind("actors", "actor", "actors*.yaml", label="Actor"),
    TagKind("persons", "person", "persons.yaml", tag=PersonTag, label="Person"),
)


def tag_kind(field: str) -> TagKind:
    """The registered kind called `field`; KeyError names the known ones."""
    for kind in TAG_KINDS:
        if kind.field == field:
            return kind
    raise KeyError(f"unknown tag kind {field!r}; known: {[k.field for k in TAG_KINDS]}")


def entity_mapping(kind: TagKind) -> dict:
    """The index mapping of a kind's tags, derived from its tag model (keyword strings,
    integer counts, geo_point locations)."""
    props: dict[str, dict] = {}
    for name, info in kind.tag.model_fields.items():
        ann = str(info.annotation)
        if "GeoPoint" in ann:
            props[name] = {"type": "geo_point"}
        elif "int" in ann:
            props[name] = {"type": "integer"}
        else:
            props[name] = {"type": "keyword"}
    return {"properties": props}
