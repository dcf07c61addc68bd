"""`khabar worker`: one Faust worker process with /metrics, /healthz, /readyz and alert delivery."""

from __future__ import annotations

import socket

import faust

from khabar.health.checks import assignment_check, lag_check
from khabar.health.server import Readiness
from khabar.health.service import ServiceHealth
from khabar.logs import configure_logging, get_logger
from khabar.settings import Settings
from khabar.topics import check_group_is_ours, ensure_topics

log = get_logger("khabar.cli.worker")


def track_assignment(app: faust.App, readiness: Readiness, every_s: float = 2.0) -> None:
    """Copy the consumer's partitions into `readiness` from the app's own loop (thread-safe reads)."""

    @app.timer(every_s)
    async def _assignment() -> None:
        try:
            readiness.extra["assignment"] = {(tp.topic, tp.partition) for tp in app.consumer.assignment()}
            readiness.extra["rebalancing"] = bool(getattr(app, "rebalancing", False))
        except Exception as exc:  # noqa: BLE001 - consumer not ready yet
            log.debug("assignment_unknown", error=repr(exc))


def run_worker(settings: Settings) -> None:
    from processors.alerts.channels import Dispatcher
    from processors.alerts.rules import load_rule_set
    from processors.app import create_app

    configure_logging(settings.log_format, settings.log_level, service=True)
    if settings.worker_id == "auto":  # containers: one RocksDB directory per replica
        settings.worker_id = socket.gethostname()
    # RocksDB of this app id only: another pipeline (other prefix) never opens these tables
    settings.state_dir = settings.state_dir / "workers" / settings.faust_app_id / settings.worker_id
    rule_set = load_rule_set(settings.rules_file) if settings.rules_file.exists() else None
    rules = [r for r in rule_set.rules if r.enabled] if rule_set else []
    ensure_topics(settings)
    check_group_is_ours(settings)
    app = create_app(settings, rules)
    health = ServiceHealth(settings, "worker", settings.metrics_port)
    health.add_check("consumer", assignment_check(health.readiness, settings))
    health.add_check("lag", lag_check(health.readiness, settings, health.probe))
    track_assignment(app, health.readiness)
    port = health.start().port
    if settings.metrics_port_file is not None and port is not None:
        settings.metrics_port_file.write_text(str(port))  # may differ from the asked port if taken
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
