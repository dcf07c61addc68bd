"""`khabar eval tags GOLD.yaml` and `khabar eval dedup PAIRS.tsv`: JSON quality reports."""

from __future__ import annotations

from pathlib import Path

import typer

from khabar.cli.util import existing_file, print_json

app = typer.Typer(no_args_is_help=True)


@app.command()
def tags(
    gold: Path = typer.Argument(..., help="Gold file in the format of shared/eval/seeds-gold.yaml."),
    docs: Path | None = typer.Option(None, "--docs", help="Folder of the gold's documents (default: ../corpus/seeds beside the gold file, else the gold's folder)."),
) -> None:
    """Per-category precision/recall, geotag accuracy, killed-count precision/recall, misses."""
    from khabar.cli.evaluate.tags import evaluate_tags

    print_json(evaluate_tags(existing_file(gold), docs))


@app.command()
def dedup(
    pairs: Path = typer.Argument(..., help="TSV with columns a, b, label (duplicate | near_duplicate | distinct)."),
    docs: Path | None = typer.Option(None, "--docs", help="Folder holding the files named in a/b (default: the TSV's folder)."),
) -> None:
    """Per-label recall, false-positive rate on `distinct`, and the pairs missed."""
    from khabar.cli.evaluate.dedup import evaluate_dedup

    print_json(evaluate_dedup(existing_file(pairs), docs))
