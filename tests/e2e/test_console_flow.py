"""Issue 18's main flow in a real browser (Debian's chromium) against the real services, NATS
and SQLite / PostgreSQL: a registrar enters a paper application; a handler finds it on the
worklist, asks for a correction (which the registrar records as handed in at the counter),
accepts, consults, replies; the office head extends and locks the annual report. Every step
is checked in the page and through the services' API. Screenshots of the pages it passes through
are kept in test-artifacts/console/ (the other pages' by test_console_pages.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from ogi.auth import Role
from ogi.clock import china_date, system_clock
from ogi.v1 import archive_pb2 as a
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2 as i
from tests.e2e.console_system import (
    Console,
    api_token,
    case_of,
    chromium,
    console_process,
    screenshot,
    signed_in,
    until_listed,
)
from tests.integration.conftest import wait_for
from tests.integration.three_services import ThreeServices, three_services

TODAY = china_date(system_clock())


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def system(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreeServices]:
    with three_services(request.param, request, tmp_path_factory.mktemp(request.param)) as s:
        yield s


@pytest.fixture(scope="module")
def console(system: ThreeServices, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    with console_process(system, tmp_path_factory.mktemp("console")) as c:
        yield c


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def test_a_paper_application_from_entry_to_reply_and_the_locked_report(
    system: ThreeServices, console: Console, browser: Browser
) -> None:
    today = TODAY.isoformat()
    # --- the registrar enters a paper application handed in at the counter -----------------
    _, registrar = signed_in(browser, console, "王登记")
    registrar.goto(console.url + "/entry")
    screenshot(registrar, "entry")
    registrar.select_option("#channel", str(pb.CHANNEL_IN_PERSON))
    registrar.fill("#receipt_date", today)
    registrar.fill("#applicant-name", "张三")
    registrar.fill("#applicant-identity_document-number", "11010519491231002X")
    registrar.fill("#applicant-contact-phone", "13800138000")
    registrar.fill("#applicant-contact-postal_address", "菏泽市牡丹区中华路1001号")
    registrar.fill("#information-description", "2025年城乡低保资金发放明细")
    registrar.select_option("#delivery-form", str(pb.DELIVERY_FORM_PAPER))
    registrar.select_option("#delivery-route", str(pb.DELIVERY_ROUTE_POST))
    registrar.click("form[action='/entry'] button[type=submit]")
    number = registrar.inner_text("#application-number")
    code = registrar.inner_text("#query-code")
    assert number.startswith(f"HZMZJ-{TODAY.year}-")
    status = system.intake.stub.GetApplicationStatus(
        i.GetApplicationStatusRequest(application_number=number, query_code=code), timeout=10
    )
    assert status.channel == pb.CHANNEL_IN_PERSON
    assert (status.receipt_date.year, status.receipt_date.month, status.receipt_date.day) == (
        TODAY.year,
        TODAY.month,
        TODAY.day,
    )

    # --- the handler finds it on the worklist and asks for a correction ---------------------
    _, handler = signed_in(browser, console, "李承办")
    until_listed(handler, console.url + "/", number)
    row = handler.locator(f"tr[data-number='{number}']")
    assert "审核中" in row.inner_text()
    screenshot(handler, "worklist")
    handler.click(f"a[href='/cases/{number}']")
    screenshot(handler, "case")
    handler.fill("#request_correction-items", "写明所需信息的年份和地区")
    handler.click("#step-request_correction button[type=submit]")
    assert "补正中" in handler.inner_text("h1")
    assert case_of(system, number).state == h.CASE_STATE_AWAITING_CORRECTION

    # --- the applicant hands the correction in at the counter; the registrar records it -----
    registrar.goto(console.url + "/entry/correction")
    registrar.fill("#application_number", number)
    registrar.select_option("#received-channel", str(pb.CHANNEL_IN_PERSON))
    registrar.fill("#received-receipt_date", today)
    registrar.fill("#information-description", "2025年菏泽市牡丹区城乡低保资金发放明细")
    registrar.click("form[action='/entry/correction'] button[type=submit]")
    assert "已登记" in registrar.inner_text("[role=status]")
    wait_for(
        lambda: case_of(system, number).state == h.CASE_STATE_REGISTERED,
        timeout=60,
        what="the correction",
    )

    # --- accept ----------------------------------------------------------------------------
    handler.goto(f"{console.url}/cases/{number}")
    handler.click("#step-accept button[type=submit]")
    assert "办理中" in handler.inner_text("h1")
    assert case_of(system, number).state == h.CASE_STATE_IN_PROGRESS

    # --- a stale page: someone else assigned the case meanwhile -----------------------------
    system.handling.handling.AssignCase(
        h.AssignCaseRequest(case=number, assignee="李承办"),
        metadata=api_token("HZMZJ", Role.HANDLER, subject="别人"),
        timeout=10,
    )
    handler.fill("#start_consultation-party", "某公司（第三方）")
    handler.click("#step-start_consultation button[type=submit]")
    assert "已被他人修改" in handler.inner_text("#conflict")
    assert "李承办" in handler.inner_text("dl.facts")  # the fresh state is shown
    assert case_of(system, number).state == h.CASE_STATE_IN_PROGRESS

    # --- consult, with the fresh page --------------------------------------------------------
    handler.fill("#start_consultation-party", "某公司（第三方）")
    handler.click("#step-start_consultation button[type=submit]")
    assert "征求意见中" in handler.inner_text("h1")
    assert case_of(system, number).state == h.CASE_STATE_CONSULTING
    handler.fill("#end_consultation-opinion", "不同意公开其中的个人信息")
    handler.click("#step-end_consultation button[type=submit]")
    assert "办理中" in handler.inner_text("h1")

    # --- the office head extends the reply period ------------------------------------------
    _, head = signed_in(browser, console, "赵主任")
    head.goto(f"{console.url}/cases/{number}")
    head.fill("#extend-days", "15")
    head.click("#step-extend button[type=submit]")
    assert "15 个工作日" in head.inner_text("dl.facts")
    assert case_of(system, number).extension_days == 15
    handler.goto(f"{console.url}/cases/{number}")
    assert handler.locator("#step-extend").count() == 0  # not the handler's step

    # --- the office head reviews what may be released (保密审查, Art 17) ---------------------
    head.goto(f"{console.url}/cases/{number}")
    head.select_option(
        "#review_confidentiality-conclusion", str(h.REVIEW_CONCLUSION_PARTLY_DISCLOSABLE)
    )
    head.fill("#review_confidentiality-basis", "第三方不同意公开其个人信息（第十五条）")
    head.fill("#review_confidentiality-withheld", "低保对象的身份证号码和住址")
    head.click("#step-review_confidentiality button[type=submit]")
    assert "部分公开" in head.inner_text("#review")
    assert case_of(system, number).review.conclusion == h.REVIEW_CONCLUSION_PARTLY_DISCLOSABLE

    # --- reply: the service's refusal appears beside the field it names ---------------------
    handler.goto(f"{console.url}/cases/{number}")
    handler.select_option("#answer-outcome", str(pb.OUTCOME_R3))
    handler.fill("#answer-reasons", "涉及第三方")
    handler.click("#step-answer button[type=submit]")
    assert handler.locator("#answer-ground-note").inner_text()  # 不予公开 needs its ground
    assert case_of(system, number).state == h.CASE_STATE_IN_PROGRESS
    handler.select_option("#answer-outcome", str(pb.OUTCOME_R8))
    # the part withheld is refused on its ground
    handler.select_option("#answer-ground", str(pb.NON_DISCLOSURE_GROUND_THIRD_PARTY))
    handler.fill("#answer-reasons", "涉及第三方个人信息，已作区分处理")
    handler.fill("#answer-r0-title", "2025年城乡低保资金发放明细（隐去个人信息）")
    handler.select_option("#answer-r0-form", str(pb.RELEASE_FORM_PAPER))
    handler.click("#step-answer button[type=submit]")
    assert "待送达" in handler.inner_text("h1")
    assert handler.inner_text("#outcome").startswith("部分公开（第三十七条")
    replied = case_of(system, number)
    assert (replied.state, replied.outcome) == (h.CASE_STATE_REPLIED, pb.OUTCOME_R8)
    assert [item.title for item in replied.reply.released] == [
        "2025年城乡低保资金发放明细（隐去个人信息）"
    ]
    # --- the reply letter (答复书): a draft to look at, issued with its number, downloaded ------
    if hasattr(pb, "DOCUMENT_KIND_REPLY"):  # the documents issue's API
        reply_kind = str(pb.DOCUMENT_KIND_REPLY)
        draft = handler.request.get(
            f"{console.url}/cases/{number}/preview?kind={reply_kind}&format=pdf"
        )
        assert draft.body().startswith(b"%PDF")
        handler.click(f"form[action$='/issue']:has(input[name=kind][value='{reply_kind}']) button")
        assert "已发文" in handler.inner_text("[role=status]")
        (letter,) = [
            d
            for d in system.handling.handling.ListDocuments(
                h.ListDocumentsRequest(case=number),
                metadata=api_token("HZMZJ", Role.HANDLER),
                timeout=10,
            ).documents
            if d.kind == pb.DOCUMENT_KIND_REPLY
        ]
        assert letter.number in handler.inner_text("main")
        pdfs = handler.locator("a[href*='/document?'][href$='format=pdf']")
        pdf = handler.request.get(console.url + (pdfs.last.get_attribute("href") or ""))
        assert hashlib.sha256(pdf.body()).hexdigest() == letter.pdf_sha256
    handler.goto(console.url + "/")
    assert "待送达" in handler.locator(f"tr[data-number='{number}']").inner_text()
    handler.goto(f"{console.url}/cases/{number}")
    handler.click("#step-serve button[type=submit]")
    assert "办结" in handler.inner_text("h1")

    # --- the office head locks the annual report --------------------------------------------
    def counted() -> bool:
        report = system.archive.archive.GetAnnualReport(
            a.GetAnnualReportRequest(agency_code="HZMZJ", year=TODAY.year),
            metadata=api_token("HZMZJ", Role.OFFICE_HEAD),
            timeout=10,
        ).report
        return any(c.line == "三.二" and c.value for c in report.cells)

    wait_for(counted, timeout=60, what="the reply counted in the report")
    head.goto(f"{console.url}/report?year={TODAY.year}")
    screenshot(head, "report")
    assert "三、收到和处理政府信息公开申请情况" in head.inner_text("main")
    head.click("form[action='/report/lock'] button[type=submit]")
    assert "锁定发布" in head.inner_text("#locked")
    report = system.archive.archive.GetAnnualReport(
        a.GetAnnualReportRequest(agency_code="HZMZJ", year=TODAY.year),
        metadata=api_token("HZMZJ", Role.OFFICE_HEAD),
        timeout=10,
    ).report
    assert report.locked
    assert report.locked_by == "赵主任"
