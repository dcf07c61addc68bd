"""Prometheus metrics of the stream processors (served by each worker, scraped by `khabar run`)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

STAGE_IN = Counter("khabar_stage_in_total", "Records a stage received", ["stage"])
STAGE_OUT = Counter("khabar_stage_out_total", "Records a stage passed on", ["stage"])
DEAD_LETTERS = Counter("khabar_dead_letters_total", "Records sent to the dead-letter topic", ["stage"])
DEDUP_STATUS = Counter("khabar_dedup_total", "Articles by dedup status", ["status"])
ALERTS_FIRED = Counter("khabar_alerts_fired_total", "Alerts fired", ["rule"])
SINK_BATCH_SECONDS = Gauge("khabar_sink_last_batch_seconds", "Duration of the last bulk write")
