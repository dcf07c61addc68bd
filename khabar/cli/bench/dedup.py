"""`khabar bench dedup`: articles/s through clean + dedup on one core, and state bytes/article.

The stream is generated from the five seed articles (copies kept in tests/fixtures/dedup):
~3 KB Arabic articles made by mixing seed sentences and swapping half their words for
other words of the seeds' vocabulary (so distinct articles share words, not phrases), plus
copies the way syndication makes them (exact republication, an edited wire copy, a teaser)
and revisions (same id again). The baseline, measured in the same run on the same stream,
is exact hashing only: sha256 of the matching form into a dict.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any

from khabar.cli.bench.calibrate import python_loop_cpu_s
from khabar.models import RawArticle, SourceRef, stable_id
from khabar.settings import PROJECT_ROOT
from khabar.textnorm import matching_form

SEEDS = PROJECT_ROOT / "tests" / "fixtures" / "dedup"
TARGET_BYTES = 3000
COPY_RATE = 0.3
REVISION_RATE = 0.05


def _seed_sentences() -> list[str]:
    files = sorted(SEEDS.glob("*_seed.txt"))
    if not files:
        raise FileNotFoundError(f"no seed articles in {SEEDS} (run tests/fixtures/dedup/make_devset.py)")
    text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    return [s.strip() for s in re.split(r"(?<=[.!؟])\s+|\n+", text) if len(s.split()) >= 6]


def generate_stream(n_distinct: int, seed: int = 7) -> list[tuple[RawArticle, str | None]]:
    """n distinct ~3 KB articles, some followed by a copy or a revision.

    Each item is (raw article, id of the article it copies or None); a revision has the id
    of the article it revises, so it is None too (it is not a copy).
    """
    rng = random.Random(seed)
    sentences = _seed_sentences()
    vocabulary = sorted({w for s in sentences for w in s.split()})
    stream: list[tuple[RawArticle, str | None]] = []
    for i in range(n_distinct):
        paragraphs, size = [], 0
        while size < TARGET_BYTES:
            words = rng.choice(sentences).split()
            mixed = " ".join(w if rng.random() < 0.5 else rng.choice(vocabulary) for w in words)
            paragraphs.append(mixed)
            size += len(mixed.encode("utf-8")) + 2
        body = "\n\n".join(paragraphs)
        original = _raw(f"https://outlet{i % 7}.example/a/{i}", body)
        stream.append((original, None))
        roll = rng.random()
        if roll < COPY_RATE / 3:  # republished as is
            stream.append((_raw(f"https://copy.example/{i}", body), original.id))
        elif roll < 2 * COPY_RATE / 3:  # edited wire copy: a sentence dropped, a dateline added
            edited = paragraphs[:]
            del edited[rng.randrange(len(edited))]
            edited[0] = "دمشق - وكالات: " + edited[0]
            stream.append((_raw(f"https://wire.example/{i}", "\n\n".join(edited)), original.id))
        elif roll < COPY_RATE:  # teaser: the lead paragraphs
            stream.append((_raw(f"https://teaser.example/{i}", "\n\n".join(paragraphs[:2])), original.id))
        elif roll < COPY_RATE + REVISION_RATE:  # the same URL again, revised
            stream.append((_raw(original.url or "", body + "\n\nتحديث."), None))
    return stream


def _raw(url: str, body: str) -> RawArticle:
    return RawArticle(id=stable_id(url), url=url, source=SourceRef(id="bench"), title="",
                      content=body, content_type="text", language="ar")


def state_bytes(store: MutableMapping[str, Any]) -> int:
    """Size of the store as a JSON-serialising table would hold it (keys + values)."""
    return sum(len(k.encode()) + len(json.dumps(v, separators=(",", ":")).encode())
               for k, v in store.items())


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def run(quick: bool = False) -> dict:
    """Throughput and state size on a generated stream; JSON-ready."""
    from processors.clean import clean
    from processors.dedup.stage import Deduplicator

    n_distinct = 300 if quick else 3000
    generated = generate_stream(n_distinct)
    stream = [raw for raw, _ in generated]
    clean(stream[0])  # load the language model outside the timed part
    now = datetime(2025, 1, 1, tzinfo=UTC)

    # baseline: exact hashing of the matching form only
    started, cpu_started = time.perf_counter(), time.process_time()
    seen: dict[str, str] = {}
    for raw in stream:
        seen.setdefault(hashlib.sha256(matching_form(raw.content).encode()).hexdigest(), raw.id)
    baseline_s, baseline_cpu = time.perf_counter() - started, time.process_time() - cpu_started

    # the stage pair as the stream runs it: clean, then dedup, one article at a time
    store: dict[str, Any] = {}
    deduplicator = Deduplicator(store, window_days=14.0)
    outcomes = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for i, raw in enumerate(stream):
        outcomes.append(deduplicator.check(clean(raw), now + timedelta(seconds=i)).article.dedup)
    total_s, total_cpu = time.perf_counter() - started, time.process_time() - cpu_started

    # the same again with warm per-word caches, as in a long-running worker
    started, cpu_started = time.perf_counter(), time.process_time()
    warm = Deduplicator({}, window_days=14.0)
    for i, raw in enumerate(stream):
        warm.check(clean(raw), now + timedelta(seconds=i))
    warm_s, warm_cpu = time.perf_counter() - started, time.process_time() - cpu_started

    # the two halves apart, on the same stream
    started = time.process_time()
    cleaned = [clean(raw) for raw in stream]
    clean_cpu = time.process_time() - started
    started = time.process_time()
    apart = Deduplicator({}, window_days=14.0)
    for i, article in enumerate(cleaned):
        apart.check(article, now + timedelta(seconds=i))
    dedup_cpu = time.process_time() - started

    documents = sum(1 for k in store if k.startswith("d:"))
    total_state = state_bytes(store)
    avg_bytes = sum(len(r.content.encode()) for r in stream) / len(stream)
    return {
        "benchmark": "dedup",
        "quick": quick,
        "articles": len(stream),
        "distinct_articles": n_distinct,
        "avg_article_bytes": round(avg_bytes),
        "clean_plus_dedup": {
            "articles_per_s": _rate(len(stream), total_s),
            "articles_per_cpu_s": _rate(len(stream), total_cpu),
            "seconds": round(total_s, 3),
            "note": "first pass: per-word caches start empty",
        },
        "clean_plus_dedup_warm": {
            "articles_per_s": _rate(len(stream), warm_s),
            "articles_per_cpu_s": _rate(len(stream), warm_cpu),
            "note": "second pass over the same stream, fresh dedup state, caches warm",
        },
        "baseline_exact_hash_only": {
            "articles_per_s": _rate(len(stream), baseline_s),
            "articles_per_cpu_s": _rate(len(stream), baseline_cpu),
            "duplicates_found": len(stream) - len(seen),
        },
        "clean_only": {"articles_per_cpu_s": _rate(len(stream), clean_cpu)},
        "dedup_only": {"articles_per_cpu_s": _rate(len(stream), dedup_cpu)},
        "target_articles_per_s": 1000,
        "calibration_python_loop_10m_cpu_s": python_loop_cpu_s(),
        "note": "one process, one thread; *_per_cpu_s divides by CPU time, which a busy shared "
                "machine inflates less than wall time",
        "copies": _copy_accuracy(generated, outcomes),
        "state": {
            "keys": len(store),
            "bytes": total_state,
            "bytes_per_article": round(total_state / max(documents, 1)),
            "articles_in_window": documents,
        },
        "window": _window_flatness(cleaned, Deduplicator),
    }


def _copy_accuracy(generated: list[tuple[RawArticle, str | None]], outcomes: list) -> dict:
    """How the dedup outcomes on the stream compare with how it was generated."""
    copies = [(dedup, of) for (_, of), dedup in zip(generated, outcomes, strict=True) if of]
    others = [dedup for (_, of), dedup in zip(generated, outcomes, strict=True) if not of]
    found = sum(d.status != "original" and d.of == of for d, of in copies)
    return {
        "generated_copies": len(copies),
        "found": found,
        "recall": round(found / max(len(copies), 1), 4),
        "linked_to_wrong_original": sum(d.status != "original" and d.of != of for d, of in copies),
        "false_matches_among_non_copies": sum(d.status != "original" for d in others),
        "statuses": {s: sum(d.status == s for d in outcomes)
                     for s in ("original", "duplicate", "near_duplicate")},
    }


def _window_flatness(cleaned: list, deduplicator_cls) -> dict:
    """The same stream spread over 6 windows of 1 day: state size at the end of each day."""
    store: dict[str, Any] = {}
    deduplicator = deduplicator_cls(store, window_days=1.0)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    per_day = max(len(cleaned) // 6, 1)
    sizes = []
    for i, article in enumerate(cleaned):
        deduplicator.check(article, start + timedelta(days=i / per_day))
        if (i + 1) % per_day == 0:
            sizes.append({"day": (i + 1) // per_day, "keys": len(store), "bytes": state_bytes(store)})
    return {"window_days": 1.0, "articles_per_day": per_day, "state_by_day": sizes}
