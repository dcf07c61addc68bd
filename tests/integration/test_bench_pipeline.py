"""`khabar bench pipeline` end to end on the real stack with a small N: every key of the issue's
JSON is there, the numbers are positive, every article became searchable, and the run's
topics and indices are gone afterwards."""

from __future__ import annotations

import json

import pytest

from khabar.cli.bench.pipeline_probe import list_topics
from khabar.settings import Settings
from tests.integration.pipeline_support import es, khabar

pytestmark = pytest.mark.integration

N = 150


def test_bench_pipeline_small_run(isolated_env: dict[str, str], isolated_settings: Settings) -> None:
    proc = khabar(["bench", "pipeline", "--articles", str(N), "--workers", "1", "--rate-seconds", "1", "--json"],
                  isolated_env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout)

    assert result["workers"] == 1
    for key in ("articles_per_s", "raw_chain_articles_per_s", "ratio_vs_raw_chain", "state_records_per_article",
                "drain_s"):
        assert result[key] > 0, key
    cpu = result["cpu_ms_per_article"]
    assert {"producer", "worker_0", "kafka", "elasticsearch", "total"} <= set(cpu)
    assert all(v > 0 for v in cpu.values()), cpu
    assert set(result["latency_ms"]) == {"20", "100", "300"}
    for rate, q in result["latency_ms"].items():
        assert 0 < q["p50"] <= q["p95"] <= q["p99"], (rate, q)

    details = result["details"]
    assert details["complete"] is True
    assert details["searchable_ids"] == N  # every generated id was found in Elasticsearch
    assert details["raw_chain"]["searchable"] == N
    assert all(p["searchable"] == p["articles"] for p in details["latency_phases"].values())
    # the workers' state logs (one record per article each), counted as state
    assert {n.rsplit(".", 2)[-2] + "." + n.rsplit(".", 2)[-1] for n in details["state_records"]} >= {
        "dedup.fingerprints", "alerts.state"}, details["state_records"]
    assert details["dedup_status_counts"].get("original", 0) >= N * 0.9

    prefix = f"{isolated_settings.topic_prefix}{details['run_prefix']}."
    assert not [t for t in list_topics(isolated_settings.kafka_bootstrap) if t.startswith(prefix)]
    client = es(isolated_settings)
    try:
        left = client.indices.get(index=f"{isolated_settings.index_prefix}{details['run_prefix']}-*",
                                  allow_no_indices=True)
        assert not left.body
    finally:
        client.close()
