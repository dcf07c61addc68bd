"""`khabar feeds add | import | check`: feeds by the hundred, each probed before it is trusted."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from khabar.errors import UserError

FEEDS_OPTION = typer.Option(None, "--feeds", help="Feeds file (default: settings feeds_file).")
DRY_RUN = typer.Option(False, "--dry-run", help="Probe and print the entries; do not change the feeds file.")


def _feeds_path(feeds: Path | None) -> Path:
    from khabar.settings import get_settings

    path = feeds or get_settings().feeds_file
    if not path.exists():
        raise UserError(f"{path}: no such feeds file")
    return path


def _entry(probe: Any, sid: str, name: str | None, url: str, category: str | None = None) -> dict[str, Any]:
    """The typed feeds.yaml entry for a probed URL (validated as a Source)."""
    from ingest.sources import Source

    entry: dict[str, Any] = {"id": sid, "name": name or probe.title or sid, "url": url}
    if probe.language:
        entry["language"] = probe.language
    if probe.encoding_detected and probe.encoding:
        entry["encoding"] = probe.encoding  # undeclared charset: pin what was detected
    if not probe.ok:
        entry["enabled"] = False
    if category:
        entry["tags"] = [category]
    try:
        Source.model_validate(entry)
    except ValueError as exc:
        err = exc.errors()[0] if hasattr(exc, "errors") else {"loc": (), "msg": str(exc)}
        where = ".".join(str(p) for p in err["loc"])
        raise UserError(f"{url}: not a valid feeds entry: {where + ': ' if where else ''}{err['msg']}") from None
    return entry


def _comment(probe: Any) -> str:
    if probe.ok:
        return f"probed: {probe.items} items, {probe.encoding or '?'}, language {probe.language or '?'}"
    return f"probe failed ({probe.error}): disabled until fixed"


def _add_urls(path: Path, wanted: list[tuple[str, str | None, str | None]], dry_run: bool,
              sid: str | None = None, keep_failed: bool = True) -> list[dict[str, Any]]:
    """Probe new URLs and append them (failed ones disabled, or left out); one report per URL."""
    from ingest.sources import Source, load_sources
    from khabar.cli.feedprobe import normalise_url, run_probes, source_id
    from khabar.cli.feedsfile import append_entries, entry_text, write_validated

    existing = load_sources(path, include_disabled=True)
    known = {normalise_url(s.url): s.id for s in existing if s.url}
    taken = {s.id for s in existing}
    reports: list[dict[str, Any]] = []
    fresh: list[tuple[str, str | None, str | None]] = []
    for url, name, category in wanted:
        key = normalise_url(url)
        if key in known:
            reports.append({"url": url, "action": "skipped", "reason": f"already in the feeds file as {known[key]}"})
            continue
        known[key] = "(this list)"
        fresh.append((url, name, category))
    try:
        targets = [Source(id=f"probe-{i}", url=url) for i, (url, _, _) in enumerate(fresh)]
    except ValueError as exc:
        raise UserError(f"not a feed URL: {exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc}") from None
    probes = run_probes(targets)
    blocks = []
    for (url, name, category), probe in zip(fresh, probes, strict=True):
        new_id = sid if sid and sid not in taken else source_id(name or probe.title, url, taken)
        entry = _entry(probe, new_id, name, url, category)
        if not probe.ok and not keep_failed:
            reports.append({"url": url, "action": "refused", "id": new_id, "probe": probe.to_json()})
            continue
        taken.add(new_id)
        blocks.append((entry, _comment(probe)))
        reports.append({"url": url, "action": "added" if probe.ok else "added disabled",
                        "id": new_id, "probe": probe.to_json(), "entry": entry})
    if blocks:
        text = append_entries(path.read_text(encoding="utf-8"), blocks)
        if dry_run:
            sys.stdout.write("".join("\n" + entry_text(e, "  ", c) for e, c in blocks))
        else:
            write_validated(path, text)
    return reports


def _print_reports(reports: list[dict[str, Any]], dry_run: bool) -> None:
    verb = "would be " if dry_run else ""
    for r in reports:
        if r["action"] == "skipped":
            typer.echo(f"skipped  {r['url']}: {r['reason']}", err=True)
        else:
            p = r["probe"]
            detail = f"{p['items']} items, {p['encoding'] or '?'}, {p['language'] or '?'}" if p["ok"] else p["error"]
            typer.echo(f"{verb}{r['action']:<14} {r['id']}  {r['url']}  ({detail})", err=True)


def add(
    url: str = typer.Argument(..., help="Feed URL (RSS, Atom or JSON Feed)."),
    sid: str | None = typer.Option(None, "--id", help="Source id (default: from the feed title or host)."),
    name: str | None = typer.Option(None, "--name", help="Display name (default: the feed title)."),
    feeds: Path | None = FEEDS_OPTION,
    dry_run: bool = DRY_RUN,
) -> None:
    """Probe URL once and append it to the feeds file (comments kept); a known URL is skipped."""
    path = _feeds_path(feeds)
    reports = _add_urls(path, [(url, name, None)], dry_run, sid=sid, keep_failed=False)
    report = reports[0]
    if report["action"] == "refused":
        raise UserError(f"{url}: probe failed, not added: {report['probe']['error']}")
    _print_reports(reports, dry_run)


def import_opml(
    opml: Path = typer.Argument(..., help="OPML subscription list."),
    feeds: Path | None = FEEDS_OPTION,
    dry_run: bool = DRY_RUN,
) -> None:
    """Probe every feed of an OPML file and append the new ones (failing ones disabled)."""
    import listparser

    path = _feeds_path(feeds)
    if not opml.exists():
        raise UserError(f"{opml}: no such file")
    result = listparser.parse(opml.read_text(encoding="utf-8-sig", errors="replace"))
    if not result.feeds:
        problem = f": {result.bozo_exception}" if result.get("bozo") else ""
        raise UserError(f"{opml}: no feeds found in the OPML{problem}")
    wanted = []
    for feed in result.feeds:
        category = "-".join(feed.categories[0]) if feed.get("categories") and feed.categories[0] else None
        tag = category.lower().replace(" ", "-") if category else None
        wanted.append((feed.url, feed.get("title") or None, tag))
    reports = _add_urls(path, wanted, dry_run)
    _print_reports(reports, dry_run)
    counts = {a: sum(r["action"] == a for r in reports) for a in ("added", "added disabled", "skipped")}
    typer.echo(f"{len(reports)} feeds: {counts['added']} added, {counts['added disabled']} added disabled "
               f"(probe failed), {counts['skipped']} already present" + (" (dry run)" if dry_run else ""),
               err=True)


def check_table(probes: list[Any], width: int | None = None) -> Any:
    """The `feeds check` table (fits 80 columns: long errors wrap in their column)."""
    from rich.table import Table

    table = Table(title="feeds check", expand=False, pad_edge=False)
    table.add_column("id", no_wrap=True, max_width=22, overflow="ellipsis")
    table.add_column("status", no_wrap=True)
    table.add_column("items", justify="right")
    table.add_column("encoding", no_wrap=True, max_width=12, overflow="ellipsis")
    table.add_column("lang", no_wrap=True)
    table.add_column("error", overflow="fold")
    for p in probes:
        status = f"[green]ok {p.status}[/]" if p.ok else f"[red]FAIL {p.status}[/]"
        table.add_row(p.id, status, str(p.items), p.encoding or "-", p.language or "-", p.error or "")
    return table


def check(
    feeds: Path | None = FEEDS_OPTION,
    as_json: bool = typer.Option(False, "--json", help="One JSON document instead of the table."),
) -> None:
    """Poll every enabled source once: status, items, encoding, language, errors; exit 1 if any fails."""
    from rich.console import Console

    from ingest.sources import load_sources
    from khabar.cli.feedprobe import run_probes
    from khabar.cli.util import print_json

    sources = load_sources(_feeds_path(feeds))
    probes = run_probes(sources)
    failed = [p for p in probes if not p.ok]
    if as_json:
        print_json({"feeds": [p.to_json() for p in probes], "failed": len(failed)})
    else:
        console = Console()
        console.print(check_table(probes))
        console.print(f"{len(probes) - len(failed)} ok, {len(failed)} failing")
    if failed:
        raise typer.Exit(1)
