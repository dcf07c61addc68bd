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
    pin: Path | None = typer.Option(None, "--pin", help="Also rewrite this baseline JSON with pins at the measured per-kind scores (floored to 2 decimals minus 0.01), e.g. tests/quality/devset_baseline.json."),
) -> None:
    """Per-category precision/recall, geotag accuracy, killed-count precision/recall, misses,
    and per-kind scores (places in Syria / abroad, villages within 10 km, entity F1, scope)."""
    from khabar.cli.evaluate.tags import evaluate_tags

    report = evaluate_tags(existing_file(gold), docs)
    if pin is not None:
        from khabar.cli.evaluate.tag_kinds import write_pins

        report["pins_written"] = {"file": str(pin), "pins": write_pins(report, pin)}
    print_json(report)


@app.command()
def dedup(
    pairs: Path = typer.Argument(..., help="TSV with columns a, b, label (duplicate | near_duplicate | distinct)."),
    docs: Path | None = typer.Option(None, "--docs", help="Folder holding the files named in a/b (default: the TSV's folder)."),
) -> None:
    """Per-label recall, false-positive rate on `distinct`, and the pairs missed."""
    from khabar.cli.evaluate.dedup import evaluate_dedup

    print_json(evaluate_dedup(existing_file(pairs), docs))
