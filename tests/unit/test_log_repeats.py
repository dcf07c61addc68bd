"""Repeated library errors collapse into one line per interval with a count (issue 12.8)."""

from __future__ import annotations

import logging

from khabar.logs import RepeatLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(name: str, msg: str, *args, level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_a_reconnect_storm_becomes_one_line_per_interval() -> None:
    clock = Clock()
    limiter = RepeatLimiter(interval_s=30, clock=clock)
    passed = []
    for i in range(4500):  # one attempt every 10 ms for 45 s, ports and node ids varying
        clock.now = i * 0.01
        rec = _record("aiokafka", "Unable connect to node with id %s: Connect call failed ('127.0.0.1', %d)",
                      i % 3, 9092)
        if limiter.filter(rec):
            passed.append(rec.getMessage())
    assert len(passed) == 2
    assert "repeated 2999 more times in 30s" in passed[1]
    assert passed[0].startswith("Unable connect to node with id 0")


def test_different_messages_info_lines_and_structured_events_pass() -> None:
    limiter = RepeatLimiter(interval_s=30, clock=Clock())
    assert limiter.filter(_record("kafka", "connect failed"))
    assert limiter.filter(_record("kafka", "metadata refresh failed"))
    assert limiter.filter(_record("elastic_transport", "connect failed"))  # another logger
    assert not limiter.filter(_record("kafka", "connect failed"))
    assert all(limiter.filter(_record("kafka", "poll", level=logging.INFO)) for _ in range(5))
    event = _record("khabar.sink", "x")
    event.msg = {"event": "bulk_retry"}  # structlog event dicts are never limited
    assert limiter.filter(event) and limiter.filter(event)


def test_a_percent_sign_in_a_held_back_message_does_not_break_formatting() -> None:
    clock = Clock()
    limiter = RepeatLimiter(interval_s=1, clock=clock)
    assert limiter.filter(_record("kafka", "disk 100% full"))
    assert not limiter.filter(_record("kafka", "disk 100% full"))
    clock.now = 2
    rec = _record("kafka", "disk 100% full")
    assert limiter.filter(rec)
    assert rec.getMessage() == "disk 100% full [repeated 1 more times in 2s]"
