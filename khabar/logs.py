"""Logging: JSON lines for services (and whenever stderr is not a terminal), readable in terminals."""

from __future__ import annotations

import logging
import sys

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


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
