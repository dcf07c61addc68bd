"""`khabar feeds ...` (placeholder until the ingest work lands)."""

import typer

app = typer.Typer(no_args_is_help=True)
