"""The stage chain clean -> tag -> dedup -> alert, shared by the Faust agents and `khabar process`.

Each stage is a plain function in its own module; this module only chains them and turns a
failure into a `StageError` naming the stage, so the caller can dead-letter the record with
the reason instead of losing it or crashing the stream.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from khabar.models import Alert, Article, RawArticle, utcnow


class StageError(Exception):
    """A record a stage could not handle; goes to the dead-letter topic with `stage` and reason."""

    def __init__(self, stage: str, error: BaseException | str) -> None:
        self.stage = stage
        self.reason = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        super().__init__(f"{stage}: {self.reason}")


def run_stage(stage: str, fn, *args: Any) -> Any:
    """Call one stage, wrapping any failure in StageError(stage, ...)."""
    try:
        return fn(*args)
    except StageError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure is dead-lettered with its reason
        raise StageError(stage, exc) from exc


def clean_and_tag(raw: RawArticle) -> Article:
    """The stateless half (runs in parallel over the raw topic's partitions)."""
    from processors.clean import clean
    from processors.tagging.stage import tag

    article = run_stage("clean", clean, raw)
    return run_stage("tag", tag, article)


@dataclass(frozen=True, slots=True)
class Failed:
    """Why a record went nowhere: the dead letter's stage and reason."""

    stage: str
    reason: str


def run_on_json(model: type, fn, value: bytes | str) -> Any:
    """`fn(model(value))`, or `Failed` naming the stage: "decode" when the value is not a valid
    `model` (or not JSON at all), the stage's name for a StageError, the function's otherwise.
    Never raises: every record ends as a result or a dead letter."""
    try:
        record = model.model_validate_json(value)
    except ValidationError as exc:
        return Failed("decode", f"not a valid {model.__name__}: {exc.errors()[0]['msg']}")
    except Exception as exc:  # noqa: BLE001 - RecursionError on deep JSON, anything else: never lose it
        return Failed("decode", f"{type(exc).__name__}: {str(exc)[:500]}")
    try:
        return fn(record)
    except StageError as exc:
        return Failed(exc.stage, exc.reason)
    except Exception as exc:  # noqa: BLE001 - a stage bug outside run_stage: dead-letter, go on
        return Failed(getattr(fn, "__name__", "stage"), f"{type(exc).__name__}: {str(exc)[:500]}")


def clean_and_tag_batch(values: list[bytes]) -> list[tuple[str, bytes, bytes] | Failed]:
    """The stateless half over raw messages, as the stream's clean agent needs it: for each,
    (article id, cleaned Article JSON, its dedup fingerprint) or `Failed`. Bytes in, bytes out,
    so it runs as well in a helper process (processors/offload.py) as in the event loop; the
    fingerprint (a pure function of the text) is computed there too, off the stateful agent."""
    from processors.dedup.stage import dedup_text
    from processors.dedup.text import encode_fingerprint, fingerprint

    out: list[tuple[str, bytes, bytes] | Failed] = []
    for value in values:
        result = run_on_json(RawArticle, clean_and_tag, value)
        if isinstance(result, Failed):
            out.append(result)
            continue
        try:
            fp = encode_fingerprint(fingerprint(dedup_text(result)))
        except Exception:  # noqa: BLE001 - the stateful agent computes it again and dead-letters its failure
            fp = b""
        out.append((result.id, result.model_dump_json(by_alias=True).encode(), fp))
    return out


@dataclass
class Outcome:
    """What the stateful half produced for one article."""

    article: Article
    original_update: Any = None  # processors.dedup.stage.OriginalUpdate | None
    alerts: list[Alert] = field(default_factory=list)
    alert_updates: list[Alert] = field(default_factory=list)


class StatefulStages:
    """Dedup + alert over mapping stores (a dict offline, Faust tables in the stream)."""

    def __init__(
        self,
        dedup_store: MutableMapping[str, Any],
        alert_store: MutableMapping[str, Any],
        window_days: float = 14.0,
        rules: list | None = None,
        journal: Any = None,
        alert_slots: MutableMapping[str, Any] | None = None,
        alert_journal: Any = None,
    ) -> None:
        from processors.alerts.stage import AlertEngine
        from processors.dedup.stage import Deduplicator

        # journal: told every dedup record written (the stream logs only those, see dedup/log.py)
        self.deduplicator = Deduplicator(dedup_store, window_days=window_days, journal=journal)
        # alert_slots: the alert store's expiry lists, kept apart (derived, never logged)
        slots = {} if alert_slots is None else alert_slots
        self.alert_engine = AlertEngine(rules or [], alert_store, slots=slots, journal=alert_journal)

    def process(self, article: Article, now: datetime | None = None, fingerprint: Any = None) -> Outcome:
        """Dedup then alert; `fingerprint`: the article's dedup fingerprint if already computed."""
        dedup = run_stage("dedup", self.deduplicator.check, article, now, fingerprint)
        alerted = run_stage("alert", self.alert_engine.evaluate, dedup.article, now)
        final = alerted.article.model_copy(update={"processed_at": utcnow()})
        return Outcome(final, dedup.original_update, list(alerted.alerts), list(alerted.updates))


class OfflinePipeline:
    """clean -> tag -> dedup -> alert with in-memory state, for `khabar process` and tests."""

    def __init__(self, rules: list | None = None, window_days: float = 14.0) -> None:
        self.stateful = StatefulStages({}, {}, window_days=window_days, rules=rules)

    def process(self, raw: RawArticle) -> Outcome:
        return self.stateful.process(clean_and_tag(raw))

    def run(self, raws) -> tuple[list[Article], list[tuple[Any, StageError]]]:
        """Process in order; return final articles (originals' copy counts up to date) and failures."""
        by_id: dict[str, Article] = {}
        failures: list[tuple[Any, StageError]] = []
        for raw in raws:
            try:
                outcome = self.process(raw)
            except StageError as exc:
                failures.append((raw, exc))
                continue
            by_id.pop(outcome.article.id, None)  # a revision replaces, and moves to the end
            by_id[outcome.article.id] = outcome.article
            update = outcome.original_update
            if update is not None and update.original_id in by_id:
                original = by_id[update.original_id]
                original.dedup = original.dedup.model_copy(update={"copies": update.copies})
        return list(by_id.values()), failures
