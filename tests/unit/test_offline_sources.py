"""Offline replay gives each feed file its own source, so distinct-source bursts work offline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from ingest.files import raw_articles_from_path
from khabar.cli.rules import app as rules_app

FIXTURES = Path(__file__).parent.parent / "fixtures" / "offline_burst_two_sources"
BURST_RULE = """\
rules:
  - id: hasakah-burst
    title: Hasakah clashes
    condition: {places: [sy-al-hasakah], event_types: [armed_clash]}
    burst: {min_sources: 2, window: 1h}
"""
runner = CliRunner()


def _rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(BURST_RULE, encoding="utf-8")
    return path


def _alerts(output: str) -> list[list[str]]:
    return [json.loads(line)["alerts"] for line in output.splitlines()]


def test_feed_files_are_sources_named_after_their_title() -> None:
    a = list(raw_articles_from_path(FIXTURES / "outlet-a.xml"))
    b = list(raw_articles_from_path(FIXTURES / "outlet-b.xml"))
    assert [x.source.id for x in a + b] == ["outlet-a", "outlet-b"]
    assert a[0].source.name == "Outlet A" and a[0].source.feed == "https://outlet-a.example/"


def test_feed_without_title_uses_its_link_host_then_the_file_name(tmp_path: Path) -> None:
    item = "<item><title>t</title><link>https://x.example/1</link><description>نص</description></item>"
    linked = tmp_path / "linked.xml"
    linked.write_text(f'<rss version="2.0"><channel><link>https://www.wire.example/</link>{item}'
                      "</channel></rss>", encoding="utf-8")
    bare = tmp_path / "Bare Feed.xml"
    bare.write_text(f'<rss version="2.0"><channel>{item}</channel></rss>', encoding="utf-8")
    [from_link] = raw_articles_from_path(linked)
    [from_name] = raw_articles_from_path(bare)
    assert from_link.source.id == "wire.example"
    assert from_name.source.id == "bare-feed" and from_name.source.name == "Bare Feed.xml"


def test_text_files_of_a_folder_share_the_folder_source(tmp_path: Path) -> None:
    folder = tmp_path / "Reporter"
    folder.mkdir()
    for name in ("one.txt", "two.txt"):
        (folder / name).write_text(f"خبر {name}\nنص الخبر.", encoding="utf-8")
    assert {a.source.id for a in raw_articles_from_path(folder)} == {"reporter"}
    assert [a.source.id for a in raw_articles_from_path(folder / "one.txt")] == ["one"]


def test_burst_of_two_sources_fires_on_two_feed_files(tmp_path: Path) -> None:
    files = [str(FIXTURES / "outlet-a.xml"), str(FIXTURES / "outlet-b.xml")]
    result = runner.invoke(rules_app, ["test", "--file", str(_rules(tmp_path)), "--json", *files])
    assert result.exit_code == 0, result.output
    assert _alerts(result.output) == [[], ["hasakah-burst"]]
    alert = json.loads(result.output.splitlines()[1])["new_alerts"][0]
    assert alert["sources"] == ["outlet-a", "outlet-b"]


def test_burst_of_two_sources_stays_pending_on_one_feed_file(tmp_path: Path) -> None:
    result = runner.invoke(rules_app, ["test", "--file", str(_rules(tmp_path)), "--json",
                                       str(FIXTURES / "outlet-a.xml")])
    assert result.exit_code == 0, result.output
    [line] = [json.loads(x) for x in result.output.splitlines()]
    assert line["alerts"] == [] and line["results"][0]["status"] == "pending"


def test_process_gives_each_feed_file_its_source_and_fires_the_burst(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("khabar")
    env = {"PATH": str(exe.parent), "HOME": str(tmp_path), "KHABAR_RULES_FILE": str(_rules(tmp_path))}
    done = subprocess.run([str(exe), "process", str(FIXTURES / "outlet-a.xml"), str(FIXTURES / "outlet-b.xml")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    docs = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["source"]["id"] for d in docs] == ["outlet-a", "outlet-b"]
    assert [d["alerts"] for d in docs] == [[], ["hasakah-burst"]]
