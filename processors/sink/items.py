"""What the sink is asked to write, and what it answers (the interface the Faust agents use)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from khabar.models import Article, ArticleUpdate


@dataclass(frozen=True)
class IndexArticle:
    """Index (or replace) a whole article in its monthly index; `_id` = article id."""

    article: Article


@dataclass(frozen=True)
class IndexDoc:
    """Index a document into `<prefix><index_name_suffix>` (e.g. "alerts", "feeds")."""

    index_name_suffix: str
    id: str
    doc: dict[str, Any]


# ArticleUpdate (khabar.models) is the `articles.updates` message itself: a partial update of an
# indexed article, e.g. {"dedup": {"copies": 3}}. Without a timestamp, or if the document is
# not in the month it names, the sink finds the document through the alias; an update whose
# document exists nowhere is reported in `SinkResult.missing`, not raised.
SinkItem = IndexArticle | ArticleUpdate | IndexDoc


@dataclass
class SinkResult:
    """Outcome of one `write`: every item is in exactly one of the three lists."""

    indexed: list[str] = field(default_factory=list)  # ids acknowledged by Elasticsearch
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (id, reason), sent to the DLQ
    missing: list[str] = field(default_factory=list)  # updates whose document exists nowhere
    retries: int = 0  # bulk rounds repeated because of transient errors
