"""The live table of `khabar run` in an 80-column terminal: every source, and what it waits for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.console import Console

from ingest.poller import saved_status
from ingest.state import FeedState
from khabar.cli.livetable import render, waiting_for, when

NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
NO_COUNTS = {"in": {}, "out": {}, "dead": {}}


def _text(renderable) -> str:
    console = Console(width=80, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def _saved(sid: str, **fields) -> dict:
    return saved_status(FeedState(id=sid, name=sid, **fields))


def second_run_sources() -> dict[str, dict]:
    """What a second `make run` knows before any poll: the states saved by the first."""
    return {
        "samples-seeds": _saved("samples-seeds", polls_total=3, items_total=5, items_last_poll=5,
                                last_poll=NOW - timedelta(seconds=20), next_poll=NOW + timedelta(seconds=48)),
        "a-very-long-source-identifier-from-an-opml-import": _saved(
            "a-very-long-source-identifier-from-an-opml-import", polls_total=7, error_streak=3,
            last_error="connection failed: [Errno 111] Connection refused", items_total=12,
            last_poll=NOW - timedelta(minutes=2), next_poll=NOW + timedelta(minutes=5)),
        "new-feed": _saved("new-feed"),
    }


def test_second_run_shows_every_saved_source_at_once_in_80_columns() -> None:
    sources = second_run_sources()
    sources["new-feed"]["next_poll"] = (NOW + timedelta(minutes=9)).isoformat()
    text = _text(render(sources, NO_COUNTS, now=NOW))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    row = next(line for line in lines if "samples-seeds" in line)
    assert "ok 20s ago" in row and " 5 " in row and "in 48s" in row
    failing = next(line for line in lines if "a-very-long-source" in line)
    assert "error 2m ago" in failing and " 3 " in failing and "in 5m" in failing
    assert "refused" in text  # the error wraps in its column, it is not cut
    assert "never polled" in next(line for line in lines if "new-feed" in line)
    words = " ".join(text.split())
    assert words.endswith("idle: nothing in flight; waiting for the next poll: samples-seeds in 48s; "
                          "1 source(s) failing")


def test_waiting_line_says_what_runs_or_blocks() -> None:
    sources = second_run_sources()
    assert waiting_for(sources, NO_COUNTS, NOW, started=False).startswith("waiting for the pollers")
    assert waiting_for({}, NO_COUNTS, NOW) == "no enabled sources in the feeds file"
    assert waiting_for(sources, NO_COUNTS, NOW, workers_up=False).startswith("waiting for the workers")
    # never polled (no next poll yet): it is being polled now
    assert waiting_for(sources, NO_COUNTS, NOW).startswith("polling 1 source(s): new-feed")
    del sources["new-feed"]
    busy = {"in": {"clean": 10}, "out": {"index": 6}, "dead": {"clean": 1}}
    assert waiting_for(sources, busy, NOW).startswith("workers processing 3 article(s)")


def test_when_reads_as_relative_time() -> None:
    assert when((NOW + timedelta(seconds=61)).isoformat(), NOW) == "in 1m"
    assert when((NOW - timedelta(hours=3)).isoformat(), NOW) == "3h ago"
    assert when(None, NOW) == "-"
