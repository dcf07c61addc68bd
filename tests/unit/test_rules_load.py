"""Loading config/rules.yaml: typed rules, and every mistake reported as file:line: reason."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from khabar.settings import CONFIG_DIR
from khabar.yamlconf import ConfigError
from processors.alerts.rules import check_references, load_rule_set, load_rules

GOOD = """\
channels:
  ops:
    type: webhook
    url_env: KHABAR_WEBHOOK_OPS
    format: slack
rules:
  - id: idlib-deaths
    title: Deaths in Idlib
    severity: critical
    condition:
      places: sy-idlib
      killed_min: 10
    throttle: 6h
    group_by: place
    channels: [log, ops]
  - id: clashes-burst
    title: Clashes
    condition:
      event_types: [armed_clash]
    burst: {min_sources: 3, window: 1h}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads_into_typed_rules(tmp_path):
    rule_set = load_rule_set(write(tmp_path, GOOD))
    first, second = rule_set.rules
    assert first.id == "idlib-deaths" and first.severity == "critical"
    assert first.condition.places == ["sy-idlib"]  # a single value stands for a list
    assert first.condition.killed_min == 10
    assert first.throttle == timedelta(hours=6) and first.grouping == "place"
    assert first.channels == ["log", "ops"] and first.line == 7
    assert second.burst.min_sources == 3 and second.burst.window == timedelta(hours=1)
    assert second.throttle_period == timedelta(hours=1)  # a burst is throttled for its window
    assert second.channels == ["log"] and second.severity == "warning"
    assert rule_set.channels["ops"].url_env == "KHABAR_WEBHOOK_OPS"
    assert rule_set.channels["ops"].format == "slack"
    assert set(rule_set.channels) == {"log", "ops"}


def test_shipped_rules_are_valid():
    rules = load_rules(CONFIG_DIR / "rules.yaml")
    ids = {r.id for r in rules}
    assert {"idlib-deaths-10", "chemical-weapon", "hasakah-clashes-3-outlets", "mass-casualty-50"} <= ids
    hasakah = next(r for r in rules if r.id == "hasakah-clashes-3-outlets")
    assert hasakah.burst.min_sources == 3 and hasakah.burst.window == timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (GOOD.replace("killed_min: 10", "killed_min: many"), 12, "killed_min"),
        (GOOD.replace("severity: critical", "severity: urgent"), 9, "severity"),
        (GOOD.replace("throttle: 6h", "throttle: soon"), 13, "not a duration"),
        (GOOD.replace("[armed_clash]", "[armed_clashes]"), 19, "unknown event type"),
        (GOOD.replace("      event_types: [armed_clash]\n",
                      "      event_types: [armed_clash]\n      include_cumulative: true\n"),
         18, "include_cumulative applies to killed_min"),
        (GOOD.replace("channels: [log, ops]", "channels: [log, pager]"), 15, "unknown channel 'pager'"),
        (GOOD.replace("id: clashes-burst", "id: idlib-deaths"), 16, "duplicate rule id"),
        (GOOD.replace("    group_by: place\n", "    group_by: place\n    colour: red\n"), 15, "colour"),
        (GOOD.replace("burst: {min_sources: 3, window: 1h}", "burst: {window: 1h}"), 20, "min_originals or min_sources"),
        (GOOD.replace("    url_env: KHABAR_WEBHOOK_OPS\n", ""), 3, "url_env"),
        (GOOD.replace("      killed_min: 10", "      killed_min: 10\n     bad: [indent"), 13, "invalid YAML"),
        ("rules: {}\n", 1, "top-level `rules:` list"),
    ],
)
def test_mistakes_name_file_and_line(tmp_path, text, line, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_rule_set(path)
    assert err.value.path == str(path)
    assert err.value.line == line, str(err.value)
    assert fragment in err.value.reason
    assert str(err.value).startswith(f"{path}:{line}: ")


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_rules(tmp_path / "nope.yaml")


def test_empty_condition_is_rejected(tmp_path):
    text = GOOD.replace("      event_types: [armed_clash]\n", "      places: []\n")
    with pytest.raises(ConfigError, match="needs at least one of"):
        load_rules(write(tmp_path, text))


def test_unknown_taxonomy_ids_are_reported_with_the_rule_line(tmp_path):
    rule_set = load_rule_set(write(tmp_path, GOOD))
    check_references(rule_set, {"places": {"sy-idlib", "sy-aleppo"}})  # known: fine
    with pytest.raises(ConfigError) as err:
        check_references(rule_set, {"places": {"sy-aleppo"}})
    assert err.value.line == 7 and "sy-idlib" in err.value.reason


