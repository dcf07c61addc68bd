"""`khabar rules check` and `khabar rules test`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from khabar.cli.rules import app
from khabar.models import Article, SourceRef
from tests.unit.test_alert_support import T0, make_article, place

runner = CliRunner()

RULES = """\
rules:
  - id: deaths-100
    title: A hundred deaths
    severity: critical
    condition: {killed_min: 100}
  - id: sarin
    title: Sarin
    condition: {terms: ["غاز السارين"]}
  - id: hasakah-burst
    title: Hasakah clashes
    condition: {places: [sy-al-hasakah], event_types: [armed_clash]}
    burst: {min_sources: 2, window: 1h}
"""


def khabar(*args: str) -> subprocess.CompletedProcess:
    """The real command line (one-line errors and exit codes come from khabar.cli.main)."""
    exe = Path(sys.executable).with_name("khabar")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)


def test_check_prints_a_summary_of_the_shipped_rules():
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    for rule_id in ("idlib-deaths-10", "chemical-weapon", "mass-casualty-50"):
        assert rule_id in result.output
    assert "places=sy-idlib & killed>=10" in result.output
    assert "sources>=3 in 1h by place" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("OK: 6 rules")


def test_check_json_lists_the_parsed_rules(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    result = runner.invoke(app, ["check", "--file", str(path), "--json"])
    data = json.loads(result.output)
    assert [r["id"] for r in data["rules"]] == ["deaths-100", "sarin", "hasakah-burst"]
    assert data["rules"][2]["burst"]["min_sources"] == 2 and list(data["channels"]) == ["log"]


def test_check_invalid_file_is_one_line_with_file_and_line_and_exit_2(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES.replace("{killed_min: 100}", "{killed_min: lots}"), encoding="utf-8")
    result = khabar("rules", "check", "--file", str(path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"khabar: error: {path}:5: rules.0.condition.killed_min: Input should be a valid integer, "
        "unable to parse string as an integer"]
    assert "Traceback" not in result.stderr


def test_check_unknown_taxonomy_id_is_reported(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES.replace("sy-al-hasakah", "sy-al-hasaka"), encoding="utf-8")
    result = khabar("rules", "check", "--file", str(path))
    assert result.returncode == 2
    assert f"{path}:9: rules[2] (hasakah-burst): unknown places id(s) ['sy-al-hasaka']" in result.stderr


def test_rules_test_on_seed_files_says_what_fired_and_why(tmp_path, seeds_dir):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    # the folder's text files share one source (the folder), so the burst never reaches 2 sources
    result = runner.invoke(app, ["test", "--file", str(path), str(seeds_dir)])
    assert result.exit_code == 0, result.output
    blocks = result.output.split("\n== ")[1:]
    assert len(blocks) == 5
    assert "FIRED    deaths-100" in blocks[0] and 'killed 287 >= 100 ("' in blocks[0]
    assert "FIRED    sarin" in blocks[2] and 'terms: "غاز السارين" <- "' in blocks[2]
    assert all("FIRED    deaths-100" not in b for b in blocks[1:])
    assert "burst in group sy-al-hasakah: 1/2 sources within 1h" in blocks[3]
    assert result.output.rstrip().endswith("5 article(s); alerts raised: deaths-100 x1, sarin x1")


def test_rules_test_on_jsonl_articles_fires_the_burst(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    articles = [make_article(f"a{i}", source=src, minutes=i, places=[place("clash-town", admin1="sy-al-hasakah")],
                             event_types=["armed_clash"]) for i, src in enumerate(["s1", "s2"])]
    data = tmp_path / "articles.jsonl"
    data.write_text("".join(json.dumps(a.to_doc(), ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    result = runner.invoke(app, ["test", "--file", str(path), "--json", str(data)])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["alerts"] for line in lines] == [[], ["hasakah-burst"]]
    [alert] = lines[1]["new_alerts"]
    assert alert["sources"] == ["s1", "s2"] and alert["group"] == "sy-al-hasakah"
    statuses = {r["rule"]: r["status"] for r in lines[0]["results"]}
    assert statuses == {"deaths-100": "no_match", "sarin": "no_match", "hasakah-burst": "pending"}


def test_rules_test_runs_raw_jsonl_through_the_pipeline(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    raw = {"id": "r1", "source": {"id": "wire"}, "title": "هجوم",
           "content": "<p>قالت مصادر إن هجوما بغاز السارين استهدف البلدة.</p>",
           "fetched_at": T0.isoformat()}
    data = tmp_path / "raw.jsonl"
    data.write_text(json.dumps(raw, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["test", "--file", str(path), "--json", str(data)])
    [line] = [json.loads(x) for x in result.output.splitlines()]
    assert line["alerts"] == ["sarin"] and line["source"] == "wire"


def test_rules_test_bad_inputs_are_one_line_errors(tmp_path):
    missing = khabar("rules", "test", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and missing.stderr.strip() == f"khabar: error: {tmp_path / 'nope.txt'}: no such file"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    result = khabar("rules", "test", str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith(f"khabar: error: {bad}:1: not an Article or RawArticle:")


def test_article_model_round_trip_used_by_jsonl():
    a = make_article("a1", killed=3)
    assert Article.model_validate(json.loads(json.dumps(a.to_doc()))).casualties.killed_max == 3
    assert SourceRef(id="x").id == "x"
