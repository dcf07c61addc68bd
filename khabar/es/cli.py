"""`khabar es ...`, `khabar kibana ...`, `khabar search` (placeholder until the indexing work lands)."""

import typer

es_app = typer.Typer(no_args_is_help=True)
kibana_app = typer.Typer(no_args_is_help=True)


def search(query: str = typer.Argument(..., help="Search terms (Arabic or any language).")) -> None:
    raise typer.Exit(1)
