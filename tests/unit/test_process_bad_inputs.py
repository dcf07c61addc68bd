"""`khabar process` and folder sources: one bad input costs only itself (issue 12.6)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ingest.files import articles_from_inputs
from khabar.cli import app

GOOD = "قصفت طائرات حربية بلدة في ريف إدلب الجنوبي صباح اليوم، وأفاد مسعفون بسقوط جرحى."
EMPTY_FEED_WITH_ENTITY = '<?xml version="1.0"?><rss version="2.0"><channel><title>&nbsp;</title></channel></rss>'
TRUNCATED = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>خبر'

runner = CliRunner()


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b_binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 100)
    (folder / "c_empty_entity.xml").write_text(EMPTY_FEED_WITH_ENTITY, encoding="utf-8")
    (folder / "d_truncated.xml").write_text(TRUNCATED, encoding="utf-8")
    (folder / "e_big.txt").write_text(GOOD * 200, encoding="utf-8")
    (folder / "f_good.txt").write_text(GOOD.replace("إدلب", "حماة"), encoding="utf-8")
    return folder


def _run(args: list[str]):
    return runner.invoke(app, ["process", "--no-rules", *args])


def test_bad_files_are_named_once_and_the_good_ones_processed(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    result = _run([str(folder), "--max-bytes", "20000"])
    assert result.exit_code == 1
    docs = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(docs) == 2 and {"إدلب" in d["body"] or "حماة" in d["body"] for d in docs} == {True}
    skipped = [line for line in result.stderr.splitlines() if "skipped" in line and "input(s)" not in line]
    names = sorted(Path(line.split("skipped ", 1)[1].split(":", 1)[0]).name for line in skipped)
    assert {"b_binary.txt", "c_empty_entity.xml", "e_big.txt"} <= set(names)
    # feedparser recovers an empty item from the truncated feed: it fails cleaning, named too
    assert "d_truncated.xml" in names or "no text" in result.stderr
    assert len(names) == len(set(names))  # one line each
    assert any("binary" in line for line in skipped) and any("input cap" in line for line in skipped)


def test_all_good_inputs_exit_0_and_strict_stops_at_the_first_bad_one(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    good = _run([str(folder / "a_good.txt"), str(folder / "f_good.txt")])
    assert good.exit_code == 0 and len(good.stdout.strip().splitlines()) == 2
    strict = _run([str(folder / "b_binary.txt"), str(folder / "a_good.txt"), "--strict"])
    assert strict.exit_code == 1
    assert strict.stdout.strip() == "" and strict.stderr.count("skipped") == 1


def test_a_folder_source_reads_past_a_bad_file(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    skipped: list[str] = []
    articles = list(articles_from_inputs([folder], lambda p, why: skipped.append(p.name), max_bytes=20000))
    assert sum(bool(a.title) for a in articles) == 2  # the good two (+ the truncated feed's empty item)
    assert {"b_binary.txt", "c_empty_entity.xml", "e_big.txt"} <= set(skipped)
