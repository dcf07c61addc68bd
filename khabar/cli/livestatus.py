"""`khabar run` (not --once): pollers in this process, workers beside it, a live status table."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable

import httpx
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Group
from rich.live import Live
from rich.table import Table

from khabar.cli.supervisor import Supervisor
from khabar.logs import get_logger
from khabar.settings import Settings


async def scrape_stage_counts(ports: list[int]) -> dict[str, dict[str, float]]:
    """Sum the workers' stage counters: {"in": {stage: n}, "out": {...}, "dead": {...}}."""
    totals: dict[str, dict[str, float]] = {"in": {}, "out": {}, "dead": {}}
    names = {"khabar_stage_in": "in", "khabar_stage_out": "out", "khabar_dead_letters": "dead"}
    async with httpx.AsyncClient(timeout=1.0) as client:
        for port in ports:
            try:
                text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
            except httpx.HTTPError:
                continue
            for family in text_string_to_metric_families(text):
                kind = names.get(family.name)
                if kind is None:
                    continue
                for sample in family.samples:
                    if sample.name.endswith("_total"):
                        stage = sample.labels.get("stage", "?")
                        totals[kind][stage] = totals[kind].get(stage, 0) + sample.value
    return totals


def render(sources: dict[str, dict], stages: dict[str, dict[str, float]]) -> Group:
    feeds = Table(title="sources", expand=True)
    for col in ("source", "polls", "items", "last poll", "error streak", "next poll"):
        feeds.add_column(col)
    for sid, st in sorted(sources.items()):
        last = st.get("outcome", "")
        if st.get("http_status"):
            last = f"{last} ({st['http_status']})"
        if st.get("error"):
            last = f"{last}: {st['error']}"[:60]
        feeds.add_row(sid, str(st.get("polls", 0)), str(st.get("items_total", 0)), last,
                      str(st.get("error_streak", 0)), str(st.get("next_poll", "")))
    pipe = Table(title="pipeline (all workers)", expand=True)
    for col in ("stage", "in", "out", "dead-lettered"):
        pipe.add_column(col)
    for stage in ("clean", "dedup", "index"):
        pipe.add_row(stage, f"{stages['in'].get(stage, 0):.0f}", f"{stages['out'].get(stage, 0):.0f}",
                     f"{stages['dead'].get(stage, 0):.0f}")
    other_dead = {k: v for k, v in stages["dead"].items() if k not in ("clean", "dedup", "index")}
    if other_dead:
        pipe.add_row("other", "", "", ", ".join(f"{k}={v:.0f}" for k, v in other_dead.items()))
    return Group(feeds, pipe)


async def run_forever(settings: Settings, sources: list, supervisor: Supervisor,
                      on_started: Callable[[int], None] | None = None) -> None:
    """Poll until Ctrl-C / SIGTERM, redrawing the status every second (or logging it when
    stdout is not a terminal, e.g. in a container)."""
    from ingest.run import poll_forever

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    status: dict[str, dict] = {}

    def on_status(update: dict) -> None:
        status.setdefault(str(update.get("source", "?")), {}).update(update)

    poller = asyncio.create_task(poll_forever(settings, sources, stop, on_status, on_started))
    try:
        if sys.stdout.isatty():
            await _draw_until(stop, supervisor, status)
        else:
            await _log_until(stop, supervisor, status)
    finally:
        stop.set()
        await poller


async def _draw_until(stop: asyncio.Event, supervisor: Supervisor, status: dict) -> None:
    with Live(render(status, {"in": {}, "out": {}, "dead": {}}), refresh_per_second=2) as live:
        while not stop.is_set():
            supervisor.check_alive()
            live.update(render(status, await scrape_stage_counts(supervisor.metrics_ports())))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)


async def _log_until(stop: asyncio.Event, supervisor: Supervisor, status: dict, every_s: float = 30.0) -> None:
    log = get_logger("khabar.run")
    while not stop.is_set():
        supervisor.check_alive()
        stages = await scrape_stage_counts(supervisor.metrics_ports())
        log.info("status", sources=len(status),
                 items_total=sum(int(st.get("items_total", 0) or 0) for st in status.values()),
                 stages=stages)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_s)
