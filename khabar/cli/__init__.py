"""The one `khabar` command. Sub-commands live next to the code they drive; heavy imports
stay inside command functions so `khabar --help` is instant."""

from __future__ import annotations

import sys

import typer

from khabar.errors import ConfigError, UserError

app = typer.Typer(
    help="khabar: streaming news ingestion (feeds -> Kafka -> clean/tag/dedup/alert -> Elasticsearch).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _register() -> None:
    from khabar.cli.bench.cli import app as bench_app
    from khabar.cli.dlq import app as dlq_app
    from khabar.cli.es import es_app, kibana_app, reindex, search
    from khabar.cli.evaluate.cli import app as eval_app
    from khabar.cli.feeds import app as feeds_app
    from khabar.cli.rules import app as rules_app
    from khabar.cli.run import process, run, worker
    from khabar.cli.stack import app as stack_app
    from khabar.cli.status import status

    app.add_typer(stack_app, name="stack", help="The local Kafka + Elasticsearch (no Docker needed).")
    app.add_typer(feeds_app, name="feeds", help="Feed sources and their health.")
    app.add_typer(eval_app, name="eval", help="Quality reports (JSON) against gold files.")
    app.add_typer(rules_app, name="rules", help="Alert rules: validate and try them.")
    app.add_typer(es_app, name="es", help="Elasticsearch templates and indices.")
    app.add_typer(kibana_app, name="kibana", help="Kibana dashboards.")
    app.add_typer(dlq_app, name="dlq", help="Dead letters: list, show and replay them.")
    app.add_typer(bench_app, name="bench", help="Benchmarks (JSON), each beside a raw baseline.")
    app.command(help="Stack + pollers + workers; --once polls every source once and drains.")(run)
    app.command(help="Offline clean -> tag -> dedup -> alert over local files; one Article JSON per line.")(process)
    app.command(help="Run the Faust stream processors (a service; scale by starting more).")(worker)
    app.command(help="Search indexed originals from the terminal.")(search)
    app.command(help="Rebuild the article indices after a mapping change; ingestion keeps running.")(reindex)
    app.command(help="On-call figures from the running services, Kafka and Elasticsearch (80 columns, --json).")(status)


_register()


def main() -> None:
    """Entry point: user errors are one line on stderr and a non-zero exit, never a traceback."""
    try:
        app()
    except UserError as exc:
        print(f"khabar: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        print(f"khabar: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("khabar: interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
