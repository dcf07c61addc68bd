"""`khabar feeds ...`: the configured sources and their health."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True)

FEEDS_OPTION = typer.Option(None, "--feeds", help="Feeds file (default: settings feeds_file).")


def _age(value: str | None, now: datetime) -> str:
    """'in 48s', '3m ago' (the live view's wording)."""
    from khabar.cli.livetable import when

    return when(value, now)


def health_rows(sources: list[Any], docs: dict[str, dict]) -> list[dict[str, Any]]:
    """One row per configured source (plus any with health data but no longer configured)."""
    rows = []
    for source in sources:
        doc = dict(docs.get(source.id) or {"id": source.id, "name": source.name, "url": source.location})
        doc["enabled"] = source.enabled
        rows.append(doc)
    configured = {s.id for s in sources}
    rows.extend({**doc, "enabled": None} for fid, doc in sorted(docs.items()) if fid not in configured)
    for row in rows:
        if row.get("enabled") is False:
            row["status"] = "disabled"
        elif not row.get("polls_total"):
            row["status"] = "never polled"
        elif row.get("error_streak"):
            row["status"] = f"failing ×{row['error_streak']}"
        else:
            row["status"] = "ok"
    return rows


def read_health(settings: Any) -> tuple[str, dict[str, dict]]:
    """Health docs from Elasticsearch if reachable, else built from the Kafka state topic."""
    from ingest.health import health_doc
    from ingest.state import read_states
    from khabar.errors import ServiceUnavailable

    es_error = None
    try:
        from elasticsearch import Elasticsearch, NotFoundError

        options: dict[str, Any] = {"hosts": [settings.es_url], "request_timeout": 5, "max_retries": 0}
        if settings.es_username is not None:
            options["basic_auth"] = (settings.es_username, settings.es_password or "")
        with Elasticsearch(**options) as es:
            try:
                found = es.search(index=settings.index("feeds"), size=10000, query={"match_all": {}})
                hits = found["hits"]["hits"]
                if hits:
                    return "elasticsearch", {h["_id"]: h["_source"] for h in hits}
                es_error = "no feed documents"
            except NotFoundError:
                es_error = f"index {settings.index('feeds')} missing"
    except Exception as exc:  # noqa: BLE001 - any ES problem: fall back to the state topic
        es_error = f"{type(exc).__name__}"
    try:
        states = read_states(settings, timeout=15)
    except ServiceUnavailable as exc:
        raise ServiceUnavailable(f"feed health unavailable: Elasticsearch at {settings.es_url} "
                                 f"({es_error}); {exc}") from None
    return "kafka", {fid: health_doc(s) for fid, s in states.items()}


def status_table(rows: list[dict[str, Any]], origin: str, now: datetime) -> Any:
    """The health table, readable in 80 columns: the last errors follow it one per line."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"feed health (from {origin})", expand=True, pad_edge=False,
                  caption="items: last poll/total")
    table.add_column("id", no_wrap=True, max_width=30, overflow="ellipsis")
    table.add_column("status", no_wrap=True)
    table.add_column("last ok", no_wrap=True)
    table.add_column("items", justify="right", no_wrap=True)
    table.add_column("next poll", no_wrap=True)
    style = {"ok": "green", "disabled": "dim", "never polled": "yellow"}
    errors = []
    for row in rows:
        state = row["status"] + (f" {row['http_status']}" if row.get("http_status") and row["status"] != "ok" else "")
        items = f"{row.get('items_last_poll') or 0}/{row.get('items_total') or 0}"
        table.add_row(row["id"], f"[{style.get(row['status'], 'red')}]{state}[/]",
                      _age(row.get("last_success"), now), items, _age(row.get("next_poll"), now))
        if row.get("last_error"):
            when = f" ({_age(row['last_error_at'], now)})" if row.get("last_error_at") else ""
            errors.append(Text.assemble((row["id"], "bold"), f": {row['last_error'][:300]}{when}"))
    if errors:
        errors.insert(0, Text("last errors:", style="bold red"))
    return Group(table, *errors)


@app.command()
def status(
    feeds: Path | None = FEEDS_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Feed health per source: last success, last error, items, HTTP status, next poll."""
    from rich.console import Console

    from ingest.sources import load_sources
    from khabar.cli.util import print_json
    from khabar.settings import get_settings

    settings = get_settings()
    sources = load_sources(feeds or settings.feeds_file, include_disabled=True)
    origin, docs = read_health(settings)
    rows = health_rows(sources, docs)
    if as_json:
        print_json({"from": origin, "feeds": rows})
        return
    Console().print(status_table(rows, origin, datetime.now(UTC)))


@app.command("list")
def list_sources(feeds: Path | None = FEEDS_OPTION,
                 as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Validate the feeds file and list its sources."""
    from ingest.sources import load_sources
    from khabar.cli.util import print_json
    from khabar.settings import get_settings

    sources = load_sources(feeds or get_settings().feeds_file, include_disabled=True)
    if as_json:
        print_json([s.model_dump(mode="json") for s in sources])
        return
    for s in sources:
        flags = "" if s.enabled else "  (disabled)"
        typer.echo(f"{s.id}\t{s.kind}\t{s.location}\t{s.min_interval:g}-{s.max_interval:g}s{flags}")


def _register() -> None:
    from khabar.cli.feeds_manage import add, check, import_opml

    app.command("add")(add)
    app.command("import")(import_opml)
    app.command("check")(check)


_register()
