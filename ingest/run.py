"""Entry points the `khabar run` command uses: poll every source once, or keep polling.

Both read the feed state back from Kafka first (so nothing already sent is sent again),
produce new RawArticles to `articles.raw`, write state to the compacted `feeds.state`
topic and feed health to Prometheus and the `khabar-feeds` index.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from ingest.fetch import Fetcher
from ingest.health import HealthIndex, default_metrics
from ingest.poller import Poller, PollOutcome
from ingest.producer import KafkaSink
from ingest.sources import Source
from ingest.state import ensure_state_topic, read_states
from khabar import topics
from khabar.logs import get_logger
from khabar.settings import Settings

log = get_logger(__name__)


@dataclass
class PollSummary:
    sources: int
    produced_ids: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "<source id>: <reason>", one per failed source
    not_modified: int = 0
    outcomes: list[PollOutcome] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sources": self.sources, "produced": len(self.produced_ids),
                "not_modified": self.not_modified, "errors": self.errors}


def summarize(outcomes: list[PollOutcome]) -> PollSummary:
    summary = PollSummary(sources=len(outcomes), outcomes=outcomes)
    for outcome in outcomes:
        summary.produced_ids.extend(outcome.new_ids)
        if outcome.outcome == "error":
            summary.errors.append(f"{outcome.source_id}: {outcome.error}")
        elif outcome.outcome == "not_modified":
            summary.not_modified += 1
    return summary


@contextlib.asynccontextmanager
async def open_poller(settings: Settings, sources: list[Source], with_health_index: bool = True,
                      per_host: int = 4) -> AsyncIterator[Poller]:
    """A Poller wired to Kafka (state read back first), ES health docs and Prometheus metrics."""
    await asyncio.to_thread(ensure_state_topic, settings)
    states = await asyncio.to_thread(read_states, settings)
    log.info("feed state read back", topic=settings.topic(topics.FEEDS_STATE), feeds=len(states))
    sink = await asyncio.to_thread(KafkaSink, settings)
    health = HealthIndex(settings) if with_health_index else None
    try:
        await asyncio.to_thread(sink.warm_up)
        async with Fetcher(per_host=per_host) as fetcher:
            yield Poller(sources, states, sink, fetcher, metrics=default_metrics(), health=health)
            await sink.flush()
    finally:
        if health is not None:
            await health.aclose()
        await asyncio.to_thread(sink.close)


async def poll_all_once(settings: Settings, sources: list[Source]) -> PollSummary:
    """Poll every source once, produce what is new, save state, flush; failures are listed."""
    async with open_poller(settings, sources) as poller:
        outcomes = await poller.poll_all_once()
    return summarize(outcomes)


async def poll_forever(
    settings: Settings,
    sources: list[Source],
    stop: asyncio.Event,
    on_status: Callable[[dict], None] | None = None,
    on_started: Callable[[int], None] | None = None,
) -> None:
    """Poll each source on its own adaptive schedule until `stop` is set.

    `on_status` gets one dict per poll: source, name, outcome (ok | not_modified | error),
    items (new this poll), entries, error, http_status, polls, items_total, error_streak,
    next_poll. `on_started(n_sources)` is called once the feed state is read back and the
    producer is connected (the pollers' readiness).
    """
    async with open_poller(settings, sources) as poller:
        if on_started is not None:
            on_started(len(sources))
        await poller.run_forever(stop, on_status)
