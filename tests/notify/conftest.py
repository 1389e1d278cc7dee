"""Real receivers on loopback for the notification tests: an SMTP server (aiosmtpd) and an HTTP
server that keeps every POST (JSON webhooks, and Mattermost's Slack-compatible webhooks)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from zoomaudit.notify.catcher import SmtpCatcher


@pytest.fixture
def smtp() -> Iterator[SmtpCatcher]:
    with SmtpCatcher() as catcher:
        yield catcher


@dataclass
class Posted:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Keeps every POST; answers ``status`` (200 unless a test makes it fail)."""

    port: int = 0
    posts: list[Posted] = field(default_factory=list)
    status: int = 200

    def url(self, scheme: str, path: str = "hook") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/{path}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            state.posts.append(Posted(self.path, dict(self.headers), self.rfile.read(length)))
            self.send_response(state.status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
