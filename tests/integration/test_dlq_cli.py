"""`khabar dlq list|show|replay` against the real stack and a real worker (issue 12.4)."""

from __future__ import annotations

import json
import os

import pytest
from kafka import KafkaProducer

from khabar.models import DeadLetter, RawArticle, SourceRef
from khabar.settings import load_settings
from tests.integration.pipeline_support import Workers, khabar, search_all, wait_for

pytestmark = pytest.mark.integration


def test_list_show_and_an_idempotent_replay(isolated_env, tmp_path) -> None:
    settings = load_settings(env={**os.environ, **isolated_env})
    ok = RawArticle(id="dlq-replay-1", source=SourceRef(id="wire", name="wire"), title="قصف على ريف إدلب",
                    content="قصفت طائرات حربية بلدة في ريف إدلب الجنوبي صباح اليوم.", content_type="text")
    # a letter whose cause is gone (say, a stage bug fixed since), and one that can never replay
    fixed = DeadLetter(record=ok.model_dump(mode="json"), stage="clean", error="KeyError: 'x' (fixed since)")
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    producer.send(settings.topic("articles.dlq"), key=ok.id.encode(), value=fixed.model_dump_json().encode())
    producer.send(settings.topic("articles.raw"), key=b"junk", value=b"{not json")
    producer.flush()
    producer.close()
    workers = Workers(isolated_env, tmp_path / "logs")
    try:
        workers.start(1)

        def listed():
            proc = khabar(["dlq", "list", "--json", "--since", "1h"], isolated_env)
            assert proc.returncode == 0, proc.stderr
            rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
            return rows if len(rows) >= 2 else None

        rows = wait_for(listed, timeout=120, what=f"two dead letters; worker log:\n{workers.logs()}")
        by_stage = {r["stage"]: r for r in rows}
        assert by_stage["clean"]["id"] == ok.id and by_stage["clean"]["replay_to"] == "articles.raw"
        assert by_stage["decode"]["id"] == "junk" and by_stage["decode"]["replay_to"] is None
        only_clean = khabar(["dlq", "list", "--json", "--stage", "clean"], isolated_env).stdout.splitlines()
        assert [json.loads(x)["id"] for x in only_clean] == [ok.id]
        assert khabar(["dlq", "list", "--json", "--error", "no such text"], isolated_env).stdout.strip() == ""

        shown = khabar(["dlq", "show", ok.id], isolated_env)
        assert shown.returncode == 0, shown.stderr
        body = json.loads(shown.stdout)
        assert body["record"]["title"] == ok.title and body["replay_to"] == settings.topic("articles.raw")

        dry = json.loads(khabar(["dlq", "replay", "--dry-run"], isolated_env).stdout)
        assert dry["replayed"] == 1 and dry["skipped"][0]["stage"] == "decode"
        assert search_all(settings) == []  # a dry run sends nothing

        for _ in range(2):  # replaying twice still gives one document
            out = json.loads(khabar(["dlq", "replay", "--id", ok.id], isolated_env).stdout)
            assert out["to"] == {settings.topic("articles.raw"): 1}
        wait_for(lambda: [h for h in search_all(settings) if h["_id"] == ok.id], timeout=120,
                 what=f"the replayed article; worker log:\n{workers.logs()}")
    finally:
        workers.stop()
    hits = search_all(settings)
    assert [h["_id"] for h in hits] == [ok.id]
    assert hits[0]["_source"]["title"] == ok.title
    missing = khabar(["dlq", "show", "no-such-letter"], isolated_env)
    assert missing.returncode != 0 and "no dead letter" in missing.stderr
