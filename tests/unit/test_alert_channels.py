"""Delivery: a real webhook receiver on 127.0.0.1 gets the payload; dead, failing and hanging
receivers never stall evaluation (their own queue fills and drops its oldest items)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from aiohttp import web
from structlog.testing import capture_logs

from khabar.models import Alert
from processors.alerts.channels import Delivery, Dispatcher, LogChannel, WebhookChannel, slack_text
from processors.alerts.rules import Rule, load_rule_set
from processors.alerts.stage import AlertEngine
from tests.unit.test_alert_support import PLACES, T0, make_article, place


def make_alert(n: int = 1, rule_id: str = "r1", severity: str = "critical") -> Alert:
    return Alert(id=f"alert-{n}", rule_id=rule_id, title="Deaths in Idlib", severity=severity,
                 group="sy-idlib", article_ids=[f"a{n}"], count=1, sources=["enab"],
                 reason="killed 12 >= 10; places: sy-idlib <- \"أريحا\"")


class Receiver:
    """A real HTTP server on 127.0.0.1 that records requests; `mode` decides the answer."""

    def __init__(self, mode: str = "ok", fail_first: int = 0) -> None:
        self.mode, self.fail_first = mode, fail_first
        self.requests: list[dict] = []
        self.release = asyncio.Event()
        self.got = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append({"json": body, "headers": dict(request.headers)})
        self.got.set()
        if self.mode == "hang":
            await self.release.wait()
        if self.mode == "bad-request":
            return web.Response(status=400)
        if len(self.requests) <= self.fail_first:
            return web.Response(status=503, headers={"Retry-After": "0"})
        return web.json_response({"ok": True})

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *exc) -> None:
        self.release.set()
        await self.runner.cleanup()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"  # nothing listens here any more


async def test_webhook_receiver_gets_the_alert_document():
    async with Receiver() as rx:
        hook = WebhookChannel("ops", rx.url, token="s3cret")
        async with Dispatcher({"ops": hook}, {"r1": ["ops"]}) as dispatcher:
            dispatcher.submit(make_alert())
            assert await dispatcher.drain(10)
        [req] = rx.requests
        assert req["json"]["kind"] == "alert"
        doc = req["json"]["alert"]
        assert doc["id"] == "alert-1" and doc["rule_id"] == "r1" and doc["severity"] == "critical"
        assert doc["reason"].endswith('"أريحا"') and "@timestamp" in doc
        assert req["headers"]["Authorization"] == "Bearer s3cret"
        assert dispatcher.stats()["ops"] == {"delivered": 1, "failed": 0, "dropped": 0, "queued": 0}


async def test_slack_format_posts_text():
    async with Receiver() as rx:
        async with Dispatcher({"chat": WebhookChannel("chat", rx.url, format="slack")}, {"r1": ["chat"]}) as d:
            d.submit(make_alert())
            assert await d.drain(10)
    assert list(rx.requests[0]["json"]) == ["text"]
    text = rx.requests[0]["json"]["text"]
    assert text.startswith("[CRITICAL] Deaths in Idlib (sy-idlib): killed 12 >= 10")
    assert text.endswith("1 report(s) from enab")


async def test_failing_endpoint_is_retried_with_backoff_then_succeeds():
    async with Receiver(fail_first=2) as rx:
        hook = WebhookChannel("ops", rx.url, retries=3, backoff_base=0.01)
        async with Dispatcher({"ops": hook}, {"r1": ["ops"]}) as d:
            d.submit(make_alert())
            assert await d.drain(10)
    assert len(rx.requests) == 3
    assert d.stats()["ops"]["delivered"] == 1 and d.stats()["ops"]["failed"] == 0


async def test_client_errors_are_not_retried():
    async with Receiver(mode="bad-request") as rx:
        hook = WebhookChannel("ops", rx.url, retries=3, backoff_base=0.01)
        with capture_logs() as logs:
            async with Dispatcher({"ops": hook}, {"r1": ["ops"]}) as d:
                d.submit(make_alert())
                assert await d.drain(10)
    assert len(rx.requests) == 1
    assert d.stats()["ops"]["failed"] == 1
    assert any(e["event"] == "alert_delivery_failed" and e["error"] == "HTTP 400" for e in logs)


async def test_updates_go_only_to_channels_that_want_them():
    async with Receiver() as rx:
        channels = {"ops": WebhookChannel("ops", rx.url), "audit": WebhookChannel("audit", rx.url, wants_updates=True)}
        async with Dispatcher(channels, {"r1": ["ops", "audit"]}) as d:
            d.submit(make_alert(), update=True)
            assert await d.drain(10)
    assert [r["json"]["kind"] for r in rx.requests] == ["update"]
    assert d.stats()["audit"]["delivered"] == 1 and d.stats()["ops"]["delivered"] == 0


async def test_log_channel_writes_a_structured_line():
    with capture_logs() as logs:
        await LogChannel().send(Delivery(make_alert(severity="warning")))
    [line] = logs
    assert line["event"] == "alert" and line["log_level"] == "warning"
    assert line["rule"] == "r1" and line["alert_id"] == "alert-1" and line["sources"] == ["enab"]


class Recorder:
    """An always-working channel, to see that other channels keep flowing."""

    name, wants_updates = "rec", True

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def send(self, delivery: Delivery) -> None:
        self.seen.append(delivery.alert.id)

    async def aclose(self) -> None:
        return None


@pytest.mark.parametrize("receiver_mode", ["hang", "dead"])
async def test_a_dead_or_hanging_receiver_does_not_stall_evaluation(receiver_mode):
    rule = Rule.model_validate({"id": "r1", "title": "deaths", "condition": {"killed_min": 1}})
    engine = AlertEngine([rule], {}, places=PLACES)
    recorder = Recorder()
    async with Receiver(mode="hang") as rx:
        url = rx.url if receiver_mode == "hang" else closed_port_url()
        hook = WebhookChannel("ops", url, timeout=30, retries=5, backoff_base=5)
        dispatcher = Dispatcher({"ops": hook, "rec": recorder}, {"r1": ["ops", "rec"]}, queue_size=10)
        await dispatcher.start()
        evaluated = 0
        for i in range(200):  # the stream keeps going: evaluate, hand over, yield to the loop
            out = engine.evaluate(make_article(f"a{i}", killed=5, places=[place("town-ariha")]), now=T0)
            for a in out.alerts:
                dispatcher.submit(a)
            evaluated += 1
            await asyncio.sleep(0)
        assert await dispatcher.drain(0.0) is False  # the webhook is still busy with its first alert
        await asyncio.wait_for(dispatcher.lanes["rec"].queue.join(), 60)  # the healthy lane drains
        stats = dispatcher.stats()
        await dispatcher.stop(timeout=0)
    assert evaluated == 200
    assert len(recorder.seen) == 200  # the healthy channel got every alert meanwhile
    assert stats["ops"]["delivered"] == 0
    assert stats["ops"]["queued"] <= 10
    assert stats["ops"]["dropped"] >= 189  # drop-oldest kept the queue bounded
    if receiver_mode == "hang":
        assert rx.requests  # the hanging receiver did get the first POST


async def test_hanging_receiver_times_out_and_the_failure_is_counted():
    async with Receiver(mode="hang") as rx:
        hook = WebhookChannel("ops", rx.url, timeout=0.2, retries=1, backoff_base=0.01)
        async with Dispatcher({"ops": hook}, {"r1": ["ops"]}) as d:
            d.submit(make_alert())
            assert await d.drain(10)
    assert len(rx.requests) == 2  # first try + one retry, each cut off by the time limit
    assert d.stats()["ops"] == {"delivered": 0, "failed": 1, "dropped": 0, "queued": 0}


async def test_queue_full_drops_the_oldest_and_logs():
    from prometheus_client import REGISTRY

    def dropped_metric() -> float:
        return REGISTRY.get_sample_value("khabar_alert_deliveries_total",
                                         {"channel": "full", "outcome": "dropped"}) or 0.0

    before = dropped_metric()
    hook = WebhookChannel("full", closed_port_url())
    d = Dispatcher({"ops": hook}, {"r1": ["ops"]}, queue_size=3)  # not started: nothing drains
    with capture_logs() as logs:
        for n in range(5):
            d.submit(make_alert(n))
    queued = [d.lanes["ops"].queue.get_nowait().alert.id for _ in range(3)]
    assert queued == ["alert-2", "alert-3", "alert-4"]
    assert d.stats()["ops"]["dropped"] == 2
    assert [e["event"] for e in logs] == ["alert_queue_full"]  # one line, not one per drop
    assert dropped_metric() - before == 2
    await hook.aclose()


async def test_dispatcher_from_rules_file_reads_urls_from_the_environment(tmp_path: Path, monkeypatch):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "channels:\n"
        "  ops: {type: webhook, url_env: KHABAR_TEST_HOOK, format: slack, token_env: KHABAR_TEST_TOKEN}\n"
        "  pager: {type: webhook, url_env: KHABAR_TEST_UNSET}\n"
        "rules:\n"
        "  - {id: r1, title: deaths, condition: {killed_min: 1}, channels: [log, ops, pager]}\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("KHABAR_TEST_UNSET", raising=False)
    async with Receiver() as rx:
        monkeypatch.setenv("KHABAR_TEST_HOOK", rx.url)
        monkeypatch.setenv("KHABAR_TEST_TOKEN", "tok")
        with capture_logs() as logs:
            d = Dispatcher.from_rule_set(load_rule_set(path))
        assert set(d.lanes) == {"log", "ops"}  # pager skipped: its URL is not set
        assert any(e["event"] == "alert_channel_disabled" and e["channel"] == "pager" for e in logs)
        async with d:
            d.submit(make_alert())
            assert await d.drain(10)
    assert rx.requests[0]["json"] == {"text": slack_text(make_alert())}
    assert rx.requests[0]["headers"]["Authorization"] == "Bearer tok"
