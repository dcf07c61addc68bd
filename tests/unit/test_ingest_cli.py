"""`khabar feeds list | status` (the sub-app; the stack-backed table is in the integration tests)."""

import json

from typer.testing import CliRunner

from khabar.cli.feeds import app
from khabar.errors import ServiceUnavailable
from khabar.settings import CONFIG_DIR, get_settings

runner = CliRunner()


def test_feeds_list_validates_and_lists() -> None:
    result = runner.invoke(app, ["list", "--feeds", str(CONFIG_DIR / "feeds.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    sources = json.loads(result.output)
    assert sources[0]["id"] == "samples-seeds" and sources[0]["enabled"] is True
    assert any(s["enabled"] is False for s in sources)


def test_feeds_list_reports_a_bad_file_with_its_line(tmp_path) -> None:
    bad = tmp_path / "feeds.yaml"
    bad.write_text("sources:\n  - id: x\n    kind: feed\n", encoding="utf-8")
    result = runner.invoke(app, ["list", "--feeds", str(bad)])
    assert result.exit_code != 0
    assert str(result.exception) == f"{bad}:2: sources.0: Value error, a `kind: feed` source needs `url`"


def test_feeds_status_without_kafka_or_es_names_both_addresses(monkeypatch) -> None:
    monkeypatch.setenv("KHABAR_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    monkeypatch.setenv("KHABAR_ES_URL", "http://127.0.0.1:1")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["status", "--feeds", str(CONFIG_DIR / "feeds.yaml")])
    finally:
        get_settings.cache_clear()
    assert isinstance(result.exception, ServiceUnavailable)
    message = str(result.exception)
    assert "http://127.0.0.1:1" in message and "Kafka not reachable at 127.0.0.1:1" in message
