"""Dedup state survives kill -9 and restores from Kafka on a machine with an empty state dir.

The worker logs one record per article to `dedup.fingerprints` and keeps its index locally
(processors/dedup/log.py); a new worker rebuilds the index from that topic.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from kafka import KafkaProducer

from khabar import topics
from khabar.models import RawArticle, SourceRef, utcnow
from khabar.settings import load_settings
from tests.integration.pipeline_support import Workers, read_topic, search_all, wait_for

pytestmark = pytest.mark.integration


def _raws(seeds_dir: Path, outlet: str) -> list[RawArticle]:
    now = utcnow()
    return [RawArticle(id=f"{outlet}-{p.stem}", url=f"https://{outlet}.khabar.invalid/{p.stem}",
                       source=SourceRef(id=outlet, name=outlet, language="ar", country="SY"),
                       title=p.stem, content=p.read_text(encoding="utf-8"), content_type="text",
                       language="ar", published_at=now, fetched_at=now)
            for p in sorted(seeds_dir.glob("*.txt"))]


def _send(settings, raws: list[RawArticle]) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    try:
        for raw in raws:
            producer.send(settings.topic(topics.RAW), key=raw.id.encode(), value=raw.model_dump_json().encode())
        producer.flush()
    finally:
        producer.close()


def test_copies_are_found_by_a_new_worker_after_kill_9_and_an_empty_state_dir(
        isolated_env, tmp_path, seeds_dir) -> None:
    settings = load_settings(env={**os.environ, **isolated_env})
    originals, copies = _raws(seeds_dir, "first"), _raws(seeds_dir, "second")
    first = Workers(isolated_env, tmp_path / "logs-first")
    try:
        first.start(1)
        _send(settings, originals)
        wait_for(lambda: len(search_all(settings)) == len(originals), timeout=240,
                 what=f"the originals indexed; worker log:\n{first.logs()}")
    finally:
        for proc in first.procs:  # no clean shutdown: kill -9
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    shutil.rmtree(isolated_env["KHABAR_STATE_DIR"])  # another machine: nothing local survives

    # the whole dedup state log: one compact record per article (no copy was counted yet)
    logged = read_topic(settings, topics.FINGERPRINTS)
    assert {v["id"] for _, v in logged} == {r.id for r in originals}
    assert len(logged) == len(originals)

    second = Workers(isolated_env, tmp_path / "logs-second")
    try:
        second.start(1)
        _send(settings, copies)
        docs = wait_for(lambda: (lambda d: len(d) == 2 * len(originals) and d)(
            [h["_source"] for h in search_all(settings)]), timeout=240,
            what=f"the copies indexed; worker log:\n{second.logs()}")
        by_id = {d["id"]: d for d in docs}
        for original, copy in zip(originals, copies, strict=True):
            assert by_id[original.id]["dedup"]["status"] == "original"
            assert by_id[copy.id]["dedup"]["status"] == "duplicate"
            assert by_id[copy.id]["dedup"]["of"] == original.id
        wait_for(lambda: all(h["_source"]["dedup"]["copies"] == 1 for h in search_all(settings)
                             if h["_source"]["id"] in {r.id for r in originals}),
                 timeout=60, what="each original's copy counted")
        assert "state_rebuilt" in second.logs(tail=None)  # the whole log: alerts may follow it
    finally:
        second.stop()
