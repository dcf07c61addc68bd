"""The live table of `khabar run`: every source, the pipeline's counts, and what it waits for.

Sources come from their saved state as soon as the pollers start (a second `make run` whose
feeds are not due for a minute still shows them all), then from each poll. The last line
says in words what the pipeline is doing or waiting for, so zeros are never a mystery.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

STAGES = ("clean", "dedup", "index")


def when(value: str | None, now: datetime) -> str:
    """'in 48s', '3m ago', '-' for an ISO time relative to now."""
    if not value:
        return "-"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    seconds = (moment - now).total_seconds()
    span = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if span >= size:
            text = f"{span // size:.0f}{unit}"
            break
    else:
        text = f"{span:.0f}s"
    if seconds > 0:
        return f"in {text}"
    return "now" if span < 1 else f"{text} ago"


def _last(st: dict[str, Any], now: datetime) -> Text:
    outcome = st.get("outcome") or "-"
    style = {"ok": "green", "not_modified": "green", "error": "red", "never polled": "yellow"}.get(outcome, "")
    text = Text(outcome.replace("not_modified", "304"), style=style)
    if st.get("last_poll"):
        text.append(f" {when(st['last_poll'], now)}")
    if st.get("error"):
        text.append(f": {st['error']}", style="red")
    return text


def sources_table(sources: dict[str, dict], now: datetime) -> Table:
    table = Table(title="sources", expand=True, pad_edge=False)
    table.add_column("source", no_wrap=True, max_width=24, overflow="ellipsis")
    table.add_column("last poll", overflow="fold", ratio=1)
    table.add_column("items", justify="right", no_wrap=True)
    table.add_column("errs", justify="right", no_wrap=True)
    table.add_column("next poll", no_wrap=True)
    for sid, st in sorted(sources.items()):
        streak = int(st.get("error_streak") or 0)
        table.add_row(sid, _last(st, now), f"{int(st.get('items_total') or 0)}",
                      Text(str(streak), style="red" if streak else ""), when(st.get("next_poll"), now))
    return table


def pipeline_table(stages: dict[str, dict[str, float]]) -> Table:
    table = Table(title="pipeline (all workers)", expand=True, pad_edge=False)
    for col in ("stage", "in", "out", "dead-lettered"):
        table.add_column(col, justify="left" if col == "stage" else "right")
    for stage in STAGES:
        table.add_row(stage, f"{stages['in'].get(stage, 0):.0f}", f"{stages['out'].get(stage, 0):.0f}",
                      f"{stages['dead'].get(stage, 0):.0f}")
    other_dead = {k: v for k, v in stages["dead"].items() if k not in STAGES}
    if other_dead:
        table.add_row("other", "", "", ", ".join(f"{k}={v:.0f}" for k, v in other_dead.items()))
    return table


def waiting_for(sources: dict[str, dict], stages: dict[str, dict[str, float]], now: datetime,
                workers_up: bool = True, started: bool = True) -> str:
    """One line: what the pipeline is doing, or what it is waiting for."""
    if not started:
        return "waiting for the pollers: reading the feed state back from Kafka"
    if not sources:
        return "no enabled sources in the feeds file"
    if not workers_up:
        return "waiting for the workers to start (their metrics port does not answer yet)"
    in_flight = stages["in"].get("clean", 0) - stages["out"].get("index", 0) - sum(stages["dead"].values())
    due = [sid for sid, st in sources.items() if not st.get("next_poll")
           or datetime.fromisoformat(st["next_poll"]) <= now]
    parts = []
    if due:
        parts.append(f"polling {len(due)} source(s): {', '.join(sorted(due)[:3])}" + (" ..." if len(due) > 3 else ""))
    if in_flight > 0:
        parts.append(f"workers processing {in_flight:.0f} article(s) (dedup, tags, then Elasticsearch)")
    if parts:
        return "; ".join(parts)
    upcoming = sorted((st["next_poll"], sid) for sid, st in sources.items() if st.get("next_poll"))
    failing = sum(1 for st in sources.values() if st.get("error_streak"))
    line = "idle: nothing in flight"
    if upcoming:
        line += f"; waiting for the next poll: {upcoming[0][1]} {when(upcoming[0][0], now)}"
    if failing:
        line += f"; {failing} source(s) failing"
    return line


def render(sources: dict[str, dict], stages: dict[str, dict[str, float]], now: datetime | None = None,
           workers_up: bool = True, started: bool = True) -> Group:
    now = now or datetime.now(UTC)
    line = waiting_for(sources, stages, now, workers_up, started)
    return Group(sources_table(sources, now), pipeline_table(stages), Text(line, style="bold"))
