"""Quality gate: the dedup scores on the development set may not drop below their pins."""

from __future__ import annotations

import json
from pathlib import Path

from khabar.cli.evaluate.dedup import evaluate_dedup

ROOT = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).with_name("dedup_baseline.json")
DEVSET = ROOT / "fixtures" / "dedup" / "pairs.tsv"


def test_dedup_scores_do_not_drop() -> None:
    pins = {k: v for k, v in json.loads(BASELINE.read_text(encoding="utf-8")).items()
            if not k.startswith("_")}
    report = evaluate_dedup(DEVSET)
    scores = report["scores"]
    assert set(pins) <= set(scores), f"scores missing from the report: {set(pins) - set(scores)}"
    dropped = {name: (scores[name], pin) for name, pin in pins.items() if scores[name] < pin}
    assert not dropped, (
        f"dedup scores dropped below tests/quality/dedup_baseline.json (score, pin): {dropped}; "
        f"missed: {report['missed']}; false positives: {report['false_positives']}")
