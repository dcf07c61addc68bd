"""`khabar worker`: one Faust worker process with Prometheus metrics and alert delivery."""

from __future__ import annotations

import socket

import faust
from prometheus_client import start_http_server

from khabar.logs import configure_logging, get_logger
from khabar.settings import Settings
from khabar.topics import ensure_topics

log = get_logger("khabar.cli.worker")


def serve_metrics(port: int, host: str) -> int | None:
    """Expose metrics on `port` (or the next free one: several local workers share a host)."""
    for candidate in range(port, port + 20):
        try:
            start_http_server(candidate, addr=host)
            return candidate
        except OSError:
            continue
    log.warning("metrics_port_unavailable", tried=f"{port}-{port + 19}")
    return None


def run_worker(settings: Settings) -> None:
    from processors.alerts.channels import Dispatcher
    from processors.alerts.rules import load_rule_set
    from processors.app import create_app

    configure_logging(settings.log_format, settings.log_level, service=True)
    if settings.worker_id == "auto":  # containers: one RocksDB directory per replica
        settings.worker_id = socket.gethostname()
    settings.state_dir = settings.state_dir / "workers" / settings.worker_id
    rule_set = load_rule_set(settings.rules_file) if settings.rules_file.exists() else None
    rules = [r for r in rule_set.rules if r.enabled] if rule_set else []
    ensure_topics(settings)
    app = create_app(settings, rules)
    port = serve_metrics(settings.metrics_port, settings.metrics_host)
    log.info("worker_starting", worker=settings.worker_id, metrics_port=port, rules=len(rules),
             broker=settings.kafka_bootstrap, es=settings.es_url)

    # Built before the agents run, so no alert raised early is missed: submit() only queues.
    dispatcher = Dispatcher.from_rule_set(rule_set) if rule_set else Dispatcher({})
    app.khabar_dispatcher = dispatcher  # type: ignore[attr-defined]

    @app.task
    async def start_dispatcher() -> None:
        await dispatcher.start()

    @app.on_before_shutdown.connect
    async def stop_dispatcher(app: faust.App, **_: object) -> None:
        await dispatcher.stop(timeout=5.0)  # deliver what is queued, then close the clients

    faust.Worker(app, loglevel=settings.log_level.lower(), quiet=True).execute_from_commandline()
