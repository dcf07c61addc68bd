"""The record contract (DESIGN.md §3): RawArticle on `articles.raw`, Article everywhere after.

Field names here are relied upon by the index mapping, dashboards, alert rules and the
acceptance checks, so change them only together with DESIGN.md.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from khabar.tagkinds import TAG_KINDS, ActorTag, EntityTag, GeoPoint, PersonTag, PlaceTag

__all__ = ["ActorTag", "EntityTag", "GeoPoint", "PersonTag", "PlaceTag"]  # re-exported: tags live in khabar.tagkinds


def utcnow() -> datetime:
    return datetime.now(UTC)


def stable_id(*parts: str) -> str:
    """Deterministic article id: the same input always gives the same Elasticsearch `_id`."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:32]


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class SourceRef(Record):
    id: str
    name: str = ""
    feed: str | None = None
    language: str | None = None
    country: str | None = None


class RawArticle(Record):
    """What ingest produces: one feed entry or file, before any processing."""

    id: str
    url: str | None = None
    guid: str | None = None
    source: SourceRef
    title: str = ""
    summary: str = ""
    content: str = ""  # raw HTML or text as delivered (feed content or extracted page)
    content_type: Literal["html", "text"] = "html"
    language: str | None = None  # as declared by the feed/source, if any
    published_at: datetime | None = None
    fetched_at: datetime = Field(default_factory=utcnow)
    authors: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # e.g. "published_at missing: used fetch time"


DedupStatus = Literal["original", "duplicate", "near_duplicate"]


class Dedup(Record):
    status: DedupStatus = "original"
    of: str | None = None
    similarity: float = 0.0
    copies: int = 0


CasualtyScope = Literal["incident", "cumulative"]


class CountMention(Record):
    """One figure and the sentence it came from. `scope` says whether it is the toll of the
    incident reported (`incident`) or a long-run total ("since the intervention began some
    10,000 were killed": `cumulative`), which alert thresholds leave out by default."""

    count: int
    text: str
    scope: CasualtyScope = "incident"


class Casualties(Record):
    """Killed and injured figures; `*_max` is the highest INCIDENT figure (None if none).

    `notes` say, for the reader, why a figure next to a death word was not taken as the
    incident's toll (a phone-number-like digit string, a figure too large for one incident).
    """

    killed: list[CountMention] = Field(default_factory=list)
    injured: list[CountMention] = Field(default_factory=list)
    killed_max: int | None = None
    injured_max: int | None = None
    notes: list[str] = Field(default_factory=list)


class ArticleFields(Record):
    """Every Article field but the tag lists; `Article` adds one list per registered tag kind
    (khabar.tagkinds: places, actors, persons ...)."""

    id: str
    url: str | None = None
    source: SourceRef
    title: str = ""
    summary: str = ""
    body: str = ""
    language: str | None = None
    published_at: datetime | None = None
    fetched_at: datetime
    processed_at: datetime | None = None
    timestamp: datetime | None = Field(default=None, alias="@timestamp")
    dedup: Dedup = Field(default_factory=Dedup)
    event_types: list[str] = Field(default_factory=list)
    casualties: Casualties = Field(default_factory=Casualties)
    alerts: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # what a stage changed and why (dates, truncation)

    @classmethod
    def from_raw(cls, raw: RawArticle) -> Article:  # type: ignore[valid-type]
        """Start an Article from its raw record; stages fill in the rest."""
        return cls(
            id=raw.id,
            url=raw.url,
            source=raw.source,
            title=raw.title,
            summary=raw.summary,
            body=raw.content,
            language=raw.language,
            published_at=raw.published_at,
            fetched_at=raw.fetched_at,
            timestamp=raw.published_at or raw.fetched_at,
            notes=list(raw.notes),
        )

    def to_doc(self) -> dict[str, Any]:
        """JSON-ready dict with the contract's field names (`@timestamp`, not `timestamp`)."""
        return self.model_dump(mode="json", by_alias=True)


Article = create_model(  # the processed record, also the Elasticsearch document (`_id` = `id`)
    "Article", __base__=ArticleFields, __module__=__name__,
    **{k.field: (list[k.tag], Field(default_factory=list)) for k in TAG_KINDS},  # type: ignore[call-overload]
)


class ArticleUpdate(Record):
    """A message on `articles.updates`: a partial update of an already indexed article.

    Today the only kind is an original's copy count (`copy_count`); the sink applies
    `partial` to the document `id` in the monthly index named by `timestamp` (the article's
    @timestamp), and sends an update round again (`attempts`) while its original is not
    indexed yet (the two travel on different topics and can overtake each other).
    """

    id: str
    partial: dict[str, Any]
    timestamp: datetime | None = None
    attempts: int = 0

    @classmethod
    def copy_count(cls, original_id: str, copies: int, timestamp: datetime | None) -> ArticleUpdate:
        return cls(id=original_id, partial={"dedup": {"copies": copies}}, timestamp=timestamp)

    @property
    def copies(self) -> int | None:
        """The copy count this update carries, if it is a copy-count update."""
        dedup = self.partial.get("dedup")
        value = dedup.get("copies") if isinstance(dedup, dict) else None
        return value if isinstance(value, int) else None

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()


DEAD_LETTER_RECORD_MAX = 256 * 1024  # bytes of the record's JSON a dead letter carries


class DeadLetter(Record):
    record: Any
    stage: str
    error: str
    at: datetime = Field(default_factory=utcnow)

    def to_json(self, fallback: str | None = None) -> bytes:
        """Always serialisable and bounded, whatever the record holds: ASCII JSON (a lone
        surrogate is escaped, not an error), the record cut to DEAD_LETTER_RECORD_MAX bytes
        with its size noted, and a record too deep to encode replaced by `fallback` (the
        message as received) or its type. The DLQ path must never raise on a bad record."""
        record: Any = self.record
        try:
            text = json.dumps(record, ensure_ascii=True, default=str)
        except (RecursionError, ValueError, TypeError) as exc:
            record = fallback if fallback is not None else f"<record not serialisable: {type(exc).__name__}>"
            text = json.dumps(record, ensure_ascii=True)
        if len(text) > DEAD_LETTER_RECORD_MAX:
            record = {"truncated": text[:DEAD_LETTER_RECORD_MAX], "record_bytes": len(text)}
        body = {"record": record, "stage": str(self.stage)[:200], "error": str(self.error)[:4000],
                "at": self.at.isoformat()}
        return json.dumps(body, ensure_ascii=True).encode("ascii")


class Alert(Record):
    id: str
    rule_id: str
    title: str
    severity: str = "info"
    group: str | None = None
    article_ids: list[str] = Field(default_factory=list)
    count: int = 1
    sources: list[str] = Field(default_factory=list)
    reason: str = ""
    at: datetime = Field(default_factory=utcnow)
    timestamp: datetime | None = Field(default=None, alias="@timestamp")

    def to_doc(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)
