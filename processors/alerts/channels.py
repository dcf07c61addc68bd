"""Alert delivery in the background: webhook and log channels behind bounded queues.

Evaluation must never wait for delivery: `Dispatcher.submit` is a plain (non-async) call
that puts the alert on each of its channels' queues and returns. Each channel has its own
queue and worker task, so a dead or hanging webhook only delays itself. A full queue drops
its OLDEST item (the newest alert is the one an analyst needs), counts it and logs it.
Webhooks: JSON POST (the alert document, or a Slack-compatible `{"text": ...}`), a hard
time limit per attempt, retries with exponential backoff and full jitter on network errors,
408/429/5xx (honouring Retry-After up to the cap); other 4xx are not retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from prometheus_client import Counter, Histogram

from khabar.logs import get_logger
from khabar.models import Alert
from processors.alerts.rules import ChannelSpec, RuleSet

log = get_logger("khabar.alerts")

DELIVERIES = Counter("khabar_alert_deliveries_total", "Alert deliveries by channel and outcome",
                     ["channel", "outcome"])  # outcome: delivered | failed | dropped
DELIVERY_SECONDS = Histogram("khabar_alert_delivery_seconds", "Submit -> delivered, per channel", ["channel"],
                             buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
_LOG_EVERY_N_DROPS = 100


def secret_from_env(name: str) -> str | None:
    """Webhook URLs and tokens are secrets: read through khabar.settings, from the environment only."""
    from khabar.settings import secret

    return secret(name)


@dataclass
class Delivery:
    alert: Alert
    update: bool = False  # a count update of an alert delivered before
    submitted: float = field(default_factory=time.monotonic)


class Channel(Protocol):
    name: str
    wants_updates: bool

    async def send(self, delivery: Delivery) -> None: ...

    async def aclose(self) -> None: ...


class DeliveryFailed(Exception):
    pass


class LogChannel:
    """Alerts as structured log lines (warning for warning, error for critical)."""

    def __init__(self, name: str = "log", wants_updates: bool = True) -> None:
        self.name, self.wants_updates = name, wants_updates

    async def send(self, delivery: Delivery) -> None:
        a = delivery.alert
        level = {"critical": "error", "warning": "warning"}.get(a.severity, "info")
        getattr(log, level)("alert_update" if delivery.update else "alert", alert_id=a.id, rule=a.rule_id,
                            title=a.title, severity=a.severity, group=a.group, count=a.count,
                            sources=a.sources, reason=a.reason)

    async def aclose(self) -> None:
        return None


def slack_text(alert: Alert, update: bool = False) -> str:
    """One readable line for chat tools."""
    head = f"[{alert.severity.upper()}] {alert.title}"
    where = f" ({alert.group})" if alert.group else ""
    if update:
        return f"{head}{where}: now {alert.count} reports from {len(alert.sources)} sources"
    return f"{head}{where}: {alert.reason} - {alert.count} report(s) from {', '.join(alert.sources)}"


class WebhookChannel:
    """JSON POST to a URL, with a hard per-attempt time limit and jittered exponential retries."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        format: str = "json",
        timeout: float = 5.0,
        retries: int = 3,
        token: str | None = None,
        wants_updates: bool = False,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
    ) -> None:
        self.name, self.url, self.format = name, url, format
        self.timeout, self.retries, self.wants_updates = timeout, retries, wants_updates
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        headers = {"User-Agent": "khabar-alerts/0.1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout), headers=headers,
                                         follow_redirects=False)

    def payload(self, delivery: Delivery) -> dict[str, Any]:
        if self.format == "slack":
            return {"text": slack_text(delivery.alert, delivery.update)}
        return {"kind": "update" if delivery.update else "alert", "alert": delivery.alert.to_doc()}

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.backoff_cap)
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**attempt))

    async def send(self, delivery: Delivery) -> None:
        body = self.payload(delivery)
        error = ""
        for attempt in range(self.retries + 1):
            retry_after = None
            try:
                # wait_for bounds the whole exchange: a server trickling bytes cannot hold us
                response = await asyncio.wait_for(self._client.post(self.url, json=body), self.timeout)
            except (httpx.TransportError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}".rstrip(": ")
            else:
                if response.status_code < 300:
                    return
                error = f"HTTP {response.status_code}"
                if response.status_code not in _RETRY_STATUS:
                    break
                retry_after = _retry_after(response.headers.get("Retry-After"))
            if attempt < self.retries:
                await asyncio.sleep(self._backoff(attempt, retry_after))
        raise DeliveryFailed(error)

    async def aclose(self) -> None:
        await self._client.aclose()


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


@dataclass
class LaneStats:
    delivered: int = 0
    failed: int = 0
    dropped: int = 0


class _Lane:
    """One channel's bounded queue and worker."""

    def __init__(self, channel: Channel, size: int) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[Delivery] = asyncio.Queue(maxsize=size)
        self.stats = LaneStats()
        self.task: asyncio.Task | None = None
        self.delays: list[float] = []  # submit -> delivered, seconds (last 1000)

    def put(self, delivery: Delivery) -> None:
        if self.queue.full():
            dropped = self.queue.get_nowait()
            self.queue.task_done()
            self.stats.dropped += 1
            DELIVERIES.labels(self.channel.name, "dropped").inc()
            if self.stats.dropped % _LOG_EVERY_N_DROPS == 1:
                log.warning("alert_queue_full", channel=self.channel.name, dropped_total=self.stats.dropped,
                            dropped_alert=dropped.alert.id, queue_size=self.queue.maxsize)
        self.queue.put_nowait(delivery)

    async def work(self) -> None:
        while True:
            delivery = await self.queue.get()
            try:
                await self.channel.send(delivery)
                delay = time.monotonic() - delivery.submitted
                self.stats.delivered += 1
                self.delays = [*self.delays[-999:], delay]
                DELIVERIES.labels(self.channel.name, "delivered").inc()
                DELIVERY_SECONDS.labels(self.channel.name).observe(delay)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a failed delivery is logged and counted, never fatal
                self.stats.failed += 1
                DELIVERIES.labels(self.channel.name, "failed").inc()
                log.warning("alert_delivery_failed", channel=self.channel.name,
                            alert_id=delivery.alert.id, error=str(exc) or type(exc).__name__)
            finally:
                self.queue.task_done()


class Dispatcher:
    """Routes alerts to their rules' channels; delivery runs in background tasks.

    Use as `async with Dispatcher(...) as d: d.submit(alert)`, or start()/stop().
    """

    def __init__(
        self,
        channels: Mapping[str, Channel],
        routes: Mapping[str, Sequence[str]] | None = None,
        queue_size: int | Mapping[str, int] = 1000,
        default_route: Sequence[str] = ("log",),
    ) -> None:
        sizes = queue_size if isinstance(queue_size, Mapping) else {}
        default_size = queue_size if isinstance(queue_size, int) else 1000
        self.lanes = {name: _Lane(ch, sizes.get(name, default_size)) for name, ch in channels.items()}
        self.routes = {rule: list(names) for rule, names in (routes or {}).items()}
        self.default_route = list(default_route)

    def submit(self, alert: Alert, update: bool = False) -> None:
        """Queue the alert on its rule's channels and return at once (never blocks)."""
        for name in self.routes.get(alert.rule_id, self.default_route):
            lane = self.lanes.get(name)  # a webhook without its URL is not built: skip it
            if lane is not None and (not update or lane.channel.wants_updates):
                lane.put(Delivery(alert, update))

    async def start(self) -> None:
        for lane in self.lanes.values():
            if lane.task is None:
                lane.task = asyncio.create_task(lane.work(), name=f"alert-channel-{lane.channel.name}")

    async def drain(self, timeout: float) -> bool:
        """Wait until every queue is empty and idle; False if `timeout` passed first."""
        try:
            await asyncio.wait_for(asyncio.gather(*(lane.queue.join() for lane in self.lanes.values())), timeout)
            return True
        except TimeoutError:
            return False

    async def stop(self, timeout: float = 5.0) -> None:
        """Deliver what is queued within `timeout`, then cancel the workers and close clients."""
        await self.drain(timeout)
        for lane in self.lanes.values():
            if lane.task is not None:
                lane.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await lane.task
                lane.task = None
            await lane.channel.aclose()

    async def __aenter__(self) -> Dispatcher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def stats(self) -> dict[str, dict[str, int]]:
        return {name: {**vars(lane.stats), "queued": lane.queue.qsize()} for name, lane in self.lanes.items()}

    def delays(self, channel: str) -> list[float]:
        """Recent submit -> delivered times (seconds) of one channel."""
        return list(self.lanes[channel].delays)

    @classmethod
    def from_rule_set(cls, rule_set: RuleSet, **channel_options: Any) -> Dispatcher:
        """Channels and routes from a rules file; webhooks whose URL variable is unset are skipped."""
        channels: dict[str, Channel] = {}
        sizes: dict[str, int] = {}
        for name, spec in rule_set.channels.items():
            channel = build_channel(name, spec, **channel_options)
            if channel is not None:
                channels[name] = channel
                sizes[name] = spec.queue_size
        routes = {r.id: r.channels for r in rule_set.rules if r.enabled}
        return cls(channels, routes, queue_size=sizes)


def build_channel(name: str, spec: ChannelSpec, **options: Any) -> Channel | None:
    """A channel from its spec, or None (with a warning) when its URL is not in the environment."""
    if spec.type == "log":
        return LogChannel(name)
    url = secret_from_env(spec.url_env or "")
    if not url:
        log.warning("alert_channel_disabled", channel=name, reason=f"{spec.url_env} is not set")
        return None
    token = secret_from_env(spec.token_env) if spec.token_env else None
    return WebhookChannel(name, url, format=spec.format, timeout=spec.timeout.total_seconds(),
                          retries=spec.retries, token=token, wants_updates=spec.updates, **options)
