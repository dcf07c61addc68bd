"""Which places lie inside which: lets a rule on a governorate match every town in it.

Place tags carry `admin1` (their governorate id) when the tagger knows it; this index is the
fallback, read lazily from the tagging taxonomy (config/taxonomy/places*.yaml: entries with
`id`, `kind`, `admin1`, `admin2`). Tests pass a small index instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from khabar.logs import get_logger

log = get_logger("khabar.alerts")

_PARENT_KEYS = ("admin1", "admin2", "parent", "governorate")


class PlaceIndex:
    """place id -> the ids of the areas containing it (governorate, district, ...)."""

    def __init__(self, parents: Mapping[str, Iterable[str]] | None = None) -> None:
        self._parents = {pid: tuple(p for p in ps if p and p != pid) for pid, ps in (parents or {}).items()}
        self._admin1: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._parents)

    def __contains__(self, place_id: object) -> bool:
        return place_id in self._parents

    def ids(self) -> set[str]:
        return set(self._parents)

    def containers(self, place_id: str) -> tuple[str, ...]:
        """Areas containing the place, transitively (a district's governorate too)."""
        out: list[str] = []
        todo = list(self._parents.get(place_id, ()))
        while todo:
            pid = todo.pop(0)
            if pid not in out and pid != place_id:
                out.append(pid)
                todo.extend(self._parents.get(pid, ()))
        return tuple(out)

    def admin1(self, place_id: str) -> str | None:
        """The governorate (first-level area) of a place, if the taxonomy says."""
        return self._admin1.get(place_id)

    @classmethod
    def from_entries(cls, entries: Iterable[Mapping[str, Any]]) -> PlaceIndex:
        parents: dict[str, list[str]] = {}
        admin1: dict[str, str] = {}
        for entry in entries:
            if isinstance(entry, Mapping) and entry.get("id"):
                pid = str(entry["id"])
                parents[pid] = [str(entry[k]) for k in _PARENT_KEYS if entry.get(k)]
                if entry.get("admin1") and entry["admin1"] != pid:
                    admin1[pid] = str(entry["admin1"])
        index = cls(parents)
        index._admin1 = admin1
        return index

    @classmethod
    def from_taxonomy(cls, directory: Path) -> PlaceIndex:
        """The containment links of the tagging taxonomy (places*.yaml), via its own loader."""
        from processors.tagging.taxonomy import load_taxonomy

        return cls.from_entries(p.model_dump() for p in load_taxonomy(directory).places)


def load_place_index(directory: Path) -> PlaceIndex:
    """The taxonomy's index, or an empty one (with a log line) when it is absent."""
    if not any(directory.glob("places*.yaml")):
        log.warning("place_taxonomy_missing", directory=str(directory),
                    consequence="rules on a governorate match only tags that carry admin1")
        return PlaceIndex()
    return PlaceIndex.from_taxonomy(directory)


def load_known_ids(directory: Path) -> dict[str, set[str]]:
    """Ids per tag kind (khabar.tagkinds) from the taxonomy, for `rules check`; {} if absent."""
    if not any(directory.glob("places*.yaml")):
        return {}
    from processors.tagging.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(directory)
    return {kind: {e.id for e in entries} for kind, entries in taxonomy.entries.items()}
