"""The Faust app: thin `async for` loops around the stage functions (processors/pipeline.py).

Topology (why it is shaped this way):
- `articles.raw` (N partitions) -> clean+tag agent, stateless, runs in parallel on every
  worker -> `articles.cleaned`, which has ONE partition: dedup and burst alerts must see every
  article, so the stateful agent runs on exactly one worker at a time (Kafka assigns the
  partition; another worker takes over on failure, restoring the tables from their changelogs).
- stateful agent (dedup + alert, RocksDB tables) -> `articles.enriched` (every article,
  duplicates included), `articles.updates` (partial updates such as an original's copy
  count), `alerts`.
- sink agent: enriched + updates + alerts -> Elasticsearch in bulk batches; the batch's
  offsets are acknowledged only after Elasticsearch acknowledged (take_events acks after the
  loop body), so a crash replays, and deterministic `_id`s make the replay an overwrite.
- Anything a stage rejects goes to `articles.dlq` as {record, stage, error, at}.
Agents keep concurrency=1 (DESIGN §7: offsets can be committed past in-flight messages).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import faust
from pydantic import ValidationError

from khabar.logs import get_logger
from khabar.models import Alert, Article, DeadLetter, RawArticle
from khabar.settings import Settings
from processors import metrics
from processors.pipeline import StageError, StatefulStages, clean_and_tag

log = get_logger("khabar.processors")

ROCKSDB_OPTIONS = {"driver": "rocksdict", "block_cache_size": 64 * 1024 * 1024,
                   "block_cache_compressed_size": 16 * 1024 * 1024}
SINK_BATCH = 500
SINK_WITHIN_S = 1.0


def _decode(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else str(value)


def create_app(settings: Settings, rules: list | None = None) -> faust.App:
    """Build the Faust app for these settings (topic prefix, broker, state dir)."""
    datadir = settings.state_dir / "faust"
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.faust_app_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="rocksdb://",
        datadir=str(datadir),
        topic_partitions=4,
        topic_replication_factor=1,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
        producer_acks=-1,
        processing_guarantee="at_least_once",
        table_cleanup_interval=60.0,
        broker_commit_every=SINK_BATCH,
        broker_commit_interval=1.0,
        stream_recovery_delay=0.0,
    )

    def topic(name: str, partitions: int | None = None, compacted: bool = False) -> faust.TopicT:
        kwargs: dict[str, Any] = {"key_type": str, "value_serializer": "raw", "key_serializer": "raw"}
        if partitions:
            kwargs["partitions"] = partitions
        if compacted:
            kwargs["compacting"] = True
        return app.topic(settings.topic(name), **kwargs)

    raw_topic = topic("articles.raw")
    cleaned_topic = topic("articles.cleaned", partitions=1)
    enriched_topic = topic("articles.enriched")
    updates_topic = topic("articles.updates")
    alerts_topic = topic("alerts")
    dlq_topic = topic("articles.dlq")

    # JSON values (the app's default serializer): the stage stores hold only JSON types
    table_kwargs = {"default": None, "partitions": 1, "key_type": str,
                    "options": dict(ROCKSDB_OPTIONS)}
    dedup_table = app.Table("dedup-state", **table_kwargs)
    alert_table = app.Table("alert-state", **table_kwargs)

    async def dead_letter(key: Any, record: Any, stage: str, error: str) -> None:
        metrics.DEAD_LETTERS.labels(stage).inc()
        if isinstance(record, bytes | bytearray):
            try:
                record = json.loads(record)
            except ValueError:
                record = _decode(record)
        letter = DeadLetter(record=record, stage=stage, error=error)
        log.warning("dead_letter", stage=stage, error=error, key=_decode(key) if key else None)
        await dlq_topic.send(key=key, value=letter.model_dump_json().encode())

    async def decode_and_run(key: Any, value: Any, model: type, fn) -> Any:
        """`fn(model(value))`, or None after dead-lettering what could not be decoded or handled."""
        try:
            return fn(model.model_validate_json(value))
        except ValidationError as exc:
            await dead_letter(key, value, "decode", f"not a valid {model.__name__}: {exc.errors()[0]['msg']}")
        except StageError as exc:
            await dead_letter(key, value, exc.stage, exc.reason)
        return None

    @app.agent(raw_topic, concurrency=1)
    async def clean_agent(stream: faust.StreamT) -> None:
        async for key, value in stream.items():
            metrics.STAGE_IN.labels("clean").inc()
            article = await decode_and_run(key, value, RawArticle, clean_and_tag)
            if article is None:
                continue
            metrics.STAGE_OUT.labels("clean").inc()
            await cleaned_topic.send(key=article.id.encode(), value=article.model_dump_json(by_alias=True).encode())

    stages: dict[str, StatefulStages] = {}

    def stateful() -> StatefulStages:
        # built lazily: the tables must be bound to the running app before use
        if "s" not in stages:
            stages["s"] = StatefulStages(dedup_table, alert_table, settings.dedup_window_days, rules)
        return stages["s"]

    @app.agent(cleaned_topic, concurrency=1)
    async def dedup_alert_agent(stream: faust.StreamT) -> None:
        async for key, value in stream.items():
            metrics.STAGE_IN.labels("dedup").inc()
            outcome = await decode_and_run(key, value, Article, lambda a: stateful().process(a))
            if outcome is None:
                continue
            out = outcome.article
            metrics.STAGE_OUT.labels("dedup").inc()
            metrics.DEDUP_STATUS.labels(out.dedup.status).inc()
            await enriched_topic.send(key=out.id.encode(), value=out.model_dump_json(by_alias=True).encode())
            update = outcome.original_update
            if update is not None:
                payload = {"id": update.original_id, "partial": {"dedup": {"copies": update.copies}},
                           "timestamp": _iso(update.original_timestamp)}
                await updates_topic.send(key=update.original_id.encode(), value=json.dumps(payload).encode())
            for alert in [*outcome.alerts, *outcome.alert_updates]:
                metrics.ALERTS_FIRED.labels(alert.rule_id).inc()
                await alerts_topic.send(key=alert.rule_id.encode(), value=alert.model_dump_json(by_alias=True).encode())
            if outcome.alerts or outcome.alert_updates:
                _dispatch(app, outcome.alerts, outcome.alert_updates)

    @app.agent(app.topic(settings.topic("articles.enriched"), settings.topic("articles.updates"),
                         settings.topic("alerts"), key_serializer="raw", value_serializer="raw"),
               concurrency=1)
    async def sink_agent(stream: faust.StreamT) -> None:
        from khabar.es.client import make_client
        from khabar.es.setup import ensure_setup
        from processors.sink.bulk import ArticleSink
        from processors.sink.copies import keep_highest_copies

        client = make_client(settings)
        await ensure_setup(client, settings)

        async def dlq(letter: DeadLetter) -> None:
            metrics.DEAD_LETTERS.labels(letter.stage).inc()
            key = (letter.record.get("id") if isinstance(letter.record, dict) else None) or ""
            await dlq_topic.send(key=str(key).encode(), value=letter.model_dump_json().encode())

        sink = ArticleSink(client, settings, dlq)
        async for events in stream.take_events(SINK_BATCH, within=SINK_WITHIN_S):
            items = []
            attempts: dict[str, int] = {}
            for event in events:
                item = await _sink_item(event, settings, dead_letter, attempts)
                if item is not None:
                    items.append(item)
            metrics.STAGE_IN.labels("index").inc(len(items))
            if items:
                items = await keep_highest_copies(client, settings, items)
                result = await sink.write(items)
                metrics.STAGE_OUT.labels("index").inc(len(result.indexed))
                await _requeue_missing_updates(items, result.missing, attempts, updates_topic)

    app.khabar_agents = (clean_agent, dedup_alert_agent, sink_agent)  # type: ignore[attr-defined]
    return app


UPDATE_ATTEMPTS = 30


async def _requeue_missing_updates(items: list, missing: list[str], attempts_by_id: dict[str, int],
                                   updates_topic: faust.TopicT) -> None:
    """An update can overtake its original (they travel on different topics and partitions):
    send it round again, a bounded number of times, until the original has been indexed."""
    from processors.sink.bulk import UpdateArticle

    missing_ids = set(missing)
    for item in items:
        if isinstance(item, UpdateArticle) and item.id in missing_ids:
            attempts = attempts_by_id.get(item.id, 0)
            if attempts + 1 >= UPDATE_ATTEMPTS:
                log.warning("update_dropped", id=item.id, partial=item.partial, attempts=attempts + 1)
                continue
            payload = {"id": item.id, "partial": item.partial, "timestamp": _iso(item.timestamp),
                       "attempts": attempts + 1}
            await updates_topic.send(key=item.id.encode(), value=json.dumps(payload).encode())


def _iso(ts: datetime | None) -> str | None:
    return ts.isoformat() if ts else None


async def _sink_item(event: Any, settings: Settings, dead_letter, attempts: dict[str, int]) -> Any:
    """Turn one enriched/update/alert message into a sink item; undecodable ones are dead-lettered."""
    from processors.sink.bulk import IndexArticle, IndexDoc, UpdateArticle

    topic = event.message.topic
    value = event.value
    try:
        if topic == settings.topic("articles.enriched"):
            return IndexArticle(Article.model_validate_json(value))
        if topic == settings.topic("articles.updates"):
            data = json.loads(value)
            ts = datetime.fromisoformat(data["timestamp"]) if data.get("timestamp") else None
            attempts[data["id"]] = int(data.get("attempts", 0))
            return UpdateArticle(data["id"], data["partial"], ts)
        alert = Alert.model_validate_json(value)
        return IndexDoc("alerts", alert.id, alert.to_doc())
    except (ValidationError, ValueError, KeyError) as exc:
        await dead_letter(event.key, value, "index-decode", f"{type(exc).__name__}: {exc}")
        return None


def _dispatch(app: faust.App, alerts: list[Alert], updates: list[Alert]) -> None:
    """Hand alerts to the background webhook/log dispatcher (submit never blocks the stream)."""
    dispatcher = getattr(app, "khabar_dispatcher", None)
    if dispatcher is not None:
        for alert in alerts:
            dispatcher.submit(alert)
        for alert in updates:
            dispatcher.submit(alert, update=True)
