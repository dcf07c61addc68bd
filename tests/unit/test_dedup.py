"""Dedup: every kind of syndicated copy is caught, different articles stay apart, the state
behaves like the Faust table it lives in (JSON values, no walks, bounded by the window)."""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from khabar.models import Article, RawArticle, SourceRef, stable_id
from processors.clean import clean
from processors.dedup.stage import Deduplicator, DedupOutcome
from processors.dedup.state import doc_key

DEVSET = Path(__file__).resolve().parents[1] / "fixtures" / "dedup"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SEEDS = ["000", "001", "002", "003", "004"]


class JsonTable(MutableMapping):
    """Stores values as JSON text, as a Faust table with a JSON serializer does, and refuses
    the whole-table walks a RocksDB-backed table cannot afford."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}
        self.reads = 0

    def __getitem__(self, key: str) -> Any:
        self.reads += 1
        return json.loads(self.data[key])

    def get(self, key: str, default: Any = None) -> Any:
        self.reads += 1
        return json.loads(self.data[key]) if key in self.data else default

    def __setitem__(self, key: str, value: Any) -> None:
        assert isinstance(key, str)
        self.data[key] = json.dumps(value)

    def __delitem__(self, key: str) -> None:
        del self.data[key]

    def __contains__(self, key: object) -> bool:
        self.reads += 1
        return key in self.data

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("dedup must not iterate over the whole table")

    def __len__(self) -> int:
        raise AssertionError("dedup must not size the whole table")


def _article(text: str, key: str, published: datetime | None = None, summary: str = "") -> Article:
    raw = RawArticle(id=stable_id(key), url=f"https://example.org/{key}",
                     source=SourceRef(id="test"), content=text, content_type="text",
                     summary=summary, published_at=published, fetched_at=T0)
    # an article with no text never passes clean (a dead letter); dedup must still cope
    return clean(raw) if (text.strip() or summary.strip()) else Article.from_raw(raw)


def _file(name: str) -> Article:
    return _article((DEVSET / name).read_text(encoding="utf-8"), name)


def _outcome_key(outcome: DedupOutcome) -> tuple:
    d = outcome.article.dedup
    update = outcome.original_update
    return (outcome.article.id, d.status, d.of, d.similarity, d.copies,
            None if update is None else (update.original_id, update.copies, update.original_timestamp))


@pytest.mark.parametrize("kind", ["punct", "spelling", "numbers", "dropped", "added", "outlet",
                                  "teaser", "combo"])
def test_each_variant_kind_is_caught(kind: str) -> None:
    expected = "duplicate" if kind == "punct" else "near_duplicate"
    for num in SEEDS:
        dedup = Deduplicator({})
        seed = _file(f"{num}_seed.txt")
        assert dedup.check(seed, T0).article.dedup.status == "original"
        outcome = dedup.check(_file(f"{num}_{kind}.txt"), T0)
        found = outcome.article.dedup
        assert (found.status, found.of) == (expected, seed.id), (num, kind, found)
        assert found.similarity >= (0.8 if kind == "teaser" else 0.45), (num, kind, found)
        assert outcome.original_update is not None
        assert (outcome.original_update.original_id, outcome.original_update.copies) == (seed.id, 1)


def test_full_story_after_its_teaser_is_an_original_not_a_copy() -> None:
    """A long text that contains a short one is never its copy (issue 14)."""
    dedup = Deduplicator({})
    teaser = _file("002_teaser.txt")
    dedup.check(teaser, T0)
    full = dedup.check(_file("002_seed.txt"), T0)
    assert (full.article.dedup.status, full.article.dedup.of) == ("original", None)
    assert full.original_update is None  # the teaser gains no copy
    # and the teaser seen again after the full story is still the teaser's copy, not the story's
    again = dedup.check(_article((DEVSET / "002_teaser.txt").read_text(encoding="utf-8"), "teaser-2"), T0)
    assert (again.article.dedup.status, again.article.dedup.of) == ("duplicate", teaser.id)


# a short wire item, and a day's round-up from another outlet that quotes it in full
WIRE = """قتل سبعة مدنيين بينهم ثلاثة أطفال وأصيب أكثر من عشرين آخرين، صباح الثلاثاء، في قصف جوي استهدف سوقا
شعبيا في مدينة معرة النعمان بريف إدلب الجنوبي، بحسب ما أفاد الدفاع المدني السوري. وقال متطوعون في
الدفاع المدني إن فرقهم انتشلت الضحايا من تحت أنقاض محال تجارية دمرت بالكامل، وإن حصيلة القتلى مرشحة
للارتفاع بسبب وجود إصابات خطيرة بين الجرحى الذين نقلوا إلى مستشفيات المنطقة.
"""
ROUNDUP = """حصاد اليوم: تصعيد في الشمال السوري ومفاوضات متعثرة في جنيف

شهد الشمال السوري يوما داميا جديدا مع توسع رقعة القصف على ريفي إدلب وحماة، فيما لم تحقق الجولة
الأخيرة من المفاوضات في جنيف أي تقدم يذكر بحسب مصادر دبلوماسية تحدثت للصحفيين مساء اليوم.

""" + WIRE + """
وفي ريف حماة الشمالي، قالت فصائل المعارضة إنها صدت محاولة تقدم لقوات النظام على محور كفرنبودة بعد
اشتباكات استمرت عدة ساعات، في حين تحدثت وسائل إعلام رسمية عن استهداف مواقع للمسلحين بالمدفعية الثقيلة
وتدمير عدد من الآليات والتحصينات في المنطقة.

وفي جنيف، قال المبعوث الأممي إن الأطراف لم تتفق بعد على جدول أعمال الجولة المقبلة، داعيا إلى وقف فوري
لإطلاق النار يسمح بإدخال المساعدات الإنسانية إلى المناطق المحاصرة، ومحذرا من موجة نزوح جديدة نحو
الحدود التركية إذا استمر التصعيد العسكري في الأيام المقبلة.

وعلى الصعيد الإنساني، أعلنت منظمات إغاثة محلية أن آلاف العائلات غادرت قراها في ريف إدلب الجنوبي خلال
الأسبوع الماضي، وأن المخيمات القريبة من الحدود لم تعد قادرة على استيعاب الوافدين الجدد، مطالبة المانحين
بزيادة الدعم قبل حلول فصل الشتاء.
"""


def test_a_round_up_quoting_a_short_item_in_full_is_not_its_copy() -> None:
    dedup = Deduplicator({})
    wire = _article(WIRE, "wire")
    assert dedup.check(wire, T0).article.dedup.status == "original"
    roundup = dedup.check(_article(ROUNDUP, "roundup"), T0)
    assert (roundup.article.dedup.status, roundup.article.dedup.of) == ("original", None)
    assert roundup.original_update is None
    # another outlet's copy of the wire item points at the wire item, not at the round-up
    copy_text = WIRE.replace("صباح الثلاثاء", "صباح اليوم الثلاثاء").replace("سبعة", "7")
    copy = dedup.check(_article(copy_text, "wire-copy"), T0).article.dedup
    assert (copy.status, copy.of) == ("near_duplicate", wire.id)


def test_a_short_item_after_a_round_up_that_holds_it_is_its_teaser() -> None:
    dedup = Deduplicator({})
    roundup = _article(ROUNDUP, "roundup")
    dedup.check(roundup, T0)
    short = dedup.check(_article(WIRE, "wire"), T0)
    assert (short.article.dedup.status, short.article.dedup.of) == ("near_duplicate", roundup.id)
    assert short.article.dedup.similarity >= 0.8
    assert short.original_update.copies == 1


def test_seeds_stay_distinct_including_the_same_battle_in_other_words() -> None:
    dedup = Deduplicator({})
    for num in SEEDS:
        outcome = dedup.check(_file(f"{num}_seed.txt"), T0)
        assert outcome.article.dedup.status == "original", num
        assert outcome.original_update is None
    # 000 and 001 report the same battle in Hasakah; variants of one stay apart from the other
    for name in ("000_combo.txt", "001_combo.txt", "003_teaser.txt", "001_teaser.txt"):
        found = dedup.check(_file(name), T0).article.dedup
        assert found.of == stable_id(name[:3] + "_seed.txt"), name


def test_copies_are_counted_on_the_first_seen_original() -> None:
    dedup = Deduplicator({})
    original = _article((DEVSET / "000_seed.txt").read_text(encoding="utf-8"), "orig",
                        published=T0 - timedelta(hours=3))
    dedup.check(original, T0)
    near = dedup.check(_file("000_combo.txt"), T0)
    assert near.original_update.copies == 1
    assert near.original_update.original_timestamp == original.timestamp == T0 - timedelta(hours=3)
    # identical to the near copy (not to the original): a duplicate of the same original
    same_as_near = _article((DEVSET / "000_combo.txt").read_text(encoding="utf-8"), "mirror")
    exact = dedup.check(same_as_near, T0)
    assert (exact.article.dedup.status, exact.article.dedup.of) == ("duplicate", original.id)
    assert exact.article.dedup.similarity == near.article.dedup.similarity
    assert exact.original_update.copies == 2
    third = dedup.check(_file("000_teaser.txt"), T0)
    assert (third.article.dedup.of, third.original_update.copies) == (original.id, 3)


def test_revisions_keep_what_they_were_and_are_not_copies() -> None:
    dedup = Deduplicator({})
    seed_text = (DEVSET / "001_seed.txt").read_text(encoding="utf-8")
    original = _article(seed_text, "a")
    dedup.check(original, T0)
    copy = dedup.check(_file("001_dropped.txt"), T0)
    assert copy.original_update.copies == 1

    revised = _article(seed_text + "\nتحديث: ارتفع عدد القتلى بحسب مصادر محلية.", "a")
    again = dedup.check(revised, T0 + timedelta(hours=1))
    assert (again.article.dedup.status, again.article.dedup.copies) == ("original", 1)
    assert again.original_update is None

    copy_revised = dedup.check(_file("001_dropped.txt"), T0 + timedelta(hours=2))
    assert copy_revised.article.dedup == copy.article.dedup
    assert copy_revised.original_update is None

    # a replay of the same record is a no-op too, and the next real copy counts as the second
    assert dedup.check(revised, T0 + timedelta(hours=3)).article.dedup.copies == 1
    assert dedup.check(_file("001_outlet.txt"), T0).original_update.copies == 2


def test_window_expiry_forgets_old_articles_entirely() -> None:
    store = JsonTable()
    dedup = Deduplicator(store, window_days=14)
    seed = _file("004_seed.txt")
    dedup.check(seed, T0)
    inside = dedup.check(_file("004_added.txt"), T0 + timedelta(days=13))
    assert (inside.article.dedup.of, inside.original_update.copies) == (seed.id, 1)

    fresh = Deduplicator(JsonTable(), window_days=14)
    fresh.check(seed, T0)
    late = fresh.check(_file("004_outlet.txt"), T0 + timedelta(days=15)).article
    assert late.dedup.status == "original"  # the seed left the window a day ago
    assert fresh.check(_file("004_numbers.txt"), T0 + timedelta(days=15, hours=1)).article.dedup.of == late.id

    # the copy seen at day 13 is still inside: a later copy finds it and points at the first
    # original, whose document is past the window, so there is no copies update for it
    chained = dedup.check(_file("004_outlet.txt"), T0 + timedelta(days=16))
    assert (chained.article.dedup.status, chained.article.dedup.of) == ("near_duplicate", seed.id)
    assert chained.original_update is None

    last = _file("002_seed.txt")
    dedup.check(last, T0 + timedelta(days=60))
    assert [k for k in store.data if k.startswith("d:")] == [f"d:{doc_key(last.id)}"]
    gone = {doc_key(_file(n).id) for n in ("004_seed.txt", "004_added.txt", "004_outlet.txt")}
    for key, value in store.data.items():
        assert not any(g in key or g in value for g in gone), key


def test_state_stays_flat_as_the_stream_grows() -> None:
    store = JsonTable()
    dedup = Deduplicator(store, window_days=2)
    sizes = []
    seed_text = " ".join((DEVSET / f"{n}_seed.txt").read_text(encoding="utf-8") for n in SEEDS).split()
    for day in range(8):
        for i in range(25):
            words = seed_text[(day * 25 + i) * 37 % 3000:][:250][::-1]  # distinct texts
            dedup.check(_article(" ".join(words), f"{day}-{i}"), T0 + timedelta(days=day, minutes=i))
        sizes.append(sum(len(k) + len(v) for k, v in store.data.items()))
    assert max(sizes[3:]) < 1.5 * min(sizes[3:])
    records = sum(k.startswith("d:") for k in store.data)
    assert 25 * 2 <= records <= 25 * 3  # two days' window plus the hour buckets, not all 8 days


def test_json_round_trip_gives_identical_results_and_survives_a_restart() -> None:
    names = [line.split("\t")[:2] for line in (DEVSET / "pairs.tsv").read_text().splitlines()[1:]]
    order = list(dict.fromkeys(n for pair in names for n in pair))
    articles = [_file(name) for name in order]
    plain: dict[str, Any] = {}
    table = JsonTable()
    by_dict = Deduplicator(plain)
    by_json = Deduplicator(table)
    half = len(articles) // 2
    results_dict = [_outcome_key(by_dict.check(a, T0)) for a in articles]
    results_json = [_outcome_key(by_json.check(a, T0)) for a in articles[:half]]
    restarted = Deduplicator(table)  # a new worker process over the restored table
    results_json += [_outcome_key(restarted.check(a, T0)) for a in articles[half:]]
    assert results_json == results_dict
    assert json.loads(json.dumps(plain)) == plain
    assert {k: json.loads(v) for k, v in table.data.items()} == plain


def test_store_reads_per_article_do_not_grow_with_the_store() -> None:
    table = JsonTable()
    dedup = Deduplicator(table)
    words = " ".join((DEVSET / "002_seed.txt").read_text(encoding="utf-8").split()[:300]).split()

    def reads_for(i: int) -> int:
        before = table.reads
        dedup.check(_article(" ".join(words[i % 50:] + words[:i % 50][::-1]) + f" {i}", str(i)),
                    T0 + timedelta(minutes=i))
        return table.reads - before

    early = [reads_for(i) for i in range(5)]
    for i in range(5, 150):
        reads_for(i)
    late = [reads_for(i) for i in range(150, 155)]
    assert max(late) < 2 * max(early) + 50


def test_english_wire_copy_and_empty_texts() -> None:
    dedup = Deduplicator({})
    story = ("Syrian government forces and Kurdish fighters drove the Islamic State group out of "
             "the northeastern city of Hasakah on Tuesday, a monitoring group said. The battle "
             "killed 120 soldiers and allied fighters and 287 jihadists, according to the "
             "Britain-based Syrian Observatory for Human Rights. Around 120,000 civilians fled "
             "the fighting, the United Nations said. Government forces still hold the city "
             "centre while Kurdish units control most of the north.")
    original = _article(story, "en-1")
    assert dedup.check(original, T0).article.dedup.status == "original"
    edited = ("HASAKAH, Syria (Wire) - " + story.replace("Tuesday", "Tuesday night")
              .replace("six", "6").replace(" The battle", " Officials said the battle") + " Copyright Wire.")
    found = dedup.check(_article(edited, "en-2"), T0).article.dedup
    assert (found.status, found.of) == ("near_duplicate", original.id)
    assert dedup.check(_article("", "empty-1"), T0).article.dedup.status == "original"
    assert dedup.check(_article("", "empty-2"), T0).article.dedup.status == "original"


def test_teaser_only_feed_item_is_matched_through_its_summary() -> None:
    dedup = Deduplicator({})
    seed = _file("003_seed.txt")
    dedup.check(seed, T0)
    teaser_text = (DEVSET / "003_teaser.txt").read_text(encoding="utf-8")
    item = _article("", "feed-item", summary=teaser_text)
    assert item.body == ""
    found = dedup.check(item, T0).article.dedup
    assert (found.status, found.of) == ("near_duplicate", seed.id)


def test_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="window_days"):
        Deduplicator({}, window_days=0)


def test_an_original_back_after_the_window_is_not_a_copy_of_itself() -> None:
    dedup = Deduplicator({}, window_days=14)
    seed = _file("000_seed.txt")
    dedup.check(seed, T0)
    dedup.check(_file("000_outlet.txt"), T0 + timedelta(days=13))  # copy, still in the window
    back = dedup.check(seed, T0 + timedelta(days=15)).article.dedup  # seed's record expired
    assert (back.status, back.of) == ("original", None)


def test_paragraphs_are_found_in_their_own_seed_never_in_another() -> None:
    """A paragraph republished alone is contained in its story, and only in that story,
    although the seeds share their topic vocabulary (three of them report Hasakah)."""
    dedup = Deduplicator({})
    owner: dict[str, str] = {}
    for num in SEEDS:
        seed = _file(f"{num}_seed.txt")
        dedup.check(seed, T0)
        owner[seed.id] = num
    found = checked = 0
    for num in SEEDS:
        for i, paragraph in enumerate(_file(f"{num}_seed.txt").body.split("\n\n")):
            if len(paragraph.split()) < 20:
                continue
            result = dedup.check(_article(paragraph, f"{num}-p{i}"), T0).article.dedup
            checked += 1
            if result.status != "original":
                assert owner.get(result.of) == num, (num, i, result)
                found += 1
    assert checked > 50
    assert found >= 0.95 * checked


def test_a_clock_going_back_cannot_leak_state() -> None:
    store = JsonTable()
    dedup = Deduplicator(store, window_days=1)
    dedup.check(_file("001_seed.txt"), T0 + timedelta(days=30))
    dedup.check(_file("002_seed.txt"), T0)  # "now" 30 days earlier (a replay, a clock reset)
    dedup.check(_file("003_seed.txt"), T0 + timedelta(days=33))
    assert [k for k in store.data if k.startswith("d:")] == [f"d:{doc_key(_file('003_seed.txt').id)}"]
