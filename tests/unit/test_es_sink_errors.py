"""The one place that decides what the sink retries."""

from __future__ import annotations

from elastic_transport import (
    ApiResponseMeta,
    ConnectionError,
    ConnectionTimeout,
    HttpHeaders,
    NodeConfig,
    TlsError,
)
from elasticsearch import ApiError

from processors.sink.errors import (
    BOUNDED_STATUS,
    TRANSIENT_STATUS,
    is_transient_exception,
    is_transient_status,
)


def _api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0,
                           node=NodeConfig("http", "127.0.0.1", 9200))
    return ApiError(message="x", meta=meta, body={})


def test_outages_are_transient():
    assert is_transient_exception(ConnectionError("refused"))
    assert is_transient_exception(ConnectionTimeout("slow"))
    assert is_transient_exception(_api_error(429))
    assert is_transient_exception(_api_error(503))


def test_bad_requests_and_bugs_are_not():
    assert not is_transient_exception(_api_error(400))
    assert not is_transient_exception(_api_error(404))
    assert not is_transient_exception(TlsError("bad certificate"))
    assert not is_transient_exception(ValueError("bug"))


def test_statuses():
    assert [s for s in (200, 400, 404, 409, 413, 429, 500, 503) if is_transient_status(s)] == [409, 429, 500, 503]
    assert BOUNDED_STATUS < TRANSIENT_STATUS
    assert 429 not in BOUNDED_STATUS  # overload is waited out, never dead-lettered
