"""`khabar bench pipeline`: the whole stream path under load, beside the raw chain (issue 11).

One run, on fresh topics, indices, Faust app id and state (own prefixes under the configured
ones, deleted at the end):
1. start K real `khabar worker` processes; wait until their consumer group has K members;
   send a few warm-up articles through and wait until they are searchable;
2. backlog: produce N generated Arabic articles (~5 % near copies) to `articles.raw` as fast
   as ingest's producer takes them; `articles_per_s` = N / (first send -> all N searchable),
   `drain_s` that time; CPU of every process over it, per article; then, once the workers are
   idle, records written to state topics (table changelogs, any other state log) per article;
3. the raw chain on the pipeline's final documents (pipeline_rawchain);
4. steady rates (20, 100, 300 articles/s for --rate-seconds each): fetch -> searchable
   latency per article (`fetched_at` stamped at produce time, searchability polled every
   0.1 s without forcing refreshes), p50/p95/p99 in ms.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khabar.cli.bench import pipeline_probe as probe
from khabar.cli.bench.calibrate import python_loop_cpu_s
from khabar.cli.bench.pipeline_procs import Producer, WorkerProcs, stack_pids
from khabar.cli.bench.pipeline_rawchain import run_raw_chain
from khabar.cli.bench.pipeline_samples import Sample, generate
from khabar.cli.bench.pipeline_stats import (
    cpu_seconds,
    latency_summary,
    per_article_ms,
    rate,
    state_topics,
)
from khabar.errors import UserError
from khabar.settings import Settings, get_settings, load_settings

RATES = (20, 100, 300)
WARMUP = 20
POLL_S = 0.1


@dataclass
class Options:
    articles: int = 10000
    workers: int = 1
    rate_seconds: float = 20.0
    rates: tuple[int, ...] = RATES
    timeout_s: float = 1800.0
    seed: int = 11


@dataclass
class Run:
    """The run's prefixes, settings, scratch directory and processes."""

    base: Settings
    tag: str = field(default_factory=lambda: "bp" + uuid.uuid4().hex[:8])
    env: dict[str, str] = field(default_factory=dict)
    settings: Settings | None = None
    raw_settings: Settings | None = None
    scratch: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="khabar-bench-")))

    def __post_init__(self) -> None:
        b = self.base
        self.env = {"KHABAR_TOPIC_PREFIX": f"{b.topic_prefix}{self.tag}.",
                    "KHABAR_INDEX_PREFIX": f"{b.index_prefix}{self.tag}-",
                    "KHABAR_FAUST_APP_ID": f"{b.faust_app_id}-{self.tag}",
                    "KHABAR_STATE_DIR": str(b.state_dir / "bench" / self.tag),
                    "KHABAR_KAFKA_BOOTSTRAP": b.kafka_bootstrap, "KHABAR_ES_URL": b.es_url}
        self.settings = load_settings(env={**os.environ, **self.env})
        self.raw_settings = load_settings(env={**os.environ, **self.env,
                                               "KHABAR_INDEX_PREFIX": f"{b.index_prefix}{self.tag}-raw-"})

    @property
    def raw_chain_topic(self) -> str:
        return self.settings.topic("bench.rawchain")

    def write_articles(self, name: str, samples: list[Sample]) -> Path:
        path = self.scratch / f"{name}.jsonl"
        path.write_text("".join(s.raw.model_dump_json() + "\n" for s in samples), encoding="utf-8")
        return path

    def cleanup(self) -> None:
        from khabar.cleanup import delete_created

        try:
            delete_created(self.settings, extra_topic_prefixes=(self.settings.faust_app_id + "-",))
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)
            shutil.rmtree(self.settings.state_dir, ignore_errors=True)


class Quiet:
    """The progress interface; prints nothing (not a terminal)."""

    def phase(self, name: str, total: int | None) -> None: ...

    def update(self, done: int) -> None: ...

    def close(self) -> None: ...


class Bar(Quiet):
    """A rich progress bar on stderr, one task per phase."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.progress.start()
        self.task: Any = None

    def phase(self, name: str, total: int | None) -> None:
        if self.task is not None:
            t = self.progress.tasks[-1]
            self.progress.update(self.task, completed=t.total or t.completed)
        self.task = self.progress.add_task(name, total=total)

    def update(self, done: int) -> None:
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        self.progress.stop()


def _wait(what: str, check, timeout_s: float, alive) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        alive()
        if time.monotonic() > deadline:
            raise UserError(f"bench pipeline: timed out after {timeout_s:.0f}s waiting for {what}")
        time.sleep(0.5)


def _start(run: Run, opts: Options, ui: Quiet) -> tuple[WorkerProcs, Any]:
    from khabar.es.client import make_sync_client
    from khabar.topics import ensure_topics

    ensure_topics(run.settings)
    workers = WorkerProcs(run.env, run.base.metrics_port, run.settings.state_dir / "logs")
    ui.phase(f"starting {opts.workers} worker(s)", opts.workers)
    workers.start(opts.workers)

    def joined() -> bool:
        state, members = probe.group_members(run.settings.kafka_bootstrap, run.settings.faust_app_id)
        ui.update(members)
        return state == "Stable" and members >= opts.workers

    _wait("the workers to join their consumer group", joined, 300, workers.check_alive)
    return workers, make_sync_client(run.settings)


def _backlog(run: Run, es, workers: WorkerProcs, samples: list[Sample], already: int,
             opts: Options, ui: Quiet, name: str) -> dict[str, Any]:
    """Produce `samples` as fast as possible; wait until the index holds `already` + all of them."""
    n = len(samples)
    producer = Producer(run.env, run.write_articles(name, samples), run.scratch / f"{name}.json")
    pids = {**stack_pids(), **workers.pids()}
    before = {k: cpu_seconds(p) for k, p in pids.items()}
    ui.phase(f"{name}: {n} articles -> searchable", n)
    producer.go()
    deadline = time.monotonic() + opts.timeout_s
    indexed = 0
    try:
        while time.monotonic() < deadline:
            indexed = probe.count_docs(es, run.settings) - already
            ui.update(max(indexed, 0))
            if indexed >= n:
                break
            workers.check_alive()
            time.sleep(0.25)
        done_at = time.time()
        after = {k: cpu_seconds(p) for k, p in pids.items()}
        sent = producer.finish()
    finally:
        producer.kill()
    elapsed = done_at - sent["first_send"]
    cpu = per_article_ms({"producer": 0.0, **before}, {"producer": sent["cpu_s"], **after}, n)
    return {"indexed": max(indexed, 0), "complete": indexed >= n, "seconds": elapsed,
            "produce_s": sent["last_ack"] - sent["first_send"], "cpu_ms_per_article": cpu}


def _steady(run: Run, es, workers: WorkerProcs, samples: list[Sample], per_s: int, opts: Options,
            ui: Quiet) -> dict[str, Any]:
    """Produce at `per_s`; record when each article became searchable."""
    ids = [s.raw.id for s in samples]
    producer = Producer(run.env, run.write_articles(f"rate{per_s}", samples), run.scratch / f"rate{per_s}.json",
                        rate=per_s)
    ui.phase(f"latency at {per_s}/s", len(ids))
    seen: dict[str, float] = {}
    deadline = time.monotonic() + opts.rate_seconds + 180 + len(ids) / 50  # a slow pipeline catching up
    producer.go()
    started = time.monotonic()
    try:
        while len(seen) < len(ids) and time.monotonic() < deadline:
            due = int((time.monotonic() - started) * per_s * 1.05) + 20  # only ask for what may be out
            pending = [i for i in ids[:due] if i not in seen]
            if pending:
                now = time.time()
                for found in probe.found_ids(es, run.settings, pending):
                    seen[found] = now
            ui.update(len(seen))
            workers.check_alive()
            time.sleep(POLL_S)
        sent = producer.finish()
    finally:
        producer.kill()
    delays = [seen[i] - sent["sent"][i] for i in ids if i in seen and i in sent["sent"]]
    summary = latency_summary(delays) if delays else {"p50": None, "p95": None, "p99": None}
    produce_s = sent["last_ack"] - sent["first_send"]
    return {**summary, "articles": len(ids), "searchable": len(seen),
            "achieved_rate": rate(len(ids), produce_s)}


def _state_records(run: Run) -> dict[str, int]:
    names = state_topics(probe.list_topics(run.settings.kafka_bootstrap), run.settings.topic_prefix,
                         run.settings.faust_app_id, exclude=(run.raw_chain_topic,))
    return probe.end_offsets(run.settings.kafka_bootstrap, names)


def measure(opts: Options, ui: Quiet) -> dict[str, Any]:
    """The whole run; what it created is deleted afterwards, also on failure."""
    from khabar.cli.drain import wait_idle
    from khabar.logs import configure_logging
    from khabar.topics import IN_FLIGHT_TOPICS

    if opts.articles < 1 or opts.workers < 1:
        raise UserError("--articles and --workers must be at least 1")
    configure_logging("console", "WARNING")
    run = Run(get_settings())
    per_rate = {r: max(1, round(r * opts.rate_seconds)) for r in opts.rates}
    ui.phase("generating articles", None)
    samples = generate(WARMUP + opts.articles + sum(per_rate.values()), seed=opts.seed)
    warm, main = samples[:WARMUP], samples[WARMUP:WARMUP + opts.articles]
    load_start = os.getloadavg()
    speed_start = python_loop_cpu_s()
    workers: WorkerProcs | None = None
    phases: dict[str, float] = {}
    clock = [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        phases[name] = round(now - clock[0], 1)
        clock[0] = now

    try:
        workers, es = _start(run, opts, ui)
        lap("start_workers")
        _backlog(run, es, workers, warm, 0, opts, ui, "warm-up")
        wait_idle(run.settings, IN_FLIGHT_TOPICS, timeout_s=60)
        state_before = _state_records(run)
        lap("warm_up")
        backlog = _backlog(run, es, workers, main, WARMUP, opts, ui, "backlog")
        ui.phase("waiting for the workers to be idle", None)
        idle = wait_idle(run.settings, IN_FLIGHT_TOPICS, timeout_s=120)
        state_after = _state_records(run)
        written = {t: state_after[t] - state_before.get(t, 0) for t in state_after}
        main_ids = [s.raw.id for s in main]
        searchable_ids = len(probe.found_ids(es, run.settings, main_ids))
        statuses = probe.dedup_statuses(es, run.settings, main_ids)
        lap("backlog")
        ui.phase("raw chain: produce -> consume -> bulk", None)
        docs = probe.final_documents(es, run.settings, main_ids)
        raw = run_raw_chain(run.settings, run.raw_settings, run.raw_chain_topic, docs, stack_pids(), run.env,
                            run.scratch, timeout_s=opts.timeout_s)
        lap("raw_chain")
        latency: dict[str, Any] = {}
        offset = WARMUP + opts.articles
        for r in opts.rates:
            latency[str(r)] = _steady(run, es, workers, samples[offset:offset + per_rate[r]], r, opts, ui)
            offset += per_rate[r]
        lap("latency")
        es.close()
    finally:
        ui.phase("cleaning up", None)
        if workers is not None:
            workers.stop()
        run.cleanup()
        ui.close()
    n = opts.articles
    per_s = rate(n, backlog["seconds"])
    return {
        "benchmark": "pipeline",
        "articles": n,
        "workers": opts.workers,
        "articles_per_s": per_s,
        "raw_chain_articles_per_s": raw["articles_per_s"],
        "ratio_vs_raw_chain": round(per_s / raw["articles_per_s"], 4) if raw["articles_per_s"] else None,
        "state_records_per_article": round(sum(written.values()) / n, 3),
        "cpu_ms_per_article": backlog["cpu_ms_per_article"],
        "drain_s": round(backlog["seconds"], 2),
        "latency_ms": {r: {k: v[k] for k in ("p50", "p95", "p99")} for r, v in latency.items()},
        "details": {
            "complete": backlog["complete"] and searchable_ids == n,
            "searchable_ids": searchable_ids,
            "produce_s": round(backlog["produce_s"], 2),
            "near_copies_generated": sum(1 for s in main if s.copy_of),
            "dedup_status_counts": statuses,
            "workers_idle_after_backlog": idle,
            "state_records": written,
            "raw_chain": raw,
            "latency_phases": latency,
            "rate_seconds": opts.rate_seconds,
            "phase_seconds": phases,
            "warmup_articles": WARMUP,
            "load_average_start": [round(x, 2) for x in load_start],
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
            # the machine's speed before and after (khabar/cli/bench/calibrate.py): compare runs
            # only at similar values; ratio_vs_raw_chain is measured at the same moment
            "calibration_python_loop_10m_cpu_s": [speed_start, python_loop_cpu_s()],
            "cpu_count": os.cpu_count(),
            "kafka": run.base.kafka_bootstrap,
            "elasticsearch": run.base.es_url,
            "run_prefix": run.tag,
        },
    }
