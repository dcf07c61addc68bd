"""`khabar feeds add | import | check` against canned feeds on 127.0.0.1."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from ingest.sources import load_sources
from khabar.cli.feedprobe import Probe, normalise_url, source_id
from khabar.cli.feeds import app
from khabar.cli.feeds_manage import check_table
from khabar.cli.feedsfile import append_entries
from tests.feedserver import Canned, FeedServer

FIXTURES = Path(__file__).parent.parent / "fixtures" / "feeds_import_opml"
FEEDS = """\
# my feeds: keep this comment
sources:
  # the first one
  - id: arabic-wire-old
    name: Arabic Wire (old entry)
    url: https://wire.example/feed
    enabled: false  # inline comment kept
"""
runner = CliRunner()


def khabar(*args: str) -> subprocess.CompletedProcess:
    """The real command line (one-line errors and exit codes come from khabar.cli.main)."""
    exe = Path(sys.executable).with_name("khabar")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        xml = {"content-type": "application/rss+xml; charset=utf-8"}
        srv.route("/arabic.xml", Canned((FIXTURES / "arabic.xml").read_bytes(), headers=xml))
        srv.route("/english.xml", Canned((FIXTURES / "english.xml").read_bytes(), headers=xml))
        srv.route("/legacy.xml", Canned((FIXTURES / "legacy-windows-1256.xml").read_bytes(),
                                        headers={"content-type": "application/rss+xml"}))
        srv.route("/gone.xml", Canned(b"not here", status=404))
        yield srv


@pytest.fixture
def feeds_file(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(FEEDS, encoding="utf-8")
    return path


def _opml(tmp_path: Path, server: FeedServer) -> Path:
    path = tmp_path / "subscriptions.opml"
    path.write_text((FIXTURES / "subscriptions.opml").read_text(encoding="utf-8").replace("{base}", server.base_url),
                    encoding="utf-8")
    return path


def test_import_opml_probes_and_appends_typed_entries_keeping_comments(tmp_path, server, feeds_file):
    result = runner.invoke(app, ["import", str(_opml(tmp_path, server)), "--feeds", str(feeds_file)])
    assert result.exit_code == 0, result.output
    text = feeds_file.read_text(encoding="utf-8")
    assert text.startswith(FEEDS)  # the file as written, comments included, then the new entries
    sources = {s.id: s for s in load_sources(feeds_file, include_disabled=True)}
    assert set(sources) == {"arabic-wire-old", "arabic-wire", "legacy-desk", "english-agency", "gone-feed"}
    assert sources["arabic-wire"].language == "ar" and sources["arabic-wire"].tags == ["syria"]
    assert sources["arabic-wire"].url == server.url("/arabic.xml") and sources["arabic-wire"].enabled
    assert sources["english-agency"].language == "en" and sources["english-agency"].encoding is None
    # undeclared charset: the detected one is pinned so the pollers read it the same way
    assert codecs.lookup(sources["legacy-desk"].encoding).name == "cp1256" and sources["legacy-desk"].language == "ar"
    assert not sources["gone-feed"].enabled
    assert "# probe failed (HTTP 404): disabled until fixed" in text
    assert "4 feeds: 3 added, 1 added disabled (probe failed), 0 already present" in result.output


def test_import_twice_skips_every_known_url(tmp_path, server, feeds_file):
    opml = _opml(tmp_path, server)
    assert runner.invoke(app, ["import", str(opml), "--feeds", str(feeds_file)]).exit_code == 0
    before = feeds_file.read_text(encoding="utf-8")
    result = runner.invoke(app, ["import", str(opml), "--feeds", str(feeds_file)])
    assert result.exit_code == 0, result.output
    assert feeds_file.read_text(encoding="utf-8") == before
    assert "4 feeds: 0 added, 0 added disabled (probe failed), 4 already present" in result.output


def test_add_dry_run_prints_the_entry_and_leaves_the_file(server, feeds_file):
    url = server.url("/english.xml")
    result = runner.invoke(app, ["add", url, "--feeds", str(feeds_file), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"- id: english-agency\n    name: \"English Agency\"\n    url: {url}\n    language: en" in result.output
    assert feeds_file.read_text(encoding="utf-8") == FEEDS
    assert len(server.hits("/english.xml")) == 1  # probed once


def test_add_skips_a_duplicate_url_and_refuses_a_broken_feed(server, feeds_file):
    url = server.url("/arabic.xml")
    assert runner.invoke(app, ["add", url, "--feeds", str(feeds_file), "--id", "wire"]).exit_code == 0
    again = runner.invoke(app, ["add", url + "/", "--feeds", str(feeds_file)])
    assert again.exit_code == 0 and "already in the feeds file as wire" in again.output
    broken = khabar("feeds", "add", server.url("/gone.xml"), "--feeds", str(feeds_file))
    assert broken.returncode == 2 and broken.stderr.strip().endswith("probe failed, not added: HTTP 404")
    ids = [s.id for s in load_sources(feeds_file, include_disabled=True)]
    assert ids == ["arabic-wire-old", "wire"]


def test_add_with_an_invalid_id_is_a_one_line_error(server, feeds_file):
    done = khabar("feeds", "add", server.url("/english.xml"), "--id", "Bad Id", "--feeds", str(feeds_file))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().endswith("not a valid feeds entry: id: Value error, id must be lowercase letters, "
                                        "digits, '.', '_' or '-' (max 100)")
    assert feeds_file.read_text(encoding="utf-8") == FEEDS


def test_check_reports_each_feed_and_fails_when_one_fails(tmp_path, server, feeds_file):
    assert runner.invoke(app, ["import", str(_opml(tmp_path, server)), "--feeds", str(feeds_file)]).exit_code == 0
    text = feeds_file.read_text(encoding="utf-8").replace("enabled: false  # inline", "# inline")
    feeds_file.write_text(text.replace("    enabled: false\n", ""), encoding="utf-8")  # enable gone-feed
    result = runner.invoke(app, ["check", "--feeds", str(feeds_file), "--json"])
    assert result.exit_code == 1
    report = {p["id"]: p for p in json.loads(result.output)["feeds"]}
    assert report["gone-feed"]["ok"] is False and report["gone-feed"]["error"] == "HTTP 404"
    assert report["legacy-desk"]["ok"] and report["legacy-desk"]["items"] == 1
    assert codecs.lookup(report["legacy-desk"]["encoding"]).name == "cp1256"
    assert (report["arabic-wire"]["items"], report["arabic-wire"]["language"]) == (2, "ar")
    assert report["arabic-wire-old"]["ok"] is False  # wire.example does not resolve here


def test_check_table_fits_80_columns():
    probes = [Probe(id="a-rather-long-source-identifier-name", url="u", ok=True, status="200", items=12,
                    encoding="utf-8", language="ar"),
              Probe(id="gone", url="u", status="-", error="connection failed: [Errno 111] Connection "
                    "refused while talking to the upstream server of this feed")]
    console = Console(width=80, record=True)
    console.print(check_table(probes))
    text = console.export_text()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any("ok 200" in line and "12" in line and "utf-8" in line for line in lines)
    assert "refused" in text and "FAIL" in text and "upstream" in text  # the error wraps, not cut


def test_ids_and_url_keys():
    assert source_id("Enab Baladi (Arabic)", "https://x.example/feed", set()) == "enab-baladi-arabic"
    assert source_id("عنب بلدي", "https://www.enabbaladi.net/feed", set()) == "enabbaladi.net"
    assert source_id("Wire", "https://w.example/", {"wire"}) == "wire-2"
    assert normalise_url("HTTPS://Example.com/feed/") == normalise_url("https://example.com/feed")


def test_append_needs_sources_last():
    with pytest.raises(Exception, match="not the last top-level key"):
        append_entries("sources:\n  - id: a\nother: 1\n", [({"id": "b"}, None)])
    assert append_entries("sources: []\n", [({"id": "b", "url": "https://b.example/"}, "c")]) == \
        "sources:\n\n  # c\n  - id: b\n    url: https://b.example/\n"
