"""The console as staff use it, for the browser tests: intake, handling and archive as their own
processes on one nats-server (SQLite or PostgreSQL), the console as its own process in front of
them, accounts made with `ogi users add`, and Debian's chromium driven by Playwright (only the
driver of the pip package: its own browser download does not work here)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from ogi.auth import Principal, Role, mint_token
from ogi.messaging.nats_server import free_port
from tests.integration.conftest import TOKEN_KEY, wait_for
from tests.integration.three_services import ThreeServices

ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts" / "console"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "口令-correct-horse"  # noqa: S105 - every test account's
# name: (agency, roles)
ACCOUNTS = {
    "王登记": ("HZMZJ", ("registrar",)),
    "李承办": ("HZMZJ", ("handler",)),
    "赵主任": ("HZMZJ", ("office_head", "handler")),
    "孙运维": ("HZMZJ", ("operator",)),
    "周承办": ("HZZRZYJ", ("handler", "registrar")),
    "钱试": ("HZMZJ", ("auditor",)),  # the throttle test locks this one out
}


@dataclass
class Console:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def add_account(env: dict[str, str], name: str, agency: str, roles: tuple[str, ...]) -> None:
    """As the README says: `ogi users add`, the password on standard input."""
    role_args = [a for r in roles for a in ("--role", r)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ogi.cli.main",
            "users",
            "add",
            "--agency",
            agency,
            "--name",
            name,
            "--password-stdin",
            *role_args,
        ],
        input=PASSWORD + "\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


@contextmanager
def console_process(system: ThreeServices, data: Path, **extra_env: str) -> Iterator[Console]:
    """`python -m services.console` on a free port in front of `system`."""
    outside = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
    listen = f"127.0.0.1:{free_port()}"
    env = (
        outside
        | {
            "OGI_DATA_DIR": str(data),
            "OGI_TOKEN_KEY": TOKEN_KEY,
            "OGI_INTAKE_ADDR": system.intake.listen,
            "OGI_HANDLING_ADDR": system.handling.listen,
            "OGI_ARCHIVE_ADDR": system.archive.listen,
            "OGI_NATS_URL": system.nats.url,
            "OGI_CONSOLE_LISTEN": listen,
            "OGI_CONSOLE_ACCOUNTS_FILE": str(data / "accounts.json"),
            "OGI_LOG_LEVEL": "DEBUG",
        }
        | extra_env
    )
    for name, (agency, roles) in ACCOUNTS.items():
        add_account(env, name, agency, roles)
    log_path = data / "console.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.console"], env=env, stdout=log, stderr=log
        )
    console = Console(f"http://{env['OGI_CONSOLE_LISTEN']}", process, log_path, env)
    try:
        wait_for(lambda: _answers(console.url + "/healthz"), 30, "the console")
        yield console
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in(browser: Browser, console: Console, name: str) -> tuple[BrowserContext, Page]:
    """A fresh browser context (its own cookies) signed in as `name`."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)  # a loaded 2-core machine answers slowly
    page = context.new_page()
    page.goto(console.url + "/signin")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_url(console.url + "/")
    return context, page


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# A JSON Web Token as it is sent (JWS compact form): a base64url header beginning '{"', payload
# and signature, joined by dots. A random cookie value (token_urlsafe) has no dots; matching only
# its first three characters, "eyJ", also matches one random value in a few thousand.
_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")


def holds_a_token(value: str) -> bool:
    """Whether `value` holds a bearer token (a JWT) anywhere in it."""
    return _JWT.search(value) is not None


def api_token(agency: str, *roles: Role, subject: str = "测试") -> tuple[tuple[str, str], ...]:
    token = mint_token(
        TOKEN_KEY,
        Principal(subject, agency, frozenset(roles)),
        datetime.now(UTC),
        timedelta(hours=1),
    )
    return (("authorization", f"Bearer {token}"),)


def until_listed(page: Page, url: str, text: str, timeout: float = 60) -> None:
    """Reload `url` until `text` shows: handling learns of an application through NATS."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        if text in page.inner_text("main"):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{text} not shown on {url}")
        time.sleep(0.2)


def case_of(system: ThreeServices, number: str, agency: str = "HZMZJ") -> Any:
    from ogi.v1 import handling_pb2 as h

    reply = system.handling.handling.GetCase(
        h.GetCaseRequest(case=number), metadata=api_token(agency, Role.HANDLER), timeout=10
    )
    return reply.case
