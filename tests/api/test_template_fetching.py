"""template_url and environment fetching: http(s) only, size limits, internal addresses refused."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from api_harness import TEMPLATE, ApiFactory

from calor.api.errors import BadRequest
from calor.api.fetching import Fetcher
from calor.errors import RequestTooLarge


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest")
            self.end_headers()
            return
        body = json.dumps(TEMPLATE).encode() if self.path == "/template.json" else b"x" * 5000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_arguments: object) -> None:
        pass


@pytest.fixture
def web() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_loopback_is_refused_unless_allowed(web: str) -> None:
    with pytest.raises(BadRequest, match="non-public address"):
        Fetcher().fetch(web + "/template.json")
    text = Fetcher(allowed_hosts=("127.0.0.1",)).fetch(web + "/template.json")
    assert json.loads(text) == TEMPLATE


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/t.yaml", "gopher://x"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(BadRequest, match="only http and https"):
        Fetcher().fetch(url)


def test_size_limit_and_redirects_are_checked(web: str) -> None:
    fetcher = Fetcher(max_size=1000, allowed_hosts=("127.0.0.1",))
    with pytest.raises(RequestTooLarge):
        fetcher.fetch(web + "/big")
    with pytest.raises(BadRequest, match="non-public address"):
        fetcher.fetch(web + "/redirect")


def test_create_from_template_url(api_factory: ApiFactory, web: str) -> None:
    refusing = api_factory()
    response = refusing.call(
        "POST", "stacks", json={"stack_name": "u", "template_url": web + "/template.json"}
    )
    assert response.status_code == 400
    assert "template_fetch_allowed_hosts" in response.json["error"]["message"]
    allowing = api_factory(template_fetch_allowed_hosts=("127.0.0.1",))
    response = allowing.call(
        "POST", "stacks", json={"stack_name": "u", "template_url": web + "/template.json"}
    )
    assert response.status_code == 201, response.json
