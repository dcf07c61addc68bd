"""Adaptive intervals and backoff with jitter (pure functions)."""

import random

from ingest.schedule import BACKOFF_CAP, backoff_delay, jittered, next_interval


def test_next_interval_moves_within_bounds() -> None:
    assert next_interval(None, 0, 60, 600) == 90.0
    assert next_interval(None, 5, 60, 600) == 60.0
    assert next_interval(100, 3, 60, 600) == 60.0  # halves, clamped at the minimum
    assert next_interval(500, 0, 60, 600) == 600.0  # grows, clamped at the maximum
    assert next_interval(200, 0, 60, 600) == 300.0


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    rng = random.Random(3)
    for streak, ceiling in [(1, 60), (2, 120), (3, 240), (6, 1920)]:
        delays = [backoff_delay(streak, 60, 600, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len({round(d, 3) for d in delays}) > 150  # jittered, not lockstep
    assert all(BACKOFF_CAP / 2 <= backoff_delay(40, 60, 600, rng) <= BACKOFF_CAP for _ in range(50))
    assert backoff_delay(40, 60, 86400, rng) > BACKOFF_CAP / 2  # never below the source's max


def test_retry_after_is_never_undercut() -> None:
    rng = random.Random(5)
    assert backoff_delay(1, 60, 600, rng, retry_after=3600) == 3600
    assert 30 <= backoff_delay(1, 60, 600, rng, retry_after=1) <= 60


def test_jitter_is_ten_percent() -> None:
    rng = random.Random(9)
    values = [jittered(100, rng) for _ in range(500)]
    assert min(values) >= 90 and max(values) <= 110 and max(values) - min(values) > 15
