"""The alert stage: evaluate the alert rules on one article (record in, outcome out).

The engine lives in processors/alerts/ (rules, conditions, bursts, store); this module is the
stage's stable entry point for the pipeline and the Faust agent.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime
from pathlib import Path
from typing import Any

from khabar.models import Article
from processors.alerts.engine import AlertEngine, AlertOutcome, RuleResult
from processors.alerts.rules import Rule, load_rules

__all__ = ["AlertEngine", "AlertOutcome", "Rule", "RuleResult", "alert", "engine_from_file"]


def engine_from_file(store: MutableMapping[str, Any], path: Path | None = None) -> AlertEngine:
    """An engine over the rules file (default: settings.rules_file) and this store."""
    if path is None:
        from khabar.settings import get_settings

        path = get_settings().rules_file
    return AlertEngine(load_rules(path), store)


def alert(article: Article, engine: AlertEngine, now: datetime | None = None) -> AlertOutcome:
    """Stage function: the article with `alerts` set, plus new alerts and count updates."""
    return engine.evaluate(article, now)
