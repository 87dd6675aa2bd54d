"""Two years of an agency's work through the public APIs (intake, handling, archive as real
processes, a real nats-server, SQLite and PostgreSQL): every outcome row, every applicant
category, carry-over, remedies and fees. Every cell of both years' reports is checked against
domain.md §5 applied to the scenario case by case, and every invariant; the agency writes
sections 一, 二 and 五 with `ogi report set-…`, and every format `ogi report` writes has all six
sections; the statistics rebuilt from zero by replay give the same tables."""

from __future__ import annotations

import codecs
import csv
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import pytest
from openpyxl import load_workbook

from ogi.agencies import AgencyDirectory
from ogi.annual_report import (
    CARRIED_IN,
    CARRIED_OUT,
    FEES_AMOUNT,
    FEES_CHARGED,
    FEES_NOT_PAID,
    FIGURE_FIELDS,
    RECEIVED,
    RESULTS_TOTAL,
    SECTION_TITLES,
    THREE,
    TOTAL,
    TWO,
    result_line,
)
from ogi.auth import Principal, Role
from ogi.cli.main import main as cli
from ogi.clock import china_date, system_clock
from ogi.config import load_settings
from ogi.messaging.nats_server import LocalNatsServer
from ogi.persistence import event_store_env
from ogi.projection import ProjectionWorker
from ogi.taxonomy import (
    ApplicantCategory,
    NonDisclosureGround,
    Outcome,
    RemedyKind,
    RemedyResult,
    ReportRow,
)
from ogi.v1 import archive_pb2 as a
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2
from ogi.wire import CATEGORY_CODES, GROUND_CODES, OUTCOME_CODES
from services.archive.application import Archive
from services.archive.statistics import CATEGORIES, FEES
from services.archive.wire import REMEDY_KIND_CODES, REMEDY_RESULT_CODES
from tests.builders import CREDIT_CODE, request, reviewed_reply
from tests.integration.conftest import (
    CIPHER_KEY,
    REGISTRAR,
    TOKEN_KEY,
    Database,
    ServiceProcess,
    StartService,
    bearer,
    violations,
    wait_for,
)

AGENCY = "HZMZJ"
HANDLER = bearer(AGENCY, Role.HANDLER, subject="李四")
HEAD = bearer(AGENCY, Role.OFFICE_HEAD, Role.HANDLER, subject="王主任")
AUDITOR_TOKEN = bearer(AGENCY, Role.AUDITOR, subject="审计")
OTHER_HEAD = bearer("HZBGS", Role.OFFICE_HEAD, subject="办公室主任")
AUDITOR = Principal("审计", AGENCY, frozenset({Role.AUDITOR}))


def day(value: date) -> pb.CalendarDate:
    return pb.CalendarDate(year=value.year, month=value.month, day=value.day)


@dataclass
class Planned:
    """One application of the scenario and what domain.md §5 says it counts as."""

    category: ApplicantCategory
    received: date
    # reply | correction-lapse | fee-lapse | fee-paid | fee-waived | reasons | r14 | withdraw | open
    path: str
    outcome: Outcome | None = None
    ground: NonDisclosureGround | None = None
    concluded: date | None = None
    number: str = ""
    query_code: str = ""

    @property
    def ended(self) -> date:
        assert self.concluded is not None, f"{self.path} cases end"
        return self.concluded

    @property
    def outcome_code(self) -> Any:
        assert self.outcome is not None
        return OUTCOME_CODES[self.outcome]


def plan() -> list[Planned]:
    cats = list(ApplicantCategory)
    replies = [
        (Outcome.R1, None),
        (Outcome.R2, None),
        (Outcome.R8, None),
        *((Outcome.R3, g) for g in NonDisclosureGround),
        (Outcome.R7, None),
        (Outcome.R4, None),
        (Outcome.R5, None),
        (Outcome.R9, None),
        (Outcome.R10, None),
        (Outcome.R6, None),
        (Outcome.R11, None),
        (Outcome.R13, None),
    ]
    cases = []
    for i, (outcome, ground) in enumerate(replies):  # 2025: received in spring, answered in May
        cases.append(
            Planned(cats[i % 6], date(2025, 3, 3 + i), "reply", outcome, ground, date(2025, 5, 6))
        )
    for i, (outcome, ground) in enumerate(replies[:8]):  # 2026, other categories
        cases.append(
            Planned(
                cats[(i + 3) % 6], date(2026, 3, 2 + i), "reply", outcome, ground, date(2026, 4, 20)
            )
        )
    today = china_date(system_clock())  # intake dates corrections and withdrawals itself
    return [
        *cases,
        # carried over: received in December 2025, answered in January 2026
        Planned(cats[1], date(2025, 12, 15), "reply", Outcome.R2, None, date(2026, 1, 12)),
        Planned(cats[4], date(2025, 12, 22), "reply", Outcome.R4, None, date(2026, 1, 20)),
        # received in 2025 and still open at the end of 2026
        Planned(cats[2], date(2025, 12, 29), "open"),
        Planned(cats[5], date(2026, 11, 2), "open"),
        Planned(
            cats[0],
            date(2025, 6, 2),
            "correction-lapse",
            Outcome.NO_CORRECTION,
            None,
            date(2025, 7, 10),
        ),
        Planned(
            cats[3], date(2025, 6, 9), "fee-lapse", Outcome.FEE_NOT_PAID, None, date(2025, 7, 30)
        ),
        Planned(cats[1], date(2026, 6, 1), "fee-paid", Outcome.R2, None, date(2026, 6, 25)),
        Planned(cats[2], date(2025, 9, 1), "fee-paid", Outcome.R8, None, date(2025, 9, 30)),
        Planned(cats[4], date(2026, 5, 11), "reasons", Outcome.R12, None, date(2026, 6, 1)),
        Planned(cats[5], date(2026, 10, 12), "r14", Outcome.R14, None, today),
        Planned(cats[0], date(2026, 10, 19), "withdraw", Outcome.WITHDRAWN, None, today),
        # a fee the agency waived is not charged (六): only the two paid fees count
        Planned(cats[3], date(2026, 7, 6), "fee-waived", Outcome.R1, None, date(2026, 7, 27)),
    ]


@dataclass(frozen=True)
class PlannedRemedy:
    case: int  # index into plan()
    kind: RemedyKind
    filed: date
    result: RemedyResult
    decided: date | None


REMEDIES = [
    PlannedRemedy(
        3, RemedyKind.RECONSIDERATION, date(2025, 6, 2), RemedyResult.CORRECTED, date(2025, 8, 1)
    ),
    PlannedRemedy(
        4, RemedyKind.LITIGATION_DIRECT, date(2025, 10, 8), RemedyResult.UPHELD, date(2026, 3, 2)
    ),
    PlannedRemedy(
        5,
        RemedyKind.LITIGATION_AFTER_RECONSIDERATION,
        date(2026, 2, 2),
        RemedyResult.UPHELD,
        date(2026, 5, 6),
    ),
    PlannedRemedy(
        20, RemedyKind.RECONSIDERATION, date(2026, 5, 6), RemedyResult.OTHER, date(2026, 6, 1)
    ),
    PlannedRemedy(21, RemedyKind.RECONSIDERATION, date(2026, 6, 1), RemedyResult.PENDING, None),
]
# R6 names the reply already given to the same request (its 答复书 says so).
EARLIER_REPLY = pb.DocumentReference(
    number="菏泽市民政局公复〔2025〕1号", dated=pb.CalendarDate(year=2025, month=2, day=10)
)
PAGES = 100  # per page: 70 pages at 10 元 = 700 元
WAIVER = "申请人为最低生活保障对象"  # 减免: not charged


def expected(cases: list[Planned], year: int) -> dict[tuple[str, str, str], int]:
    """domain.md §5, case by case."""
    cells: Counter[tuple[str, str, str]] = Counter()

    def open_at_end_of(y: int, c: Planned) -> bool:
        return c.received.year <= y and (c.concluded is None or c.concluded.year > y)

    for c in cases:
        for column in (c.category.value, TOTAL):
            cells["三", RECEIVED, column] += c.received.year == year
            cells["三", CARRIED_IN, column] += open_at_end_of(year - 1, c)
            cells["三", CARRIED_OUT, column] += open_at_end_of(year, c)
            if c.outcome and c.concluded and c.concluded.year == year:
                cells["三", result_line(c.outcome.report_row(c.ground)), column] += 1
                cells["三", RESULTS_TOTAL, column] += 1
    for r in REMEDIES:
        if r.filed.year == year:
            shown = r.result if r.decided and r.decided.year == year else RemedyResult.PENDING
            cells["四", r.kind.value, shown.value] += 1
            cells["四", r.kind.value, TOTAL] += 1
    paid = [c for c in cases if c.path == "fee-paid" and c.received.year == year]
    cells["六", FEES, FEES_CHARGED] = len(paid)
    cells["六", FEES, FEES_AMOUNT] = len(paid) * 70000
    cells["六", FEES, FEES_NOT_PAID] = cells[
        "三", result_line(Outcome.FEE_NOT_PAID.report_row()), TOTAL
    ]
    return {k: v for k, v in cells.items() if v}


@dataclass
class System:
    intake: ServiceProcess
    handling: ServiceProcess
    archive: ServiceProcess

    def submit(self, c: Planned) -> None:
        organization = c.category.is_organization
        changes: dict[str, Any] = {
            "channel": pb.CHANNEL_IN_PERSON,
            "receipt_date": day(c.received),
            "applicant__category": CATEGORY_CODES[c.category],
            "information__description": f"{c.path} {c.outcome} {c.received}",
        }
        if organization:
            changes |= {
                "applicant__identity_document": pb.IdentityDocument(
                    type=pb.IDENTITY_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE, number=CREDIT_CODE
                ),
                "applicant__contact_person": "王五",
            }
        receipt = self.intake.stub.SubmitApplication(request(**changes), metadata=REGISTRAR)
        c.number, c.query_code = receipt.application_number, receipt.query_code

    def step(self, rpc: str, message: Any) -> None:
        getattr(self.handling.handling, rpc)(message, metadata=HEAD)

    def reply(self, c: Planned, replied: date) -> None:
        ground = GROUND_CODES[c.ground] if c.ground else pb.NON_DISCLOSURE_GROUND_UNSPECIFIED
        reply = h.Reply(
            outcome=c.outcome_code,
            replied_on=day(replied),
            reasons="依法答复",
            ground=ground,
            responsible_agency="菏泽市自然资源和规划局" if c.outcome is Outcome.R5 else "",
            responsible_agency_contact="0530-5310000" if c.outcome is Outcome.R5 else "",
            earlier_reply=EARLIER_REPLY if c.outcome is Outcome.R6 else None,
        )
        reviewed_reply(self.handling.handling, c.number, reply, HEAD, c.outcome)
        self.step(
            "RecordService",
            h.RecordServiceRequest(
                case=c.number, method=pb.SERVICE_METHOD_POST, served_on=day(replied)
            ),
        )

    def fee_notice(self, c: Planned) -> None:
        self.step("AcceptCase", h.AcceptCaseRequest(case=c.number))
        notice = h.IssueFeeNoticeRequest(
            case=c.number, method=pb.FEE_METHOD_PER_PAGE, pages=PAGES, notified_on=day(c.received)
        )
        self.step("IssueFeeNotice", notice)

    def work(self, c: Planned) -> None:
        if c.path == "reply":
            self.reply(c, c.ended)
        elif c.path == "correction-lapse":
            self.step(
                "RequestCorrection",
                h.RequestCorrectionRequest(
                    case=c.number, items=["写明文号"], notice_date=day(c.received)
                ),
            )
            self.step("LapseCorrection", h.LapseCorrectionRequest(case=c.number, on=day(c.ended)))
        elif c.path == "fee-lapse":
            self.fee_notice(c)
            self.step("LapseFee", h.LapseFeeRequest(case=c.number, on=day(c.ended)))
        elif c.path == "fee-paid":
            self.fee_notice(c)
            self.step(
                "RecordFeePayment",
                h.RecordFeePaymentRequest(case=c.number, paid_on=day(c.received)),
            )
            self.reply(c, c.ended)
        elif c.path == "fee-waived":
            self.fee_notice(c)
            self.step(
                "WaiveFee",
                h.WaiveFeeRequest(case=c.number, waived_on=day(c.received), reason=WAIVER),
            )
            self.reply(c, c.ended)
        elif c.path == "reasons":
            self.step(
                "RequestReasons",
                h.RequestReasonsRequest(case=c.number, notice_date=day(c.received)),
            )
            self.step("AssessReasons", h.AssessReasonsRequest(case=c.number, reasonable=False))
            self.reply(c, c.ended)
        elif c.path == "r14":
            self.step(
                "RequestCorrection",
                h.RequestCorrectionRequest(
                    case=c.number, items=["写明文号"], notice_date=day(c.received)
                ),
            )
            supply = intake_pb2.SupplyCorrectionRequest(
                application_number=c.number,
                query_code=c.query_code,
                information=pb.InformationDescription(description="仍不明确的描述"),
            )
            wait_for(
                lambda: self._try(lambda: self.intake.stub.SupplyCorrection(supply)),
                what="correction accepted",
            )
            wait_for(lambda: self._state(c) == h.CASE_STATE_REGISTERED, what="correction received")
            self.reply(c, c.ended)
        elif c.path == "withdraw":
            self.intake.stub.WithdrawApplication(
                intake_pb2.WithdrawApplicationRequest(
                    application_number=c.number, query_code=c.query_code, reason="不再需要"
                )
            )
            wait_for(lambda: self._state(c) == h.CASE_STATE_CLOSED, what="withdrawal")

    def _state(self, c: Planned) -> Any:
        try:
            case = self.handling.handling.GetCase(h.GetCaseRequest(case=c.number), metadata=HEAD)
        except grpc.RpcError as e:
            if e.code() is grpc.StatusCode.NOT_FOUND:  # not registered yet
                return None
            raise
        return case.case.state

    @staticmethod
    def _try(call: Any) -> bool:
        try:
            call()
        except Exception:  # the notice may not have reached intake yet
            return False
        return True

    def report(self, year: int) -> a.AnnualReport:
        response: a.GetAnnualReportResponse = self.archive.archive.GetAnnualReport(
            a.GetAnnualReportRequest(agency_code=AGENCY, year=year), metadata=HEAD
        )
        return response.report

    def archived(self, number: str) -> bool:
        request = a.GetDossierRequest(dossier=number)
        return bool(self.archive.archive.GetDossier(request, metadata=HEAD).dossier.archived)


@pytest.fixture
def system(
    start_intake: StartService,
    start_handling: StartService,
    start_archive: StartService,
    nats_server: LocalNatsServer,
) -> System:
    nats_server.start()
    return System(start_intake(), start_handling(), start_archive())


def cells_of(report: a.AnnualReport) -> dict[tuple[str, str, str], int]:
    return {(c.section, c.line, c.column): c.value for c in report.cells if c.value}


def this_cell(report: a.AnnualReport, line: str, column: str) -> int:
    return next((c.value for c in report.cells if (c.line, c.column) == (line, column)), 0)


OVERVIEW = (
    "2026年，本机关认真贯彻落实《政府信息公开条例》。\n一是加强组织领导；二是规范依申请公开办理。"
)
PROBLEMS = "主要问题：部分答复说理不够充分。改进措施：加强培训。"
FIGURES_TOML = """
rules_issued = 3
rules_repealed = 1
rules_in_force = 42
normative_documents_issued = 12
normative_documents_repealed = 2
normative_documents_in_force = 130
licensing_decisions = 2405
penalty_decisions = 87
coercion_decisions = 5
charges_amount = "12.3456"
"""
TWO_ENTERED = {
    "rules_issued": 3,
    "rules_repealed": 1,
    "rules_in_force": 42,
    "normative_documents_issued": 12,
    "normative_documents_repealed": 2,
    "normative_documents_in_force": 130,
    "licensing_decisions": 2405,
    "penalty_decisions": 87,
    "coercion_decisions": 6,
    "charges_amount": 123_456,  # 元
}


def two_entered(system: System, year: int) -> a.AnnualReport | None:
    """The report once section 二 has the figures entered."""
    report = system.report(year)
    entered = {FIGURE_FIELDS[name]: n for name, n in TWO_ENTERED.items()}
    return report if {k: v for k, v in cells_of(report).items() if k[0] == TWO} == entered else None


def in_order(text: str, parts: list[str]) -> bool:
    at = 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            return False
    return True


def report_once(system: System, year: int, want: dict[Any, int]) -> a.AnnualReport | None:
    """The report once the projection has caught up with everything the scenario did."""
    report = system.report(year)
    return report if cells_of(report) == want else None


def test_two_years_through_the_apis_give_the_exact_tables(
    system: System, archive_database: Database, tmp_path: Path
) -> None:
    cases = plan()
    for c in cases:
        system.submit(c)
    for c in cases:
        wait_for(partial(system._state, c), what=f"{c.number} registered")
        system.work(c)
    for r in REMEDIES:
        dossier = cases[r.case].number
        wait_for(partial(system.archived, dossier), what=f"{dossier} archived")
        system.archive.archive.RecordRemedy(
            a.RecordRemedyRequest(
                dossier=dossier,
                kind=REMEDY_KIND_CODES[r.kind],
                filed_on=day(r.filed),
                reference="案号",
            ),
            metadata=HEAD,
        )
        if r.decided:
            system.archive.archive.DecideRemedy(
                a.DecideRemedyRequest(
                    dossier=dossier,
                    number=1,
                    result=REMEDY_RESULT_CODES[r.result],
                    decided_on=day(r.decided),
                ),
                metadata=HEAD,
            )

    for year in (2025, 2026):
        want = expected(cases, year)
        report = wait_for(partial(report_once, system, year, want), 60, f"{year} report")
        assert list(report.invariant_violations) == []
        assert cells_of(report) == want  # every cell, zeros included by omission
    last, this = system.report(2025), system.report(2026)
    carried = {(c.line, c.column): c.value for c in this.cells if c.line == CARRIED_IN}
    assert carried == {(CARRIED_IN, c.column): c.value for c in last.cells if c.line == CARRIED_OUT}
    assert {c.line for c in last.cells if c.section == "三" and c.value} >= {
        result_line(row) for row in (Outcome.R1.report_row(), Outcome.R8.report_row())
    }
    rows_seen = {c.line for r in (last, this) for c in r.cells if c.section == "三" and c.value}
    assert rows_seen >= {result_line(row) for row in ReportRow}
    columns_seen = {c.column for c in last.cells if c.line == RECEIVED and c.value}
    assert columns_seen == {*(c.value for c in CATEGORIES), TOTAL}

    [waived] = [c for c in cases if c.path == "fee-waived"]
    dossier = system.archive.archive.GetDossier(
        a.GetDossierRequest(dossier=waived.number), metadata=HEAD
    ).dossier
    assert [(e.kind, e.summary) for e in dossier.entries if e.kind.startswith("fee")] == [
        ("fee_notice", "收费通知 700 元"),
        ("fee_waiver", f"减免信息处理费 700 元：{WAIVER}"),
    ]

    # The agency writes 一, 二 and 五 (五 saved by WPS in GB18030), against the running archive.
    token = HEAD[0][1].removeprefix("Bearer ")
    argv = ["report", "--archive", system.archive.listen, "--token", token, "--agency", AGENCY]
    (tmp_path / "一.txt").write_text(OVERVIEW, encoding="utf-8")
    (tmp_path / "五.txt").write_bytes(PROBLEMS.encode("gb18030"))
    (tmp_path / "二.toml").write_text(FIGURES_TOML, encoding="utf-8")
    for action, file in (("set-overview", "一.txt"), ("set-problems", "五.txt")):
        assert cli([*argv, "--year", "2026", action, "--file", str(tmp_path / file)]) == 0
    setting = [*argv, "--year", "2026", "set-proactive", "--file", str(tmp_path / "二.toml")]
    assert cli([*setting, "--coercion-decisions", "6"]) == 0  # an option beats the file
    this = wait_for(partial(two_entered, system, 2026), what="section 二 counted")
    assert {(c.text, c.section) for c in this.texts} == {(OVERVIEW, "一"), (PROBLEMS, "五")}

    # The report generator, in every format.
    outputs = {}
    for fmt in ("html", "md", "csv", "json", "xlsx"):
        out = tmp_path / f"report.{fmt}"
        assert cli([*argv, "--year", "2026", "--format", fmt, "--output", str(out)]) == 0
        outputs[fmt] = out
    gb18030 = tmp_path / "report-gb18030.csv"
    arguments = ["--format", "csv", "--encoding", "gb18030", "--output", str(gb18030)]
    assert cli([*argv, "--year", "2026", *arguments]) == 0
    csv_bytes = outputs["csv"].read_bytes()
    assert csv_bytes.startswith(codecs.BOM_UTF8)  # Excel on Chinese Windows reads it as UTF-8
    csv_text = csv_bytes.decode("utf-8-sig")
    assert gb18030.read_bytes().decode("gb18030") == csv_text

    received = this_cell(this, RECEIVED, TOTAL)
    texts = {fmt: outputs[fmt].read_text(encoding="utf-8") for fmt in ("html", "md")}
    texts["csv"] = csv_text
    document = json.loads(outputs["json"].read_text(encoding="utf-8"))
    texts["json"] = json.dumps(document["sections"], ensure_ascii=False)
    for fmt, text in texts.items():
        assert in_order(text, list(SECTION_TITLES.values())), fmt
        assert in_order(text, [*OVERVIEW.splitlines(), PROBLEMS]), fmt
        assert "（尚未填写）" not in text, fmt
    for fmt in ("html", "md"):
        assert '<th>行政处罚</th><td colspan="3">87</td>' in texts[fmt]
        assert '<th>行政强制</th><td colspan="3">6</td>' in texts[fmt]
        assert '<th>行政事业性收费</th><td colspan="3">12.3456</td>' in texts[fmt]
        assert '<th colspan="3">二、上年结转政府信息公开申请数量</th>' in texts[fmt]
        [received_line] = [x for x in texts[fmt].splitlines() if "一、本年新收" in x]
        assert received_line.endswith(f"<td>{received}</td></tr>")
    rows = list(csv.reader(csv_text.splitlines()))
    assert ["第二十条第（一）项 / 行政规范性文件", "12", "2", "130"] in rows
    assert ["第二十条第（八）项 / 行政事业性收费", "12.3456"] in rows
    assert any(
        r[0] == "三、本年度办理结果 / （三）不予公开 / 4.保护第三方合法权益" for r in rows if r
    )
    [two_json] = [s for s in document["sections"] if s["section"] == TWO]
    two_rows = {
        tuple(r["labels"]): r["values"] for b in two_json["tables"][0]["blocks"] for r in b["rows"]
    }
    assert two_rows[("第二十条第（五）项", "行政许可")] == ["2405"]
    assert {
        (c["section"], c["line"], c["column"]): c["value"] for c in document["cells"] if c["value"]
    } == cells_of(this)

    book = load_workbook(outputs["xlsx"])
    assert book.sheetnames == list(SECTION_TITLES.values())
    sheet = book[SECTION_TITLES[THREE]]
    assert any(str(r) == "A3:C5" for r in sheet.merged_cells.ranges)  # the top-left note
    assert sheet["J6"].value == received  # 一、本年新收 … 总计
    two = book[SECTION_TITLES[TWO]]
    figures = {row[0].value: row[1].value for row in two.iter_rows() if row[1].value is not None}
    assert figures["规章"] == 3
    assert figures["行政处罚"] == 87
    assert figures["行政事业性收费"] == 12.3456
    for number, text in (("一", OVERVIEW), ("五", PROBLEMS)):
        written = " ".join(
            str(c.value) for r in book[SECTION_TITLES[number]].iter_rows() for c in r
        )
        assert in_order(written, text.splitlines())

    # Rebuilt from zero by replay: the same tables.
    system.archive.terminate()
    settings = load_settings(
        "archive",
        {
            "OGI_DATABASE_URL": archive_database.url,
            "OGI_DATABASE_SCHEMA": archive_database.schema,
            "OGI_CIPHER_KEY": CIPHER_KEY,
            "OGI_TOKEN_KEY": TOKEN_KEY,
            "OGI_DATA_DIR": str(tmp_path / "data"),
        },
    )
    archive = Archive(event_store_env(settings), AgencyDirectory.from_file(settings.agencies_file))
    try:
        archive.statistics.tables.reset()
        assert archive.statistics.counter_rows() == 0
        ProjectionWorker(archive, archive.statistics, batch_size=7).catch_up()
        for year, report in ((2025, last), (2026, this)):
            table = archive.annual_report(AUDITOR, AGENCY, year, False).table
            assert {k: v for k, v in table.cells.items() if v} == cells_of(report)
    finally:
        archive.close()


def refused(call: Callable[[], Any], code: grpc.StatusCode) -> list[str]:
    """The fields a refused call names (none for a refusal without BadRequest)."""
    with pytest.raises(grpc.RpcError) as error:
        call()
    assert error.value.code() is code
    return violations(error.value) if code is grpc.StatusCode.INVALID_ARGUMENT else []


@dataclass
class Entries:
    """The agency's entries for 2025 through ArchiveService."""

    stub: Any

    def text(self, section: str, text: str, who: Any = HANDLER) -> Any:
        request = a.RecordAnnualReportTextRequest(
            agency_code=AGENCY, year=2025, section=section, text=text
        )
        return self.stub.RecordAnnualReportText(request, metadata=who)

    def figures(self, who: Any = HANDLER, **figures: Any) -> Any:
        request = a.RecordProactiveDisclosureFiguresRequest(
            agency_code=AGENCY, year=2025, figures=a.ProactiveDisclosureFigures(**figures)
        )
        return self.stub.RecordProactiveDisclosureFigures(request, metadata=who)

    def report(self) -> a.AnnualReport:
        request = a.GetAnnualReportRequest(agency_code=AGENCY, year=2025)
        response: a.GetAnnualReportResponse = self.stub.GetAnnualReport(
            request, metadata=AUDITOR_TOKEN
        )
        return response.report

    def two(self) -> dict[tuple[str, str], int]:
        cells = self.report().cells
        return {(c.line, c.column): c.value for c in cells if c.section == TWO and c.value}


def test_the_agencys_entries_are_checked_kept_and_corrected_after_locking(
    start_archive: StartService, nats_server: LocalNatsServer, tmp_path: Path
) -> None:
    nats_server.start()
    archive = start_archive()
    entries = Entries(archive.archive)
    invalid = grpc.StatusCode.INVALID_ARGUMENT

    # Bad input: INVALID_ARGUMENT naming each field, and nothing kept.
    bad = {"rules_issued": -1, "penalty_decisions": 2_000_000_000, "charges_amount": "1.23456"}
    assert set(refused(lambda: entries.figures(licensing_decisions=7, **bad), invalid)) == {
        f"figures.{name}" for name in bad
    }
    assert refused(lambda: entries.text("一", "总体\x07情况"), invalid) == ["text"]
    assert refused(lambda: entries.text("三", "总体情况"), invalid) == ["section"]
    denied = grpc.StatusCode.PERMISSION_DENIED
    refused(lambda: entries.text("一", "总体情况", AUDITOR_TOKEN), denied)
    refused(lambda: entries.text("一", "总体情况", OTHER_HEAD), denied)

    # The handler writes; the report shows it.
    published = "总体情况：依法公开。\n第二段。"
    assert entries.text("一", "总体情况：依法公开。\r\n第二段。").text == published
    recorded = entries.figures(penalty_decisions=40, charges_amount="1.5")
    assert (recorded.figures.penalty_decisions, recorded.figures.charges_amount) == (40, "1.50")
    assert not recorded.figures.HasField("licensing_decisions")  # the refused call kept nothing
    assert not recorded.correction
    counted = {("penalty", "decisions"): 40, ("charges", "amount_yuan"): 15_000}
    wait_for(lambda: entries.two() == counted, what="section 二 counted")

    # Locked: the handler no longer writes; the office head's change is a correction.
    token = HEAD[0][1].removeprefix("Bearer ")
    argv = ["report", "--archive", archive.listen, "--token", token, "--agency", AGENCY]
    markdown = tmp_path / "2025.md"
    rendering = ["--year", "2025", "--format", "md", "--output", str(markdown)]
    assert cli([*argv, *rendering, "--lock"]) == 0
    refused(lambda: entries.text("五", "问题"), denied)
    assert entries.text("一", "总体情况：更正后的文字。", HEAD).correction
    assert entries.figures(HEAD, penalty_decisions=41).correction
    report = wait_for(lambda: (r := entries.report()).corrections and r, what="the correction")
    assert [(t.section, t.text) for t in report.texts] == [("一", published)]
    assert [(c.section, c.published, c.current) for c in report.text_corrections] == [
        ("一", published, "总体情况：更正后的文字。")
    ]
    assert [(c.line, c.published, c.current) for c in report.corrections] == [("penalty", 40, 41)]
    assert cli([*argv, *rendering]) == 0
    written = markdown.read_text(encoding="utf-8")
    assert "> 更正：行政处罚 · 本年处理决定数量：发布 40，现为 41" in written
    assert "> 更正：一、总体情况，发布后修改为：\n\n> 总体情况：更正后的文字。" in written


def test_the_csv_opens_in_excel_on_chinese_windows(
    start_archive: StartService, nats_server: LocalNatsServer, tmp_path: Path
) -> None:
    """UTF-8 with a byte-order mark by default (Excel takes a CSV without one for the ANSI code
    page, GBK, and garbles it); GB18030 on request."""
    nats_server.start()
    archive = start_archive()
    token = HEAD[0][1].removeprefix("Bearer ")
    argv = ["report", "--archive", archive.listen, "--token", token, "--agency", AGENCY]
    utf8, gb18030 = tmp_path / "utf8.csv", tmp_path / "gb18030.csv"
    assert cli([*argv, "--year", "2025", "--format", "csv", "--output", str(utf8)]) == 0
    data = utf8.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert "一、本年新收政府信息公开申请数量" in data.decode("utf-8-sig")
    options = ["--encoding", "gb18030", "--output", str(gb18030)]
    assert cli([*argv, "--year", "2025", "--format", "csv", *options]) == 0
    assert gb18030.read_bytes().decode("gb18030") == data.decode("utf-8-sig")
