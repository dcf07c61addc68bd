"""Builders shared by the alert tests (hand-made tagged Articles, a small place index)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from khabar.models import (
    ActorTag,
    Article,
    Casualties,
    CountMention,
    Dedup,
    PersonTag,
    PlaceTag,
    SourceRef,
)
from processors.alerts.places import PlaceIndex

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

# a tiny taxonomy: governorates, a district and towns inside them
PLACES = PlaceIndex.from_entries([
    {"id": "sy-idlib", "kind": "governorate"},
    {"id": "sy-al-hasakah", "kind": "governorate"},
    {"id": "sy-idlib-jisr-ash-shughur", "kind": "district", "admin1": "sy-idlib"},
    {"id": "town-jisr-ash-shughur", "kind": "town", "admin1": "sy-idlib",
     "parent": "sy-idlib-jisr-ash-shughur"},
    {"id": "town-ariha", "kind": "town", "admin1": "sy-idlib"},
    {"id": "town-hasakah", "kind": "town", "admin1": "sy-al-hasakah"},
    {"id": "town-qamishli", "kind": "town", "admin1": "sy-al-hasakah"},
])

_NAMES = {"sy-idlib": "إدلب", "town-jisr-ash-shughur": "جسر الشغور", "town-ariha": "أريحا",
          "town-hasakah": "الحسكة", "town-qamishli": "القامشلي", "sy-al-hasakah": "الحسكة"}


def place(pid: str, admin1: str | None = None) -> PlaceTag:
    name = _NAMES.get(pid, pid)
    return PlaceTag(id=pid, name=name, admin1=admin1, forms=[name], mentions=1)


def make_article(
    aid: str = "a1",
    *,
    source: str = "src-a",
    title: str = "",
    body: str = "",
    language: str | None = "ar",
    places: list[PlaceTag] | None = None,
    actors: list[str] | None = None,
    persons: list[str] | None = None,
    event_types: list[str] | None = None,
    killed: int | None = None,
    injured: int | None = None,
    fetched_at: datetime = T0,
    minutes: float = 0,
    published_at: datetime | None = None,
    copy_of: str | None = None,
) -> Article:
    fetched = fetched_at + timedelta(minutes=minutes)
    return Article(
        id=aid,
        source=SourceRef(id=source, name=source),
        title=title,
        body=body,
        language=language,
        fetched_at=fetched,
        published_at=published_at,
        places=places or [],
        actors=[ActorTag(id=a, name=a, forms=[a]) for a in actors or []],
        persons=[PersonTag(id=p, name=p, forms=[p]) for p in persons or []],
        event_types=event_types or [],
        casualties=Casualties(
            killed=[CountMention(count=killed, text=f"{killed} قتيلا")] if killed else [],
            killed_max=killed,
            injured=[CountMention(count=injured, text=f"{injured} جريحا")] if injured else [],
            injured_max=injured,
        ),
        dedup=Dedup(status="near_duplicate", of=copy_of, similarity=0.8) if copy_of else Dedup(),
    )
