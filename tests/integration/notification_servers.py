"""The outside world of the notifier, on loopback: a real SMTP server (aiosmtpd) that keeps what
it accepts, and a local HTTP server standing for the agency's SMS gateway."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from ogi.messaging.nats_server import free_port


class _Keeper:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.received.append(mail)
        return "250 2.0.0 accepted"


class SmtpServer:
    """An SMTP server on 127.0.0.1 at a port fixed up front, so it can be down for a while and
    come back where the notifier expects it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[EmailMessage] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(_Keeper(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return list(self.received)


@dataclass(frozen=True)
class GatewayRequest:
    headers: dict[str, str]
    body: dict[str, Any]


class SmsGatewayServer:
    """Takes every POST as one SMS and answers 200, as a provincial gateway's HTTP API does."""

    def __init__(self) -> None:
        self.received: list[GatewayRequest] = []
        self.lock = threading.Lock()
        keeper = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with keeper.lock:
                    keeper.received.append(GatewayRequest(dict(self.headers), json.loads(data)))
                reply = b'{"code": 0, "message": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/sms/send"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> SmsGatewayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def messages(self) -> list[GatewayRequest]:
        with self.lock:
            return list(self.received)
