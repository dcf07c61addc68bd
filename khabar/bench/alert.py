"""Alert benchmark: rule evaluations/s beside a raw pass over the same articles, state size,
and webhook delivery delay through the Dispatcher beside a bare httpx POST (127.0.0.1).

Articles are the five seeds tagged by the real clean + tag stages, replicated with new ids,
outlets and fetch times (one in four marked as a copy of an earlier one), so conditions,
bursts, throttles and copy links all do real work. The end-to-end fetch -> webhook delay on
the local stack is not measured here (it needs the pollers and workers running; see
`khabar run`).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
    from processors.alert import AlertEngine

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


def run(quick: bool = False) -> dict:
    """Benchmark results as a JSON-ready dict."""
    from khabar.logs import configure_logging

    configure_logging("json", "ERROR")
    return {
        "benchmark": "alert",
        "quick": quick,
        "evaluation": _evaluation(quick),
        "delivery": asyncio.run(_delivery(quick)),
        "end_to_end_fetch_to_webhook": "not measured here: needs pollers + workers on the local stack",
        "source": str(Path(__file__).relative_to(PROJECT_ROOT)),
    }
