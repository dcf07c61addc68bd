"""Start the health port and the readiness checks of one service (worker, pollers, `khabar run`)."""

from __future__ import annotations

from khabar.health.checks import Check, Checker, base_checks
from khabar.health.kafka import KafkaProbe
from khabar.health.server import Readiness, serve
from khabar.logs import get_logger
from khabar.settings import Settings

log = get_logger("khabar.health")


class ServiceHealth:
    """The readiness state, the thread that keeps it current and the port serving it.

    Every service checks Kafka and Elasticsearch; `add_check` adds polled checks (consumer
    assignment, lag), `expect` names checks the service sets itself (e.g. "pollers").
    """

    def __init__(self, settings: Settings, service: str, port: int) -> None:
        self.settings = settings
        self.wanted_port = port
        self.port: int | None = None
        self.probe = KafkaProbe(settings)
        self.readiness = Readiness(service, [])
        self.checker = Checker(self.readiness, {}, settings.health_interval_s)
        for name, check in base_checks(settings, self.probe).items():
            self.add_check(name, check)

    def add_check(self, name: str, check: Check) -> None:
        self.checker.checks[name] = check
        self.readiness.required.append(name)

    def expect(self, name: str, detail: str = "not started yet") -> None:
        self.readiness.required.append(name)
        self.readiness.set(name, False, detail)

    def start(self) -> ServiceHealth:
        self.port = serve(self.readiness, self.wanted_port, self.settings.metrics_host)
        self.checker.start()
        log.info("health_serving", service=self.readiness.service, port=self.port,
                 paths="/metrics /healthz /readyz", checks=self.readiness.required)
        return self

    def stop(self) -> None:
        self.checker.stop()
        self.probe.close()
