"""`khabar status`: the on-call figures in an 80-column terminal (or --json), no Grafana needed.

Exit status: 0 when at least one service answers, every service found is ready and Kafka
and Elasticsearch answer, 1 otherwise (so it can serve as a check in a script or a cron job).
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import Any

import typer

WIDTH = 80


def _n(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _pairs(mapping: dict[str, Any]) -> str:
    return " ".join(f"{k}={_n(v)}" for k, v in sorted(mapping.items())) or "-"


def _s(value: Any) -> str:
    return "-" if value is None else f"{_n(value)}s"


def _wrapped(head: str, text: str) -> list[str]:
    """`head` + text, continued on indented lines instead of cut at 80 columns."""
    return textwrap.wrap(text, WIDTH, initial_indent=head, subsequent_indent=" " * 4) or [head]


def _fit(line: str) -> str:
    return line if len(line) <= WIDTH else line[: WIDTH - 1] + "…"


def render(figures: dict[str, Any], now: datetime | None = None) -> str:
    """Plain text, every line at most 80 characters."""
    now = now or datetime.now(UTC)
    lines = [f"khabar status  {now:%Y-%m-%d %H:%M:%S} UTC", ""]
    services = figures["services"]
    lines.append("services (/readyz)")
    if not services:
        lines.append("  none answering on the ports tried (is `khabar run` or a worker up?)")
    for svc in services:
        state = "ready" if svc["ready"] else "NOT READY"
        lines.append(f"  :{svc['port']:<6} {svc['service']:<8} {state}")
        for reason in svc["waiting_for"]:
            lines += _wrapped("      ", reason)
    lines += ["", f"{'pipeline':<12}{'in':>10}{'out':>10}{'dead':>10}"]
    for stage, row in figures["stages"].items():
        lines.append(f"  {stage:<10}{_n(row['in']):>10}{_n(row['out']):>10}{_n(row['dead']):>10}")
    other = {k: v for k, v in figures["dead_letters_by_stage"].items() if k not in figures["stages"]}
    if other:
        lines += _wrapped("  other dead letters: ", _pairs(other))
    e2e = figures["end_to_end"]
    lines.append(f"  fetch->indexed: n={_n(e2e['count'])} p50={_s(e2e['p50_s'])} "
                 f"p95={_s(e2e['p95_s'])} mean={_s(e2e['mean_s'])}")
    sink = figures["sink"]
    lines.append(f"  sink: bulks={_n(sink['bulks'])} docs={_n(sink['docs'])} "
                 f"mean bulk={_n(sink['mean_bulk'])} retries={_n(sink['retries'])}")
    kafka = figures["kafka"]
    lines.append("")
    if kafka.get("reachable"):
        lines.append(f"consumer lag (group {kafka['group']}): {kafka['lag_total']}")
        lines += _wrapped("  ", _pairs(kafka["lag_by_topic"]))
        lines.append(f"  dead letters kept in Kafka: {_n(kafka['dead_letters_kept'])}")
    else:
        lines.append(f"kafka: {kafka['error']}")
    feeds = figures["feeds"]
    lines += ["", *_wrapped("feeds: ", f"polls {_pairs(feeds['polls'])}, items {_n(feeds['items'])}"),
              *_wrapped("  errors by kind: ", _pairs(feeds["errors_by_kind"])),
              *_wrapped("  failing (error streak): ", _pairs(feeds["failing"]))]
    alerts = figures["alerts"]
    lines += ["", f"alerts: fired {_n(alerts['fired'])}"]
    for channel, outcomes in sorted(alerts["deliveries"].items()):
        lines += _wrapped(f"  {channel}: ", _pairs(outcomes))
    es = figures["elasticsearch"]
    lines.append("")
    if es.get("reachable"):
        lines.append(f"elasticsearch: articles {es['articles']} (originals {es['originals']}), "
                     f"alerts {es['alerts']}, feeds {es['feeds']}")
    else:
        lines.append(f"elasticsearch: {es['error']}")
    return "\n".join(_fit(line) for line in lines)


def healthy(figures: dict[str, Any]) -> bool:
    return (figures["kafka"].get("reachable", False) and figures["elasticsearch"].get("reachable", False)
            and bool(figures["services"]) and all(s["ready"] for s in figures["services"]))


def status(
    port: list[int] = typer.Option(None, "--port", help="Metrics port to scrape (repeatable); default: "
                                   "the pollers' port and the next 8 worker ports."),
    host: str = typer.Option("127.0.0.1", "--host", help="Host the services listen on."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Services' readiness, stage counts, lag, end-to-end delay, sink, feed errors, alerts, ES counts."""
    from khabar.cli.status_data import default_ports, gather
    from khabar.cli.util import print_json
    from khabar.settings import get_settings

    settings = get_settings()
    figures = gather(settings, port or default_ports(settings), host)
    if as_json:
        print_json(figures)
    else:
        typer.echo(render(figures))
    if not healthy(figures):
        raise typer.Exit(1)
