"""The one duration grammar of the configuration files: feeds (`min_interval: 5m`,
`timeout: 250ms`) and alert rules (`window: 1h30m`, `throttle: 6h`).

A duration is a positive number of seconds (`300`, `"300"`) or one or more
`<number><unit>` parts with units `ms`, `s`, `m`, `h`, `d` (`250ms`, `1.5m`, `1h30m`,
`1h 30m`; upper case is read as lower case). Anything else is a ValueError that shows the
accepted forms, so a config loader can report it as `file:line: reason`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|d|h|m|s)")  # `ms` before `m` and `s`
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_EXAMPLES = "e.g. 300, '250ms', '90s', '5m', '1h30m' or '2d'"


def parse_seconds(value: Any) -> float:
    """Seconds (> 0) from a number or a duration text; ValueError naming the accepted forms."""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a duration ({_EXAMPLES})")
    elif isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip().lower().replace(" ", "")
        if _NUMBER.fullmatch(text):
            seconds = float(text)
        else:
            parts = _PART.findall(text)
            if not parts or "".join(n + u for n, u in parts) != text:
                raise ValueError(f"{value!r} is not a duration ({_EXAMPLES})")
            seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {value!r}")
    return seconds


def parse_timedelta(value: Any) -> timedelta:
    """The same grammar as parse_seconds, as a timedelta (what alert rules compute with)."""
    return timedelta(seconds=parse_seconds(value))


def format_duration(value: timedelta | float) -> str:
    """Short form in the largest whole unit ('6h', '90m', '45s', '250ms'); parses back."""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds != int(seconds):
        return f"{round(seconds * 1000)}ms"
    whole = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"
