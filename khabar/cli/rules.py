"""`khabar rules check` and `khabar rules test FILE...`.

`check` validates the rules file (and, when the taxonomy is present, that every place,
actor and person id exists), then prints a summary table. `test` runs local files through
the offline pipeline (clean -> tag -> dedup) and the alert engine, in order and with one
state, and prints which rules fired on which article and why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from khabar.errors import UserError

app = typer.Typer(no_args_is_help=True)

RULES_OPTION = typer.Option(None, "--file", "-f", help="Rules file (default: config/rules.yaml).")
_SHOWN = ("fired", "joined", "pending")


def _rule_set(path: Path | None):
    from khabar.settings import get_settings
    from processors.alerts.places import load_known_ids
    from processors.alerts.rules import check_references, load_rule_set

    settings = get_settings()
    rule_set = load_rule_set(path or settings.rules_file)
    check_references(rule_set, load_known_ids(settings.taxonomy_dir))
    return rule_set


def describe(condition) -> str:
    """A condition in one line: `places=sy-idlib & killed>=10`, `any(...)`."""
    parts: list[str] = []
    for key in condition.keys():
        value = getattr(condition, key)
        if key in ("all", "any", "none"):
            inner = " | ".join(describe(c) for c in value) if key != "all" else " & ".join(describe(c) for c in value)
            parts.append(f"{key}({inner})")
        elif key in ("killed_min", "injured_min"):
            parts.append(f"{key.removesuffix('_min')}>={value}")
        else:
            shown = ",".join(value[:4]) + (f",+{len(value) - 4}" if len(value) > 4 else "")
            parts.append(f"{key}={shown}")
    return " & ".join(parts)


def _channel_note(name: str, spec) -> str:
    from processors.alerts.channels import secret_from_env

    if spec.type == "webhook" and not secret_from_env(spec.url_env):
        return f"{name} ({spec.url_env} unset: skipped)"
    return name


@app.command()
def check(
    file: Path | None = RULES_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the parsed rules as JSON."),
) -> None:
    """Validate the alert rules; a mistake is one line `file:line: reason` and exit code 2."""
    from rich.console import Console
    from rich.table import Table

    from khabar.durations import format_duration

    rule_set = _rule_set(file)
    if as_json:
        typer.echo(json.dumps({
            "file": rule_set.path,
            "rules": [r.model_dump(mode="json") for r in rule_set.rules],
            "channels": {n: c.model_dump(mode="json") for n, c in rule_set.channels.items()},
        }, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{rule_set.path}: {len(rule_set.rules)} rules", show_lines=False)
    for column in ("id", "severity", "condition", "burst", "throttle", "channels"):
        table.add_column(column, overflow="fold")
    for rule in rule_set.rules:
        burst = ""
        if rule.burst:
            need = " & ".join(f"{k.removeprefix('min_')}>={v}" for k in ("min_originals", "min_sources")
                              if (v := getattr(rule.burst, k)))
            burst = f"{need} in {format_duration(rule.burst.window)} by {rule.burst.group_by}"
        throttle = f"{format_duration(rule.throttle_period)} by {rule.grouping}" if rule.throttle_period else ""
        channels = ", ".join(_channel_note(c, rule_set.channels[c]) for c in rule.channels)
        rule_id = rule.id if rule.enabled else f"{rule.id} (disabled)"
        table.add_row(rule_id, rule.severity, describe(rule.condition), burst, throttle, channels)
    console = Console(width=160)
    console.print(table)
    console.print(f"OK: {len(rule_set.rules)} rules, channels: {', '.join(rule_set.channels)}")


def _articles(paths: list[Path]):
    """(Article | RawArticle) from each input, in order."""
    from ingest.files import raw_articles_from_path
    from khabar.models import Article, RawArticle

    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file")
        if path.suffix.lower() not in (".jsonl", ".ndjson"):
            yield from raw_articles_from_path(path)
            continue
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    # an Article carries processing results; anything else is a RawArticle
                    processed = isinstance(data, dict) and {"body", "places", "dedup", "event_types"} & set(data)
                    yield (Article if processed else RawArticle).model_validate(data)
                except ValueError as exc:
                    reason = exc.errors()[0]["msg"] if hasattr(exc, "errors") else str(exc)
                    raise UserError(f"{path}:{number}: not an Article or RawArticle: {reason}") from None


@app.command()
def test(
    files: list[Path] = typer.Argument(..., help="Plain .txt articles, RSS/Atom files, or .jsonl of RawArticle/Article."),
    file: Path | None = RULES_OPTION,
    as_json: bool = typer.Option(False, "--json", help="One JSON object per article."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also say why the other rules did not fire."),
) -> None:
    """Show which rules fire on the given articles, and why (which condition matched which tag or words)."""
    from khabar.models import RawArticle
    from processors.alerts.stage import AlertEngine
    from processors.pipeline import OfflinePipeline, StageError

    rule_set = _rule_set(file)
    engine = AlertEngine(rule_set.rules, {})
    pipeline = OfflinePipeline(rules=[])  # clean -> tag -> dedup; alerting is done here, with reasons
    fired: dict[str, int] = {}
    count = 0
    for item in _articles(files):
        if isinstance(item, RawArticle):
            try:
                item = pipeline.process(item).article
            except StageError as exc:
                typer.echo(f"{item.id}: {exc.stage} failed: {exc.reason}", err=True)
                continue
        outcome = engine.evaluate(item)
        count += 1
        for alert in outcome.alerts:
            fired[alert.rule_id] = fired.get(alert.rule_id, 0) + 1
        if as_json:
            typer.echo(json.dumps(_json_report(outcome), ensure_ascii=False))
        else:
            _print_report(outcome, verbose)
    if not as_json:
        summary = ", ".join(f"{rule} x{n}" for rule, n in fired.items()) or "none"
        typer.echo(f"\n{count} article(s); alerts raised: {summary}")


def _json_report(outcome) -> dict[str, Any]:
    a = outcome.article
    return {
        "id": a.id, "source": a.source.id, "title": a.title, "dedup": a.dedup.status, "alerts": a.alerts,
        "new_alerts": [x.to_doc() for x in outcome.alerts], "updated_alerts": [x.to_doc() for x in outcome.updates],
        "results": [{"rule": r.rule_id, "status": r.status, "reasons": r.reasons, "alert_ids": r.alert_ids}
                    for r in outcome.results],
    }


def _print_report(outcome, verbose: bool) -> None:
    a = outcome.article
    copy = f" [{a.dedup.status} of {a.dedup.of}]" if a.dedup.of else ""
    typer.echo(f"\n== {a.id} ({a.source.id}){copy}: {a.title[:90]}")
    shown = 0
    for r in outcome.results:
        if r.status in _SHOWN or verbose:
            shown += 1
            typer.echo(f"  {r.status.upper():8} {r.rule_id}")
            for reason in r.reasons:
                typer.echo(f"           - {reason}")
    if not shown:
        typer.echo("  (no rule matched; --verbose says why)")
