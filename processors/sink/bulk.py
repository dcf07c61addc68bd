"""ArticleSink: the robust bulk writer from the pipeline to Elasticsearch.

Guards against the classic bulk pitfalls (DESIGN.md §7):
- `_id` is the article id and the index follows from @timestamp, so a retry or a replay
  overwrites, never duplicates;
- every per-document result is consumed (async_streaming_bulk with raise_on_error=False,
  raise_on_exception=False); permanent rejections go to the dead-letter callback with the reason;
- transient failures (see processors.sink.errors) are retried with exponential backoff and
  jitter for as long as Elasticsearch is down: `write` returns only when every item is
  acknowledged or permanently rejected, so the caller commits its Kafka offsets only then and
  consumption pauses meanwhile (backpressure);
- batches are bounded by count and bytes; the flush interval is the caller's batching window
  (`SinkConfig.flush_interval_s`, e.g. Faust `stream.take(chunk_size, within=...)`).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from elastic_transport import SerializationError
from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_streaming_bulk

from khabar.es.docs import (
    article_index,
    article_source,
    monthly_index,
    partial_with_match,
    write_name,
)
from khabar.es.setup import installed_text_mode
from khabar.es.templates import TextMode
from khabar.logs import get_logger
from khabar.models import ArticleUpdate, DeadLetter
from khabar.settings import Settings
from processors.sink.errors import BOUNDED_STATUS, is_transient_exception, is_transient_status
from processors.sink.items import (
    IndexArticle,
    IndexDoc,
    SinkItem,
    SinkResult,
)

__all__ = ["ArticleSink", "IndexArticle", "IndexDoc", "SinkConfig", "SinkItem", "SinkResult"]

log = get_logger(__name__)
DeadLetterFn = Callable[[DeadLetter], Awaitable[None]]
STAGE = "index"


@dataclass(frozen=True)
class SinkConfig:
    chunk_size: int = 250  # documents per bulk request (several per write: see _actions)
    max_chunk_bytes: int = 5 * 1024 * 1024  # bytes per bulk request (ES accepts up to 100 MB)
    flush_interval_s: float = 1.0  # for the caller's batching window
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    max_item_retries: int = 10  # only for BOUNDED_STATUS (409, 500); outages retry for ever


@dataclass
class _Op:
    """One item on its way: the bulk action and what to report about it."""

    item: SinkItem
    id: str
    action: dict[str, Any]
    attempts: int = 0
    resolved: bool = True  # False: an update whose index is a guess (from its timestamp) or unknown
    alone: bool = False  # sent again on its own after a request-level 400 hit its whole batch

    @property
    def is_update(self) -> bool:
        return isinstance(self.item, ArticleUpdate)

    def record(self) -> Any:
        """What the dead letter carries: enough to replay the item."""
        if isinstance(self.item, IndexArticle):
            return self.item.article.to_doc()
        if isinstance(self.item, ArticleUpdate):
            return self.item.model_dump(mode="json", exclude={"attempts"})
        return {"index": self.action["_index"], "id": self.id, "doc": self.item.doc}


def _serialised_already(value: Any) -> None:
    """json.dumps' fallback: an article's `_source` may already be JSON bytes (article_source)."""
    if isinstance(value, bytes):
        return None
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _reason(status: int, error: Any) -> str:
    """One line naming the ES error type and reason (and its cause when there is one)."""
    if isinstance(error, dict):
        text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict):
            text += f" (caused by {cause.get('type')}: {cause.get('reason')})"
    else:
        text = str(error)
    return f"HTTP {status} {text}".strip()


class ArticleSink:
    """Write articles, partial updates and side documents; see the module docstring."""

    def __init__(
        self,
        client: AsyncElasticsearch,
        settings: Settings,
        dlq: DeadLetterFn,
        *,
        config: SinkConfig | None = None,
        text_mode: TextMode | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.dlq = dlq
        self.config = config or SinkConfig()
        self._text_mode = text_mode

    async def text_mode(self) -> TextMode:
        """Whether documents carry the `match.*` fallback fields (asked once, then cached)."""
        if self._text_mode is None:
            self._text_mode = await self._retrying(lambda: installed_text_mode(self.client, self.settings))
        return self._text_mode

    # -- building actions ---------------------------------------------------------------

    def _op(self, item: SinkItem, text_mode: TextMode) -> _Op:
        if isinstance(item, IndexArticle):
            a = item.article
            # "_source" is built later, in a thread, one chunk ahead of the request in flight
            action = {"_op_type": "index", "_index": article_index(self.settings, a), "_id": a.id}
            return _Op(item, a.id, action)
        if isinstance(item, ArticleUpdate):
            index = monthly_index(self.settings, item.timestamp) if item.timestamp else ""
            action = {"_op_type": "update", "_index": index, "_id": item.id,
                      "retry_on_conflict": 3, "doc": partial_with_match(item.partial, text_mode)}
            return _Op(item, item.id, action, resolved=False)
        if isinstance(item, IndexDoc):
            action = {"_op_type": "index", "_index": self.settings.index(item.index_name_suffix),
                      "_id": item.id, "_source": item.doc}
            return _Op(item, item.id, action)
        raise TypeError(f"not a sink item: {type(item).__name__}")

    # -- the write loop -------------------------------------------------------------------

    async def write(self, items: Sequence[SinkItem]) -> SinkResult:
        """Write every item; return only when each is acknowledged, rejected (DLQ) or missing."""
        result = SinkResult()
        if not items:
            return result
        mode = await self.text_mode()
        ops = [self._op(item, mode) for item in items]
        # An update without a timestamp has no index to aim at: take its article's index if the
        # article is in this batch, else find the document through the alias first.
        batch_index = {op.id: op.action["_index"] for op in ops if isinstance(op.item, IndexArticle)}
        aimless = []
        for op in ops:
            if op.is_update and not op.action["_index"]:
                if op.id in batch_index:
                    op.action["_index"] = batch_index[op.id]
                else:
                    aimless.append(op)
        pending = [op for op in ops if op.action["_index"]]
        if aimless:
            pending += await self._resolve_through_alias(aimless, result)
        while pending:
            not_found = await self._send_until_done(pending, result)
            pending = await self._resolve_through_alias(not_found, result) if not_found else []
        return result

    async def _send_until_done(self, pending: list[_Op], result: SinkResult) -> list[_Op]:
        """Bulk-send until nothing transient is left; returns updates whose document was not found."""
        not_found: list[_Op] = []
        failures_in_a_row = 0
        while pending:
            answered, unanswered, error = await self._bulk_round(pending)
            retry: list[_Op] = []
            alone: list[_Op] = []
            last_failure = str(error) if error is not None else ""
            for op, ok, info in answered:
                if ok:
                    result.indexed.append(op.id)
                    continue
                status, reason = self._failure(info)
                last_failure = reason
                if status == 400 and _request_level(info) and len(pending) > 1 and not op.alone:
                    op.alone = True  # one bad item failed the request: find it by sending each alone
                    alone.append(op)
                elif op.is_update and status == 404 and not op.resolved:
                    not_found.append(op)
                elif op.is_update and status == 404:
                    self._missing(op, result)
                elif is_transient_status(status, reason) and (
                    status not in BOUNDED_STATUS or op.attempts < self.config.max_item_retries
                ):
                    op.attempts += 1
                    retry.append(op)
                else:
                    if is_transient_status(status):
                        reason = f"gave up after {op.attempts + 1} attempts: {reason}"
                    await self._reject(op, reason, result)
            if error is not None and not is_transient_exception(error):
                if isinstance(error, SerializationError):
                    unanswered = await self._drop_unserialisable(unanswered, result)
                else:
                    raise error
            for op in alone:  # each on its own: only the guilty one is rejected
                not_found += await self._send_until_done([op], result)
            progressed = len(retry) < len(answered)
            pending = retry + unanswered  # still in the caller's order
            if not pending:
                break
            failures_in_a_row = 0 if progressed else failures_in_a_row + 1
            result.retries += 1
            delay = self._backoff(failures_in_a_row)
            log.warning(
                "sink.retrying",
                pending=len(pending),
                retry_in_s=round(delay, 2),
                attempt=failures_in_a_row,
                error=last_failure,
                es_url=self.settings.es_url,
            )
            await asyncio.sleep(delay)
        return not_found

    async def _bulk_round(
        self, pending: list[_Op]
    ) -> tuple[list[tuple[_Op, bool, dict[str, Any]]], list[_Op], BaseException | None]:
        """One pass of async_streaming_bulk; results map back to ops by position (one per action)."""
        answered: list[tuple[_Op, bool, dict[str, Any]]] = []
        try:
            async for ok, info in async_streaming_bulk(
                self.client,
                self._actions(pending),
                chunk_size=self.config.chunk_size,
                max_chunk_bytes=self.config.max_chunk_bytes,
                raise_on_error=False,
                raise_on_exception=False,
                max_retries=0,  # retries are ours: backoff with jitter, for as long as it takes
                yield_ok=True,
            ):
                answered.append((pending[len(answered)], ok, info))
        except Exception as exc:  # noqa: BLE001 - classified by the caller
            return answered, pending[len(answered):], exc
        return answered, [], None

    async def _actions(self, pending: list[_Op]) -> AsyncIterator[dict[str, Any]]:
        """The bulk actions, documents built in a worker thread one chunk ahead, so building the
        next chunk overlaps the request in flight instead of adding to it."""
        size = self.config.chunk_size
        groups = [pending[i:i + size] for i in range(0, len(pending), size)]
        ahead: asyncio.Future[None] | None = None
        try:
            for j, group in enumerate(groups):
                if ahead is None:
                    await asyncio.to_thread(self._build_sources, group)
                else:
                    await ahead
                ahead = (asyncio.ensure_future(asyncio.to_thread(self._build_sources, groups[j + 1]))
                         if j + 1 < len(groups) else None)
                for op in group:
                    yield op.action
        finally:
            if ahead is not None:
                await asyncio.wait([ahead])  # never leave a thread writing into actions

    def _build_sources(self, ops: list[_Op]) -> None:
        mode = self._text_mode or "fallback"
        for op in ops:
            if isinstance(op.item, IndexArticle) and "_source" not in op.action:
                op.action["_source"] = article_source(op.item.article, mode)

    @staticmethod
    def _failure(info: dict[str, Any]) -> tuple[int, str]:
        _op_type, detail = next(iter(info.items()))
        status = int(detail.get("status", 500))
        return status, _reason(status, detail.get("error"))

    def _backoff(self, failures_in_a_row: int) -> float:
        """Exponential backoff with jitter (half fixed, half random), capped."""
        cap = min(self.config.max_backoff_s, self.config.initial_backoff_s * 2 ** failures_in_a_row)
        return cap / 2 + random.uniform(0, cap / 2)

    async def _reject(self, op: _Op, reason: str, result: SinkResult) -> None:
        log.warning("sink.rejected", id=op.id, index=op.action["_index"], reason=reason)
        await self.dlq(DeadLetter(record=op.record(), stage=STAGE, error=reason))
        result.rejected.append((op.id, reason))

    async def _drop_unserialisable(self, ops: list[_Op], result: SinkResult) -> list[_Op]:
        """Dead-letter the documents that cannot be turned into JSON; keep the rest."""
        keep = []
        for op in ops:
            try:
                json.dumps(op.action, default=_serialised_already)
            except (TypeError, ValueError) as exc:
                await self._reject(op, f"not serialisable as JSON: {exc}", result)
            else:
                keep.append(op)
        return keep

    # -- updates whose monthly index is unknown or wrong ----------------------------------

    async def _resolve_through_alias(self, ops: list[_Op], result: SinkResult) -> list[_Op]:
        """Point updates at the index that holds their document; report the ones found nowhere."""
        found = await self._locate([op.id for op in ops])
        ready = []
        for op in ops:
            index = found.get(op.id)
            if index is None:
                self._missing(op, result)
                continue
            op.action = {**op.action, "_index": write_name(self.settings, index)}
            op.resolved = True
            ready.append(op)
        return ready

    def _missing(self, op: _Op, result: SinkResult) -> None:
        log.warning("sink.update_target_missing", id=op.id, alias=self.settings.index("articles"),
                    partial_keys=sorted(op.action.get("doc", {})))
        result.missing.append(op.id)

    async def _locate(self, ids: list[str]) -> dict[str, str]:
        """id -> concrete index, searched through the articles alias (refreshing once if needed)."""
        alias = self.settings.index("articles")
        wanted = list(dict.fromkeys(ids))

        async def search() -> dict[str, str]:
            resp = await self.client.options(ignore_status=404).search(
                index=alias, query={"ids": {"values": wanted}}, source=False, size=len(wanted),
                ignore_unavailable=True, allow_no_indices=True,
            )
            hits = resp.body.get("hits", {}).get("hits", [])
            return {hit["_id"]: hit["_index"] for hit in hits}

        found = await self._retrying(search)
        if len(found) < len(wanted):
            # just indexed but not yet refreshed? make it visible and look again
            await self._retrying(lambda: self.client.options(ignore_status=404).indices.refresh(
                index=alias, ignore_unavailable=True, allow_no_indices=True))
            found = await self._retrying(search)
        return found

    async def _retrying(self, call: Callable[[], Awaitable[Any]]) -> Any:
        """Run a single request, waiting out transient failures like the bulk loop does."""
        failures = 0
        while True:
            try:
                return await call()
            except Exception as exc:
                if not is_transient_exception(exc):
                    raise
                delay = self._backoff(failures)
                failures += 1
                log.warning("sink.retrying", retry_in_s=round(delay, 2), attempt=failures,
                            error=str(exc), es_url=self.settings.es_url)
                await asyncio.sleep(delay)



def _request_level(info: dict[str, Any]) -> bool:
    """The whole bulk request failed (the helper reports it on every item with the exception),
    as opposed to this item's own error inside a 200 response."""
    _op_type, detail = next(iter(info.items()))
    return "exception" in detail
