"""`es setup` as the least-privilege `khabar` user (docker-compose): Elasticsearch answers 403 to
an index-less _analyze, so the text mode comes from the template the admin job installed.

A small HTTP server on 127.0.0.1 answers like a secured Elasticsearch would for that user."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from khabar.errors import UserError
from khabar.es.client import make_client
from khabar.es.setup import detect_capabilities, installed_text_mode
from khabar.es.templates import TEXT_MODE_META
from khabar.settings import load_settings


class _SecuredES(BaseHTTPRequestHandler):
    template_mode: str | None = "fallback"

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        if path == "/_analyze":
            self._answer(403, {"error": {"type": "security_exception",
                                         "reason": "action [indices:admin/analyze] is unauthorized for user [khabar]"},
                               "status": 403})
        elif path == "/_ilm/status":
            self._answer(200, {"operation_mode": "RUNNING"})
        elif path.startswith("/_component_template/") and self.template_mode:
            self._answer(200, {"component_templates": [{"name": path.rsplit("/", 1)[1], "component_template": {
                "template": {"mappings": {"_meta": {TEXT_MODE_META: self.template_mode}}}}}]})
        else:
            self._answer(404, {"error": {"type": "resource_not_found_exception", "reason": path}, "status": 404})

    do_GET = do_POST = do_PUT = _any  # noqa: N815 - http.server API

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def es_settings():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SecuredES)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield load_settings(env={"KHABAR_ES_URL": f"http://127.0.0.1:{server.server_address[1]}",
                             "KHABAR_ES_USERNAME": "khabar", "KHABAR_ES_PASSWORD": "secret"})
    server.shutdown()
    server.server_close()
    _SecuredES.template_mode = "fallback"


@pytest.mark.parametrize("mode", ["fallback", "arabic"])
async def test_forbidden_analyze_keeps_the_installed_text_mode(es_settings, mode: str) -> None:
    _SecuredES.template_mode = mode
    client = make_client(es_settings, max_retries=0)
    try:
        caps = await detect_capabilities(client, es_settings)
        assert caps.text_mode == mode and caps.ilm is True
        assert await installed_text_mode(client, es_settings) == mode
    finally:
        await client.close()


async def test_forbidden_analyze_without_templates_says_to_run_setup_as_admin(es_settings) -> None:
    _SecuredES.template_mode = None
    client = make_client(es_settings, max_retries=0)
    try:
        with pytest.raises(UserError, match="user 'khabar' may not test Elasticsearch analyzers.*khabar-init"):
            await detect_capabilities(client, es_settings)
    finally:
        await client.close()
