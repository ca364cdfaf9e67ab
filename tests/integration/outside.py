"""Real servers on the loopback for the outbound tests: an SMTP server (``aiosmtpd``) and an
HTTP server (``http.server`` in a thread) that keep what they receive."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return str(self.message.get_content()).strip()


class SmtpInbox:
    """An SMTP server that keeps every message it accepts."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpInbox:
    """An HTTP server that keeps every POST and answers ``status`` (settable)."""

    status: int = 200
    requests: list[Request] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_inbox() -> Iterator[SmtpInbox]:
    inbox = SmtpInbox()
    inbox.start()
    yield inbox
    inbox.stop()


@pytest.fixture
def http_inbox() -> Iterator[HttpInbox]:
    inbox = HttpInbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            inbox.requests.append(Request(self.path, dict(self.headers.items()), body))
            self.send_response(inbox.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if inbox.status < 400 else b'{"error": "no"}')

        def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    inbox.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield inbox
    server.shutdown()
    server.server_close()
    thread.join(5)
