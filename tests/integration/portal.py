"""The portal as its own process beside a real intake, and Debian's chromium driven by Playwright
(installed by `make browser`; Playwright's own browser download is not used)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from ogi.messaging.nats_server import free_port

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
PHONE = ViewportSize(width=390, height=844)
ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts" / "portal"


class PortalProcess:
    """`python -m services.portal` talking to intake at `intake_address`."""

    def __init__(self, intake_address: str, log_path: Path, **env: str) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        outside = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
        self.env = outside | {
            "OGI_INTAKE_ADDRESS": intake_address,
            "OGI_PORTAL_LISTEN": self.url.removeprefix("http://"),
            "OGI_LOG_LEVEL": "DEBUG",
            **env,
        }
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> PortalProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.portal"], env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"portal exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError("portal not ready within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """A picture for a person to look at (the whole page, or the phone's screen as it is
    scrolled), kept in test-artifacts/portal/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
