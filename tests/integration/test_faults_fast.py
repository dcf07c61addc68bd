"""The fast fault cases, run by `make test` on the shared stack (the slow ones: `make faults`).

Each streams articles, injects a fault half-way and requires 0 lost, 0 duplicated and every
dead letter explained (tests/faults/harness.py).
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from khabar.settings import load_settings
from tests.faults.harness import run_scenario
from tests.integration.pipeline_support import es

pytestmark = pytest.mark.integration


def test_kill_9_of_the_worker_mid_stream(isolated_env, tmp_path) -> None:
    settings = load_settings(env={**os.environ, **isolated_env})

    def kill_and_restart(workers) -> None:
        for proc in workers.procs:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        workers.start(1, metrics_port=19564)

    report = run_scenario("kill9", settings, isolated_env, tmp_path / "kill9", kill_and_restart, n=200)
    assert (report.lost, report.duplicated, report.unexplained) == (0, 0, 0), report
    assert report.indexed == 200 and report.dead_lettered == 0, report


def test_a_write_block_on_the_index_loses_nothing(isolated_env, tmp_path) -> None:
    settings = load_settings(env={**os.environ, **isolated_env})

    def block_for_a_while(workers) -> None:
        client = es(settings)
        try:
            pattern = settings.index("articles-*")
            client.indices.put_settings(index=pattern, settings={"index.blocks.write": True})
            time.sleep(15)
            client.indices.put_settings(index=pattern, settings={"index.blocks.write": False})
        finally:
            client.close()

    report = run_scenario("block", settings, isolated_env, tmp_path / "block", block_for_a_while, n=200)
    assert (report.lost, report.duplicated, report.unexplained) == (0, 0, 0), report
    assert report.indexed == 200 and report.dead_lettered == 0, report
