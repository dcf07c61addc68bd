"""The es/kibana/search commands fail with one clear line (no cluster needed for these cases)."""

from __future__ import annotations

import socket

import pytest
import typer
from typer.testing import CliRunner

from khabar.cli.es import es_app, kibana_app, search
from khabar.errors import ServiceUnavailable, UserError
from khabar.settings import get_settings

runner = CliRunner()


@pytest.fixture
def closed_port(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        monkeypatch.setenv("KHABAR_ES_URL", f"http://127.0.0.1:{port}")
        get_settings.cache_clear()
        yield port
    get_settings.cache_clear()


def _search_app() -> typer.Typer:
    app = typer.Typer()
    app.command()(search)
    return app


def test_bad_since_is_refused_before_connecting():
    result = runner.invoke(_search_app(), ["حلب", "--since", "yesterday"])
    assert isinstance(result.exception, UserError)
    assert "--since 'yesterday'" in str(result.exception)


def test_search_with_elasticsearch_unreachable_names_the_address(closed_port):
    result = runner.invoke(_search_app(), ["حلب"])
    assert isinstance(result.exception, ServiceUnavailable)
    assert f"127.0.0.1:{closed_port}" in str(result.exception)


def test_es_setup_with_elasticsearch_unreachable_names_the_address(closed_port):
    result = runner.invoke(es_app, ["setup"])
    assert isinstance(result.exception, ServiceUnavailable)
    assert f"127.0.0.1:{closed_port}" in str(result.exception)


def test_kibana_import_with_kibana_unreachable(closed_port):
    result = runner.invoke(kibana_app, ["import", "--url", f"http://127.0.0.1:{closed_port}"])
    assert isinstance(result.exception, ServiceUnavailable)
    assert "Kibana not reachable" in str(result.exception)


def test_kibana_import_missing_file(tmp_path):
    result = runner.invoke(kibana_app, ["import", "--url", "http://127.0.0.1:1", "--file", str(tmp_path / "x.ndjson")])
    assert isinstance(result.exception, UserError)
    assert "x.ndjson: no such file" in str(result.exception)
