"""`khabar stack up | down | status [--json]`.

Exit codes: 0 ok; 1 a stack problem (port taken, no Java/Maven, disk, a service that did
not start: one line on stderr naming the log). `status` exits 1 when a service is not
healthy; `status --json` always exits 0 and reports "healthy": false instead.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from khabar.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    help="The local Kafka + Elasticsearch (no Docker needed): up, down, status.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _one_line_errors(fn: F) -> F:
    """User errors become `khabar: error: ...` and their exit code, also when run standalone."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            print(f"khabar: error: {exc}", file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            print("khabar: interrupted", file=sys.stderr)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


@app.command()
@_one_line_errors
def up(
    timeout: float = typer.Option(180.0, help="Seconds to wait for each service to be healthy."),
) -> None:
    """Start Kafka and Elasticsearch (downloads once, then cached); no-op if already running."""
    from khabar.stack.manager import stack_up

    stack_up(timeout=timeout)


@app.command()
@_one_line_errors
def down(
    only: str | None = typer.Option(None, "--only", help="Stop just 'kafka' or 'elasticsearch'."),
) -> None:
    """Stop the services (data is kept in the state dir)."""
    from khabar.stack.manager import stack_down

    stack_down(only=only)


def _fmt_ports(ports: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in ports.items())


@app.command()
@_one_line_errors
def status(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable; always exits 0."),
) -> None:
    """Health, pid, version, ports, memory, log and data dir of each service."""
    from rich.console import Console

    from khabar.stack.manager import stack_status

    st = stack_status()
    if as_json:
        typer.echo(json.dumps(st, indent=2))
        return
    out = Console(highlight=False)
    for name, s in st.items():
        state = "[green]healthy[/green]" if s["healthy"] else (
            "[yellow]running, not healthy[/yellow]" if s["running"] else "[red]down[/red]")
        if s["healthy"] and not s["managed"]:
            state += " (not managed here)"
        mem = f"{s['rss_mb']:.0f} MiB RSS" if s["rss_mb"] else ""
        pid = f"pid {s['pid']}" if s["pid"] else ""
        out.print(f"[bold]{name:<14}[/bold]{state}  {s['version'] or ''}  {pid}  {mem}".rstrip())
        out.print(f"  ports  {_fmt_ports(s['ports'])} on {s['address'].rsplit(':', 1)[0]}")
        out.print(f"  log    {s['log']}")
        out.print(f"  data   {s['data']}")
    if not all(s["healthy"] for s in st.values()):
        raise typer.Exit(1)
