"""Alerts end to end on the real local stack: a feed article -> Kafka -> Faust worker (alert
stage) -> `alerts` topic, `alerts` index, the article's `alerts` field, and a webhook call
to a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from khabar.settings import PROJECT_ROOT, load_settings
from tests.integration.pipeline_support import Workers, es, khabar, read_topic, search_all, wait_for

pytestmark = pytest.mark.integration

SAMPLE_FEED = PROJECT_ROOT / "config" / "samples" / "seeds-feed.xml"

RULES = """\
channels:
  hook:
    type: webhook
    url_env: KHABAR_WEBHOOK_E2E
    format: json
rules:
  - id: deaths-100
    title: A hundred or more killed
    severity: critical
    condition: {killed_min: 100}
    channels: [log, hook]
  - id: chemical
    title: Chemical weapon
    condition:
      any: [{event_types: [chemical_weapon]}, {terms: ["غاز السارين"]}]
    channels: [log, hook]
"""


class Receiver:
    """A real webhook endpoint (http.server in a thread) recording JSON bodies."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                outer.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _feeds(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(f"sources:\n  - id: seeds\n    name: seeds\n    kind: file\n    path: {SAMPLE_FEED}\n"
                    "    language: ar\n    country: SY\n", encoding="utf-8")
    return path



def test_a_feed_article_raises_an_alert_on_the_topic_in_the_index_and_at_the_webhook(isolated_env, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    with Receiver() as receiver:
        env = {**isolated_env, "KHABAR_RULES_FILE": str(rules), "KHABAR_WEBHOOK_E2E": receiver.url}
        settings = load_settings(env={**os.environ, **env})
        workers = Workers(env, tmp_path / "logs")
        try:
            workers.start(1)  # kept running, so background delivery is not cut short
            proc = khabar(["run", "--once", "--feeds", str(_feeds(tmp_path)), "--workers", "0",
                           "--timeout", "240"], env, timeout=420)
            assert proc.returncode == 0, f"{proc.stderr[-3000:]}\n{workers.logs()}"
            summary = json.loads(proc.stdout)
            assert summary["indexed"] == 5 and summary["errors"] == [], summary

            # the webhook got both alerts as JSON documents
            def delivered() -> set[str]:
                return {b["alert"]["rule_id"] for b in receiver.bodies} >= {"deaths-100", "chemical"}
            wait_for(delivered, timeout=120, what=f"webhook deliveries\n{workers.logs()}")
            by_rule = {b["alert"]["rule_id"]: b for b in receiver.bodies}
            assert by_rule["deaths-100"]["kind"] == "alert"
            assert "killed 287 >= 100" in by_rule["deaths-100"]["alert"]["reason"]

            # the alerts topic (key = rule id) and the alerts index
            topic = wait_for(lambda: [v for k, v in read_topic(settings, "alerts") if k in ("deaths-100", "chemical")],
                             timeout=60, what="alerts on the topic")
            assert {v["rule_id"] for v in topic} == {"deaths-100", "chemical"}

            def indexed_alerts() -> list[dict]:
                client = es(settings)
                try:
                    client.indices.refresh(index=settings.index("alerts*"), ignore_unavailable=True)
                    res = client.search(index=settings.index("alerts"), query={"match_all": {}},
                                        ignore_unavailable=True)
                    return [h["_source"] for h in res["hits"]["hits"]]
                finally:
                    client.close()

            docs = wait_for(indexed_alerts, timeout=60, what="alerts in the index")
            assert {d["rule_id"] for d in docs} == {"deaths-100", "chemical"}
            assert by_rule["deaths-100"]["alert"]["id"] in {d["id"] for d in docs}

            # the article documents say which rules they fired
            fired = {tuple(h["_source"].get("alerts") or []) for h in search_all(settings)}
            assert ("deaths-100",) in fired or any("deaths-100" in f for f in fired)
            assert any("chemical" in f for f in fired)
        finally:
            workers.stop()  # the isolated_env fixture deletes the topics and indices
