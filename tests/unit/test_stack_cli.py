"""`khabar stack status` against ports where nothing runs: JSON shape and exit codes."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from khabar.cli.stack import app
from khabar.settings import get_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    env = {
        "KHABAR_STATE_DIR": str(tmp_path / "state"),
        "KHABAR_CACHE_DIR": str(tmp_path / "cache"),
        "KHABAR_KAFKA_BOOTSTRAP": f"127.0.0.1:{_free_port()}",
        "KHABAR_ES_URL": f"http://127.0.0.1:{_free_port()}",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


def test_status_json_reports_down_and_exits_zero(nowhere: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    st = json.loads(result.stdout)
    assert set(st) == {"kafka", "elasticsearch"}
    for svc in st.values():
        assert svc["healthy"] is False and svc["running"] is False and svc["pid"] is None
        assert svc["log"].startswith(nowhere["KHABAR_STATE_DIR"])
    assert st["kafka"]["address"] == nowhere["KHABAR_KAFKA_BOOTSTRAP"]
    port = int(nowhere["KHABAR_KAFKA_BOOTSTRAP"].rsplit(":", 1)[1])
    assert st["kafka"]["ports"] == {"broker": port, "controller": port + 1}


def test_plain_status_exits_one_when_down(nowhere: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 1
    assert "down" in result.stdout


def test_down_when_nothing_runs_is_fine(nowhere: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["down"])
    assert result.exit_code == 0, result.output


def test_unknown_service_is_a_one_line_error(nowhere: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["down", "--only", "zookeeper"])
    assert result.exit_code == 1
    assert "unknown service 'zookeeper'" in result.output
    assert "Traceback" not in result.output


def test_up_refuses_a_taken_port(nowhere: dict[str, str]) -> None:
    port = int(nowhere["KHABAR_KAFKA_BOOTSTRAP"].rsplit(":", 1)[1]) + 1  # the controller port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        result = CliRunner().invoke(app, ["up"])
    assert result.exit_code == 1
    assert f"khabar: error: cannot start kafka: port {port} on 127.0.0.1 is already in use" in result.output
    assert "Traceback" not in result.output
