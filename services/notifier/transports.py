"""Getting a message to its recipient: e-mail over SMTP (aiosmtplib), SMS through the agency's
HTTP gateway (httpx), or, in embedded mode with neither configured, a file in data/outbox/ for a
person to read (e-mail as .eml).

A transport raises Transient when the message may go through later (server away, busy, 4xx
SMTP replies, gateway 5xx/408/429) and Permanent when it never will (5xx SMTP replies, gateway
4xx); anything else it returns the server's reply. The stable id goes with every attempt: the
e-mail's Message-ID header, the gateway's Idempotency-Key header, so a resend after a crash is
the same message to whoever took it first."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, Protocol

import aiosmtplib
import httpx


class Transient(Exception):
    """Not delivered now; try again later."""


class Permanent(Exception):
    """Refused for good: trying again would not help."""


@dataclass(frozen=True)
class Outgoing:
    """What a transport needs of a message."""

    stable_id: str
    recipient: str
    subject: str
    body: str


class Transport(Protocol):
    async def send(self, message: Outgoing) -> str:
        """The server's reply once it has taken the message; Transient or Permanent if not."""
        ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str  # the From address
    username: str = ""
    password: str = ""
    security: str = "starttls"  # "starttls" (required), "tls" (implicit, port 465) or "none"
    timeout: float = 20.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SmtpSettings | None:
        """OGI_SMTP_HOST (none: no SMTP), OGI_SMTP_PORT (587), OGI_SMTP_FROM,
        OGI_SMTP_USERNAME, OGI_SMTP_PASSWORD (or OGI_SMTP_PASSWORD_FILE), OGI_SMTP_SECURITY."""
        host = environ.get("OGI_SMTP_HOST", "")
        if not host:
            return None
        password = environ.get("OGI_SMTP_PASSWORD", "")
        if not password and (named := environ.get("OGI_SMTP_PASSWORD_FILE")):
            password = Path(named).read_text().strip()
        return cls(
            host=host,
            port=int(environ.get("OGI_SMTP_PORT", "587")),
            sender=environ.get("OGI_SMTP_FROM", "noreply@localhost"),
            username=environ.get("OGI_SMTP_USERNAME", ""),
            password=password,
            security=environ.get("OGI_SMTP_SECURITY", "starttls"),
        )


def email_message(message: Outgoing, sender: str, *, readable: bool = False) -> EmailMessage:
    """The e-mail; `readable` keeps the text as UTF-8 in the file (8bit) for a person to read
    in data/outbox/, where to a server it goes base64, which every server takes."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = message.stable_id
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    mail.set_content(message.body, charset="utf-8", cte="8bit" if readable else "base64")
    return mail


class SmtpTransport:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    async def send(self, message: Outgoing) -> str:
        s = self.settings
        try:
            errors, reply = await aiosmtplib.send(
                email_message(message, s.sender),
                hostname=s.host,
                port=s.port,
                username=s.username or None,
                password=s.password or None,
                use_tls=s.security == "tls",
                start_tls=s.security == "starttls",
                timeout=s.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as e:
            raise _by_code(min(r.code for r in e.recipients), "recipient refused") from None
        except aiosmtplib.SMTPResponseException as e:
            raise _by_code(e.code, e.message) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            raise Transient(type(e).__name__) from None
        if errors:  # some recipient refused (there is one): as a refusal of the message
            code = min(r.code for r in errors.values())
            raise _by_code(code, "recipient refused")
        return reply[:200]


def _by_code(code: int, text: str) -> Exception:
    """SMTP 4xx: try again later; 5xx: refused for good (RFC 5321 §4.2.1)."""
    reply = f"{code} {text}"[:200]
    return Transient(reply) if code < 500 else Permanent(reply)


@dataclass(frozen=True)
class SmsSettings:
    """The agency's SMS gateway: where to post, the body to post (a JSON template whose string
    values may hold {phone}, {text}, {sign_name} and {message_id}), the sign name (短信签名)
    carriers require, and, where the gateway checks one, a secret to sign each request with
    (X-Timestamp, and X-Signature = hex HMAC-SHA256 of timestamp + "\\n" + body)."""

    url: str
    template: str = (
        '{"mobile": "{phone}", "content": "【{sign_name}】{text}", "requestId": "{message_id}"}'
    )
    sign_name: str = "政府信息公开"
    secret: str = ""
    timeout: float = 15.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SmsSettings | None:
        """OGI_SMS_URL (none: no gateway), OGI_SMS_TEMPLATE (or OGI_SMS_TEMPLATE_FILE),
        OGI_SMS_SIGN_NAME, OGI_SMS_SECRET (or OGI_SMS_SECRET_FILE)."""
        url = environ.get("OGI_SMS_URL", "")
        if not url:
            return None
        default = cls(url)
        template = environ.get("OGI_SMS_TEMPLATE", "")
        if not template and (named := environ.get("OGI_SMS_TEMPLATE_FILE")):
            template = Path(named).read_text()
        secret = environ.get("OGI_SMS_SECRET", "")
        if not secret and (named := environ.get("OGI_SMS_SECRET_FILE")):
            secret = Path(named).read_text().strip()
        settings = cls(
            url=url,
            template=template or default.template,
            sign_name=environ.get("OGI_SMS_SIGN_NAME", default.sign_name),
            secret=secret,
        )
        settings.body(Outgoing("check", "13800138000", "", "check"))  # a bad template fails now
        return settings

    def body(self, message: Outgoing) -> bytes:
        """The template with each placeholder in a string value filled in, JSON-escaped."""
        values = {
            "phone": message.recipient,
            "text": message.body,
            "sign_name": self.sign_name,
            "message_id": message.stable_id,
        }
        return json.dumps(_fill(json.loads(self.template), values), ensure_ascii=False).encode()


def _fill(node: Any, values: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        for name, value in values.items():
            node = node.replace("{" + name + "}", value)
        return node
    if isinstance(node, list):
        return [_fill(item, values) for item in node]
    if isinstance(node, dict):
        return {key: _fill(item, values) for key, item in node.items()}
    return node


class SmsGateway:
    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings

    async def send(self, message: Outgoing) -> str:
        body = self.settings.body(message)
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.stable_id}
        if self.settings.secret:
            stamp = str(int(time.time()))
            headers["X-Timestamp"] = stamp
            headers["X-Signature"] = hmac.new(
                self.settings.secret.encode(), stamp.encode() + b"\n" + body, hashlib.sha256
            ).hexdigest()
        try:
            async with httpx.AsyncClient(timeout=self.settings.timeout) as client:
                response = await client.post(self.settings.url, content=body, headers=headers)
        except httpx.HTTPError as e:
            raise Transient(type(e).__name__) from None
        reply = f"HTTP {response.status_code}"
        if response.status_code in (408, 425, 429) or response.status_code >= 500:
            raise Transient(reply)
        if response.status_code >= 400:
            raise Permanent(reply)
        return reply


class Outbox:
    """Embedded mode without SMTP or a gateway: each message as a file in `folder`, named by
    its stable id so that a resend overwrites it (e-mail as .eml, SMS as .sms.json)."""

    def __init__(self, folder: Path, channel: str, sender: str = "noreply@localhost") -> None:
        self.folder = folder
        self.channel = channel
        self.sender = sender

    async def send(self, message: Outgoing) -> str:
        name = message.stable_id.strip("<>").replace("@", "_at_").replace("/", "_")
        if self.channel == "email":
            path = self.folder / f"{name}.eml"
            data = bytes(email_message(message, self.sender, readable=True))
        else:
            path = self.folder / f"{name}.sms.json"
            data = json.dumps(
                {"phone": message.recipient, "text": message.body, "id": message.stable_id},
                ensure_ascii=False,
                indent=2,
            ).encode()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(path.suffix + ".partial")
            partial.write_bytes(data)
            os.replace(partial, path)  # whole or not at all
        except OSError as e:
            raise Transient(type(e).__name__) from None
        return f"written to {path.name}"


class Unconfigured:
    """Production without this channel configured: its messages wait (shown as pending, each
    attempt recorded) until it is, rather than going to a folder nobody reads."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    async def send(self, _message: Outgoing) -> str:
        raise Transient(f"{self.channel} not configured")
