"""`khabar dlq list|show|replay`: work with the dead letters on `articles.dlq`.

A dead letter is `{record, stage, error, at}`. Replay sends the record back to the topic its
stage reads (clean/tag -> articles.raw, dedup/alert -> articles.cleaned, index ->
articles.enriched or articles.updates), keyed by the article id: the sink writes by that id,
so replaying twice still leaves one document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import typer

from khabar import topics
from khabar.errors import ServiceUnavailable, UserError
from khabar.settings import Settings, get_settings

app = typer.Typer(no_args_is_help=True, help="Dead letters: list, show and replay them.")

# stage -> the topic that stage consumes (what a replay feeds again)
STAGE_TOPICS = {"ingest": None, "clean": topics.RAW, "tag": topics.RAW, "dedup": topics.CLEANED,
                "alert": topics.CLEANED, "index": topics.ENRICHED, "index-decode": topics.ENRICHED,
                # the clean + tag helper process died on the record (processors/offload.py), or
                # a bug outside a named stage in either half (processors/app.py)
                "clean-process": topics.RAW, "clean_and_tag": topics.RAW, "dedup_and_alert": topics.CLEANED}


@dataclass
class Letter:
    partition: int
    offset: int
    at: datetime  # when it was dead-lettered (the Kafka timestamp)
    key: str
    stage: str
    error: str
    record: Any

    @property
    def ref(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def article_id(self) -> str:
        rec = self.record if isinstance(self.record, dict) else {}
        return self.key or str(rec.get("id") or "")

    def to_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "at": self.at.isoformat(), "id": self.article_id, "stage": self.stage,
                "error": self.error, "replay_to": replay_topic(self), "record": self.record}


def replay_topic(letter: Letter) -> str | None:
    """The topic (unprefixed) a replay of this letter goes to; None when it cannot be replayed
    (an ingest letter holds a feed entry, not an article: fix the feed and poll again)."""
    rec = letter.record if isinstance(letter.record, dict) else None
    if rec is None:
        return None  # not even JSON: nothing a stage could read
    if letter.stage == "decode":  # a raw article has `content`, a processed one `body`
        return topics.RAW if "content" in rec or "body" not in rec else topics.CLEANED
    if letter.stage.startswith("index") and "partial" in rec:
        return topics.UPDATES
    return STAGE_TOPICS.get(letter.stage)


def parse_when(text: str | None) -> datetime | None:
    """`1h`, `2d`, `90m` (ago) or an ISO time."""
    if not text:
        return None
    from khabar.durations import parse_timedelta

    try:
        return datetime.now(UTC) - parse_timedelta(text)
    except (ValueError, TypeError):
        pass
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"{text!r}: expected a duration such as 1h or 2d, or an ISO time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def read_letters(settings: Settings, *, stage: str | None = None, error: str | None = None,
                 since: datetime | None = None, until: datetime | None = None,
                 ids: set[str] | None = None) -> list[Letter]:
    """Every dead letter kept on the topic that passes the filters, oldest first."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.errors import NoBrokersAvailable

    try:
        consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                                 consumer_timeout_ms=1500, request_timeout_ms=15000)
    except NoBrokersAvailable:
        raise ServiceUnavailable(f"Kafka not reachable at {settings.kafka_bootstrap}") from None
    name = settings.topic(topics.DLQ)
    out: list[Letter] = []
    try:
        tps = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
        if not tps:
            return []
        consumer.assign(tps)
        ends = consumer.end_offsets(tps)
        starts = consumer.beginning_offsets(tps)
        if since is not None:
            found = consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in tps})
            starts = {tp: (found[tp].offset if found.get(tp) else ends[tp]) for tp in tps}
        for tp in tps:
            consumer.seek(tp, starts[tp])
        remaining = {tp for tp in tps if starts[tp] < ends[tp]}
        while remaining:
            batch = consumer.poll(timeout_ms=1500)
            if not batch:
                break
            for tp, messages in batch.items():
                for msg in messages:
                    if msg.offset >= ends[tp]:
                        remaining.discard(tp)
                        continue
                    letter = _letter(msg)
                    if _wanted(letter, stage, error, until, ids):
                        out.append(letter)
                    if msg.offset + 1 >= ends[tp]:
                        remaining.discard(tp)
    finally:
        consumer.close()
    return sorted(out, key=lambda x: (x.at, x.partition, x.offset))


def _letter(msg: Any) -> Letter:
    text = msg.value.decode("utf-8", "replace") if msg.value else ""
    try:
        body = json.loads(text)
    except ValueError:
        body = {"record": text, "stage": "?", "error": "dead letter is not JSON"}
    if not isinstance(body, dict):
        body = {"record": body}
    return Letter(partition=msg.partition, offset=msg.offset,
                  at=datetime.fromtimestamp(msg.timestamp / 1000, UTC),
                  key=msg.key.decode("utf-8", "replace") if msg.key else "",
                  stage=str(body.get("stage", "?")), error=str(body.get("error", "")),
                  record=body.get("record"))


def _wanted(letter: Letter, stage: str | None, error: str | None, until: datetime | None,
            ids: set[str] | None) -> bool:
    return ((stage is None or letter.stage == stage)
            and (error is None or error.lower() in letter.error.lower())
            and (until is None or letter.at <= until)
            and (not ids or letter.article_id in ids))


def replay(settings: Settings, letters: list[Letter], dry_run: bool = False) -> dict[str, Any]:
    """Send each replayable letter's record to its stage's topic; what went where."""
    sent: dict[str, int] = {}
    skipped: list[dict[str, str]] = []
    targets = [(letter, replay_topic(letter)) for letter in letters]
    producer = None
    if not dry_run and any(t for _, t in targets):
        from kafka import KafkaProducer

        producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all",
                                 max_request_size=16 * 1024 * 1024)
    try:
        for letter, target in targets:
            if target is None:
                skipped.append({"ref": letter.ref, "stage": letter.stage,
                                "why": "not replayable (an ingest or non-JSON letter)"})
                continue
            if producer is not None:
                value = json.dumps(letter.record, ensure_ascii=False).encode("utf-8", "surrogatepass")
                producer.send(settings.topic(target), key=letter.article_id.encode() or None, value=value)
            sent[target] = sent.get(target, 0) + 1
        if producer is not None:
            producer.flush(timeout=60)
    finally:
        if producer is not None:
            producer.close()
    return {"replayed": sum(sent.values()), "to": sent, "skipped": skipped, "dry_run": dry_run}


StageOpt = typer.Option(None, "--stage", help="Only letters of this stage (clean, tag, dedup, alert, index ...).")
ErrorOpt = typer.Option(None, "--error", help="Only letters whose error contains this text (any case).")
SinceOpt = typer.Option(None, "--since", help="Only letters newer than this: 1h, 2d or an ISO time.")
UntilOpt = typer.Option(None, "--until", help="Only letters older than this: 1h, 2d or an ISO time.")


@app.command("list")
def list_letters(stage: str = StageOpt, error: str = ErrorOpt, since: str = SinceOpt, until: str = UntilOpt,
                 as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table.")) -> None:
    """List dead letters, oldest first (reference partition:offset, time, stage, id, error)."""
    letters = read_letters(get_settings(), stage=stage, error=error, since=parse_when(since),
                           until=parse_when(until))
    if as_json:
        for letter in letters:
            typer.echo(json.dumps({k: v for k, v in letter.to_dict().items() if k != "record"},
                                  ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(letters)} dead letter(s)")
    for col in ("ref", "at (UTC)", "stage", "id", "error"):
        table.add_column(col, overflow="fold")
    for letter in letters:
        table.add_row(letter.ref, letter.at.strftime("%Y-%m-%d %H:%M:%S"), letter.stage,
                      letter.article_id[:16], letter.error[:160])
    Console().print(table)
    if letters:
        typer.echo("show one: khabar dlq show REF|ID; replay: khabar dlq replay [filters] [--dry-run]")


@app.command()
def show(ref: str = typer.Argument(..., help="partition:offset from `dlq list`, or an article id.")) -> None:
    """Print one dead letter in full (JSON), with where a replay would send it."""
    settings = get_settings()
    letters = read_letters(settings)
    found = [x for x in letters if x.ref == ref] or [x for x in letters if x.article_id == ref]
    if not found:
        raise UserError(f"no dead letter {ref!r} (see `khabar dlq list`)")
    replay_to = replay_topic(found[-1])
    body = found[-1].to_dict() | {"replay_to": settings.topic(replay_to) if replay_to else None}
    typer.echo(json.dumps(body, ensure_ascii=False, indent=2))


@app.command("replay")
def replay_cmd(stage: str = StageOpt, error: str = ErrorOpt, since: str = SinceOpt, until: str = UntilOpt,
               ids: list[str] = typer.Option(None, "--id", help="Only this article id (repeatable)."),
               dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be sent, send nothing."),
               ) -> None:
    """Send dead letters back to the topic their stage reads (idempotent: same article id)."""
    settings = get_settings()
    letters = read_letters(settings, stage=stage, error=error, since=parse_when(since),
                           until=parse_when(until), ids=set(ids or ()))
    result = replay(settings, letters, dry_run=dry_run)
    result["to"] = {settings.topic(k): v for k, v in result["to"].items()}
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
