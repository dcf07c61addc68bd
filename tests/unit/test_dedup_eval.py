"""`khabar eval dedup`: labelled pairs scored through the real clean + dedup stages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from khabar.cli.evaluate.dedup import evaluate_dedup, raw_from_file
from khabar.errors import UserError
from khabar.models import RawArticle, SourceRef

DEVSET = Path(__file__).resolve().parents[1] / "fixtures" / "dedup"
STORY = ("طردت قوات النظام السوري ووحدات حماية الشعب الكردية تنظيم داعش من مدينة الحسكة في شمال "
         "شرق سوريا بعد معارك استمرت أسابيع وأسفرت عن مقتل العشرات ونزوح آلاف المدنيين من "
         "الأحياء الجنوبية للمدينة بحسب المرصد السوري لحقوق الإنسان.")


def test_development_set_report() -> None:
    report = evaluate_dedup(DEVSET / "pairs.tsv")
    assert report["documents"] == 45 and report["pairs"] == 63
    assert report["duplicate"]["pairs"] == 5 and report["near_duplicate"]["pairs"] == 40
    assert report["distinct"]["pairs"] == 18
    assert report["near_duplicate"]["recall"] == 1.0
    assert report["distinct"]["false_positive_rate"] == 0.0
    assert report["missed"] == [] and report["false_positives"] == []
    assert report["statuses"]["original"] == 5


def test_misses_are_listed_with_their_similarity(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.txt").write_text("خبر آخر تماما عن الطقس في دمشق وارتفاع درجات الحرارة هذا الأسبوع.",
                                    encoding="utf-8")
    (tmp_path / "c.txt").write_text(STORY.replace("أسابيع", "أسبوعين"), encoding="utf-8")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("a\tb\tlabel\na.txt\tb.txt\tnear_duplicate\na.txt\tc.txt\tdistinct\n", encoding="utf-8")
    report = evaluate_dedup(pairs)
    assert report["near_duplicate"]["recall"] == 0.0
    assert [(m["a"], m["b"], m["line"]) for m in report["missed"]] == [("a.txt", "b.txt", 2)]
    assert report["missed"][0]["similarity"]["jaccard"] < 0.1
    assert report["distinct"]["false_positive_rate"] == 1.0  # c is a copy of a, labelled wrong
    assert report["false_positives"][0]["similarity"]["jaccard"] > 0.5


def test_docs_folder_and_json_records(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    raw = RawArticle(id="wire-1", source=SourceRef(id="wire"), content=f"<p>{STORY}</p>")
    (docs / "one.json").write_text(raw.model_dump_json(), encoding="utf-8")
    (docs / "two.txt").write_text(STORY + "\nالمصدر: وكالات", encoding="utf-8")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("a\tb\tlabel\none.json\ttwo.txt\tnear_duplicate\n", encoding="utf-8")
    assert evaluate_dedup(pairs, docs)["near_duplicate"]["caught"] == 1


@pytest.mark.parametrize(("content", "message"), [
    ("x\ty\tz\n", "1: expected a header"),
    ("a\tb\tlabel\na.txt\tb.txt\tsame\n", "2: unknown label 'same'"),
    ("a\tb\tlabel\na.txt\n", "2: expected 3 tab-separated columns"),
    ("a\tb\tlabel\na.txt\tmissing.txt\tdistinct\n", "2: missing.txt: no such file"),
])
def test_bad_pair_files_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        evaluate_dedup(pairs)


def test_text_files_get_the_same_id_as_khabar_process_gives_them(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    (tmp_path / "a.txt").write_text("نص  الخبر\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("نص الخبر", encoding="utf-8")
    (tmp_path / "c.txt").write_text("نص الخبر.", encoding="utf-8")
    ids = [raw_from_file(tmp_path / n, now).id for n in ("a.txt", "b.txt", "c.txt")]
    assert ids[0] == ids[1] != ids[2]
    assert raw_from_file(tmp_path / "a.txt", now).source.id == "a.txt"
    from ingest.entries import text_id

    assert ids[0] == text_id("نص  الخبر\n")
