"""Alert benchmark: rule evaluations/s beside a raw pass over the same articles, state size,
and webhook delivery delay through the Dispatcher beside a bare httpx POST (127.0.0.1).

Articles are the five seeds tagged by the real clean + tag stages, replicated with new ids,
outlets and fetch times (one in four marked as a copy of an earlier one), so conditions,
bursts, throttles and copy links all do real work.

End to end (only when the local stack is up): `measure_delivery_delay` starts a real
`khabar worker`, polls a local feed of distinct Arabic articles with `khabar run --once`,
and times each webhook call at a 127.0.0.1 receiver against the article's `fetched_at`
(the poller's fetch time, carried by the alert as `@timestamp`).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from khabar.models import Alert, Article, Dedup, SourceRef
from khabar.settings import CONFIG_DIR, PROJECT_ROOT

SEEDS = PROJECT_ROOT.parent / "shared" / "corpus" / "seeds"


def _tagged_seeds() -> list[Article]:
    from ingest.files import text_article
    from processors.pipeline import clean_and_tag

    return [clean_and_tag(text_article(p)) for p in sorted(SEEDS.glob("*.txt"))]


def _stream(seeds: list[Article], n: int) -> list[Article]:
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        base = seeds[i % len(seeds)]
        dedup = Dedup(status="near_duplicate", of=f"b{i - 4}", similarity=0.8) if i % 4 == 3 else Dedup()
        out.append(base.model_copy(update={
            "id": f"b{i}", "source": SourceRef(id=f"outlet-{i % 7}"), "dedup": dedup,
            "fetched_at": t0 + timedelta(seconds=90 * i),
        }))
    return out


def _raw_pass(articles: list[Article], n_rules: int) -> float:
    """Baseline: read what any evaluator must read (tag ids, figures, text), no rule logic."""
    started = time.perf_counter()
    sink = 0
    for a in articles:
        places = {p.id for p in a.places} | {p.admin1 for p in a.places}
        actors = {x.id for x in a.actors}
        for _ in range(n_rules):
            sink += len(places) + len(actors) + len(a.event_types) + (a.casualties.killed_max or 0)
        sink += len(a.title) + len(a.body)
    return time.perf_counter() - started


def _engine_pass(articles: list[Article], rules, places) -> tuple[float, dict, int, int]:
    from processors.alerts.stage import AlertEngine

    store: dict = {}
    engine = AlertEngine(rules, store, places=places)
    fired = updated = 0
    started = time.perf_counter()
    for a in articles:
        out = engine.evaluate(a, now=a.fetched_at)
        fired += len(out.alerts)
        updated += len(out.updates)
    return time.perf_counter() - started, store, fired, updated


def _many_rules(rules, copies: int):
    """The shipped rules `copies` times over, with distinct ids (a larger rule book)."""
    return [r.model_copy(update={"id": f"{r.id}-{k}"}) for k in range(copies) for r in rules]


def _evaluation(quick: bool) -> dict:
    from processors.alerts.places import load_place_index
    from processors.alerts.rules import load_rules

    seeds = _tagged_seeds()
    articles = _stream(seeds, 400 if quick else 4000)
    places = load_place_index(CONFIG_DIR / "taxonomy")
    shipped = load_rules(CONFIG_DIR / "rules.yaml")
    results = {}
    for label, rules in (("shipped_rules", shipped), ("rules_x10", _many_rules(shipped, 10))):
        raw_s = _raw_pass(articles, len(rules))
        eng_s, store, fired, updated = _engine_pass(articles, rules, places)
        n = len(articles)
        results[label] = {
            "rules": len(rules),
            "articles": n,
            "engine": {"articles_per_s": round(n / eng_s), "rule_evaluations_per_s": round(n * len(rules) / eng_s),
                       "us_per_article": round(eng_s / n * 1e6, 1)},
            "baseline_raw_pass": {"articles_per_s": round(n / raw_s), "us_per_article": round(raw_s / n * 1e6, 1)},
            "alerts_fired": fired,
            "alert_updates": updated,
            "state_keys_at_end": len(store),
            "state_json_bytes_at_end": len(json.dumps(store, ensure_ascii=False).encode()),
        }
    return results


async def _delivery(quick: bool) -> dict:
    """submit() -> request received at a 127.0.0.1 receiver, beside a bare awaited httpx POST."""
    import httpx
    from aiohttp import web

    from processors.alerts.channels import Dispatcher, WebhookChannel

    received: dict[str, float] = {}

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        received[body["alert"]["id"]] = time.perf_counter()
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"
    n = 50 if quick else 300
    alerts = [Alert(id=f"x{i}", rule_id="r", title="t") for i in range(2 * n)]
    try:
        raw_delays = []
        async with httpx.AsyncClient() as client:
            for a in alerts[:n]:
                sent = time.perf_counter()
                await client.post(url, json={"kind": "alert", "alert": a.to_doc()})
                raw_delays.append(received[a.id] - sent)
        submitted: dict[str, float] = {}
        async with Dispatcher({"ops": WebhookChannel("ops", url)}, {"r": ["ops"]}) as dispatcher:
            for a in alerts[n:]:
                submitted[a.id] = time.perf_counter()
                dispatcher.submit(a)
                await asyncio.sleep(0.002)  # a stream, not one burst
            await dispatcher.drain(60)
        delays = [received[i] - t for i, t in submitted.items() if i in received]
    finally:
        await runner.cleanup()
    return {
        "alerts": n,
        "dispatcher_submit_to_received_ms": _stats(delays),
        "baseline_bare_httpx_post_ms": _stats(raw_delays),
    }


def _stats(values: list[float]) -> dict:
    ms = sorted(v * 1000 for v in values)
    if not ms:
        return {}
    return {"median": round(statistics.median(ms), 2), "p95": round(ms[int(0.95 * (len(ms) - 1))], 2),
            "max": round(ms[-1], 2), "n": len(ms)}


E2E_RULES = """\
channels:
  bench: {type: webhook, url_env: KHABAR_WEBHOOK_BENCH, format: json, retries: 1}
rules:
  - {id: every-arabic-article, title: Every Arabic article, condition: {language: ar}, channels: [bench]}
"""


def _reachable(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return True
    except OSError:
        return False


class _Receiver:
    """Webhook endpoint in a thread: (wall-clock receive time, body) per call."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, dict]] = []
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                calls.append((time.time(), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def alerts(self) -> list[tuple[float, dict]]:
        return [(t, b["alert"]) for t, b in self.calls if b.get("kind") == "alert"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _feed_file(path: Path, n: int, tag: str, rng: random.Random) -> None:
    """An RSS file of n distinct Arabic articles (seed vocabulary, shuffled) so none is a copy."""
    vocab = [w for p in sorted(SEEDS.glob("*.txt")) for w in p.read_text(encoding="utf-8").split()]
    now = format_datetime(datetime.now(UTC))
    items = []
    for i in range(n):
        text = f"اشتباكات في مدينة الحسكة. {' '.join(rng.sample(vocab, 120))}"
        items.append(f"<item><title>خبر {tag} رقم {i}</title><guid>{tag}-{i}</guid>"
                     f"<pubDate>{now}</pubDate><description>{escape(text)}</description></item>")
    path.write_text('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                    f"<title>bench {tag}</title>{''.join(items)}</channel></rss>", encoding="utf-8")


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _cleanup(settings, app_id: str) -> None:
    """Remove the run's topics, indices and templates (prefix-scoped)."""
    from khabar.cleanup import delete_created

    delete_created(settings, extra_topic_prefixes=(app_id,))


def measure_delivery_delay(n: int = 40, timeout: float = 300.0) -> dict:
    """Median/p95 delay from the poller's fetch to the webhook call, on the running local stack."""
    from khabar.settings import load_settings

    base = load_settings()
    if not (_reachable(base.kafka_bootstrap.split(",")[0]) and _reachable(base.es_url.split("//")[-1].rstrip("/"))):
        return {"skipped": f"local stack not reachable (Kafka {base.kafka_bootstrap}, ES {base.es_url})"}
    tag = uuid.uuid4().hex[:8]
    work = Path(tempfile.mkdtemp(prefix="khabar-bench-alert-"))
    receiver = _Receiver()
    (work / "rules.yaml").write_text(E2E_RULES, encoding="utf-8")
    env = {**os.environ, "KHABAR_TOPIC_PREFIX": f"b{tag}.", "KHABAR_INDEX_PREFIX": f"b{tag}-",
           "KHABAR_STATE_DIR": str(work / "state"), "KHABAR_FAUST_APP_ID": f"khabar-bench-{tag}",
           "KHABAR_RULES_FILE": str(work / "rules.yaml"), "KHABAR_WEBHOOK_BENCH": receiver.url,
           "KHABAR_METRICS_PORT": "19864"}
    settings = load_settings(env=env)
    cli = [sys.executable, "-m", "khabar.cli"]
    log = open(work / "worker.log", "wb")  # noqa: SIM115 - handed to the subprocess
    worker = subprocess.Popen([*cli, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    rng = random.Random(7)

    def poll(name: str, count: int) -> None:
        _feed_file(work / f"{name}.xml", count, f"{tag}{name}", rng)
        (work / f"{name}.yaml").write_text(f"sources:\n  - {{id: {name}, name: {name}, kind: file, "
                                           f"path: {work / (name + '.xml')}, language: ar}}\n", encoding="utf-8")
        subprocess.run([*cli, "run", "--once", "--no-stack", "--workers", "0", "--feeds", str(work / f"{name}.yaml"),
                        "--timeout", str(timeout)], env=env, capture_output=True, timeout=timeout + 60, check=True)

    try:
        poll("warmup", 1)  # the worker has joined its group and built its tagger
        if not _wait(lambda: len(receiver.alerts()) >= 1, timeout):
            return {"error": f"no webhook call within {timeout}s (see {work / 'worker.log'})"}
        before = len(receiver.alerts())
        poll("measured", n)
        _wait(lambda: len(receiver.alerts()) >= before + n, timeout)
        delays = [t - datetime.fromisoformat(a["@timestamp"]).timestamp() for t, a in receiver.alerts()[before:]]
        return {"articles": n, "webhook_calls": len(delays), "fetch_to_webhook_ms": _stats(delays),
                "note": "one worker; includes Kafka, clean+tag, dedup, alert and delivery"}
    except subprocess.CalledProcessError as exc:
        return {"error": f"khabar run --once failed: {exc.stderr.decode(errors='replace')[-500:]}"}
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        log.close()
        receiver.close()
        _cleanup(settings, env["KHABAR_FAUST_APP_ID"])


def run(quick: bool = False) -> dict:
    """Benchmark results as a JSON-ready dict."""
    from khabar.logs import configure_logging

    configure_logging("json", "ERROR")
    return {
        "benchmark": "alert",
        "quick": quick,
        "evaluation": _evaluation(quick),
        "delivery": asyncio.run(_delivery(quick)),
        "end_to_end_fetch_to_webhook": measure_delivery_delay(n=10 if quick else 60),
        "source": str(Path(__file__).relative_to(PROJECT_ROOT)),
    }
