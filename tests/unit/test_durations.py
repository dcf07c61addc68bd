"""One duration grammar (khabar.durations) for feeds and alert rules: both forms everywhere."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ingest.sources import load_sources
from khabar.durations import format_duration, parse_seconds, parse_timedelta
from khabar.yamlconf import ConfigError
from processors.alerts.rules import load_rule_set


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("1h 30m", 5400), ("2d", 172800),
     (120, 120), (0.5, 0.5), ("300", 300), ("1.5h", 5400), ("1.5m", 90), ("250ms", 0.25),
     ("1s500ms", 1.5), ("2H", 7200), (timedelta(minutes=2), 120)],
)
def test_one_grammar(text, seconds) -> None:
    assert parse_seconds(text) == seconds
    assert parse_timedelta(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("bad", ["", "h", "1x", "-5m", 0, -3, "0s", "1h 2", "5 minutes", "m5", True, None, [1]])
def test_bad_durations(bad) -> None:
    with pytest.raises(ValueError) as err:
        parse_seconds(bad)
    assert "duration" in str(err.value)


@pytest.mark.parametrize("text", ["45s", "15m", "90m", "6h", "2d", "250ms"])
def test_format_round_trips(text: str) -> None:
    assert format_duration(parse_timedelta(text)) == text
    assert format_duration(parse_seconds(text)) == text


def test_feeds_accept_the_rules_forms(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("sources:\n  - id: a\n    url: https://a.example/\n"
                    "    min_interval: 1h30m\n    max_interval: 1d\n    timeout: 2500ms\n", encoding="utf-8")
    (source,) = load_sources(path)
    assert (source.min_interval, source.max_interval, source.timeout) == (5400.0, 86400.0, 2.5)


def test_rules_accept_the_feeds_forms(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "channels:\n  hook:\n    type: webhook\n    url_env: KHABAR_HOOK\n    timeout: 1500ms\n"
        "rules:\n  - id: r\n    title: R\n    condition: {killed_min: 5}\n    throttle: '5400'\n"
        "    channels: [hook]\n", encoding="utf-8")
    rule_set = load_rule_set(path)
    assert rule_set.channels["hook"].timeout == timedelta(seconds=1.5)
    assert rule_set.rules[0].throttle == timedelta(hours=1, minutes=30)


def test_a_bad_duration_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("sources:\n  - id: a\n    url: https://a.example/\n    timeout: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    assert err.value.line == 4 and "positive" in err.value.reason
