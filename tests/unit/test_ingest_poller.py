"""The poller end to end against canned feeds on 127.0.0.1, with an in-memory sink.

(The same flow against the real Kafka, including state read back after a restart, is in
tests/integration/test_ingest_kafka.py.)
"""

import asyncio
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/feedserver.py
from feedserver import Canned, FeedServer, rss  # noqa: E402

from ingest.fetch import Fetcher  # noqa: E402
from ingest.health import FeedMetrics  # noqa: E402
from ingest.poller import Poller  # noqa: E402
from ingest.producer import MemorySink  # noqa: E402
from ingest.sources import Source  # noqa: E402
from ingest.state import FeedState  # noqa: E402
from khabar.models import stable_id  # noqa: E402

ARABIC = ["طردت قوات النظام السوري داعش من مدينة الحسكة",
          "اشتباكات بين النصرة وخلايا داعش في إدلب",
          "انسحب تنظيم داعش بالكامل من محافظة حلب"]


def items(n: int, start: int = 0, host: str = "https://news.example") -> list[dict[str, str]]:
    return [{"title": f"{ARABIC[i % 3]} ({i})", "link": f"{host}/story/{i}?utm_source=rss",
             "guid": f"urn:news:{i}", "pubDate": "Tue, 28 Jul 2015 10:00:00 GMT",
             "description": f"<p>{ARABIC[i % 3]}</p>"} for i in range(start, start + n)]


def feed_source(source_id: str, url: str, **extra) -> Source:
    return Source(**{"id": source_id, "url": url, "min_interval": 60, "max_interval": 3600,
                     "timeout": 3, **extra})


@pytest.fixture
def server():
    with FeedServer() as srv:
        yield srv


async def run_once(sources, states=None, sink=None, metrics=None):
    sink = sink or MemorySink()
    states = {} if states is None else states
    async with Fetcher() as fetcher:
        poller = Poller(sources, states, sink, fetcher, metrics=metrics, rng=random.Random(7))
        outcomes = await poller.poll_all_once()
    return outcomes, states, sink


async def test_second_poll_of_an_unchanged_feed_produces_nothing(server: FeedServer) -> None:
    url = server.route("/a.xml", Canned(rss(items(3)), etag='"a1"'))
    source = feed_source("a", url)
    (first,), states, sink = await run_once([source])
    assert first.outcome == "ok" and len(first.new_ids) == 3
    assert [a.url for a in sink.articles] == [f"https://news.example/story/{i}" for i in range(3)]
    assert sink.articles[0].id == stable_id("https://news.example/story/0")
    (second,), states, sink = await run_once([source], states, sink)
    assert second.outcome == "not_modified" and second.new_ids == [] and second.http_status == 304
    assert len(sink.articles) == 3
    assert server.hits("/a.xml")[1].headers["if-none-match"] == '"a1"'
    assert states["a"].polls_total == 2 and states["a"].items_total == 3


async def test_a_server_without_validators_still_emits_each_item_once(server: FeedServer) -> None:
    url = server.route("/b.xml", Canned(rss(items(2))), Canned(rss(items(3))))  # no ETag at all
    source = feed_source("b", url)
    _, states, sink = await run_once([source])
    (second,), states, sink = await run_once([source], states, sink)
    assert second.outcome == "ok" and len(second.new_ids) == 1
    assert [a.guid for a in sink.articles] == ["urn:news:0", "urn:news:1", "urn:news:2"]


async def test_restart_from_saved_state_emits_nothing_twice(server: FeedServer) -> None:
    url = server.route("/c.xml", Canned(rss(items(4))), Canned(rss(items(5))))
    source = feed_source("c", url)
    _, _, sink = await run_once([source])
    saved = {k: FeedState.model_validate_json(json.dumps(v)) for k, v in sink.states.items()}
    (again,), _, sink2 = await run_once([source], saved)  # a fresh poller, state from JSON
    assert [a.guid for a in sink2.articles] == ["urn:news:4"]
    assert again.entries == 5


@pytest.mark.parametrize(
    ("encoding", "declare", "content_type"),
    [("windows-1256", True, "application/rss+xml"),
     ("iso-8859-6", False, "application/rss+xml; charset=ISO-8859-6"),
     ("windows-1256", False, "text/xml; charset=windows-1256")],
)
async def test_arabic_legacy_encodings_decode_to_correct_arabic(
    server: FeedServer, encoding: str, declare: bool, content_type: str
) -> None:
    body = rss(items(3), title="أخبار سوريا", encoding=encoding, declare=declare)
    url = server.route("/ar.xml", Canned(body, headers={"Content-Type": content_type}))
    _, _, sink = await run_once([feed_source("ar", url, language="ar")])
    assert [a.title for a in sink.articles] == [f"{ARABIC[i]} ({i})" for i in range(3)]
    assert sink.articles[0].summary == f"<p>{ARABIC[0]}</p>"
    assert sink.articles[0].language == "ar"


async def test_one_failing_or_hanging_source_never_stops_the_others(server: FeedServer) -> None:
    good = server.route("/good.xml", Canned(rss(items(2))))
    hanging = server.route("/hang.xml", Canned(rss(items(2)), delay=300))
    sources = [feed_source("hang", hanging), feed_source("gone", server.url("/missing.xml")),
               feed_source("garbage", server.route("/junk", Canned(b"<html>oops"))),
               feed_source("good", good)]
    sink = MemorySink()
    task = asyncio.create_task(run_once(sources, sink=sink))
    while len(sink.articles) < 2:  # the good feed is delivered ...
        await asyncio.sleep(0.01)
    assert not task.done()  # ... while the hanging one is still waiting
    outcomes, states, _ = await task
    by_id = {o.source_id: o for o in outcomes}
    assert by_id["good"].outcome == "ok" and len(by_id["good"].new_ids) == 2
    assert by_id["hang"].error == "timed out after 3s"
    assert by_id["gone"].error == "HTTP 404" and by_id["gone"].http_status == 404
    assert by_id["garbage"].error.startswith("no entries:")
    assert states["gone"].error_streak == 1 and states["gone"].last_error == "HTTP 404"


async def test_retry_after_and_backoff_decide_the_next_poll(server: FeedServer) -> None:
    busy = server.route("/busy.xml", Canned(status=429, headers={"Retry-After": "7200"}))
    broken = server.route("/broken.xml", Canned(status=500))
    sources = [feed_source("busy", busy), feed_source("broken", broken)]
    before = datetime.now(UTC)
    _, states, _ = await run_once(sources)
    assert states["busy"].next_poll - before >= timedelta(seconds=7200)
    assert states["busy"].last_error.startswith("HTTP 429")
    first_wait = states["broken"].next_poll - states["broken"].last_poll
    assert timedelta(seconds=30) <= first_wait <= timedelta(seconds=60)  # min_interval, jittered
    for _ in range(3):
        _, states, _ = await run_once(sources, states)
    assert states["broken"].error_streak == 4
    fourth_wait = states["broken"].next_poll - states["broken"].last_poll
    assert timedelta(seconds=240) <= fourth_wait <= timedelta(seconds=480)  # 60 * 2**3, jittered


async def test_adaptive_interval_within_bounds(server: FeedServer) -> None:
    busy_bodies = [Canned(rss(items(3, start=3 * k))) for k in range(8)]
    busy = server.route("/busy.xml", *busy_bodies)
    quiet = server.route("/quiet.xml", Canned(rss(items(1)), etag='"q"'))
    sources = [feed_source("busy", busy, min_interval=60, max_interval=600),
               feed_source("quiet", quiet, min_interval=60, max_interval=600)]
    states: dict = {}
    intervals = {"busy": [], "quiet": []}
    for _ in range(8):
        _, states, _ = await run_once(sources, states)
        for key in intervals:
            intervals[key].append(states[key].interval)
    assert intervals["busy"] == [60.0] * 8  # new items every poll: stays at the minimum
    assert intervals["quiet"][0] == 60.0 and intervals["quiet"][-1] == 600.0  # 304s: slows to max
    assert intervals["quiet"] == sorted(intervals["quiet"])


async def test_bozo_feed_is_used_and_problem_noted(server: FeedServer) -> None:
    body = rss(items(2)).replace(b"</channel></rss>", b"<item><title>AT&T</title></item></channel>")
    url = server.route("/bozo.xml", Canned(body))
    (outcome,), states, sink = await run_once([feed_source("bozo", url)])
    assert outcome.outcome == "ok" and len(sink.articles) == 3
    assert states["bozo"].problem and "SAXParseException" in states["bozo"].problem
    assert all(any(n.startswith("feed problem:") for n in a.notes) for a in sink.articles)


async def test_entity_bomb_feed_is_refused_with_reason(server: FeedServer) -> None:
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "boom"}">' for i in range(10))
    body = f'<?xml version="1.0"?>\n<!DOCTYPE rss [{entities}]>\n<rss><channel><title>&e9;</title></channel></rss>'
    url = server.route("/bomb.xml", Canned(body.encode()))
    (outcome,), states, sink = await run_once([feed_source("bomb", url)])
    assert outcome.outcome == "error" and outcome.error.startswith("refused: XML entity &e")
    assert sink.articles == []


async def test_full_text_from_local_pages_only_when_allowed(server: FeedServer) -> None:
    paragraphs = "".join(f"<p>{ARABIC[i % 3]}، وقال المرصد السوري إن المعارك استمرت طوال الليل في الأحياء الجنوبية للمدينة رقم {i}.</p>"
                         for i in range(8))
    page = f"<html><head><title>x</title></head><body><nav>القائمة الرئيسية</nav><article>{paragraphs}</article><footer>حقوق النشر</footer></body></html>"
    server.route("/story/0", Canned(page.encode(), headers={"Content-Type": "text/html; charset=utf-8"}))
    url = server.route("/ft.xml", Canned(rss(items(1, host=server.base_url))))
    _, _, allowed = await run_once([feed_source("ft", url, fulltext=True, local=True)])
    article = allowed.articles[0]
    assert article.content_type == "text" and "المعارك استمرت طوال الليل" in article.content
    assert "القائمة الرئيسية" not in article.content and "حقوق النشر" not in article.content
    assert article.summary == f"<p>{ARABIC[0]}</p>"
    _, _, refused = await run_once([feed_source("ft2", url, fulltext=True)])
    kept = refused.articles[0]
    assert kept.content == f"<p>{ARABIC[0]}</p>" and kept.content_type == "html"
    assert any(n.startswith("fulltext failed: refused: 127.0.0.1") for n in kept.notes)
    assert len(server.hits("/story/0")) == 1


async def test_local_file_source_and_its_stamp(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("عنوان الخبر\n\nنص الخبر الأول.", encoding="utf-8")
    source = Source(id="folder", kind="folder", path=folder)
    (first,), states, sink = await run_once([source])
    (second,), states, sink = await run_once([source], states, sink)
    (folder / "b.txt").write_text("خبر ثان\n\nنص آخر.", encoding="utf-8")
    (third,), states, sink = await run_once([source], states, sink)
    assert (first.outcome, len(first.new_ids)) == ("ok", 1)
    assert second.outcome == "not_modified"
    assert (third.outcome, len(third.new_ids)) == ("ok", 1)
    assert [a.title for a in sink.articles] == ["عنوان الخبر", "خبر ثان"]
    assert sink.articles[0].source.id == "folder"


async def test_metrics_follow_the_polls(server: FeedServer) -> None:
    registry = CollectorRegistry()
    metrics = FeedMetrics(registry)
    url = server.route("/m.xml", Canned(rss(items(2)), etag='"m"'))
    sources = [feed_source("m", url), feed_source("bad", server.url("/nothing"))]
    _, states, sink = await run_once(sources, metrics=metrics)
    await run_once(sources, states, sink, metrics=metrics)

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert value("khabar_feed_polls_total", source="m", outcome="ok") == 1
    assert value("khabar_feed_polls_total", source="m", outcome="not_modified") == 1
    assert value("khabar_feed_items_total", source="m") == 2
    assert value("khabar_feed_error_streak", source="bad") == 2
    assert value("khabar_feed_http_status", source="bad") == 404
    assert value("khabar_feed_last_success_timestamp_seconds", source="m") == states["m"].last_success.timestamp()


async def test_run_forever_polls_on_schedule_until_stopped(server: FeedServer) -> None:
    counter = {"n": 0}

    def respond(_seen):
        counter["n"] += 1
        return Canned(rss(items(1, start=counter["n"])))

    url = server.route("/live.xml", respond)
    source = Source(id="live", url=url, min_interval=0.05, max_interval=0.1, timeout=3)
    sink, statuses, stop = MemorySink(), [], asyncio.Event()

    def on_status(status: dict) -> None:
        if status.get("saved"):  # the state read back at start, before any poll
            assert status["outcome"] == "never polled" and not statuses
            return
        statuses.append(status)
        if len(statuses) == 3:
            stop.set()

    async with Fetcher() as fetcher:
        poller = Poller([source], {}, sink, fetcher)
        await asyncio.wait_for(poller.run_forever(stop, on_status), timeout=60)
    assert [s["outcome"] for s in statuses] == ["ok"] * 3
    assert [s["items"] for s in statuses] == [1, 1, 1]
    assert statuses[-1]["polls"] == 3 and statuses[-1]["source"] == "live"
    assert len({a.id for a in sink.articles}) == 3


async def test_run_forever_reports_every_source_from_its_saved_state_at_once(server: FeedServer) -> None:
    now = datetime.now(UTC)
    url = server.route("/later.xml", Canned(rss(items(1))))
    sources = [Source(id="later", url=url), Source(id="failing", url=url)]
    states = {"later": FeedState(id="later", polls_total=4, items_total=9, items_last_poll=2,
                                 last_poll=now - timedelta(seconds=30), next_poll=now + timedelta(hours=1)),
              "failing": FeedState(id="failing", polls_total=3, error_streak=2, last_error="HTTP 503",
                                   last_poll=now - timedelta(seconds=10), next_poll=now + timedelta(hours=1))}
    seen, stop = [], asyncio.Event()

    def on_status(status: dict) -> None:
        seen.append(status)
        if len(seen) == 2:
            stop.set()

    async with Fetcher() as fetcher:
        poller = Poller(sources, states, MemorySink(), fetcher)
        await asyncio.wait_for(poller.run_forever(stop, on_status), timeout=30)
    assert [(s["source"], s["outcome"], s["saved"]) for s in seen] == [("later", "ok", True), ("failing", "error", True)]
    assert seen[0]["items_total"] == 9 and seen[0]["next_poll"] == states["later"].next_poll.isoformat()
    assert seen[1]["error"] == "HTTP 503" and seen[1]["error_streak"] == 2
    assert server.hits("/later.xml") == []  # nothing polled before its time


async def test_an_entry_that_cannot_be_converted_goes_to_the_dead_letters(server: FeedServer) -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "j",
           "items": [{"id": "1", "url": "https://news.example/ok", "title": "سليم"},
                     {"id": "2", "url": "https://news.example/odd", "title": 12345}]}
    url = server.route("/j.json", Canned(json.dumps(doc).encode(), headers={"Content-Type": "application/feed+json"}))
    registry = CollectorRegistry()
    (outcome,), states, sink = await run_once([feed_source("j", url)], metrics=FeedMetrics(registry))
    assert outcome.outcome == "ok" and [a.url for a in sink.articles] == ["https://news.example/ok"]
    assert registry.get_sample_value("khabar_feed_dead_letters_total", {"source": "j"}) == 1
    (letter,) = sink.dead_letters
    assert letter.stage == "ingest" and letter.record["source"] == "j"
    assert letter.record["entry"]["title"] == "12345" and "AttributeError" in letter.error
