"""The console app on its own (Starlette's test client, no services behind it): the session
cookie's flags, a session ending after its idle time, and pages that need no service."""

from __future__ import annotations

import re
import time
from pathlib import Path

from starlette.testclient import TestClient

from ogi.accounts import LocalAccounts
from ogi.auth import Role
from ogi.config import new_cipher_key
from services.console.app import create_app
from services.console.settings import ConsoleSettings

PASSWORD = "long enough password"  # noqa: S105


def settings(tmp_path: Path, *, secure: bool, idle_minutes: float = 30) -> ConsoleSettings:
    accounts = tmp_path / "accounts.json"
    LocalAccounts(accounts).add("李四", "HZMZJ", frozenset({Role.HANDLER}), PASSWORD)
    return ConsoleSettings(
        listen="127.0.0.1:8080",
        intake="127.0.0.1:1",
        handling="127.0.0.1:1",
        archive="127.0.0.1:1",
        notifier="127.0.0.1:1",
        nats_url="nats://127.0.0.1:1",
        data_dir=tmp_path,
        agencies_file=None,
        accounts_file=accounts,
        token_key=new_cipher_key(),
        oidc=None,
        secure_cookies=secure,
        idle_minutes=idle_minutes,
        public_url="https://gkbl.example.gov.cn",
    )


def sign_in(client: TestClient) -> str:
    form = client.get("/signin").text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token
    answer = client.post(
        "/signin",
        data={"csrf": token[1], "name": "李四", "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return str(answer.headers["set-cookie"])


def test_the_session_cookie_is_httponly_lax_and_secure_outside_embedded_mode(
    tmp_path: Path,
) -> None:
    with TestClient(create_app(settings(tmp_path, secure=True)), base_url="https://x") as c:
        cookie = sign_in(c)
    assert "ogi_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" in cookie
    with TestClient(create_app(settings(tmp_path, secure=False))) as c:
        assert "Secure" not in sign_in(c)


def test_a_session_unused_for_its_idle_time_is_gone(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, secure=False, idle_minutes=0.5 / 60))
    with TestClient(app) as client:
        sign_in(client)
        assert client.get("/search", follow_redirects=False).status_code == 200
        time.sleep(0.6)
        gone = client.get("/search", follow_redirects=False)
        assert gone.status_code == 303
        assert gone.headers["location"] == "/signin"


def test_every_page_says_what_keeps_it_out_of_caches_and_frames(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path, secure=False))) as client:
        page = client.get("/signin")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
