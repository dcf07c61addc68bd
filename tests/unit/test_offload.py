"""The clean agent's batch function and its helper processes (processors/offload.py)."""

from __future__ import annotations

import asyncio
import json
import os
import signal

from khabar.models import Article, RawArticle
from processors.offload import CRASH_STAGE, CleanProcesses
from processors.pipeline import Failed, clean_and_tag, clean_and_tag_batch

BODY = "قصفت طائرات حربية مدينة إدلب صباح اليوم، ما أدى إلى مقتل خمسة مدنيين وإصابة آخرين بجروح."


def _raw(i: int, body: str = BODY, title: str | None = None) -> bytes:
    raw = RawArticle(id=f"t-{i}", source={"id": "test"}, url=f"https://example.org/{i}",
                     title=f"خبر {i}" if title is None else title,
                     content=body, content_type="text", fetched_at="2026-12-01T10:00:00Z")
    return raw.model_dump_json(by_alias=True).encode()


def test_batch_gives_the_same_article_as_the_stage_chain_and_keeps_order():
    values = [_raw(i) for i in range(3)]
    results = clean_and_tag_batch(values)
    assert [r[0] for r in results] == ["t-0", "t-1", "t-2"]
    expected = clean_and_tag(RawArticle.model_validate_json(values[1]))
    got = Article.model_validate_json(results[1][1])
    assert got.model_dump(exclude={"processed_at"}) == expected.model_dump(exclude={"processed_at"})
    assert [p.id for p in got.places], "the tagger ran: Idlib is tagged"
    from processors.dedup.stage import dedup_text
    from processors.dedup.text import decode_fingerprint, fingerprint

    assert decode_fingerprint(results[1][2]) == fingerprint(dedup_text(got))


def test_batch_names_the_stage_of_each_failure_and_goes_on():
    results = clean_and_tag_batch([b"not json", json.dumps({"id": "x"}).encode(), _raw(7, body=" ", title=""),
                                   _raw(8)])
    assert isinstance(results[0], Failed) and results[0].stage == "decode"
    assert isinstance(results[1], Failed) and "RawArticle" in results[1].reason
    assert isinstance(results[2], Failed) and results[2].stage == "clean"
    assert results[3][0] == "t-8"


def test_helper_process_gives_the_inline_result():
    values = [_raw(i) for i in range(5)] + [b"{"]
    helpers = CleanProcesses(1)
    try:
        got = asyncio.run(helpers.run(values))
    finally:
        helpers.close()
    inline = clean_and_tag_batch(values)
    assert [r if isinstance(r, Failed) else r[0] for r in got] == [r if isinstance(r, Failed) else r[0]
                                                                   for r in inline]
    assert isinstance(got[-1], Failed) and got[-1].stage == "decode"


def test_a_helper_killed_mid_batch_loses_nothing():
    helpers = CleanProcesses(1)

    async def scenario():
        await helpers.run([_raw(0)])  # the helper is up
        for pid in list(helpers._pool._processes):  # noqa: SLF001 - the fault under test
            os.kill(pid, signal.SIGKILL)
        return await helpers.run([_raw(i) for i in range(4)])

    try:
        results = asyncio.run(scenario())
    finally:
        helpers.close()
    assert [r[0] for r in results] == ["t-0", "t-1", "t-2", "t-3"]
    assert not any(isinstance(r, Failed) and r.stage == CRASH_STAGE for r in results)


def test_zero_processes_runs_inline():
    helpers = CleanProcesses(0)
    assert asyncio.run(helpers.run([_raw(1)]))[0][0] == "t-1"
    assert helpers._pool is None  # noqa: SLF001


def test_a_fingerprint_from_other_settings_or_garbage_is_not_used():
    from processors.dedup.text import decode_fingerprint, encode_fingerprint, fingerprint

    fp = fingerprint(BODY)
    header = encode_fingerprint(fp)
    assert decode_fingerprint(header) == fp
    assert decode_fingerprint(header.replace(b'"1:', b'"0:', 1)) is None
    assert decode_fingerprint(b"[1,2") is None and decode_fingerprint(None) is None
    assert decode_fingerprint(b'["x"]') is None


def test_the_stateful_stage_decides_the_same_with_a_carried_fingerprint():
    from processors.dedup.stage import dedup_text
    from processors.dedup.text import fingerprint
    from processors.pipeline import StatefulStages

    articles = [Article.model_validate_json(r[1]) for r in clean_and_tag_batch([_raw(i) for i in range(3)])]
    carried, computed = StatefulStages({}, {}), StatefulStages({}, {})
    statuses = []
    for article in articles:  # the same body three times: an original and two copies
        a = carried.process(article, fingerprint=fingerprint(dedup_text(article)))
        b = computed.process(article)
        assert a.article.dedup == b.article.dedup
        statuses.append(a.article.dedup.status)
    assert statuses == ["original", "duplicate", "duplicate"]


def test_a_helper_exits_when_its_worker_is_killed(tmp_path):
    import subprocess
    import sys
    import time

    script = tmp_path / "owner.py"
    script.write_text(
        "import asyncio, time\n"
        "from processors.offload import CleanProcesses\n"
        "if __name__ == '__main__':\n"
        "    helpers = CleanProcesses(1)\n"
        "    asyncio.run(helpers.run([b'{}']))\n"
        "    print(next(iter(helpers._pool._processes)), flush=True)\n"
        "    time.sleep(120)\n", encoding="utf-8")
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    helper = int(owner.stdout.readline())
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(helper, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(helper, signal.SIGKILL)
    raise AssertionError("the helper outlived its worker")
