"""Logging: JSON lines for services (and whenever stderr is not a terminal), readable in terminals."""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable

import structlog


def configure_logging(fmt: str = "auto", level: str = "INFO", service: bool = False) -> None:
    """Set up structlog + stdlib logging once; `fmt` is auto | json | console."""
    use_json = fmt == "json" or (fmt == "auto" and (service or not sys.stderr.isatty()))
    renderer = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if use_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    handler.addFilter(RepeatLimiter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("kafka", "aiokafka", "elastic_transport", "httpx", "urllib3", "trafilatura"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    if not service:
        # a command reports an unreachable broker or cluster in one line of its own
        # (khabar.errors); the clients' per-attempt connection errors would bury it
        for chatty in ("kafka", "elastic_transport"):
            logging.getLogger(chatty).setLevel(logging.CRITICAL)


_NUMBERS = re.compile(r"\d+")


class RepeatLimiter(logging.Filter):
    """One line per interval for a library warning or error that repeats.

    While a broker or cluster is down the clients log every reconnect attempt (about 4,500
    ERROR lines in a 40 s Kafka outage). The first occurrence passes; repeats within
    `interval_s` (same logger, same message up to numbers such as ports and node ids) are
    counted, and the first one after the interval says how many were held back. Our own
    structured events are not limited: each is a decision worth keeping.
    """

    def __init__(self, interval_s: float = 30.0, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 1000) -> None:
        super().__init__()
        self.interval_s = interval_s
        self.clock = clock
        self.max_keys = max_keys
        self._seen: dict[tuple[str, str], list[float]] = {}  # key -> [window start, held back]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or not isinstance(record.msg, str):
            return True
        key = (record.name, _NUMBERS.sub("#", record.getMessage())[:300])
        now = self.clock()
        entry = self._seen.get(key)
        if entry is not None and now - entry[0] < self.interval_s:
            entry[1] += 1
            return False
        if len(self._seen) >= self.max_keys:
            self._seen = {k: v for k, v in self._seen.items() if now - v[0] < self.interval_s}
        self._seen[key] = [now, 0]
        if entry is not None and entry[1]:
            record.msg = f"{record.msg} [repeated {int(entry[1])} more times in {now - entry[0]:.0f}s]"
        return True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
