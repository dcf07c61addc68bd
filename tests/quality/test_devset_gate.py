"""Quality gate on the out-of-sample dev sets (issue 14): tests/fixtures/devset/ annotated in
tests/quality/devset-gold.yaml, pinned in tests/quality/devset_baseline.json, and held-out set
2 (tests/fixtures/devset2/, annotated blind; devset2-gold.yaml, devset2_baseline.json). No
per-kind score may drop below its pin (or, for `killed.non_deaths_reported`, rise above it).

Re-pin after an improvement lands (pins = measured, floored to 2 decimals, minus 0.01):
    .venv/bin/khabar eval tags tests/quality/devset-gold.yaml --docs tests/fixtures/devset \\
        --pin tests/quality/devset_baseline.json
Lower a pin only with a written reason in the commit message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khabar.cli.evaluate.tag_kinds import LOWER_IS_BETTER, gate_scores
from khabar.cli.evaluate.tags import evaluate_tags

ROOT = Path(__file__).resolve().parents[1]
SETS = {  # name: (gold, articles, pins)
    "devset": (ROOT / "quality" / "devset-gold.yaml", ROOT / "fixtures" / "devset",
               Path(__file__).with_name("devset_baseline.json")),
    "devset2": (ROOT / "quality" / "devset2-gold.yaml", ROOT / "fixtures" / "devset2",
                Path(__file__).with_name("devset2_baseline.json")),
}


@pytest.fixture(scope="module", params=sorted(SETS))
def scored(request) -> tuple[dict, Path]:
    gold, docs, pins = SETS[request.param]
    return evaluate_tags(gold, docs), pins


@pytest.fixture(scope="module")
def report(scored) -> dict:
    return scored[0]


@pytest.fixture(scope="module")
def pins_file(scored) -> Path:
    return scored[1]


def test_every_pinned_score_is_reported(report: dict, pins_file: Path) -> None:
    pins = {k for k in json.loads(pins_file.read_text(encoding="utf-8")) if not k.startswith("_")}
    scores = gate_scores(report)
    assert pins <= set(scores), f"pinned but not reported: {pins - set(scores)}"
    assert {"places_syria.recall", "places_abroad.recall", "villages.within_10km",
            "actors.recall", "persons.recall", "event_types.f1", "killed.recall",
            "killed.non_deaths_reported"} <= pins


def test_scores_do_not_drop_below_their_pins(report: dict, pins_file: Path) -> None:
    pins = {k: v for k, v in json.loads(pins_file.read_text(encoding="utf-8")).items()
            if not k.startswith("_")}
    scores = gate_scores(report)
    worse = {}
    for name, pin in pins.items():
        value = scores[name]
        if value is None:
            worse[name] = (value, pin)
        elif name in LOWER_IS_BETTER and value > pin:
            worse[name] = (value, pin)
        elif name not in LOWER_IS_BETTER and value < pin:
            worse[name] = (value, pin)
    assert not worse, (
        f"dev-set scores worse than {pins_file.name} (score, pin): {worse}; "
        f"per kind: { {k: {m: v for m, v in s.items() if not isinstance(v, list)} for k, s in report['kinds'].items()} }; "
        f"misses: {report['misses']}; false positives: {report['false_positives']}")
