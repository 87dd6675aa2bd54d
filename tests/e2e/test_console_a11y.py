"""Accessibility of the console in Debian's chromium: axe-core (the npm package, installed by
`make browser-deps` under tests/e2e/node) reports no serious or critical violation on any main
page, and the main flow — sign in, find the case on the worklist, accept, consult, reply,
serve — works with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from ogi.clock import china_date, system_clock
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from tests.builders import request
from tests.e2e.console_system import (
    PASSWORD,
    Console,
    case_of,
    chromium,
    signed_in,
    until_listed,
)
from tests.integration.three_services import ThreeServices

AXE = Path(__file__).parent / "node" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def system(shared_system: ThreeServices) -> ThreeServices:
    return shared_system


@pytest.fixture(scope="module")
def console(shared_console: Console) -> Console:
    return shared_console


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def submitted(system: ThreeServices, description: str) -> str:
    """An application made online through intake's API (the registrar's page is tested
    elsewhere)."""
    reply = system.intake.stub.SubmitApplication(
        request(information__description=description), timeout=10
    )
    return str(reply.application_number)


def violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    # Evaluated through the DevTools protocol: the console's CSP rightly refuses inline scripts.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_serious_or_critical_violation_on_any_main_page(
    system: ThreeServices, console: Console, browser: Browser
) -> None:
    assert AXE.exists(), "run `make browser-deps` (npm ci in tests/e2e/node)"
    number = submitted(system, "2025年城乡低保资金发放明细")
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(console.url + "/signin")
    found = {"/signin": violations(page)}
    context.close()
    _, page = signed_in(browser, console, "赵主任")
    until_listed(page, console.url + "/", number)
    for path in (
        "/",
        f"/cases/{number}",
        "/search",
        "/search?q=HZMZJ-2000-000000",
        "/candidates",
        f"/report?year={china_date(system_clock()).year}",
        "/register",
    ):
        page.goto(console.url + path)
        found[path] = violations(page)
    _, registrar = signed_in(browser, console, "王登记")
    for path in ("/entry", "/entry/correction", "/entry/withdrawal"):
        registrar.goto(console.url + path)
        found[path] = violations(registrar)
    registrar.click("form[action='/entry/withdrawal'] button[type=submit]")  # refused: errors
    found["/entry/withdrawal (refused)"] = violations(registrar)
    _, operator = signed_in(browser, console, "孙运维")
    operator.goto(console.url + "/operations")
    found["/operations"] = violations(operator)
    assert {path: v for path, v in found.items() if v} == {}
    assert len(found) == 13


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element `selector` has the focus, as a keyboard user would."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def choose(page: Page, selector: str, value: str, limit: int = 30) -> None:
    """Pick an option of the focused select with the arrow keys."""
    tab_to(page, selector)
    for _ in range(limit):
        if page.locator(selector).input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reached in {selector}")


def test_the_main_flow_works_with_the_keyboard_alone(
    system: ThreeServices, console: Console, browser: Browser
) -> None:
    number = submitted(system, "2024年城市养老服务补贴发放名单")
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(console.url + "/signin")
    tab_to(page, "#name")
    page.keyboard.type("李承办")
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(console.url + "/")
    until_listed(page, console.url + "/", number)
    tab_to(page, f"a[href='/cases/{number}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console.url}/cases/{number}")

    def step(name: str, state: str) -> None:
        tab_to(page, f"#step-{name} button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/cases/{number}?notice={name}")
        assert state in page.inner_text("h1")

    step("accept", "办理中")
    tab_to(page, "#start_consultation-party")
    page.keyboard.type("某公司（第三方）")
    step("start_consultation", "征求意见中")
    step("end_consultation", "办理中")
    choose(page, "#answer-outcome", str(pb.OUTCOME_R4))
    step("answer", "待送达")
    step("serve", "办结")
    assert case_of(system, number).state == h.CASE_STATE_CLOSED
    context.close()
