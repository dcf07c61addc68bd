"""`khabar run` (not --once): pollers in this process, workers beside it, a live status table."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from prometheus_client.parser import text_string_to_metric_families
from rich.live import Live

from khabar.cli.livetable import render, waiting_for
from khabar.cli.supervisor import Supervisor
from khabar.logs import get_logger
from khabar.settings import Settings


async def scrape_stage_counts(ports: list[int]) -> dict[str, dict[str, float]]:
    """Sum the workers' stage counters: {"in": {stage: n}, "out": {...}, "dead": {...}},
    and {"workers": {"answered": n}}: how many of the ports answered."""
    totals: dict[str, dict[str, float]] = {"in": {}, "out": {}, "dead": {}, "workers": {"answered": 0}}
    names = {"khabar_stage_in": "in", "khabar_stage_out": "out", "khabar_dead_letters": "dead"}
    async with httpx.AsyncClient(timeout=1.0) as client:
        for port in ports:
            try:
                text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
            except httpx.HTTPError:
                continue
            totals["workers"]["answered"] += 1
            for family in text_string_to_metric_families(text):
                kind = names.get(family.name)
                if kind is None:
                    continue
                for sample in family.samples:
                    if sample.name.endswith("_total"):
                        stage = sample.labels.get("stage", "?")
                        totals[kind][stage] = totals[kind].get(stage, 0) + sample.value
    return totals


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
    started = asyncio.Event()

    def on_status(update: dict) -> None:
        status.setdefault(str(update.get("source", "?")), {}).update(update)

    def pollers_started(n: int) -> None:
        started.set()
        if on_started is not None:
            on_started(n)

    poller = asyncio.create_task(poll_forever(settings, sources, stop, on_status, pollers_started))
    try:
        if sys.stdout.isatty():
            await _draw_until(stop, supervisor, status, started)
        else:
            await _log_until(stop, supervisor, status)
    finally:
        stop.set()
        await poller


async def _draw_until(stop: asyncio.Event, supervisor: Supervisor, status: dict, started: asyncio.Event) -> None:
    empty: dict[str, dict[str, float]] = {"in": {}, "out": {}, "dead": {}}
    with Live(render(status, empty, started=False), refresh_per_second=2) as live:
        while not stop.is_set():
            supervisor.check_alive()
            stages = await scrape_stage_counts(supervisor.metrics_ports())
            live.update(render(status, stages, workers_up=stages["workers"]["answered"] > 0,
                               started=started.is_set()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)


async def _log_until(stop: asyncio.Event, supervisor: Supervisor, status: dict, every_s: float = 30.0) -> None:
    log = get_logger("khabar.run")
    while not stop.is_set():
        supervisor.check_alive()
        stages = await scrape_stage_counts(supervisor.metrics_ports())
        log.info("status", sources=len(status),
                 waiting_for=waiting_for(status, stages, datetime.now(UTC), stages["workers"]["answered"] > 0),
                 items_total=sum(int(st.get("items_total", 0) or 0) for st in status.values()),
                 stages=stages)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_s)
