"""Loading config/feeds.yaml-style files into typed sources; bad entries name file and line."""

from pathlib import Path

import pytest

from ingest.sources import load_sources
from khabar.settings import CONFIG_DIR
from khabar.yamlconf import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_project_feeds_file_loads_with_the_sample_feed_enabled() -> None:
    sources = load_sources(CONFIG_DIR / "feeds.yaml")
    assert [s.id for s in sources] == ["samples-seeds"]
    sample = sources[0]
    assert sample.kind == "file" and sample.path == CONFIG_DIR / "samples" / "seeds-feed.xml"
    assert sample.language == "ar"
    everything = load_sources(CONFIG_DIR / "feeds.yaml", include_disabled=True)
    disabled = [s for s in everything if not s.enabled]
    assert len(disabled) >= 3 and all(s.kind == "feed" and s.url.startswith("https://") for s in disabled)
    assert {"ar", "en"} <= {s.language for s in disabled}


def test_fields_defaults_and_durations(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    path = write(tmp_path, """
sources:
  - id: alpha
    url: https://news.example/rss
    min_interval: 90s
    max_interval: 2h
    fulltext: true
    tags: [a, b]
  - id: beta
    kind: folder
    path: articles
""")
    alpha, beta = load_sources(path)
    assert (alpha.kind, alpha.name, alpha.min_interval, alpha.max_interval) == ("feed", "alpha", 90.0, 7200.0)
    assert alpha.fulltext and not alpha.local and alpha.tags == ["a", "b"]
    assert alpha.ref().feed == "https://news.example/rss"
    assert beta.path == (tmp_path / "articles").resolve()
    assert beta.ref().id == "beta"


@pytest.mark.parametrize(
    ("entry", "line", "reason"),
    [
        ("  - id: ok\n    url: https://a.example/\n  - id: bad\n    kind: feed\n", 4, "needs `url`"),
        ("  - id: ok\n    url: https://a.example/\n  - id: x\n    url: ftp://a.example/f\n", 4, "http(s)"),
        ("  - id: ok\n    url: https://a.example/\n  - id: Bad Id\n    url: https://b.example/\n", 4, "id must be"),
        ("  - id: ok\n    url: https://a.example/\n  - id: ok\n    url: https://b.example/\n", 4, "duplicate id 'ok' (first at line 2)"),
        ("  - id: ok\n    url: https://a.example/\n    min_interval: 2h\n    max_interval: 1h\n", 2, "min_interval <= max_interval"),
        ("  - id: ok\n    url: https://a.example/\n    min_interval: soon\n", 4, "not a duration"),
        ("  - id: ok\n    url: https://a.example/\n    colour: red\n", 4, "colour"),
        ("  - id: ok\n    kind: folder\n    path: nowhere\n", 2, "does not exist"),
        ("  - id: ok\n    url: https://a.example/\n    encoding: klingon-8\n", 4, "unknown encoding"),
    ],
)
def test_bad_entries_fail_with_file_line_and_reason(tmp_path: Path, entry: str, line: int, reason: str) -> None:
    path = write(tmp_path, "sources:\n" + entry)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    assert info.value.path == str(path)
    assert info.value.line == line
    assert reason in info.value.reason


def test_missing_file_and_wrong_shape(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_sources(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="top-level `sources:` list"):
        load_sources(write(tmp_path, "feeds: []\n"))


