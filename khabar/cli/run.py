"""`khabar run`, `khabar process`, `khabar worker`: the commands that move articles."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import typer

from khabar import topics
from khabar.errors import ServiceUnavailable, UserError
from khabar.settings import get_settings


def _load_rules(settings):
    from processors.alerts.rules import load_rules

    return load_rules(settings.rules_file) if settings.rules_file.exists() else []


def run(
    once: bool = typer.Option(False, "--once", help="Poll every source once, drain the pipeline, print a JSON summary, exit."),
    feeds: Path | None = typer.Option(None, "--feeds", help="Feeds file (default: config/feeds.yaml)."),
    ingest_only: bool = typer.Option(False, "--ingest-only", help="Only the pollers (workers run elsewhere, e.g. docker compose)."),
    workers: int = typer.Option(1, "--workers", min=0, help="Worker processes to start beside the pollers."),
    no_stack: bool = typer.Option(False, "--no-stack", help="Do not start the local stack (use KHABAR_KAFKA_BOOTSTRAP / KHABAR_ES_URL as they are)."),
    timeout: float = typer.Option(300.0, "--timeout", help="--once: seconds to wait for the pipeline to drain."),
) -> None:
    from ingest.sources import load_sources
    from khabar.cli.supervisor import Supervisor
    from khabar.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    sources = load_sources(feeds or settings.feeds_file)  # bad config fails here with file:line
    if not no_stack and _is_local(settings):
        from khabar.stack import stack_up

        stack_up()
    from khabar.topics import ensure_topics

    ensure_topics(settings)
    _es_setup(settings)
    supervisor = Supervisor(settings, 0 if ingest_only else workers)
    failed_once = False
    try:
        supervisor.start_workers()
        if once:
            summary = _run_once(settings, sources, supervisor, timeout)
            typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
            if summary["dead_lettered"]:
                print(f"khabar: {summary['dead_lettered']} article(s) dead-lettered; see them with "
                      f"`khabar dlq list --since {_since_arg(summary['seconds'])}`, replay after a fix "
                      "with `khabar dlq replay`", file=sys.stderr)
                failed_once = True
        else:
            from khabar.cli.livestatus import run_forever

            health = _start_health(settings, supervisor, ingest_only)

            def pollers_started(n: int) -> None:
                health.readiness.set("pollers", True, f"{n} sources scheduled, feed state read back")

            try:
                asyncio.run(run_forever(settings, sources, supervisor, on_started=pollers_started))
            finally:
                health.stop()
    finally:
        supervisor.stop_workers()
    if failed_once:
        raise typer.Exit(1)


def _since_arg(seconds: float) -> str:
    """A `--since` that covers this run's letters (its duration plus a margin), in minutes."""
    return f"{int(seconds // 60) + 2}m"


def _start_health(settings, supervisor, ingest_only: bool):
    """/metrics, /healthz, /readyz of the pollers (and, for `khabar run`, of its local workers)."""
    from khabar.health.checks import workers_check
    from khabar.health.service import ServiceHealth

    health = ServiceHealth(settings, "ingest" if ingest_only else "run", settings.ingest_metrics_port)
    health.expect("pollers", "feed state not read back yet")
    if not ingest_only:
        health.add_check("workers", workers_check(supervisor.metrics_ports))
    return health.start()


def _is_local(settings) -> bool:
    return settings.kafka_bootstrap.startswith(("127.0.0.1", "localhost"))


def _es_setup(settings) -> dict:
    from khabar.es.client import make_client
    from khabar.es.setup import ensure_setup

    async def go() -> dict:
        client = make_client(settings)
        try:
            return await ensure_setup(client, settings)
        finally:
            await client.close()

    from elastic_transport import ConnectionError as ESConnectionError
    from elastic_transport import ConnectionTimeout

    try:
        return asyncio.run(go())
    except (ESConnectionError, ConnectionTimeout):
        raise ServiceUnavailable(f"Elasticsearch not reachable at {settings.es_url}") from None


def _run_once(settings, sources, supervisor, timeout: float) -> dict:
    from ingest.run import poll_all_once
    from khabar.cli.drain import dlq_end_offsets, wait_drained, wait_idle

    started = time.monotonic()
    since = datetime.now(UTC)
    dlq_start = dlq_end_offsets(settings)
    poll = asyncio.run(poll_all_once(settings, sources))
    ids = list(dict.fromkeys(poll.produced_ids))
    indexed, dead = wait_drained(settings, ids, since, dlq_start, timeout_s=timeout,
                                 on_progress=lambda *_: supervisor.check_alive())
    errors = list(poll.errors)
    if not wait_idle(settings, topics.IN_FLIGHT_TOPICS, timeout_s=min(timeout, 120.0)):
        errors.append("partial updates (copy counts, alerts) still in flight when the workers stopped")
    missing = set(ids) - indexed - dead
    if missing:
        errors.append(f"{len(missing)} article(s) neither indexed nor dead-lettered after {timeout:.0f}s "
                      f"(see {supervisor.log_dir})")
    return {
        "sources": poll.sources,
        "produced": len(ids),
        "indexed": len(indexed),
        "dead_lettered": len(dead),
        "errors": errors,
        "seconds": round(time.monotonic() - started, 2),
    }


def process(
    files: list[Path] = typer.Argument(..., help="Plain .txt articles, RSS/Atom files, or .jsonl of RawArticle."),
    fmt: str = typer.Option("jsonl", "--format", help="Output format: jsonl (one Article per line)."),
    rules: bool = typer.Option(True, "--rules/--no-rules", help="Evaluate alert rules (config/rules.yaml)."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad input (default: skip it, go on, exit 1)."),
    max_bytes: int = typer.Option(10 * 1024 * 1024, "--max-bytes", min=1,
                                  help="Refuse an input file larger than this (default: the poller's 10 MiB)."),
) -> None:
    from ingest.files import articles_from_inputs
    from processors.pipeline import OfflinePipeline

    if fmt != "jsonl":
        raise UserError(f"unknown --format {fmt!r} (supported: jsonl)")
    for path in files:
        if not path.exists():
            raise UserError(f"{path}: no such file")
    settings = get_settings()
    pipeline = OfflinePipeline(rules=_load_rules(settings) if rules else [],
                               window_days=settings.dedup_window_days)

    skipped: list[Path] = []

    def skip(path: Path, reason: str) -> None:
        print(f"khabar: skipped {path}: {reason}", file=sys.stderr)
        skipped.append(path)
        if strict:
            raise typer.Exit(1)

    def raws():
        yield from articles_from_inputs(files, skip, max_bytes=max_bytes)

    articles, failures = pipeline.run(raws())
    for article in articles:
        sys.stdout.write(json.dumps(article.to_doc(), ensure_ascii=False) + "\n")
    for raw, err in failures:
        print(f"khabar: {getattr(raw, 'id', '?')}: {err.stage} failed: {err.reason}", file=sys.stderr)
    if skipped:
        print(f"khabar: {len(skipped)} input(s) skipped, {len(articles)} article(s) written", file=sys.stderr)
    if skipped or (failures and not articles):
        raise typer.Exit(1)


def worker() -> None:
    from khabar.cli.worker import run_worker

    run_worker(get_settings())
