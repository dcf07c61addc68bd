"""Polling: one source at a time per task, many sources at once, state-driven.

Each poll: conditional GET (or a file stamp check) → parse (in a worker thread, so a huge
feed never stalls the event loop) → entries to RawArticles → drop ids already emitted →
full text if asked → produce and wait for the broker's ack → only then remember the ids
and validators and write the feed's state. A crash between the two re-sends at most one
poll's articles (same ids, so idempotent downstream); it never loses any.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ingest.entries import entry_identity, entry_to_raw
from ingest.fetch import Fetcher, FetchError
from ingest.files import articles_from_inputs, feed_file_articles, jsonl_articles, path_stamp
from ingest.fulltext import add_fulltext
from ingest.health import FeedMetrics, HealthIndex
from ingest.parse import FeedRefused, parse_feed
from ingest.producer import ArticleSink
from ingest.schedule import backoff_delay, jittered, next_interval
from ingest.sources import Source
from ingest.state import FeedState, state_value
from khabar.errors import UserError
from khabar.logs import get_logger
from khabar.models import DeadLetter, RawArticle

log = get_logger(__name__)

StatusCallback = Callable[[dict[str, Any]], None]


class PollFailed(Exception):
    """A poll that produced nothing usable; str() is the reason recorded in feed health."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


@dataclass
class Fetched:
    """What one source gave on one poll, before filtering out what was already sent."""

    not_modified: bool = False
    articles: list[RawArticle] = field(default_factory=list)
    entries: int | None = None  # entries in the document (None: same as len(articles))
    rejects: list[DeadLetter] = field(default_factory=list)
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    problem: str | None = None
    moved_to: str | None = None
    fetch_seconds: float | None = None


@dataclass
class PollOutcome:
    source_id: str
    outcome: str  # ok | not_modified | error
    new_ids: list[str] = field(default_factory=list)
    entries: int = 0
    error: str | None = None
    http_status: int | None = None

    def status(self, state: FeedState) -> dict[str, Any]:
        """The dict handed to the live-status callback."""
        return {"source": self.source_id, "name": state.name, "outcome": self.outcome,
                "items": len(self.new_ids), "entries": self.entries, "error": self.error,
                "http_status": self.http_status, "polls": state.polls_total,
                "items_total": state.items_total, "error_streak": state.error_streak,
                "last_poll": state.last_poll.isoformat() if state.last_poll else None,
                "next_poll": state.next_poll.isoformat() if state.next_poll else None}


def saved_status(state: FeedState) -> dict[str, Any]:
    """A status dict (as PollOutcome.status) from the state read back at start: the live view
    shows every source at once, not only those polled since this start."""
    if not state.polls_total:
        outcome = "never polled"
    else:
        outcome = "error" if state.error_streak else "ok"
    return {"source": state.id, "name": state.name, "outcome": outcome, "saved": True,
            "items": state.items_last_poll, "entries": state.entries_last_poll,
            "error": state.last_error if state.error_streak else None,
            "http_status": state.http_status, "polls": state.polls_total,
            "items_total": state.items_total, "error_streak": state.error_streak,
            "last_poll": state.last_poll.isoformat() if state.last_poll else None,
            "next_poll": state.next_poll.isoformat() if state.next_poll else None}


def parse_entries(body: bytes, headers: dict[str, str], url: str, source: Source,
                  fetched_at: datetime, seen: frozenset[str] = frozenset()) -> Fetched:
    """Parse a fetched feed and convert its new entries (CPU work: runs in a worker thread).

    Entries whose id is in `seen` are counted but not converted (most of a changed feed).
    """
    try:
        parsed = parse_feed(body, headers, url, max_bytes=source.max_bytes, encoding=source.encoding)
    except FeedRefused as exc:
        raise PollFailed(f"refused: {exc}") from None
    if not parsed.entries and parsed.bozo:
        raise PollFailed(f"no entries: {parsed.problem}")
    ref = source.ref()
    notes = [f"feed problem: {parsed.problem}"] if parsed.problem else []
    notes += parsed.notes
    base = parsed.base_url or url
    fetched = Fetched(problem=parsed.problem or (None if parsed.entries else "feed has no entries"),
                      entries=len(parsed.entries))
    for entry in parsed.entries:
        try:
            if seen and entry_identity(entry, source.id, base)[0] in seen:
                continue
            fetched.articles.append(entry_to_raw(entry, ref, fetched_at, base_url=base,
                                                 feed_language=parsed.language, notes=notes))
        except Exception as exc:  # noqa: BLE001 - one odd entry must not sink the feed
            record = {"source": source.id, "feed": url,
                      "entry": {k: str(v)[:2000] for k, v in dict(entry).items()}}
            fetched.rejects.append(DeadLetter(record=record, stage="ingest",
                                              error=f"{type(exc).__name__}: {exc}"[:500]))
    return fetched


def read_local(source: Source, fetched_at: datetime) -> list[RawArticle]:
    """Articles of a `file`, `folder` or `jsonl` source (blocking I/O: worker thread)."""
    path = source.path
    if source.kind == "jsonl":
        return list(jsonl_articles(path))
    if source.kind == "file" and path.suffix.lower() not in (".txt", ".text", ".jsonl", ".ndjson"):
        return feed_file_articles(path, source.ref(), fetched_at, encoding=source.encoding)

    def skip(bad: Path, reason: str) -> None:  # one bad file must not fail every poll
        log.warning("local_file_skipped", source=source.id, file=str(bad), reason=reason[:300])

    return list(articles_from_inputs([path], skip, source=source.ref()))


class Poller:
    """Polls sources, keeps their state, sends what is new to the sink."""

    def __init__(
        self,
        sources: list[Source],
        states: dict[str, FeedState],
        sink: ArticleSink,
        fetcher: Fetcher,
        metrics: FeedMetrics | None = None,
        health: HealthIndex | None = None,
        max_concurrent: int = 64,
        rng: random.Random | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sources = sources
        self.states = states
        self.sink = sink
        self.fetcher = fetcher
        self.metrics = metrics
        self.health = health
        self.rng = rng or random.Random()
        self.now = now
        self._slots = asyncio.Semaphore(max_concurrent)

    def state_of(self, source: Source) -> FeedState:
        state = self.states.get(source.id)
        if state is None:
            state = self.states[source.id] = FeedState(id=source.id)
        state.name, state.url = source.name, source.location
        return state

    async def _fetch(self, source: Source, state: FeedState, fetched_at: datetime) -> Fetched:
        if source.kind != "feed":
            stamp = await asyncio.to_thread(path_stamp, source.path)
            if stamp == state.etag:
                return Fetched(not_modified=True, etag=stamp)
            try:
                articles = await asyncio.to_thread(read_local, source, fetched_at)
            except UserError as exc:
                raise PollFailed(str(exc)) from None
            return Fetched(articles=articles, etag=stamp)
        try:
            result = await self.fetcher.fetch(source.url, etag=state.etag, last_modified=state.last_modified,
                                              timeout=source.timeout, max_bytes=source.max_bytes)
        except FetchError as exc:
            raise PollFailed(str(exc), exc.status, exc.retry_after) from None
        if result.not_modified:
            return Fetched(not_modified=True, http_status=304, etag=result.etag or state.etag,
                           last_modified=result.last_modified or state.last_modified,
                           fetch_seconds=result.elapsed)
        fetched = await asyncio.to_thread(parse_entries, result.body, result.headers, result.url,
                                          source, fetched_at, frozenset(state.seen))
        fetched.http_status, fetched.fetch_seconds = result.status, result.elapsed
        fetched.etag, fetched.last_modified = result.etag, result.last_modified
        fetched.moved_to = result.moved_permanently_to
        return fetched

    async def poll(self, source: Source) -> PollOutcome:
        """Poll one source once; never raises for the source's own failures."""
        async with self._slots:
            return await self._poll(source)

    async def _poll(self, source: Source) -> PollOutcome:
        state = self.state_of(source)
        fetched_at = self.now()
        outcome = PollOutcome(source.id, "ok")
        fetch_seconds = None
        try:
            fetched = await self._fetch(source, state, fetched_at)
            fetch_seconds = fetched.fetch_seconds
            new = self._new_articles(state, fetched.articles)
            if new and source.fulltext and source.kind == "feed":
                new = await add_fulltext(new, source, self.fetcher)
            await self._send(new, fetched.rejects)
            if fetched.rejects and self.metrics is not None:
                self.metrics.dead_letters.labels(source.id).inc(len(fetched.rejects))
        except PollFailed as exc:
            self._failed(source, state, outcome, str(exc), exc.status, exc.retry_after)
        except Exception as exc:  # noqa: BLE001 - e.g. the broker is away: retry with backoff
            log.warning("poll failed", source=source.id, error=f"{type(exc).__name__}: {exc}")
            self._failed(source, state, outcome, f"{type(exc).__name__}: {exc}", None, None)
        else:
            self._succeeded(source, state, outcome, fetched, new)
        await self._save(state, outcome.outcome, fetch_seconds)
        return outcome

    def _new_articles(self, state: FeedState, articles: list[RawArticle]) -> list[RawArticle]:
        seen = set(state.seen)
        new = []
        for article in articles:
            if article.id not in seen:
                seen.add(article.id)
                new.append(article)
        return new

    async def _send(self, articles: list[RawArticle], rejects: list[DeadLetter]) -> None:
        if articles:
            await self.sink.send_articles(articles)
        if rejects:
            await self.sink.send_dead_letters(rejects)

    def _succeeded(self, source: Source, state: FeedState, outcome: PollOutcome,
                   fetched: Fetched, new: list[RawArticle]) -> None:
        now = self.now()
        outcome.outcome = "not_modified" if fetched.not_modified else "ok"
        outcome.new_ids = [a.id for a in new]
        entries = len(fetched.articles) if fetched.entries is None else fetched.entries
        outcome.entries = entries
        outcome.http_status = fetched.http_status
        if not fetched.not_modified:
            state.remember(outcome.new_ids, entries)
            state.entries_last_poll = entries
            state.problem = fetched.problem
            state.moved_to = fetched.moved_to
        state.etag, state.last_modified = fetched.etag, fetched.last_modified
        state.http_status = fetched.http_status
        state.last_poll = state.last_success = now
        state.items_last_poll = len(new)
        state.items_total += len(new)
        state.polls_total += 1
        state.error_streak = 0
        state.interval = next_interval(state.interval, len(new), source.min_interval, source.max_interval)
        state.next_poll = now + timedelta(seconds=jittered(state.interval, self.rng))

    def _failed(self, source: Source, state: FeedState, outcome: PollOutcome, reason: str,
                status: int | None, retry_after: float | None) -> None:
        now = self.now()
        outcome.outcome, outcome.error, outcome.http_status = "error", reason, status
        state.error_streak += 1
        state.last_poll = state.last_error_at = now
        state.last_error = reason
        state.http_status = status
        state.items_last_poll = 0
        state.polls_total += 1
        delay = backoff_delay(state.error_streak, source.min_interval, source.max_interval,
                              self.rng, retry_after)
        state.next_poll = now + timedelta(seconds=delay)

    async def _save(self, state: FeedState, outcome: str, fetch_seconds: float | None) -> None:
        try:
            await self.sink.send_state(state.id, state_value(state))
        except Exception as exc:  # noqa: BLE001 - kept in memory, written with the next poll
            log.warning("feed state not saved", source=state.id, error=f"{type(exc).__name__}: {exc}")
        if self.metrics is not None:
            self.metrics.record(state, outcome, fetch_seconds)
        if self.health is not None:
            await self.health.write(state)

    async def poll_all_once(self) -> list[PollOutcome]:
        """Every source once, concurrently (bounded); one failing source never stops the others."""
        return list(await asyncio.gather(*(self.poll(s) for s in self.sources)))

    async def run_forever(self, stop: asyncio.Event, on_status: StatusCallback | None = None,
                          grace: float = 30.0) -> None:
        """Poll each source on its own schedule until `stop` is set; in-flight polls finish."""
        if on_status is not None:
            for source in self.sources:
                on_status(saved_status(self.state_of(source)))
        tasks = [asyncio.create_task(self._source_loop(s, stop, on_status), name=f"poll:{s.id}")
                 for s in self.sources]
        if not tasks:
            await stop.wait()
            return
        await stop.wait()
        done, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for task in done:
            if task.exception() is not None:
                log.error("poll loop crashed", task=task.get_name(), error=repr(task.exception()))

    async def _source_loop(self, source: Source, stop: asyncio.Event, on_status: StatusCallback | None) -> None:
        while not stop.is_set():
            state = self.state_of(source)
            delay = 0.0
            if state.next_poll is not None:
                delay = (state.next_poll - self.now()).total_seconds()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                if stop.is_set():
                    return
            started = time.monotonic()
            try:
                outcome = await self.poll(source)
            except Exception as exc:  # noqa: BLE001 - keep polling; this is a bug worth a log line
                log.error("unexpected poll error", source=source.id, error=repr(exc))
                await asyncio.sleep(min(source.max_interval, 60.0))
                continue
            log.debug("polled", source=source.id, outcome=outcome.outcome, items=len(outcome.new_ids),
                      seconds=round(time.monotonic() - started, 3))
            if on_status is not None:
                try:
                    on_status(outcome.status(state))
                except Exception as exc:  # noqa: BLE001 - a display bug must not stop polling
                    log.warning("status callback failed", error=repr(exc))
