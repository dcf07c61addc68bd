"""Which places lie inside which: lets a rule on a governorate match every town in it.

Place tags carry `admin1` (their governorate id) when the tagger knows it; this index is the
fallback, read lazily from the place taxonomy (config/taxonomy/places.yaml: entries with
`id`, `kind`, `admin1`, optionally `admin2`/`parent`). Tests pass a small index instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from khabar.logs import get_logger
from khabar.yamlconf import ConfigError, plain, read_yaml

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
    def from_file(cls, path: Path) -> PlaceIndex:
        """Read a place taxonomy: a list of entries, or `places:` holding that list."""
        data = plain(read_yaml(path))
        if isinstance(data, dict):
            data = data.get("places", [])
        if not isinstance(data, list):
            raise ConfigError(path, 1, "expected a list of places (or a `places:` list)")
        return cls.from_entries(data)


def load_place_index(path: Path) -> PlaceIndex:
    """The taxonomy's index, or an empty one (with a log line) when the file is absent."""
    if not path.exists():
        log.warning("place_taxonomy_missing", path=str(path),
                    consequence="rules on a governorate match only tags that carry admin1")
        return PlaceIndex()
    return PlaceIndex.from_file(path)


def load_known_ids(taxonomy_dir: Path) -> dict[str, set[str]]:
    """Ids per kind (places/actors/persons) from the taxonomy files that exist, for `rules check`."""
    known: dict[str, set[str]] = {}
    for kind in ("places", "actors", "persons"):
        path = taxonomy_dir / f"{kind}.yaml"
        if not path.exists():
            continue
        data = plain(read_yaml(path))
        if isinstance(data, dict):
            data = data.get(kind, [])
        if isinstance(data, list):
            known[kind] = {str(e["id"]) for e in data if isinstance(e, dict) and e.get("id")}
    return known
