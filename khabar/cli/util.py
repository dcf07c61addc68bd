"""Small helpers shared by CLI modules."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from khabar.errors import UserError


def print_json(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def existing_file(path: Path) -> Path:
    """The path, or a one-line error naming it."""
    if not path.exists():
        raise UserError(f"{path}: no such file")
    return path
