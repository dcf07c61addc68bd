"""`khabar bench NAME`: each benchmark prints JSON with its raw baseline measured in the same run.

Benchmarks live in khabar/cli/bench/<name>.py and expose `run(quick: bool) -> dict`; `pipeline`
(the whole stream path, khabar/cli/bench/pipeline.py) has its own options.
"""

from __future__ import annotations

import importlib
import json

import typer

from khabar.errors import UserError

app = typer.Typer(no_args_is_help=True)

BENCHES = {
    "ingest": "feeds polled/min against a local server, entries parsed/s, beside plain feedparser",
    "dedup": "articles/s through cleaning + dedup, state bytes/article, beside exact hashing only",
    "tag": "articles/s through tagging, beside a normalise-only pass",
    "index": "documents/s through the sink beside raw helpers.bulk; p95 Kafka->searchable",
    "alert": "fetch -> webhook delay (median, p95) end to end on the local stack",
}


def _make(name: str, doc: str):
    def command(
        quick: bool = typer.Option(False, "--quick", help="Smaller run (smoke test)."),
        output: str = typer.Option("-", "--output", "-o", help="Write JSON here ('-' = stdout)."),
    ) -> None:
        try:
            module = importlib.import_module(f"khabar.cli.bench.{name}")
        except ModuleNotFoundError as exc:
            raise UserError(f"benchmark {name!r} is not available: {exc}") from None
        result = module.run(quick=quick)
        text = json.dumps(result, ensure_ascii=False, indent=2)
        if output == "-":
            typer.echo(text)
        else:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")

    command.__doc__ = doc
    return command


for _name, _doc in BENCHES.items():
    app.command(name=_name, help=_doc)(_make(_name, _doc))


@app.command(name="pipeline")
def pipeline(
    articles: int = typer.Option(10000, "--articles", "-n", min=1,
                                 help="Articles in the backlog run (the issue's number is 10000)."),
    workers: int = typer.Option(1, "--workers", "-k", min=1, help="`khabar worker` processes to start."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
    rate_seconds: float = typer.Option(20.0, "--rate-seconds", min=0.5,
                                       help="Seconds of each steady-rate latency phase."),
    rates: str = typer.Option("20,100,300", "--rates", help="Steady rates (articles/s) for the latency phases."),
    timeout: float = typer.Option(1800.0, "--timeout", help="Give up on the backlog after this many seconds."),
    seed: int = typer.Option(11, "--seed", help="Seed of the article generator."),
) -> None:
    """The whole stream path under load on the local stack, beside the raw chain (issue 11).

    Generates N varied Arabic articles (about 5 % near copies) and produces them to the raw topic
    with ingest's producer, to K real `khabar worker` processes, all on fresh topics, indices,
    app id and state (deleted afterwards). Measures: articles/s from the first send until all N
    are searchable (drain_s is that time); the raw chain on the same final documents
    (kafka-python produce -> bare consume -> helpers.bulk, concurrently) and the ratio; CPU ms
    per article of the producer, each worker, the Kafka JVM and the Elasticsearch JVM; records
    written to state topics (table changelogs etc.) per article; then fetch -> searchable
    latency p50/p95/p99 (ms) at steady rates. Progress goes to stderr on a terminal.

    Uses KHABAR_KAFKA_BOOTSTRAP / KHABAR_ES_URL (and the stack's pidfiles under
    KHABAR_STATE_DIR for the JVMs' CPU). Example: khabar bench pipeline -n 2000 -k 2 --json
    """
    import sys

    from khabar.cli.bench.pipeline import Bar, Options, Quiet, measure

    try:
        rate_list = tuple(int(r) for r in rates.split(",") if r.strip())
    except ValueError:
        raise UserError(f"--rates: expected integers separated by commas, got {rates!r}") from None
    if not rate_list or min(rate_list) < 1:
        raise UserError("--rates: give at least one rate >= 1")
    ui = Bar() if sys.stderr.isatty() else Quiet()
    result = measure(Options(articles=articles, workers=workers, rate_seconds=rate_seconds, rates=rate_list,
                             timeout_s=timeout, seed=seed), ui)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_summary(result)


def _print_summary(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"bench pipeline: {result['articles']} articles, {result['workers']} worker(s)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in ("articles_per_s", "raw_chain_articles_per_s", "ratio_vs_raw_chain", "state_records_per_article",
                "drain_s"):
        table.add_row(key, str(result[key]))
    for proc, ms in result["cpu_ms_per_article"].items():
        table.add_row(f"cpu ms/article: {proc}", str(ms))
    for r, q in result["latency_ms"].items():
        table.add_row(f"latency ms at {r}/s (p50/p95/p99)", f"{q['p50']} / {q['p95']} / {q['p99']}")
    table.add_row("all ids searchable", str(result["details"]["complete"]))
    Console().print(table)
