"""`khabar kibana import` against a small HTTP server on 127.0.0.1 that answers like Kibana's import API."""

from __future__ import annotations

import json
import socket
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from khabar.errors import ServiceUnavailable, UserError
from khabar.kibana.importer import SAVED_OBJECTS, import_saved_objects
from khabar.settings import load_settings


class _KibanaLike(BaseHTTPRequestHandler):
    received: list[dict] = []
    existing: set[tuple[str, str]] = set()  # (type, id) already imported, as Kibana keeps them

    def do_POST(self):  # noqa: N802 - http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body)
        parts = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True)
                 for p in message.iter_parts()}
        self.received.append({"path": self.path, "xsrf": self.headers.get("kbn-xsrf"), "file": parts.get("file")})
        if self.headers.get("kbn-xsrf") is None:
            self._answer(400, {"statusCode": 400, "message": "Request must contain a kbn-xsrf header."})
            return
        lines = [json.loads(line) for line in parts["file"].decode().splitlines() if line.strip()]
        if self.path.startswith("/s/broken/"):
            self._answer(200, {"success": False, "successCount": 0,
                               "errors": [{"type": "lens", "id": "x", "error": {"type": "missing_references"}}]})
            return
        overwrite = self.path.endswith("?overwrite=true")
        conflicts = [{"type": o["type"], "id": o["id"], "error": {"type": "conflict"}}
                     for o in lines if (o["type"], o["id"]) in self.existing and not overwrite]
        created = [o for o in lines if overwrite or (o["type"], o["id"]) not in self.existing]
        self.existing.update((o["type"], o["id"]) for o in created)
        answer: dict = {"success": not conflicts, "successCount": len(created)}
        if conflicts:
            answer["errors"] = conflicts
        self._answer(200, answer)

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def kibana_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _KibanaLike)
    _KibanaLike.received = []
    _KibanaLike.existing = set()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


SETTINGS = load_settings(env={})


def test_import_posts_the_ndjson_with_xsrf_header(kibana_url):
    result = import_saved_objects(kibana_url, SETTINGS)
    expected = len([line for line in SAVED_OBJECTS.read_text().splitlines() if line.strip()])
    assert result == {"success": True, "successCount": expected, "kept": []}
    (req,) = _KibanaLike.received
    assert req["path"] == "/api/saved_objects/_import"
    assert req["xsrf"] == "true"
    assert req["file"] == SAVED_OBJECTS.read_bytes()


def test_import_into_a_space(kibana_url):
    import_saved_objects(kibana_url, SETTINGS, space="ops")
    assert _KibanaLike.received[0]["path"] == "/s/ops/api/saved_objects/_import"


def test_other_index_prefix_sends_renamed_data_views(kibana_url):
    import_saved_objects(kibana_url, load_settings(env={"KHABAR_INDEX_PREFIX": "t7-"}))
    sent = _KibanaLike.received[0]["file"].decode()
    assert '"title": "t7-articles*"' in sent and "khabar-articles*" not in sent


def test_import_errors_reported_by_kibana_are_user_errors(kibana_url):
    with pytest.raises(UserError, match="lens/x: missing_references"):
        import_saved_objects(kibana_url, SETTINGS, space="broken")


def test_unreachable_kibana_names_the_address():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connection refused
        with pytest.raises(ServiceUnavailable, match=f"127.0.0.1:{port}"):
            import_saved_objects(f"http://127.0.0.1:{port}", SETTINGS)


def test_second_import_keeps_existing_objects_unless_overwrite(kibana_url):
    """An analyst's edited dashboard survives a re-run of the setup job; --overwrite replaces it."""
    total = len([line for line in SAVED_OBJECTS.read_text().splitlines() if line.strip()])
    first = import_saved_objects(kibana_url, SETTINGS)
    assert first["successCount"] == total and first["kept"] == []
    again = import_saved_objects(kibana_url, SETTINGS)
    assert again["success"] is True and again["successCount"] == 0 and len(again["kept"]) == total
    assert any(k.startswith("dashboard/") for k in again["kept"])
    forced = import_saved_objects(kibana_url, SETTINGS, overwrite=True)
    assert forced["successCount"] == total and forced["kept"] == []
    assert _KibanaLike.received[-1]["path"] == "/api/saved_objects/_import?overwrite=true"
