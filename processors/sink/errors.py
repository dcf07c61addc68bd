"""Which Elasticsearch failures are worth retrying: the ONE place that decides it.

Transient: the cluster is unreachable, slow, overloaded or (re)starting. The sink retries those
with backoff for as long as it takes (backpressure). Everything else an item is answered with
(400 mapping/parsing errors, 413, ...) is a permanent rejection and goes to the dead-letter topic.
"""

from __future__ import annotations

from elastic_transport import ApiError, ConnectionError, ConnectionTimeout, TlsError

# Exceptions raised instead of an HTTP answer: no connection, connection reset, timeout.
TRANSIENT_EXCEPTIONS: tuple[type[Exception], ...] = (ConnectionError, ConnectionTimeout)
# HTTP statuses (for a whole bulk request or one item): timeout, version conflict on a partial
# update racing another, too many requests, and the 5xx family.
TRANSIENT_STATUS: frozenset[int] = frozenset({408, 409, 429, 500, 502, 503, 504})
# Of those, the ones a single document could keep getting for ever (a server-side bug, a hot
# document): retried at most `max_item_retries` times, then dead-lettered. 429/502/503/504 and
# lost connections mean "ES is busy or down" and are retried without limit.
BOUNDED_STATUS: frozenset[int] = frozenset({409, 500})


def is_transient_exception(exc: BaseException) -> bool:
    """An exception after which the same request may well succeed later."""
    if isinstance(exc, TlsError):  # a certificate problem does not heal by waiting
        return False
    if isinstance(exc, TRANSIENT_EXCEPTIONS):
        return True
    return isinstance(exc, ApiError) and exc.status_code in TRANSIENT_STATUS


# A write block put on an index on purpose (`khabar reindex` holds one for the seconds of its
# final catch-up and alias switch): the write goes through once the alias points elsewhere.
WRITE_BLOCK = "index write (api)"


def is_transient_status(status: int, reason: str = "") -> bool:
    if status == 403 and "cluster_block_exception" in reason and WRITE_BLOCK in reason:
        return True
    return status in TRANSIENT_STATUS
