"""The pure parts of `khabar bench pipeline`: percentiles, per-article CPU, which topics count as
state, and the article generator (distinct ids, ~5 % near copies that dedup finds, Arabic)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from khabar.cli.bench.pipeline_samples import generate
from khabar.cli.bench.pipeline_stats import (
    latency_summary,
    per_article_ms,
    percentile,
    state_topics,
)

ARABIC = re.compile(r"[\u0600-\u06FF]")


def test_percentile_interpolates_between_ranks() -> None:
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 100) == 5.0
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0


def test_percentile_rejects_nothing_and_bad_q() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_latency_summary_is_in_milliseconds() -> None:
    summary = latency_summary([0.1] * 90 + [2.0] * 10)
    assert summary["p50"] == 100.0
    assert summary["p99"] == 2000.0
    assert set(summary) == {"p50", "p95", "p99"}


def test_per_article_ms_with_total() -> None:
    out = per_article_ms({"worker_0": 10.0, "kafka": 1.0}, {"worker_0": 12.0, "kafka": 1.5, "producer": 0.5}, 1000)
    assert out == {"worker_0": 2.0, "kafka": 0.5, "producer": 0.5, "total": 3.0}


def test_state_topics_are_changelogs_and_unknown_topics_under_the_prefix() -> None:
    names = ["p.articles.raw", "p.articles.cleaned", "p.articles.enriched", "p.articles.updates", "p.alerts",
             "p.articles.dlq", "p.feeds.state", "p.bench.rawchain", "p.dedup.fingerprints",
             "app-dedup-state-changelog", "app-alert-state-changelog", "app-__assignor-__leader",
             "app-x-repartition", "other.articles.raw", "app2-dedup-state-changelog"]
    assert state_topics(names, "p.", "app", exclude=["p.bench.rawchain"]) == [
        "app-alert-state-changelog", "app-dedup-state-changelog", "p.dedup.fingerprints"]


def test_generator_ids_copies_and_text() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    samples = generate(400, seed=4, now=now)
    assert len({s.raw.id for s in samples}) == 400
    assert len({s.raw.url for s in samples}) == 400
    copies = [s for s in samples if s.copy_of]
    assert len(copies) == 20  # 5 %
    position = {s.raw.id: i for i, s in enumerate(samples)}
    for c in copies:
        assert position[c.copy_of] < position[c.raw.id]  # the original arrives first
        assert samples[position[c.copy_of]].copy_of is None
        assert c.raw.source.id != samples[position[c.copy_of]].raw.source.id
    for s in samples[:50]:
        assert s.raw.language == "ar"
        text = re.sub(r"<[^>]+>", "", s.raw.content)
        assert len(ARABIC.findall(text)) > 0.6 * len(text.replace(" ", ""))
        assert len(text.split()) > 60
    assert len({s.raw.title for s in samples}) > 300  # varied, not one template
    assert generate(400, seed=4, now=now)[123].raw == samples[123].raw  # deterministic


def test_generated_near_copies_are_what_dedup_flags() -> None:
    """Originals stay originals and near copies are found as copies of their original (the
    dedup stage is probabilistic: a rare miss or false match is tolerated, not a pattern)."""
    from processors.pipeline import OfflinePipeline

    samples = generate(600, seed=8)
    articles, failures = OfflinePipeline().run(s.raw for s in samples)
    assert not failures
    by_id = {a.id: a for a in articles}
    originals = [s for s in samples if not s.copy_of]
    copies = [s for s in samples if s.copy_of]
    flagged = [s for s in originals if by_id[s.raw.id].dedup.status != "original"]
    found = [s for s in copies if by_id[s.raw.id].dedup.of == s.copy_of]
    assert len(flagged) <= 3, [by_id[s.raw.id].dedup for s in flagged]
    assert len(found) >= len(copies) - 2
