"""Quality gate for tagging on the seeds' gold file (issue 5 acceptance), pinned in
tests/quality/tags_baseline.json: the acceptance floors must hold, and no score may drop
below the score measured when the gate was set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khabar.cli.evaluate.tags import evaluate_tags

BASELINE = Path(__file__).with_name("tags_baseline.json")

# issue 5: required places and actors recall >= 0.95 (alias groups resolved to one id),
# geotag accuracy >= 0.95, event-type F1 >= 0.85, every listed death count found and no
# listed non-death number reported as a death
FLOORS = {
    "places.recall": 0.95,
    "actors.recall": 0.95,
    "geotag.accuracy": 0.95,
    "event_types.f1": 0.85,
    "killed.recall": 1.0,
    "killed.precision": 1.0,
}


@pytest.fixture(scope="module")
def report(shared_dir: Path) -> dict:
    return evaluate_tags(shared_dir / "eval" / "seeds-gold.yaml")


def score(report: dict, dotted: str) -> float:
    section, key = dotted.split(".")
    value = report[section][key]
    assert value is not None, f"{dotted} has no value (nothing to score?)"
    return value


def test_acceptance_floors(report: dict) -> None:
    below = {k: (score(report, k), floor) for k, floor in FLOORS.items() if score(report, k) < floor}
    assert not below, (f"tagging below the acceptance floors (score, floor): {below}; "
                       f"misses: {report['misses']}; false positives: {report['false_positives']}")


def test_no_alias_group_is_split(report: dict) -> None:
    for category in ("places", "actors", "persons"):
        assert report[category]["split_alias_groups"] == [], category


def test_scores_do_not_drop_below_their_pins(report: dict) -> None:
    pins = {k: v for k, v in json.loads(BASELINE.read_text(encoding="utf-8")).items()
            if not k.startswith("_")}
    dropped = {k: (score(report, k), pin) for k, pin in pins.items() if score(report, k) < pin}
    assert not dropped, (
        f"tagging scores dropped below tests/quality/tags_baseline.json (score, pin): {dropped}; "
        f"misses: {report['misses']}; false positives: {report['false_positives']}")
