"""Slow fault cases (`make faults`): Elasticsearch frozen and killed, Kafka killed, mid-stream.

Each must end with 0 lost, 0 duplicated and every dead letter explained; the report line of
each scenario (counts and recovery time) is printed and kept in its log dir.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from khabar.settings import load_settings
from tests.faults.conftest import kill, stack
from tests.faults.harness import run_scenario

pytestmark = pytest.mark.faults


def _check(report, n: int) -> None:
    assert (report.lost, report.duplicated, report.unexplained) == (0, 0, 0), report
    assert report.indexed == n and report.dead_lettered == 0, report


def _settings(env):
    return load_settings(env={**os.environ, **env})


def test_elasticsearch_frozen_for_45_s(fault_env, tmp_path) -> None:
    def freeze(workers) -> None:
        kill("elasticsearch", signal.SIGSTOP)
        time.sleep(45)
        kill("elasticsearch", signal.SIGCONT)

    _check(run_scenario("es-frozen", _settings(fault_env), fault_env, tmp_path / "log", freeze, n=300), 300)


def test_elasticsearch_killed_and_restarted(fault_env, tmp_path) -> None:
    def crash(workers) -> None:
        kill("elasticsearch", signal.SIGKILL)
        time.sleep(5)
        stack("up")

    _check(run_scenario("es-killed", _settings(fault_env), fault_env, tmp_path / "log", crash, n=300,
                        timeout=420), 300)


def test_kafka_killed_for_20_s(fault_env, tmp_path) -> None:
    def crash(workers) -> None:
        kill("kafka", signal.SIGKILL)
        time.sleep(20)
        stack("up")

    _check(run_scenario("kafka-killed", _settings(fault_env), fault_env, tmp_path / "log", crash, n=300,
                        timeout=420), 300)
