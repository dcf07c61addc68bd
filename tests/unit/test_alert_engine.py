"""AlertEngine: firing, copies raising counts, bursts, throttles, restarts, bounded state."""

from __future__ import annotations

import json
from datetime import timedelta

from khabar.models import Alert
from processors.alerts.rules import Rule
from processors.alerts.stage import AlertEngine, alert
from tests.unit.test_alert_support import PLACES, T0, make_article, place


def rule(**fields) -> Rule:
    return Rule.model_validate({"title": fields.get("id", "r"), **fields})


DEATHS = rule(id="idlib-deaths", condition={"places": ["sy-idlib"], "killed_min": 10})
CLASH_BURST = rule(
    id="hasakah-clashes", severity="critical",
    condition={"places": ["sy-al-hasakah"], "event_types": ["armed_clash"]},
    burst={"min_sources": 3, "window": "1h", "group_by": "place"},
)


def engine(rules, store=None) -> AlertEngine:
    return AlertEngine(rules, {} if store is None else store, places=PLACES)


def clash(aid: str, source: str, minutes: float, town: str = "town-hasakah"):
    return make_article(aid, source=source, minutes=minutes, places=[place(town)], event_types=["armed_clash"])


def test_a_matching_original_fires_one_alert_and_the_article_records_it():
    eng = engine([DEATHS])
    out = alert(make_article("a1", places=[place("town-ariha")], killed=12), eng, now=T0)
    assert out.article.alerts == ["idlib-deaths"]
    [fired] = out.alerts
    assert isinstance(fired, Alert)
    assert (fired.rule_id, fired.group, fired.count, fired.article_ids, fired.sources) == (
        "idlib-deaths", "a1", 1, ["a1"], ["src-a"])
    assert "killed 12 >= 10" in fired.reason and "sy-idlib" in fired.reason
    assert out.updates == []


def test_a_non_matching_article_fires_nothing():
    eng = engine([DEATHS])
    out = eng.evaluate(make_article("a1", places=[place("town-hasakah")], killed=300), now=T0)
    assert out.alerts == [] and out.article.alerts == []
    assert out.results[0].status == "no_match"


def test_alert_ids_are_deterministic_and_a_replay_does_not_fire_again():
    article = make_article("a1", places=[place("town-ariha")], killed=12)
    first = engine([DEATHS]).evaluate(article, now=T0).alerts[0]
    other_engine = engine([DEATHS]).evaluate(article, now=T0).alerts[0]
    assert first.id == other_engine.id  # same rule, group and window -> same id
    eng = engine([DEATHS])
    eng.evaluate(article, now=T0)
    replay = eng.evaluate(article, now=T0 + timedelta(minutes=1))
    assert replay.alerts == [] and replay.updates == []
    assert replay.article.alerts == ["idlib-deaths"]


def test_copies_raise_the_count_of_their_originals_alert_and_do_not_fire():
    eng = engine([DEATHS])
    original = eng.evaluate(make_article("a1", places=[place("town-ariha")], killed=12), now=T0).alerts[0]
    copy = make_article("c1", source="src-b", places=[place("town-ariha")], killed=12, copy_of="a1", minutes=5)
    out = eng.evaluate(copy, now=T0)
    assert out.alerts == []
    [update] = out.updates
    assert update.id == original.id
    assert update.count == 2 and update.article_ids == ["a1", "c1"] and update.sources == ["src-a", "src-b"]
    assert out.article.alerts == []  # a copy does not fire the rule
    assert out.results[0].status == "joined"
    # the same copy again (a replay) is not counted twice
    assert eng.evaluate(copy, now=T0).updates == []
    second = eng.evaluate(make_article("c2", source="src-c", copy_of="a1", minutes=9), now=T0).updates[0]
    assert second.count == 3


def test_a_copy_of_an_article_that_fired_nothing_changes_nothing():
    eng = engine([DEATHS])
    eng.evaluate(make_article("a1", places=[place("town-ariha")], killed=2), now=T0)
    out = eng.evaluate(make_article("c1", places=[place("town-ariha")], killed=12, copy_of="a1"), now=T0)
    assert out.alerts == [] and out.updates == [] and out.results[0].status == "copy"


def test_burst_fires_once_on_the_third_source_then_is_throttled():
    eng = engine([CLASH_BURST])
    statuses, fired, updates = [], [], []
    arrivals = [("a1", "src-a", 0), ("a2", "src-b", 10), ("a3", "src-b", 15),  # same outlet twice
                ("a4", "src-c", 20, "town-qamishli"), ("a5", "src-d", 30), ("a6", "src-e", 50)]
    for aid, src, minutes, *town in arrivals:
        out = eng.evaluate(clash(aid, src, minutes, *town), now=T0 + timedelta(minutes=minutes))
        statuses.append(out.results[0].status)
        fired += out.alerts
        updates += out.updates
    assert statuses == ["pending", "pending", "pending", "fired", "joined", "joined"]
    [burst] = fired
    assert burst.group == "sy-al-hasakah"  # towns in the governorate count together
    assert burst.sources == ["src-a", "src-b", "src-c"]
    assert burst.article_ids == ["a1", "a2", "a3", "a4"] and burst.count == 4
    assert "3 sources" in burst.reason and burst.severity == "critical"
    assert [u.count for u in updates] == [5, 6] and updates[-1].sources[-1] == "src-e"
    assert all(u.id == burst.id for u in updates)


def test_burst_needs_its_reports_within_the_window():
    eng = engine([CLASH_BURST])
    for aid, src, minutes in [("a1", "src-a", 0), ("a2", "src-b", 40), ("a3", "src-c", 70)]:
        out = eng.evaluate(clash(aid, src, minutes), now=T0 + timedelta(minutes=minutes))
    assert out.alerts == []
    assert "2/3 sources" in out.results[0].reasons[-1]  # a1 fell out of the window
    out = eng.evaluate(clash("a4", "src-d", 75), now=T0 + timedelta(minutes=75))
    assert len(out.alerts) == 1 and out.alerts[0].sources == ["src-b", "src-c", "src-d"]


def test_burst_groups_by_place_separately():
    eng = engine([rule(id="clash", condition={"event_types": ["armed_clash"]},
                       burst={"min_originals": 2, "window": "1h"})])
    assert eng.evaluate(clash("a1", "s1", 0, "town-hasakah"), now=T0).alerts == []
    assert eng.evaluate(clash("a2", "s2", 1, "town-ariha"), now=T0).alerts == []
    out = eng.evaluate(clash("a3", "s3", 2, "town-jisr-ash-shughur"), now=T0)
    assert [a.group for a in out.alerts] == ["sy-idlib"]  # without a place filter: by governorate


def test_a_restart_inside_the_window_keeps_the_count():
    store: dict = {}
    eng = engine([CLASH_BURST], store)
    eng.evaluate(clash("a1", "src-a", 0), now=T0)
    eng.evaluate(clash("a2", "src-b", 10), now=T0 + timedelta(minutes=10))
    # the worker dies; its table is restored from the changelog (JSON values)
    restored = json.loads(json.dumps(store))
    after = engine([CLASH_BURST], restored).evaluate(clash("a3", "src-c", 20), now=T0 + timedelta(minutes=20))
    assert [a.sources for a in after.alerts] == [["src-a", "src-b", "src-c"]]
    # and without the restored state the same article would not have fired
    fresh = engine([CLASH_BURST]).evaluate(clash("a3", "src-c", 20), now=T0 + timedelta(minutes=20))
    assert fresh.alerts == []


def test_a_restart_keeps_throttles_and_copy_links():
    store: dict = {}
    eng = engine([CLASH_BURST], store)
    for aid, src, m in [("a1", "s1", 0), ("a2", "s2", 1), ("a3", "s3", 2)]:
        eng.evaluate(clash(aid, src, m), now=T0)
    restored = engine([CLASH_BURST], json.loads(json.dumps(store)))
    assert restored.evaluate(clash("a4", "s4", 3), now=T0).updates[0].count == 4  # still throttled
    copy = make_article("c1", source="s9", copy_of="a1", minutes=4)
    assert restored.evaluate(copy, now=T0).updates[0].count == 5


def test_story_burst_counts_copies_on_other_outlets():
    spread = rule(id="spread", condition={"killed_min": 1},
                  burst={"min_sources": 3, "window": "6h", "group_by": "story"})
    eng = engine([spread])
    assert eng.evaluate(make_article("a1", source="s1", killed=5), now=T0).alerts == []
    assert eng.evaluate(make_article("c1", source="s2", killed=5, copy_of="a1", minutes=10), now=T0).alerts == []
    assert eng.evaluate(make_article("b1", source="s3", killed=5, minutes=15), now=T0).alerts == []  # other story
    out = eng.evaluate(make_article("c2", source="s3", killed=5, copy_of="a1", minutes=20), now=T0)
    [fired] = out.alerts
    assert fired.group == "a1" and fired.sources == ["s1", "s2", "s3"]
    assert out.article.alerts == ["spread"]  # this copy completed the burst
    later = eng.evaluate(make_article("c3", source="s4", killed=5, copy_of="a1", minutes=30), now=T0)
    assert later.alerts == [] and later.updates[0].count == 4


def test_throttle_groups_non_burst_rules_by_place():
    throttled = rule(id="idlib", condition={"places": ["sy-idlib"], "killed_min": 10},
                     throttle="6h", group_by="place")
    eng = engine([throttled])
    first = eng.evaluate(make_article("a1", places=[place("town-ariha")], killed=12), now=T0)
    second = eng.evaluate(make_article("a2", places=[place("town-jisr-ash-shughur")], killed=20, minutes=60), now=T0)
    late = eng.evaluate(make_article("a3", places=[place("town-ariha")], killed=11, minutes=7 * 60), now=T0)
    assert len(first.alerts) == 1 and first.alerts[0].group == "sy-idlib"
    assert second.alerts == [] and second.updates[0].count == 2
    assert second.article.alerts == ["idlib"]  # it matched; delivery was throttled
    assert len(late.alerts) == 1 and late.alerts[0].id != first.alerts[0].id


def test_max_age_skips_backfilled_articles():
    fresh_only = rule(id="fresh", condition={"killed_min": 1}, max_age="2d")
    eng = engine([fresh_only])
    old = make_article("a1", killed=5, published_at=T0 - timedelta(days=3))
    new = make_article("a2", killed=5, published_at=T0 - timedelta(hours=3))
    assert eng.evaluate(old, now=T0).results[0].status == "too_old"
    assert len(eng.evaluate(new, now=T0).alerts) == 1


def test_disabled_rules_are_not_evaluated():
    off = rule(id="off", enabled=False, condition={"killed_min": 1})
    out = engine([off, DEATHS]).evaluate(make_article("a1", killed=5), now=T0)
    assert [r.rule_id for r in out.results] == ["idlib-deaths"]


def test_group_by_place_needs_a_place():
    by_place = rule(id="p", condition={"killed_min": 1}, group_by="place", throttle="1h")
    out = engine([by_place]).evaluate(make_article("a1", killed=5), now=T0)
    assert out.alerts == [] and out.results[0].status == "no_group"


def test_state_is_bounded_by_time():
    store: dict = {}
    eng = AlertEngine([CLASH_BURST, DEATHS], store, places=PLACES, link_ttl=timedelta(hours=2))
    for i in range(30):
        eng.evaluate(clash(f"a{i}", f"s{i % 5}", i * 3), now=T0 + timedelta(minutes=i * 3))
        eng.evaluate(make_article(f"d{i}", places=[place("town-ariha")], killed=15, minutes=i * 3),
                     now=T0 + timedelta(minutes=i * 3))
    busy = len(store)
    assert any(k.startswith("b:") for k in store) and any(k.startswith("o:") for k in store)
    # long after everything expired, a few quiet articles sweep the old keys away
    later = T0 + timedelta(days=1)
    for i in range(3):
        eng.evaluate(make_article(f"q{i}", fetched_at=later), now=later + timedelta(minutes=10 * i))
    leftovers = sorted(k for k in store if not k.startswith("x:"))
    assert busy > 60 and leftovers == []


def test_a_restart_on_a_rocksdb_store_keeps_the_burst(tmp_path):
    """The stream's tables are RocksDB-backed: close the database mid-window, reopen, go on."""
    from rocksdict import Rdict

    db = Rdict(str(tmp_path / "alerts.db"))
    eng = engine([CLASH_BURST], db)
    eng.evaluate(clash("a1", "src-a", 0), now=T0)
    eng.evaluate(clash("a2", "src-b", 10), now=T0 + timedelta(minutes=10))
    db.close()
    reopened = Rdict(str(tmp_path / "alerts.db"))
    try:
        out = engine([CLASH_BURST], reopened).evaluate(clash("a3", "src-c", 20), now=T0 + timedelta(minutes=20))
        assert [a.sources for a in out.alerts] == [["src-a", "src-b", "src-c"]]
    finally:
        reopened.close()


def test_engine_from_the_shipped_rules_file():
    from khabar.settings import CONFIG_DIR
    from processors.alerts.stage import engine_from_file

    eng = engine_from_file({}, CONFIG_DIR / "rules.yaml")
    eng._places = PLACES
    out = eng.evaluate(make_article("a1", places=[place("town-ariha")], killed=60), now=T0)
    assert set(out.article.alerts) == {"idlib-deaths-10", "mass-casualty-50"}


def test_a_worker_rebuilt_from_the_journal_of_one_message_per_article_goes_on_the_same(tmp_path):
    """The stream logs each evaluation's writes as one message; replaying them rebuilds the state."""
    from processors.statelog import decode, encode, open_local_store

    stream = [clash(f"a{i}", f"s{i % 4}", i * 7) for i in range(6)]
    stream += [make_article(f"d{i}", places=[place("town-ariha")], killed=15, minutes=50 + i) for i in range(3)]
    stream += [make_article("c1", places=[place("town-ariha")], killed=15, minutes=60,
                            copy_of="d0")]
    when = [T0 + timedelta(minutes=i * 7) for i in range(len(stream))]

    reference = engine([CLASH_BURST, DEATHS])
    expected = [reference.evaluate(a, now=t) for a, t in zip(stream, when, strict=True)]

    logged: list[bytes] = []
    first = AlertEngine([CLASH_BURST, DEATHS], {}, places=PLACES, slots={},
                        journal=lambda writes: logged.append(encode(writes)))
    half = 5
    got = [first.evaluate(a, now=t) for a, t in zip(stream[:half], when[:half], strict=True)]
    assert 0 < len(logged) <= half  # at most one message per article
    second = AlertEngine([CLASH_BURST, DEATHS], open_local_store(tmp_path / "alert-state"), places=PLACES,
                         slots={})
    assert second.restore(decode(m) for m in logged) > 0
    got += [second.evaluate(a, now=t) for a, t in zip(stream[half:], when[half:], strict=True)]

    def key(out):
        return (out.article.alerts, [(a.id, a.count, a.sources) for a in out.alerts],
                [(a.id, a.count) for a in out.updates])
    assert [key(o) for o in got] == [key(o) for o in expected]
    assert any(o.updates for o in got[half:]) and any(o.alerts for o in got[half:])
