"""`khabar rules ...` (placeholder until the alerting work lands)."""

import typer

app = typer.Typer(no_args_is_help=True)
