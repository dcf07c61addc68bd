"""`khabar bench NAME`: each benchmark prints JSON with its raw baseline measured in the same run.

Benchmarks live in khabar/bench/<name>.py and expose `run(quick: bool) -> dict`.
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
