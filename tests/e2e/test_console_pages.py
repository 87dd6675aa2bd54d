"""The console's pages beyond the main flow, in Debian's chromium against the real services on
SQLite (shared with the security and accessibility tests): a screenshot of every main page, the
worklist's flags and htmx filters, bulk assignment, search, the report's downloads, the register
upload, and Art 44 candidates converted and taken apart."""

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
from ogi.wire import date_to_wire
from tests.builders import APPLICANT_NAME, request, reviewed_reply
from tests.e2e.console_system import (
    Console,
    api_token,
    case_of,
    chromium,
    screenshot,
    signed_in,
    until_listed,
)
from tests.integration.conftest import REGISTRAR, wait_for
from tests.integration.three_services import ThreeServices

TODAY = china_date(system_clock())


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
    handler.goto(f"{console.url}/search?q={APPLICANT_NAME}")  # 申请人查询: recorded as reads
    assert late in handler.locator("main table").inner_text()

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
                    information__description="菏泽市2025年特困人员救助供养金发放名单",
                ),
                timeout=10,
            ).application_number
        )
    api = system.handling.handling
    for number in numbers:
        wait_for(partial(_listed, system, number), what="the case")
        api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=handler_token, timeout=10)
        # What these four replies released, and no other test's: the candidate is theirs.
        released = pb.ReleasedItem(
            title="菏泽市2025年特困人员救助供养金发放名单",
            document_number="菏民发〔2025〕99号",
            form=pb.RELEASE_FORM_PAPER,
        )
        reply = h.Reply(outcome=pb.OUTCOME_R2, released=[released])
        reviewed_reply(api, number, reply, handler_token)
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

    wait_for(
        lambda: [len(c.requests) for c in candidates()] == [4], timeout=60, what="the candidate"
    )
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
