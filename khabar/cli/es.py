"""`khabar es setup`, `khabar kibana import`, `khabar search` (heavy imports inside the commands)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

es_app = typer.Typer(no_args_is_help=True)
kibana_app = typer.Typer(no_args_is_help=True)


@es_app.callback()
def _es_group() -> None:
    """Elasticsearch templates and indices."""


@kibana_app.callback()
def _kibana_group() -> None:
    """Kibana dashboards."""


async def _with_client(work):
    from elastic_transport import ConnectionError, ConnectionTimeout

    from khabar.errors import ServiceUnavailable
    from khabar.es.client import make_client
    from khabar.settings import get_settings

    settings = get_settings()
    client = make_client(settings)
    try:
        return await work(client, settings)
    except (ConnectionError, ConnectionTimeout) as exc:
        raise ServiceUnavailable(f"Elasticsearch not reachable at {settings.es_url}: {exc}") from None
    finally:
        await client.close()


@es_app.command("setup")
def setup_command() -> None:
    """Install index templates (and ILM policies where supported); prints a JSON report."""
    from khabar.cli.util import print_json
    from khabar.es.setup import ensure_setup
    from khabar.logs import configure_logging
    from khabar.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    print_json(asyncio.run(_with_client(ensure_setup)))


@kibana_app.command("import")
def kibana_import(
    url: str = typer.Option(..., "--url", help="Kibana base URL, e.g. http://127.0.0.1:5601"),
    space: str = typer.Option(None, "--space", help="Kibana space id (default space if omitted)."),
    file: Path = typer.Option(None, "--file", help="NDJSON to import (default config/kibana/khabar.ndjson)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace objects that already exist "
                                   "(an analyst's edits to the khabar dashboard are lost)."),
) -> None:
    """Load the khabar data views, dashboard and saved search through Kibana's saved-objects API.

    Objects that already exist are kept as they are (an analyst may have edited them) unless
    --overwrite is given; new objects are always added.
    """
    from khabar.cli.util import print_json
    from khabar.kibana.importer import SAVED_OBJECTS, import_saved_objects
    from khabar.settings import get_settings

    result = import_saved_objects(url, get_settings(), space=space, path=file or SAVED_OBJECTS,
                                  overwrite=overwrite)
    print_json({"success": result.get("success"), "imported": result.get("successCount"),
                "kept": len(result["kept"]), "overwrite": overwrite, "url": url, "space": space or "default"})


def search(
    query: str = typer.Argument(..., help="Search terms (Arabic or any language); '*' for everything."),
    since: str = typer.Option(None, "--since", help="Only articles newer than this, e.g. 24h, 7d."),
    place: str = typer.Option(None, "--place", help="Only articles tagged with this place (name, English name or id)."),
    actor: str = typer.Option(None, "--actor", help="Only articles tagged with this actor."),
    event_type: str = typer.Option(None, "--type", help="Only articles of this event type, e.g. air_drone_strike."),
    tag: list[str] = typer.Option(None, "--tag", help="KIND=VALUE, any tag kind (places, actors, persons ...), "
                                  "value an id or a name; repeatable, all must hold. E.g. --tag persons=بوتين."),
    limit: int = typer.Option(20, "--limit", min=1, max=10000, help="At most this many results."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Search indexed originals (duplicates are folded into their original)."""
    from khabar.cli.util import print_json
    from khabar.es.search import parse_since, search_originals

    if since:
        parse_since(since)  # a bad duration is an error before any connection
    tags = _parse_tags(tag or [])

    async def work(client, settings):
        return await search_originals(client, settings, query, since=since, place=place, actor=actor,
                                      event_type=event_type, tags=tags, limit=limit, with_body=as_json)

    hits = asyncio.run(_with_client(work))
    if as_json:
        print_json(hits)
        return
    _print_table(hits)


def _parse_tags(values: list[str]) -> dict[str, str]:
    """`--tag KIND=VALUE` options as {kind: value}; an unknown kind is a usage error."""
    from khabar.tagkinds import tag_kind

    out: dict[str, str] = {}
    for item in values:
        kind, sep, value = item.partition("=")
        if not sep or not value.strip():
            raise typer.BadParameter(f"{item!r}: expected KIND=VALUE, e.g. persons=بوتين", param_hint="--tag")
        try:
            out[tag_kind(kind.strip()).field] = value.strip()
        except KeyError as exc:
            raise typer.BadParameter(str(exc.args[0]), param_hint="--tag") from None
    return out


def _print_table(hits: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    from khabar.es.search import tags_line

    table = Table(show_lines=False)
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("source")
    table.add_column("title")
    table.add_column("tags")
    table.add_column("copies", justify="right")
    for doc in hits:
        when = (doc.get("@timestamp") or "")[:16].replace("T", " ")
        source = doc.get("source", {}).get("name") or doc.get("source", {}).get("id", "")
        copies = str(doc.get("dedup", {}).get("copies", 0))
        table.add_row(when, source, doc.get("title", ""), tags_line(doc), copies)
    console = Console()
    console.print(table)
    console.print(f"{len(hits)} result(s)", style="dim")


def reindex(
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON (no progress bar)."),
) -> None:
    """Rebuild the article indices with the current mappings (run `khabar es setup` first) while
    ingestion goes on: copy each monthly index into a new one, then switch the aliases."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from khabar.cli.util import print_json
    from khabar.es.reindex import reindex_articles

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   disable=as_json)
    tasks: dict[str, int] = {}

    def on_start(indices: list[str]) -> None:
        for name in indices:
            tasks[name] = bar.add_task(name, total=None)

    def progress(index: str, done: int, total: int) -> None:
        bar.update(tasks[index], completed=done, total=total or None)

    async def work(client, settings):
        with bar:
            return await reindex_articles(client, settings, progress, on_start)

    report = asyncio.run(_with_client(work))
    if as_json:
        print_json(report.as_dict())
        return
    for r in report.indices:
        typer.echo(f"{r.source} -> {r.target}: {r.copied} copied, {r.caught_up} written meanwhile; "
                   f"{r.month_alias} and {report.alias} now point at it")
    if not report.indices:
        typer.echo(f"no indices behind {report.alias}: nothing to rebuild")
