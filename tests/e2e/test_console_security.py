"""The console's security, in the browser against the real services: a handler of one agency
gets nothing of another agency's cases by editing URLs or form fields; a form without its
token is refused; after sign-out the session's cookie no longer works; sign-in attempts are
throttled; no token, password, session id or personal data reaches any log."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from ogi.auth import Role
from ogi.clock import china_date, system_clock
from ogi.v1 import archive_pb2 as a
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from tests.e2e.console_system import (
    PASSWORD,
    Console,
    api_token,
    case_of,
    chromium,
    holds_a_token,
    signed_in,
    until_listed,
)
from tests.integration.conftest import ServiceProcess
from tests.integration.three_services import ThreeServices

APPLICANT = {"name": "欧阳秘密", "id": "11010519491231002X", "phone": "13912345678"}


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


def enter(context: BrowserContext, console: Console, description: str) -> str:
    """An application entered by the context's registrar; its number."""
    page = context.new_page()
    page.goto(console.url + "/entry")
    page.fill("#receipt_date", "")
    page.select_option("#channel", str(pb.CHANNEL_IN_PERSON))
    page.fill("#receipt_date", _today(page))
    page.fill("#applicant-name", APPLICANT["name"])
    page.fill("#applicant-identity_document-number", APPLICANT["id"])
    page.fill("#applicant-contact-phone", APPLICANT["phone"])
    page.fill("#applicant-contact-postal_address", "菏泽市牡丹区某街1号")
    page.fill("#information-description", description)
    page.click("form[action='/entry'] button[type=submit]")
    number = page.inner_text("#application-number")
    page.close()
    return number


def _today(_page: object) -> str:
    return china_date(system_clock()).isoformat()


@pytest.fixture(scope="module")
def cases(system: ThreeServices, console: Console, browser: Browser) -> dict[str, str]:
    """One application of each agency, on both worklists."""
    ours, _ = signed_in(browser, console, "王登记")
    theirs, _ = signed_in(browser, console, "周承办")
    found = {
        "ours": enter(ours, console, "本机关的申请：2025年养老服务补贴名单"),
        "theirs": enter(theirs, console, "他机关的申请：国有土地出让合同"),
    }
    _, page = signed_in(browser, console, "李承办")
    until_listed(page, console.url + "/", found["ours"])
    page.context.close()
    _, page = signed_in(browser, console, "周承办")
    until_listed(page, console.url + "/", found["theirs"])
    page.context.close()
    return found


def test_another_agencys_case_is_out_of_reach_by_url_and_by_form_fields(
    system: ThreeServices, console: Console, browser: Browser, cases: dict[str, str]
) -> None:
    theirs = cases["theirs"]
    context, page = signed_in(browser, console, "李承办")  # HZMZJ
    assert theirs not in page.inner_text("main")  # not on the worklist
    response = page.goto(f"{console.url}/cases/{theirs}")
    assert response is not None
    assert response.status in (403, 404)
    assert "国有土地出让合同" not in page.content()
    page.goto(f"{console.url}/search?q={theirs}")
    assert "国有土地出让合同" not in page.content()
    assert f"/cases/{theirs}" not in page.url
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    assert csrf
    # A step posted straight at the other agency's case, with a valid form token.
    posted = page.request.post(
        f"{console.url}/cases/{theirs}/accept", form={"csrf": csrf, "expected_version": "0"}
    )
    assert posted.status in (403, 404)
    assert "国有土地出让合同" not in posted.text()
    # Its number slipped into the bulk assignment's form.
    posted = page.request.post(
        f"{console.url}/worklist/assign",
        form={"csrf": csrf, "case": theirs, "assignee": "李承办"},
    )
    assert "国有土地出让合同" not in posted.text()
    # Another agency's report by editing the query; an entry claiming another agency.
    page.goto(f"{console.url}/report?agency=HZZRZYJ&year=2026")
    assert page.locator("table").count() == 0
    assert "自然资源和规划局" not in page.inner_text("main")
    untouched = case_of(system, theirs, "HZZRZYJ")
    assert (untouched.state, untouched.assignee) == (h.CASE_STATE_REGISTERED, "")
    report = system.archive.archive.GetAnnualReport(
        a.GetAnnualReportRequest(agency_code="HZZRZYJ", year=2026),
        metadata=api_token("HZZRZYJ", Role.OFFICE_HEAD),
        timeout=10,
    ).report
    assert not report.locked
    context.close()


def test_a_form_without_its_token_is_refused_and_changes_nothing(
    system: ThreeServices, console: Console, browser: Browser, cases: dict[str, str]
) -> None:
    ours = cases["ours"]
    context, page = signed_in(browser, console, "李承办")
    version = case_of(system, ours).version
    forms: list[dict[str, str | float | bool]] = [
        {"expected_version": "0"},
        {"csrf": "forged", "expected_version": "0"},
    ]
    for form in forms:
        posted = page.request.post(f"{console.url}/cases/{ours}/accept", form=form)
        assert posted.status == 403
        assert "表单已失效" in posted.text()
    assert case_of(system, ours).version == version
    # The sign-in form too carries a token of its own (no session yet).
    fresh = browser.new_context()
    posted = fresh.request.post(
        f"{console.url}/signin", form={"name": "李承办", "password": PASSWORD}, max_redirects=0
    )
    assert posted.status == 403
    assert "ogi_session" not in {c["name"] for c in fresh.cookies()}
    fresh.close()
    context.close()


def test_after_sign_out_the_session_no_longer_works(
    system: ThreeServices, console: Console, browser: Browser, cases: dict[str, str]
) -> None:
    ours = cases["ours"]
    context, page = signed_in(browser, console, "李承办")
    cookie = next(c for c in context.cookies() if c["name"] == "ogi_session")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Lax"
    assert not any(holds_a_token(c["value"]) for c in context.cookies())  # no token there
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    page.select_option("#f-due", "10")  # htmx swaps the table and pushes the URL
    page.wait_for_url("**/?*due=10*")
    stored = page.evaluate(
        "() => JSON.stringify([{...localStorage}, {...sessionStorage}])"
    )  # htmx keeps no copy of a page (historyCacheSize 0), nothing holds a secret
    for secret in ("eyJ", cookie["value"], csrf or "-", "<tr", ours):
        assert secret not in stored
    page.click("form[action='/signout'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/signin$"))
    # The old cookie, put back into a browser, opens nothing and changes nothing.
    stolen = browser.new_context()
    stolen.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": console.url}])
    response = stolen.request.get(console.url + "/", max_redirects=0)
    assert response.status == 303
    assert response.headers["location"] == "/signin"
    posted = stolen.request.post(
        f"{console.url}/cases/{ours}/accept",
        form={"csrf": csrf or "", "expected_version": "0"},
        max_redirects=0,
    )
    assert posted.status == 303
    assert case_of(system, ours).state == h.CASE_STATE_REGISTERED
    stolen.close()
    context.close()


def test_no_token_password_session_or_personal_data_in_any_log(
    system: ThreeServices, console: Console, browser: Browser, cases: dict[str, str]
) -> None:
    context, page = signed_in(browser, console, "李承办")
    page.goto(f"{console.url}/cases/{cases['ours']}?applicant=1")  # the applicant, on purpose
    assert APPLICANT["name"] in page.inner_text("#applicant")
    session_id = next(c["value"] for c in context.cookies() if c["name"] == "ogi_session")
    context.close()
    logs = {
        "console": console.log(),
        **{name: service.log() for name, service in _services(system).items()},
    }
    assert '"signed_in"' in logs["console"]  # the log is there and written
    for name, text in logs.items():
        for secret in [*APPLICANT.values(), PASSWORD, session_id, "Bearer", "eyJ"]:
            assert secret not in text, f"{secret!r} in {name}'s log"


def _services(system: ThreeServices) -> dict[str, ServiceProcess]:
    return {"intake": system.intake, "handling": system.handling, "archive": system.archive}


def test_sign_in_attempts_are_throttled(console: Console, browser: Browser) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    for _ in range(5):
        page.goto(console.url + "/signin")
        page.fill("#name", "钱试")
        page.fill("#password", "wrong password")
        page.click("form[action='/signin'] button[type=submit]")
        assert "姓名或密码不正确" in page.inner_text("main")
    page.fill("#password", PASSWORD)  # the right one, too late
    page.click("form[action='/signin'] button[type=submit]")
    assert "登录失败次数过多，请约15分钟后再试" in page.inner_text("main")
    assert "ogi_session" not in {c["name"] for c in context.cookies()}
    context.close()
