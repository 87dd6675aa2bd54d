"""Issue 18's main flow in a real browser (Debian's chromium) against the real services, NATS
and SQLite / PostgreSQL: a registrar enters a paper application; a handler finds it on the
worklist, asks for a correction (which the registrar records as handed in at the counter),
accepts, consults, replies; the office head extends and locks the annual report. Every step
is checked in the page and through the services' API; a screenshot of each main page is kept
in test-artifacts/console/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from io import BytesIO

import grpc
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, FilePayload

from ogi.annual_report import SECTION_TITLES
from ogi.auth import Role
from ogi.clock import china_date, system_clock
from ogi.identity import resident_id_check_character
from ogi.v1 import archive_pb2 as a
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2 as i
from ogi.wire import date_to_wire
from tests.builders import request, reviewed_reply
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
from tests.integration.conftest import REGISTRAR, wait_for
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
        lambda: case_of(system, number).state == h.CASE_STATE_REGISTERED, what="the correction"
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

    wait_for(counted, what="the reply counted in the report")
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


def test_every_main_page_has_its_screenshot(console: Console, browser: Browser) -> None:
    """The pages the flow above does not pass through, as a person sees them."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(console.url + "/signin")
    screenshot(page, "signin")
    _, handler = signed_in(browser, console, "李承办")
    for path, name in (
        ("/search", "search"),
        ("/candidates", "candidates"),
        ("/register", "register"),
    ):
        handler.goto(console.url + path)
        assert handler.locator("h1").count() == 1
        screenshot(handler, name)
    _, operator = signed_in(browser, console, "孙运维")
    operator.goto(console.url + "/operations")
    assert "各服务搁置的事件" in operator.inner_text("main")
    screenshot(operator, "operations")


def test_overdue_flag_htmx_filter_bulk_assignment_search_downloads_and_register(
    system: ThreeServices, console: Console, browser: Browser
) -> None:
    """The worklist's flags and filters (swapped in by htmx, served by the console itself),
    bulk assignment, finding a case by number, the report's downloads and the register upload."""
    received = TODAY - timedelta(days=60)  # its reply period has run out
    late = system.intake.stub.SubmitApplication(
        request(channel=pb.CHANNEL_IN_PERSON, receipt_date=date_to_wire(received)),
        metadata=REGISTRAR,
        timeout=10,
    ).application_number
    fresh = system.intake.stub.SubmitApplication(request(), timeout=10).application_number
    _, handler = signed_in(browser, console, "李承办")
    until_listed(handler, console.url + "/", late)
    until_listed(handler, console.url + "/", fresh)
    late_row = handler.locator(f"tr[data-number='{late}']")
    assert late_row.get_attribute("class") == "overdue"
    assert "逾期" in late_row.inner_text()
    assert handler.locator(f"tr[data-number='{fresh}']").get_attribute("class") != "overdue"
    handler.select_option("#f-due", "overdue")  # htmx: the table alone is fetched and swapped
    handler.wait_for_url("**/?*due=overdue*")
    handler.locator(f"tr[data-number='{fresh}']").wait_for(state="detached")
    assert handler.locator(f"tr[data-number='{late}']").count() == 1
    assert handler.locator("h1").inner_text() == "待办"  # the page around it stayed

    handler.goto(console.url + "/")
    handler.check(f"tr[data-number='{late}'] input[type=checkbox]")
    handler.check(f"tr[data-number='{fresh}'] input[type=checkbox]")
    handler.fill("#bulk-assignee", "周某")
    handler.click("#worklist button[type=submit]")
    assert "已分办" in handler.inner_text("[role=status]")
    assert {case_of(system, n).assignee for n in (late, fresh)} == {"周某"}

    handler.goto(f"{console.url}/search")
    handler.fill("#q", late)
    handler.click("form[role=search] button[type=submit]")
    handler.wait_for_url(f"{console.url}/cases/{late}")

    csv = handler.request.get(f"{console.url}/report/download.csv?year={TODAY.year}")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.body().startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows reads UTF-8 so
    assert SECTION_TITLES["三"] in csv.body().decode("utf-8-sig")
    xlsx = handler.request.get(f"{console.url}/report/download.xlsx?year={TODAY.year}")
    assert len(load_workbook(BytesIO(xlsx.body())).sheetnames) == 6

    handler.goto(f"{console.url}/register")
    register: FilePayload = {
        "name": "发文目录.csv",
        "mimeType": "text/csv",
        "buffer": "文号,标题\n菏民发〔2025〕3号,关于做好城乡低保工作的通知\n".encode(),
    }
    handler.set_input_files("#file", files=[register])
    handler.click("form[action='/register'] button[type=submit]")
    assert "新登记 1 条" in handler.inner_text("[role=status]")


def test_art44_candidate_exclude_and_convert(
    system: ThreeServices, console: Console, browser: Browser
) -> None:
    """Four applicants asked for the same document and got it: the candidate with its evidence
    on the page; the handler takes one application out and converts the rest, with the link."""
    handler_token = api_token("HZMZJ", Role.HANDLER, Role.OFFICE_HEAD, subject="王主任")
    numbers = []
    for n in range(4):
        first17 = f"37170219800101{n + 1:03d}"
        applicant_id = first17 + resident_id_check_character(first17)
        numbers.append(
            system.intake.stub.SubmitApplication(
                request(
                    applicant__identity_document__number=applicant_id,
                    information__description="菏泽市2025年城乡低保资金发放明细表",
                ),
                timeout=10,
            ).application_number
        )
    api = system.handling.handling
    for number in numbers:
        wait_for(partial(_listed, system, number), what="the case")
        api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=handler_token, timeout=10)
        reviewed_reply(api, number, h.Reply(outcome=pb.OUTCOME_R2), handler_token)
        api.RecordService(
            h.RecordServiceRequest(case=number, method=pb.SERVICE_METHOD_POST),
            metadata=handler_token,
            timeout=10,
        )

    def candidates() -> list[a.ConversionCandidate]:
        listed = system.archive.archive.ListConversionCandidates(
            a.ListConversionCandidatesRequest(agency_code="HZMZJ"),
            metadata=handler_token,
            timeout=10,
        )
        return [
            c
            for c in listed.candidates
            if set(numbers) & {r.application_number for r in c.requests}
        ]

    wait_for(lambda: [len(c.requests) for c in candidates()] == [4], what="the candidate")
    _, page = signed_in(browser, console, "李承办")
    page.goto(console.url + "/candidates")
    section = page.locator("section.candidate", has_text=numbers[0])
    assert "4 位申请人" in section.inner_text()
    assert "相同之处" in section.inner_text()
    section.locator("select[name=application_number]").select_option(numbers[3])
    section.locator("input[name=reason]").fill("问的是另一年度的明细")
    section.locator("form[action$='/exclude'] button[type=submit]").click()
    assert "已办理" in page.inner_text("[role=status]")
    (candidate,) = candidates()
    assert [x.application_number for x in candidate.excluded] == [numbers[3]]
    assert candidate.excluded[0].excluded_by == "李承办"
    section = page.locator("section.candidate", has_text=numbers[0])
    link = "https://www.heze.gov.cn/art/2025/12/1/art_3.html"
    section.locator("input[name=publication_link]").fill(link)
    section.locator("form[action$='/convert'] button[type=submit]").click()
    assert link in page.locator("section.candidate", has_text=numbers[0]).inner_text()
    (candidate,) = candidates()
    assert (candidate.decision, candidate.link) == (a.CANDIDATE_DECISION_CONVERTED, link)


def _listed(system: ThreeServices, number: str) -> bool:
    try:
        case_of(system, number)
    except grpc.RpcError:
        return False
    return True
