"""The fast fault cases, run by `make test` on the shared stack (the slow ones: `make faults`).

Each streams articles, injects a fault half-way and requires 0 lost, 0 duplicated and every
dead letter explained (tests/faults/harness.py).
"""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime

import pytest

from khabar.settings import load_settings
from tests.faults.harness import run_scenario
from tests.integration.pipeline_support import es, search_all

pytestmark = pytest.mark.integration


def test_kill_9_of_the_worker_mid_stream(isolated_env, tmp_path) -> None:
    settings = load_settings(env={**os.environ, **isolated_env})

    def kill_and_restart(workers) -> None:
        for proc in workers.procs:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        workers.start(1, metrics_port=19564)

    report = run_scenario("kill9", settings, isolated_env, tmp_path / "kill9", kill_and_restart, n=200)
    assert (report.lost, report.duplicated, report.unexplained) == (0, 0, 0), report
    assert report.indexed == 200 and report.dead_lettered == 0, report


def test_a_write_block_on_the_index_loses_nothing(isolated_env, tmp_path) -> None:
    settings = load_settings(env={**os.environ, **isolated_env})

    def block_for_a_while(workers) -> None:
        client = es(settings)
        try:
            pattern = settings.index("articles-*")
            client.indices.put_settings(index=pattern, settings={"index.blocks.write": True})
            time.sleep(15)
            client.indices.put_settings(index=pattern, settings={"index.blocks.write": False})
        finally:
            client.close()

    report = run_scenario("block", settings, isolated_env, tmp_path / "block", block_for_a_while, n=200)
    assert (report.lost, report.duplicated, report.unexplained) == (0, 0, 0), report
    assert report.indexed == 200 and report.dead_lettered == 0, report


def test_garbage_interleaved_with_good_articles(isolated_env, tmp_path) -> None:
    """Items 2 and 5 of issue 12: each bad record is dead-lettered with a reason (or, for a
    broken date, indexed with the fetch time); none costs a good article."""
    from khabar.models import RawArticle, SourceRef, utcnow

    settings = load_settings(env={**os.environ, **isolated_env})

    def raw(key: str, **kw) -> tuple[bytes, bytes]:
        base = {"id": key, "source": SourceRef(id="junk"), "title": "عنوان", "content": "نص قصير عن حلب.",
                "content_type": "text", "fetched_at": utcnow()}
        return key.encode(), RawArticle(**(base | kw)).model_dump_json().encode()

    extras = [
        (b"garbage-deep", b'{"id": "garbage-deep", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
        (b"garbage-surrogate", b'{"id": "garbage-surrogate", "source": {"id": "s"}, "title": "\\ud800"}'),
        raw("garbage-empty", title="", content="<p> </p>", content_type="html"),
        raw("garbage-1900", published_at=datetime(1900, 1, 1, tzinfo=UTC)),
        raw("garbage-big", content="خبر طويل جدا " * 30_000),  # 390k characters, under 1 MB of JSON
    ]
    report = run_scenario("garbage", settings, isolated_env, tmp_path / "garbage", lambda workers: None,
                          n=100, extra=extras)
    assert (report.lost, report.duplicated, report.unexplained) == (0, 0, 0), report
    assert report.dead_lettered == 3, report  # deep, surrogate, empty; 1900 and big are indexed
    assert report.indexed == 102, report
    docs = {h["_id"]: h["_source"] for h in search_all(settings, size=1000)}
    assert docs["garbage-1900"]["published_at"] == docs["garbage-1900"]["fetched_at"]
    assert any("out of range" in n for n in docs["garbage-1900"]["notes"])
    assert "[… truncated:" in docs["garbage-big"]["body"]
    assert not [i for i in es(settings).cat.indices(format="json") if "1900" in i["index"]]
