"""The sink stage as the stream sees it: a batch of messages from `articles.enriched`,
`articles.updates` and `alerts` in, Elasticsearch writes out.

The Faust sink agent (processors/app.py) only takes batches and hands them here, so the whole
Elasticsearch write path lives in this package: decoding the three message kinds
(`decode_message`), keeping copy counts from going down (copies.py), the bulk writer with its
retries and dead letters (bulk.py, errors.py), and sending an update round again when it
overtook its original (`StreamSink.write_messages`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pydantic import ValidationError

from khabar import topics
from khabar.logs import get_logger
from khabar.models import Alert, Article, ArticleUpdate
from khabar.settings import Settings
from processors.sink.bulk import ArticleSink, DeadLetterFn
from processors.sink.copies import keep_highest_copies
from processors.sink.items import IndexArticle, IndexDoc, SinkItem, SinkResult

log = get_logger("khabar.processors.sink")

# The topics the sink agent reads (DESIGN.md §2), without the prefix.
SINK_TOPICS: tuple[str, ...] = (topics.ENRICHED, topics.UPDATES, topics.ALERTS)
# How often an update whose original is not indexed yet is sent round again before it is
# logged and dropped (the original is then lost or dead-lettered, so there is nothing to update).
UPDATE_ATTEMPTS = 30


@dataclass(frozen=True)
class SinkMessage:
    """One consumed message: the topic's full name, its key and its raw value."""

    topic: str
    key: bytes | None
    value: bytes


class UndecodableMessage(ValueError):
    """A message on a sink topic that is not a valid Article, ArticleUpdate or Alert."""


def decode_message(settings: Settings, message: SinkMessage) -> SinkItem:
    """Turn one enriched / update / alert message into a sink item."""
    try:
        if message.topic == settings.topic(topics.ENRICHED):
            item: SinkItem = IndexArticle(Article.model_validate_json(message.value))
            doc_id = item.article.id
        elif message.topic == settings.topic(topics.UPDATES):
            item = ArticleUpdate.model_validate_json(message.value)
            doc_id = item.id
        else:
            alert = Alert.model_validate_json(message.value)
            item, doc_id = IndexDoc("alerts", alert.id, alert.to_doc()), alert.id
    except (ValidationError, ValueError, RecursionError) as exc:
        raise UndecodableMessage(f"{type(exc).__name__}: {str(exc)[:500]}") from None
    check_doc_id(doc_id)
    return item


MAX_ID_BYTES = 512  # Elasticsearch refuses a longer _id, failing the whole bulk request


def check_doc_id(doc_id: str) -> None:
    """A document id Elasticsearch accepts, or UndecodableMessage (dead-lettered alone)."""
    size = len(doc_id.encode("utf-8", "surrogatepass"))
    if not 0 < size <= MAX_ID_BYTES or doc_id.startswith("_"):
        raise UndecodableMessage(f"document id of {size} bytes{' starting with _' if doc_id.startswith('_') else ''}: "
                                 f"Elasticsearch takes 1 to {MAX_ID_BYTES} bytes, not starting with _")


RejectFn = Callable[[SinkMessage, str], Awaitable[None]]
RequeueFn = Callable[[ArticleUpdate], Awaitable[None]]


class StreamSink:
    """Write batches of stream messages to Elasticsearch (see the module docstring)."""

    def __init__(self, client, settings: Settings, dlq: DeadLetterFn, reject: RejectFn,
                 requeue: RequeueFn) -> None:
        self.client = client
        self.settings = settings
        self.bulk = ArticleSink(client, settings, dlq)
        self.reject = reject  # an undecodable message: dead-lettered by the caller
        self.requeue = requeue  # an update that overtook its original: sent round again

    async def write_messages(self, messages: list[SinkMessage]) -> tuple[list[SinkItem], SinkResult]:
        """Decode, write, and requeue; returns the items written and the sink's answer."""
        items: list[SinkItem] = []
        for message in messages:
            try:
                items.append(decode_message(self.settings, message))
            except UndecodableMessage as exc:
                await self.reject(message, str(exc))
        if not items:
            return items, SinkResult()
        items = await keep_highest_copies(self.client, self.settings, items)
        result = await self.bulk.write(items)
        await self._requeue_missing(items, result.missing)
        return items, result

    async def _requeue_missing(self, items: list[SinkItem], missing: list[str]) -> None:
        missing_ids = set(missing)
        for item in items:
            if isinstance(item, ArticleUpdate) and item.id in missing_ids:
                if item.attempts + 1 >= UPDATE_ATTEMPTS:
                    log.warning("update_dropped", id=item.id, partial=item.partial, attempts=item.attempts + 1)
                    continue
                await self.requeue(item.model_copy(update={"attempts": item.attempts + 1}))


