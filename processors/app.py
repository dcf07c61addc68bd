"""The Faust app: thin `async for` loops around the stage functions (processors/pipeline.py).

Topology (why it is shaped this way):
- `articles.raw` (N partitions) -> clean+tag agent, stateless, runs in parallel on every
  worker -> `articles.cleaned`, which has ONE partition: dedup and burst alerts must see every
  article, so the stateful agent runs on exactly one worker at a time (Kafka assigns the
  partition; another worker takes over on failure, restoring the tables from their changelogs).
- stateful agent (dedup + alert) -> `articles.enriched` (every article, duplicates included),
  `articles.updates` (partial updates such as an original's copy count), `alerts`. Dedup keeps its index in a local RocksDB store and logs one record
  per article to `dedup.fingerprints`, from which a worker that takes the partition rebuilds
  the index (processors/dedup/log.py); the alert engine keeps its store locally too and logs
  ONE message per article with the keys it wrote to `alerts.state` (processors/statelog.py).
- sink agent: enriched + updates + alerts -> Elasticsearch in bulk batches; the batch's
  offsets are acknowledged only after Elasticsearch acknowledged (take_events acks after the
  loop body), so a crash replays, and deterministic `_id`s make the replay an overwrite.
- Anything a stage rejects goes to `articles.dlq` as {record, stage, error, at}.
Agents keep concurrency=1 (DESIGN §7: offsets can be committed past in-flight messages).
"""

from __future__ import annotations

import json
import time
from typing import Any

import faust

from khabar import topics
from khabar.logs import get_logger
from khabar.models import (
    DEAD_LETTER_RECORD_MAX,
    Alert,
    Article,
    ArticleUpdate,
    DeadLetter,
)
from khabar.settings import Settings
from processors import metrics
from processors.dedup.log import Journal, rebuild
from processors.dedup.text import FINGERPRINT_HEADER, decode_fingerprint
from processors.offload import CleanProcesses
from processors.pipeline import Failed, StatefulStages, run_on_json
from processors.sink.stream import SINK_TOPICS, SinkMessage, StreamSink
from processors.statelog import decode, encode, open_local_store, read_messages

log = get_logger("khabar.processors")

SINK_BATCH = 500
# the clean agent's batches: big enough that handing one to a helper process costs little per
# article, short enough in time that a quiet stream is not held back (a few ms per article)
CLEAN_BATCH = 64
CLEAN_WITHIN_S = 0.05
# a quiet stream waits at most this long for a bulk request to fill: with Elasticsearch's 1 s
# refresh on top, 1.0 s made p50 fetch->searchable 1.4 s at 20 articles/s (issue 11)
SINK_WITHIN_S = 0.25
# One request per message was a quarter of the worker's CPU: let the producer batch (a few ms
# of linger are nothing next to the sink's batches). No compression: on one box the
# broker is local and compressing costs the CPU the stages need.
PRODUCER_LINGER_S = 0.005
PRODUCER_MAX_BATCH_BYTES = 512 * 1024
PRODUCER_MAX_REQUEST_BYTES = 4 * 1024 * 1024


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
        producer_linger=PRODUCER_LINGER_S,
        producer_max_batch_size=PRODUCER_MAX_BATCH_BYTES,
        producer_max_request_size=PRODUCER_MAX_REQUEST_BYTES,
        processing_guarantee="at_least_once",
        table_cleanup_interval=60.0,
        broker_commit_every=SINK_BATCH,
        broker_commit_interval=1.0,
        stream_recovery_delay=0.0,
        broker_session_timeout=settings.kafka_session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.kafka_session_timeout_s / 5),
    )

    def topic(name: str, partitions: int | None = None, compacted: bool = False) -> faust.TopicT:
        kwargs: dict[str, Any] = {"key_type": str, "value_serializer": "raw", "key_serializer": "raw"}
        if partitions:
            kwargs["partitions"] = partitions
        if compacted:
            kwargs["compacting"] = True
        return app.topic(settings.topic(name), **kwargs)

    raw_topic = topic(topics.RAW)
    cleaned_topic = topic(topics.CLEANED, partitions=topics.PIPELINE_TOPICS[topics.CLEANED])
    enriched_topic = topic(topics.ENRICHED)
    updates_topic = topic(topics.UPDATES)
    alerts_topic = topic(topics.ALERTS)
    dlq_topic = topic(topics.DLQ)
    fingerprints_topic = topic(topics.FINGERPRINTS, partitions=topics.PIPELINE_TOPICS[topics.FINGERPRINTS])
    alert_state_topic = topic(topics.ALERT_STATE, partitions=topics.PIPELINE_TOPICS[topics.ALERT_STATE])

    async def dead_letter(key: Any, record: Any, stage: str, error: str) -> None:
        metrics.DEAD_LETTERS.labels(stage).inc()
        fallback = None
        if isinstance(record, bytes | bytearray):
            fallback = _decode(record)[:DEAD_LETTER_RECORD_MAX]
            try:
                record = json.loads(record)
            except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
                record = fallback
        letter = DeadLetter(record=record, stage=stage, error=error)
        log.warning("dead_letter", stage=stage, error=error[:500], key=_decode(key)[:200] if key else None)
        await dlq_topic.send(key=key, value=letter.to_json(fallback))

    async def decode_and_run(key: Any, value: Any, model: type, fn) -> Any:
        """`fn(model(value))`, or None after dead-lettering what could not be decoded or handled."""
        result = run_on_json(model, fn, value)
        if isinstance(result, Failed):
            await dead_letter(key, value, result.stage, result.reason)
            return None
        return result

    cleaner = CleanProcesses(settings.clean_processes)
    app.khabar_cleaner = cleaner  # type: ignore[attr-defined]

    @app.task
    async def start_cleaner() -> None:
        cleaner.start()

    @app.on_before_shutdown.connect
    async def stop_cleaner(app: faust.App, **_: Any) -> None:
        cleaner.close()

    @app.agent(raw_topic, concurrency=1)
    async def clean_agent(stream: faust.StreamT) -> None:
        # batches, so a helper process does the work while the loop runs the other agents;
        # offsets are acknowledged after the loop body, i.e. after the results were sent
        async for events in stream.take_events(CLEAN_BATCH, within=CLEAN_WITHIN_S):
            values = [event.value for event in events]
            metrics.STAGE_IN.labels("clean").inc(len(values))
            for event, result in zip(events, await cleaner.run(values), strict=True):
                if isinstance(result, Failed):
                    await dead_letter(event.key, event.value, result.stage, result.reason)
                    continue
                metrics.STAGE_OUT.labels("clean").inc()
                article_id, cleaned, fingerprint = result
                await cleaned_topic.send(key=article_id.encode(), value=cleaned,
                                         headers={FINGERPRINT_HEADER: fingerprint} if fingerprint else None)

    journal = Journal()
    alert_writes: list[dict[str, Any]] = []
    stages: dict[str, Any] = {}
    cleaned_name = settings.topic(topics.CLEANED)

    @app.on_partitions_assigned.connect
    async def on_assigned(sender: Any, assigned: Any, **_: Any) -> None:
        # taking `articles.cleaned` (again): another worker may have processed it meanwhile
        owns = any(tp.topic == cleaned_name for tp in assigned)
        if owns and not stages.get("owns"):
            stages.pop("s", None)
        stages["owns"] = owns

    async def stateful() -> StatefulStages:
        # built lazily: the local stores are rebuilt from their logs when the partition is taken
        if "s" not in stages:
            started = time.monotonic()
            await app.producer.flush()  # our own log messages first
            for name in ("dedup-index", "alert-state"):
                if name in stages:
                    stages.pop(name).close()
            dedup_store = stages["dedup-index"] = open_local_store(settings.state_dir / "dedup-index")
            alert_store = stages["alert-state"] = open_local_store(settings.state_dir / "alert-state")
            built = StatefulStages(dedup_store, alert_store, settings.dedup_window_days, rules,
                                   journal=journal, alert_slots={}, alert_journal=alert_writes.append)
            stats = await rebuild(built.deduplicator, settings.kafka_bootstrap,
                                  settings.topic(topics.FINGERPRINTS))
            evaluations: list[Any] = []
            await read_messages(settings.kafka_bootstrap, settings.topic(topics.ALERT_STATE),
                                lambda _key, value: evaluations.append(decode(value)) if value else None)
            entries = built.alert_engine.restore(evaluations)
            log.info("state_rebuilt", dedup_records=stats.records, dedup_docs=stats.kept,
                     alert_messages=len(evaluations), alert_entries=entries, dedup_seconds=round(stats.seconds, 2),
                     seconds=round(time.monotonic() - started, 2))
            stages["s"] = built
        return stages["s"]

    @app.agent(cleaned_topic, concurrency=1)
    async def dedup_alert_agent(stream: faust.StreamT) -> None:
        async for event in stream.events():
            fingerprint = decode_fingerprint(_header(event.headers, FINGERPRINT_HEADER))
            await process_cleaned(await stateful(), event.key, event.value, fingerprint)
            # the article's state log messages; Faust flushes them before committing its offset
            for record_key, record in journal.drain():
                await fingerprints_topic.send(key=record_key, value=record)
            for writes in alert_writes:
                await alert_state_topic.send(key=event.key, value=encode(writes))
            alert_writes.clear()

    async def process_cleaned(stateful_stages: StatefulStages, key: Any, value: Any, fingerprint: Any) -> None:
        metrics.STAGE_IN.labels("dedup").inc()

        def dedup_and_alert(article: Article) -> Any:
            return stateful_stages.process(article, fingerprint=fingerprint)

        outcome = await decode_and_run(key, value, Article, dedup_and_alert)
        if outcome is None:
            return
        out = outcome.article
        metrics.STAGE_OUT.labels("dedup").inc()
        metrics.DEDUP_STATUS.labels(out.dedup.status).inc()
        await enriched_topic.send(key=out.id.encode(), value=out.model_dump_json(by_alias=True).encode())
        update = outcome.original_update
        if update is not None:
            message = ArticleUpdate.copy_count(update.original_id, update.copies, update.original_timestamp)
            await updates_topic.send(key=message.id.encode(), value=message.to_json())
        for alert in [*outcome.alerts, *outcome.alert_updates]:
            metrics.ALERTS_FIRED.labels(alert.rule_id).inc()
            await alerts_topic.send(key=alert.rule_id.encode(), value=alert.model_dump_json(by_alias=True).encode())
        if outcome.alerts or outcome.alert_updates:
            _dispatch(app, outcome.alerts, outcome.alert_updates)

    @app.agent(app.topic(*(settings.topic(name) for name in SINK_TOPICS),
                         key_serializer="raw", value_serializer="raw"), concurrency=1)
    async def sink_agent(stream: faust.StreamT) -> None:
        from khabar.es.client import make_client
        from khabar.es.setup import ensure_setup

        client = make_client(settings)
        await ensure_setup(client, settings)

        async def dlq(letter: DeadLetter) -> None:
            metrics.DEAD_LETTERS.labels(letter.stage).inc()
            key = (letter.record.get("id") if isinstance(letter.record, dict) else None) or ""
            await dlq_topic.send(key=str(key).encode(), value=letter.to_json())

        async def reject(message: SinkMessage, reason: str) -> None:
            await dead_letter(message.key, message.value, "index-decode", reason)

        async def requeue(update: ArticleUpdate) -> None:
            await updates_topic.send(key=update.id.encode(), value=update.to_json())

        sink = StreamSink(client, settings, dlq, reject, requeue)
        async for events in stream.take_events(SINK_BATCH, within=SINK_WITHIN_S):
            messages = [SinkMessage(e.message.topic, e.key, e.value) for e in events]
            started = time.monotonic()
            items, result = await sink.write_messages(messages)
            metrics.record_sink_batch(items, result, time.monotonic() - started)
            metrics.STAGE_IN.labels("index").inc(len(items))
            metrics.STAGE_OUT.labels("index").inc(len(result.indexed))

    app.khabar_agents = (clean_agent, dedup_alert_agent, sink_agent)  # type: ignore[attr-defined]
    return app


def _header(headers: Any, name: str) -> bytes | None:
    """A message header's value (Faust gives a mapping or a list of pairs, or nothing)."""
    if not headers:
        return None
    if isinstance(headers, dict):
        return headers.get(name)
    return next((value for key, value in headers if key == name), None)


def _dispatch(app: faust.App, alerts: list[Alert], updates: list[Alert]) -> None:
    """Hand alerts to the background webhook/log dispatcher (submit never blocks the stream)."""
    dispatcher = getattr(app, "khabar_dispatcher", None)
    if dispatcher is not None:
        for alert in alerts:
            dispatcher.submit(alert)
        for alert in updates:
            dispatcher.submit(alert, update=True)
