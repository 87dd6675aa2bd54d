"""The applicants' portal in Debian's chromium on a 390 px phone screen, against real intake and
handling processes and a real nats-server (issue 19, acceptance): apply as a person and as a
company, a field error in Chinese beside its field, the correction notice in Chinese, supplying
the correction, withdrawing, and a double click on submit giving one application. Screenshots
go to test-artifacts/portal/."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import APIResponse, Browser, Page, Route, expect

from ogi.messaging.nats_server import LocalNatsServer
from ogi.v1 import common_pb2 as pb
from ogi.v1 import events_pb2, intake_pb2
from ogi.v1 import handling_pb2 as h
from tests.builders import CREDIT_CODE, RESIDENT_ID
from tests.integration.conftest import Database, _starter, stream_messages, wait_for
from tests.integration.portal import PHONE, PortalProcess, chromium, screenshot
from tests.integration.test_handling_service import HANDLER, System


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """intake and handling on SQLite (the portal keeps nothing: intake's two backends are
    tested without it) and a nats-server, started once for the module; each test makes its own
    applications and counts only what it adds."""
    folder = tmp_path_factory.mktemp("portal-system")
    nats = LocalNatsServer(folder / "nats")
    nats.start()
    starters = [
        _starter(
            name, Database(f"sqlite:///{folder / name}.sqlite", name, None, name), nats, folder
        )
        for name in ("intake", "handling")
    ]
    try:
        start_intake, start_handling = (next(starter) for starter in starters)
        yield System(start_intake(OGI_TRUSTED_PROXIES="127.0.0.1"), start_handling(), nats)
    finally:
        for starter in starters:
            next(starter, None)  # past its yield: it kills its processes
        nats.stop()


@pytest.fixture(scope="module")
def portal(system: System, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalProcess]:
    process = PortalProcess(system.intake.listen, tmp_path_factory.mktemp("portal") / "portal.log")
    try:
        yield process.start()
    finally:
        process.stop()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        yield context.new_page()
    finally:
        context.close()


def fill_person(page: Page, *, identity_number: str = RESIDENT_ID, agency: str = "HZMZJ") -> None:
    page.select_option('[name="agency_code"]', agency)
    page.check('input[name="applicant.category"][value="natural_person"]')
    page.fill('[name="applicant.name"]', "张三丰")
    page.select_option('[name="applicant.identity_document.type"]', "resident_identity_card")
    page.fill('[name="applicant.identity_document.number"]', identity_number)
    page.fill('[name="applicant.contact.phone"]', "13800138000")
    page.fill('[name="applicant.contact.postal_address"]', "山东省菏泽市牡丹区中华路1001号")
    page.fill('[name="information.description"]', "2025年城乡低保资金发放明细")
    page.check('input[name="delivery.form"][value="electronic"]')
    page.check('input[name="delivery.route"][value="online_download"]')
    page.check('input[name="notify_by"][value="sms"]')


def submitted(system: System, agency: str) -> list[str]:
    """The numbers of the applications to `agency` on the stream (the tests of a double
    submission each apply to an agency of their own, so that each counts only its own). Read
    from a thread of its own: Playwright's sync API keeps an event loop running in this one."""
    with ThreadPoolExecutor(1) as thread:
        messages = thread.submit(stream_messages, system.nats.url).result()
    numbers = [
        events_pb2.ApplicationSubmitted.FromString(m.data).application_number
        for m in messages
        if m.subject == "ogi.intake.ApplicationSubmitted"
    ]
    return [n for n in numbers if n.startswith(f"{agency}-")]


def one_application(system: System, agency: str, number: str) -> None:
    """`number` reaches the stream, and no other application to `agency` does."""
    wait_for(lambda: number in submitted(system, agency), what=f"{number} on the stream")
    time.sleep(1)  # a second application would follow within the relay's poll
    assert submitted(system, agency) == [number]


def receipt_of(page: Page) -> tuple[str, str]:
    expect(page.locator("h1")).to_have_text("申请已提交")
    number = page.locator("#application-number").inner_text().strip()
    code = page.locator("#query-code").inner_text().strip()
    return number, code


def look_up(page: Page, portal: PortalProcess, number: str, code: str) -> None:
    page.goto(f"{portal.url}/status")
    page.fill('[name="number"]', number)
    page.fill('[name="code"]', code)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("办理进度")


def test_a_person_applies_on_a_phone(portal: PortalProcess, system: System, phone: Page) -> None:
    phone.goto(f"{portal.url}/apply")
    fill_person(phone)
    screenshot(phone, "apply-natural-person")
    phone.evaluate("window.scrollTo(0, 0)")
    screenshot(phone, "apply-on-a-phone", full_page=False)
    phone.click("button[type=submit]")
    number, code = receipt_of(phone)
    assert re.fullmatch(r"HZMZJ-\d{4}-\d{6}", number)
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)
    expect(phone.locator(".warning")).to_contain_text("查询码只在本页显示这一次")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "receipt")
    status = system.intake.stub.GetApplicationStatus(
        intake_pb2.GetApplicationStatusRequest(application_number=number, query_code=code)
    )
    assert status.information.description == "2025年城乡低保资金发放明细"


def test_a_company_applies_on_a_phone(portal: PortalProcess, system: System, phone: Page) -> None:
    phone.goto(f"{portal.url}/apply")
    phone.select_option('[name="agency_code"]', "HZMZJ")
    phone.check('input[name="applicant.category"][value="commercial_enterprise"]')
    phone.fill('[name="applicant.name"]', "菏泽恒通停车管理有限公司")
    phone.select_option('[name="applicant.identity_document.type"]', "unified_social_credit_code")
    phone.fill('[name="applicant.identity_document.number"]', CREDIT_CODE)
    phone.fill('[name="applicant.contact_person"]', "李经理")
    phone.fill('[name="applicant.contact.email"]', "office@hengtong.example.cn")
    phone.fill('[name="information.description"]', "2025年中心城区公共停车场收费标准核定文件")
    phone.fill('[name="information.document_number"]', "菏发改价格〔2025〕12号")
    phone.fill('[name="purpose"]', "核对本公司停车场收费")
    phone.check('input[name="delivery.form"][value="electronic"]')
    phone.check('input[name="delivery.route"][value="email"]')
    phone.check('input[name="notify_by"][value="email"]')
    screenshot(phone, "apply-company")
    phone.click("button[type=submit]")
    number, _ = receipt_of(phone)
    assert number.startswith("HZMZJ-")
    wait_for(lambda: number in submitted(system, "HZMZJ"), what="the application on the stream")


def test_a_field_error_is_shown_in_chinese_beside_its_field(
    portal: PortalProcess, system: System, phone: Page
) -> None:
    before = portal.log().count('"application submitted"')
    phone.goto(f"{portal.url}/apply")
    fill_person(phone, identity_number=RESIDENT_ID[:-1] + "3")  # a wrong check character
    phone.click("button[type=submit]")
    error = phone.locator('[id="applicant.identity_document.number-error"]')
    expect(error).to_have_text("校验码不符（GB 11643）")
    beside = error.locator("xpath=..").locator('[name="applicant.identity_document.number"]')
    expect(beside).to_have_attribute("aria-invalid", "true")
    expect(phone.locator(".problems")).to_contain_text("申请未能提交")
    # What the person typed is still there.
    expect(phone.locator('[name="applicant.name"]')).to_have_value("张三丰")
    screenshot(phone, "field-error")
    error.scroll_into_view_if_needed()
    screenshot(phone, "field-error-beside-its-field", full_page=False)
    assert portal.log().count('"application submitted"') == before


def test_status_shows_the_correction_notice_and_the_correction_is_supplied(
    portal: PortalProcess, system: System, phone: Page
) -> None:
    receipt = system.submit()
    number, code = receipt.application_number, receipt.query_code
    system.registered(number)
    case = system.handling.handling.RequestCorrection(
        h.RequestCorrectionRequest(case=number, items=["写明文件名称或文号", "写明年度"]),
        metadata=HANDLER,
    ).case
    due = next(d.due for d in case.deadlines if d.kind == h.DEADLINE_KIND_CORRECTION)
    system.status_shows(receipt, "CorrectionRequested")

    look_up(phone, portal, number, code)
    expect(phone.locator("#state")).to_have_text("待补正")
    timeline = phone.locator("#timeline")
    expect(timeline).to_contain_text("补正告知")
    expect(timeline).to_contain_text("需要补正的事项：写明文件名称或文号；写明年度。")
    expect(timeline).to_contain_text(f"请于{due.year}年{due.month}月{due.day}日前补正。")
    expect(timeline).to_contain_text("（北京时间）")
    text = phone.locator("main").inner_text()
    assert "CorrectionRequested" not in text
    assert not re.search(r"\d{2}:\d{2}(:\d{2})?Z|\dT\d", text)  # no UTC times
    screenshot(phone, "status-correction-notice")

    phone.fill('[name="information.description"]', "2025年第四季度城乡低保资金发放明细")
    phone.fill('[name="information.document_number"]', "菏民发〔2025〕3号")
    phone.click("#correction button[type=submit]")
    expect(phone.locator("#done")).to_have_text("补正材料已提交，行政机关将重新审查您的申请。")
    expect(phone.locator("#state")).to_have_text("已收到")
    expect(phone.locator("#timeline")).to_contain_text("您已提交补正材料。")
    assert phone.locator("#correction").count() == 0  # asked once, supplied once
    screenshot(phone, "status-correction-supplied")
    assert system.status(receipt).information.description == "2025年第四季度城乡低保资金发放明细"


def test_withdrawing_in_the_browser(portal: PortalProcess, system: System, phone: Page) -> None:
    receipt = system.submit()
    look_up(phone, portal, receipt.application_number, receipt.query_code)
    phone.click("#withdraw summary")
    phone.fill('[name="reason"]', "已通过其他途径获取")
    phone.click("#withdraw button[type=submit]")  # not confirmed yet
    expect(phone.locator('[id="confirm-error"]')).to_have_text("撤回后不能恢复，请勾选确认。")
    expect(phone.locator("#state")).to_have_text("已收到")
    phone.check('#withdraw input[name="confirm"]')
    phone.click("#withdraw button[type=submit]")
    expect(phone.locator("#done")).to_have_text("申请已撤回。")
    expect(phone.locator("#state")).to_have_text("已撤回")
    assert phone.locator("#withdraw").count() == 0
    screenshot(phone, "status-withdrawn")
    assert system.status(receipt).state == intake_pb2.APPLICATION_STATE_WITHDRAWN


@pytest.mark.parametrize(
    ("javascript", "agency"), [(True, "HZBGS"), (False, "HZMDQ")], ids=["htmx", "no-javascript"]
)
def test_a_double_click_on_submit_gives_one_application(
    portal: PortalProcess, system: System, browser: Browser, javascript: bool, agency: str
) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(f"{portal.url}/apply")
        fill_person(page, agency=agency)
        page.dblclick("button[type=submit]")
        number, _ = receipt_of(page)
    finally:
        context.close()
    assert number.endswith("-000001")
    one_application(system, agency, number)
    log = portal.log()
    for personal in ("13800138000", "张三丰", RESIDENT_ID):
        assert personal not in log


def test_a_second_click_while_the_first_is_on_its_way_sends_nothing_more(
    portal: PortalProcess, system: System, phone: Page
) -> None:
    """A slow network: the portal has answered, the answer has not arrived, the person clicks
    again. htmx has disabled the button meanwhile."""
    held: list[tuple[Route, APIResponse]] = []

    def slow_network(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        held.append((route, route.fetch()))  # the portal has it; the answer waits

    phone.goto(f"{portal.url}/apply")
    fill_person(phone, agency="HZZRZYJ")
    phone.route("**/apply", slow_network)
    phone.click("button[type=submit]", no_wait_after=True)
    submit = phone.locator("button[type=submit]")
    expect(submit).to_be_disabled()
    submit.click(force=True, no_wait_after=True)
    phone.wait_for_timeout(300)
    assert len(held) == 1
    route, answer = held[0]
    route.fulfill(response=answer)
    number, _ = receipt_of(phone)
    one_application(system, "HZZRZYJ", number)


def test_the_same_form_sent_twice_is_one_application(portal: PortalProcess, system: System) -> None:
    """Without JavaScript nothing stops a second submission of the form (a reload of the
    receipt, a click on a slow network): the request id it carries makes it the same one."""
    with httpx.Client(base_url=portal.url) as client:
        form = client.get("/apply").text
        request_id = re.search(r'name="request_id" value="([^"]+)"', form)
        assert request_id is not None
        filled = {
            "request_id": request_id.group(1),
            "agency_code": "HZ",
            "applicant.category": "natural_person",
            "applicant.name": "张三丰",
            "applicant.identity_document.type": "resident_identity_card",
            "applicant.identity_document.number": RESIDENT_ID,
            "applicant.contact.phone": "13800138000",
            "information.description": "2025年城乡低保资金发放明细",
            "delivery.form": "electronic",
            "delivery.route": "online_download",
        }
        first, again = (client.post("/apply", data=filled) for _ in range(2))
    shown = [re.search(r'id="application-number">([^<]+)<', r.text) for r in (first, again)]
    numbers = [m.group(1) for m in shown if m]
    assert len(numbers) == 2
    assert numbers[0] == numbers[1]
    one_application(system, "HZ", numbers[0])


def test_a_correction_nobody_asked_for_is_refused_in_intakes_words(
    portal: PortalProcess, system: System
) -> None:
    """Only offered when asked; a form posted anyway (an old page) gets intake's reason."""
    receipt = system.submit()
    refused = httpx.post(
        f"{portal.url}/status/correction",
        data={
            "number": receipt.application_number,
            "code": receipt.query_code,
            "information.description": "改为2025年第四季度",
        },
    )
    assert refused.status_code == 409
    assert "未要求补正。申请当前的状态不能办理这一事项" in refused.text
    assert "no correction was requested" not in refused.text


DOCUMENTS = hasattr(intake_pb2, "DownloadDocumentRequest")


@pytest.mark.skipif(not DOCUMENTS, reason="intake's contract has no documents yet (issue 17)")
def test_a_document_addressed_to_the_applicant_is_listed_and_downloaded(
    portal: PortalProcess, system: System, phone: Page
) -> None:
    receipt = system.submit()
    number = receipt.application_number
    system.registered(number)
    handling: Any = system.handling.handling  # the documents' calls: a newer contract
    issue: Any = getattr(h, "IssueDocumentRequest")  # noqa: B009
    kind = getattr(pb, "DOCUMENT_KIND_REGISTRATION_RECEIPT")  # noqa: B009
    issued = handling.IssueDocument(issue(case=number, kind=kind), metadata=HANDLER).document
    system.status_shows(receipt, "DocumentIssued")
    look_up(phone, portal, number, receipt.query_code)
    listed = phone.locator("#documents")
    expect(listed).to_contain_text("政府信息公开申请登记回执")
    expect(listed).to_contain_text(issued.number)
    expect(phone.locator("#timeline")).to_contain_text("文书已出具")
    screenshot(phone, "status-documents")
    with phone.expect_download() as download:
        phone.locator("#documents button[type=submit]").first.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert download.value.suggested_filename.endswith(".pdf")
