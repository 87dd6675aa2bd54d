"""A case for every outcome R1–R14 walked through the public APIs, and between them every
step that issues a notice: what tests/integration/test_documents.py issues and reads back, with
what each document must say (domain.md §9)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ogi.auth import Role
from ogi.clock import china_date, system_clock
from ogi.documents.compose import zh_date
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2 as i
from services.handling.fees import per_page_fee
from tests.builders import APPLICANT_NAME, request
from tests.document_samples import GENERAL_REMEDY, REFUSAL_REMEDY
from tests.integration.conftest import bearer, wait_for
from tests.integration.three_services import ThreeServices

HANDLER = bearer("HZMZJ", Role.HANDLER, subject="李四")
HEAD = bearer("HZMZJ", Role.OFFICE_HEAD, subject="王主任")
REVIEWER = bearer("HZMZJ", Role.REVIEWER, subject="保密员")
AUDITOR = bearer("HZMZJ", Role.AUDITOR, subject="审计员")

K = pb.DocumentKind
DESCRIPTION = "2025年城乡低保资金发放明细"
ITEM = pb.ReleasedItem(
    title="2025年度城乡低保资金发放汇总表",
    document_number="菏民发〔2025〕3号",
    form=pb.RELEASE_FORM_PAPER,
)
PUBLISHED = pb.ReleasedItem(
    title="2025年度城乡低保资金发放汇总表",
    form=pb.RELEASE_FORM_PUBLISHED_LINK,
    link="https://www.heze.gov.cn/art/2025/3/1/art_123_456789.html",
)
REASONS = "该表载有低保对象的身份证号码和家庭住址，属于个人隐私，公开会损害第三方合法权益。"
WITHHELD = "低保对象的身份证号码和家庭住址"
EARLIER = pb.DocumentReference(
    number="菏泽市民政局公复〔2026〕3号", dated=pb.CalendarDate(year=2026, month=2, day=10)
)


def day(value: date) -> pb.CalendarDate:
    return pb.CalendarDate(year=value.year, month=value.month, day=value.day)


def as_date(value: pb.CalendarDate) -> date:
    return date(value.year, value.month, value.day)


@dataclass
class Application:
    number: str
    query_code: str
    agency: str = "HZMZJ"
    shows: dict[Any, tuple[str, ...]] = field(default_factory=dict)  # kind → what it must say


def submit(system: ThreeServices, metadata: Any = HANDLER, **changes: Any) -> Application:
    receipt = system.intake.stub.SubmitApplication(request(**changes))
    found = Application(receipt.application_number, receipt.query_code)
    api = system.handling.handling

    def registered() -> bool:
        items = api.ListWorklist(h.ListWorklistRequest(), metadata=metadata).items
        return any(item.application_number == found.number for item in items)

    wait_for(registered, what=f"{found.number} on the worklist")
    return found


def case_of(system: ThreeServices, number: str, metadata: Any = HANDLER) -> Any:
    return system.handling.handling.GetCase(h.GetCaseRequest(case=number), metadata=metadata).case


def issue(system: ThreeServices, number: str, kind: Any, metadata: Any = HANDLER) -> Any:
    return system.handling.handling.IssueDocument(
        h.IssueDocumentRequest(case=number, kind=kind), metadata=metadata
    ).document


# --- the walk: every step, every outcome ---------------------------------------------------


def reply(system: ThreeServices, number: str, metadata: Any = HANDLER, **fields: Any) -> Any:
    return system.handling.handling.ReplyToApplication(
        h.ReplyToApplicationRequest(case=number, reply=h.Reply(**fields)), metadata=metadata
    ).case


def accept(system: ThreeServices, number: str) -> None:
    system.handling.handling.AcceptCase(h.AcceptCaseRequest(case=number), metadata=HANDLER)


def review(system: ThreeServices, number: str, partly: bool = False) -> None:
    system.handling.handling.ReviewConfidentiality(
        h.ReviewConfidentialityRequest(
            case=number,
            conclusion=(
                h.REVIEW_CONCLUSION_PARTLY_DISCLOSABLE
                if partly
                else h.REVIEW_CONCLUSION_DISCLOSABLE
            ),
            basis="本机关保密审查规定",
            withheld=WITHHELD if partly else "",
        ),
        metadata=REVIEWER,
    )


def walk(system: ThreeServices) -> dict[str, Application]:
    """A case for every outcome R1–R14, between them every step that issues a notice."""
    api = system.handling.handling
    cases = {f"R{n}": submit(system) for n in range(1, 15)}

    r1 = cases["R1"]
    accept(system, r1.number)
    review(system, r1.number)
    reply(
        system,
        r1.number,
        HEAD,
        outcome=pb.OUTCOME_R1,
        released=[PUBLISHED],
        published_where="菏泽市民政局门户网站“政府信息公开”专栏",
    )
    r1.shows[K.DOCUMENT_KIND_REVIEW_FORM] = ("第十七条", "可以公开", APPLICANT_NAME)
    r1.shows[K.DOCUMENT_KIND_REPLY] = (
        "已主动公开",
        "第三十六条第（一）项",
        "菏泽市民政局门户网站“政府信息公开”专栏",
        PUBLISHED.link,
        GENERAL_REMEDY,
    )

    r2 = cases["R2"]  # consulted, extended, reviewed, released
    accept(system, r2.number)
    api.StartConsultation(
        h.StartConsultationRequest(
            case=r2.number,
            party="菏泽市某某商贸有限公司",
            party_kind=h.CONSULTED_PARTY_THIRD_PARTY,
            information="2025年度养老机构运营补贴发放名单",
            concern="该名单载有贵单位的经营数据",
        ),
        metadata=HANDLER,
    )
    sent_on = zh_date(china_date(system_clock()))  # unset: the day it is recorded
    api.EndConsultation(
        h.EndConsultationRequest(case=r2.number, opinion="同意公开"), metadata=HANDLER
    )
    before = as_date(case_of(system, r2.number).deadlines[0].due)
    extended = api.ExtendReplyPeriod(
        h.ExtendReplyPeriodRequest(case=r2.number, days=15, reason="所涉信息需要调取档案"),
        metadata=HEAD,
    ).case
    after = as_date(extended.deadlines[0].due)
    review(system, r2.number)
    reply(system, r2.number, HEAD, outcome=pb.OUTCOME_R2, released=[ITEM])
    r2.shows |= {
        K.DOCUMENT_KIND_CONSULTATION_LETTER: (
            "第三十二条",
            "2025年度养老机构运营补贴发放名单",
            "该名单载有贵单位的经营数据",
            "15个工作日",
            "菏泽市某某商贸有限公司：",
        ),
        K.DOCUMENT_KIND_CONSULTATION_NOTICE: ("第三十三条第三款", sent_on),
        K.DOCUMENT_KIND_EXTENSION_NOTICE: (
            "第三十三条第二款",
            "王主任",
            "答复期限延长15个工作日",
            "所涉信息需要调取档案",
            zh_date(before),
            zh_date(after),
        ),
        K.DOCUMENT_KIND_REVIEW_FORM: (
            "第十七条",
            "保密员",
            "可以公开",
            "保密审查规定",
            DESCRIPTION,
        ),
        K.DOCUMENT_KIND_REPLY: (
            "予以公开",
            "第三十六条第（二）项",
            ITEM.title,
            ITEM.document_number,
            GENERAL_REMEDY,
        ),
    }

    r3 = cases["R3"]
    accept(system, r3.number)
    reply(
        system,
        r3.number,
        outcome=pb.OUTCOME_R3,
        ground=pb.NON_DISCLOSURE_GROUND_THIRD_PARTY,
        reasons=REASONS,
    )
    r3.shows[K.DOCUMENT_KIND_REPLY] = (
        "不予公开",
        "保护第三方合法权益",
        "第十五条和第三十六条第（三）项",
        REASONS,
        REFUSAL_REMEDY,
    )

    r4 = cases["R4"]
    searched = "已检索本机关2019年以来的发文登记和档案目录"
    reply(system, r4.number, outcome=pb.OUTCOME_R4, search=searched)
    r4.shows[K.DOCUMENT_KIND_REPLY] = ("第三十六条第（四）项", searched, GENERAL_REMEDY)

    r5 = cases["R5"]
    reply(
        system,
        r5.number,
        outcome=pb.OUTCOME_R5,
        reasons="医保基金支付数据由医疗保障部门制作和保存",
        responsible_agency="菏泽市医疗保障局",
        responsible_agency_contact="0530-5310000",
    )
    r5.shows[K.DOCUMENT_KIND_REPLY] = (
        "不属于本机关负责公开",
        "第三十六条第（五）项",
        "菏泽市医疗保障局",
        "0530-5310000",
        GENERAL_REMEDY,
    )

    r6 = cases["R6"]
    reply(system, r6.number, outcome=pb.OUTCOME_R6, earlier_reply=EARLIER)
    r6.shows[K.DOCUMENT_KIND_REPLY] = (
        "第三十六条第（六）项",
        EARLIER.number,
        "2026年2月10日",
        GENERAL_REMEDY,
    )

    r7 = cases["R7"]
    reply(system, r7.number, outcome=pb.OUTCOME_R7, route="持身份证明到菏泽市不动产登记中心查询")
    r7.shows[K.DOCUMENT_KIND_REPLY] = (
        "第三十六条第（七）项",
        "持身份证明到菏泽市不动产登记中心查询",
        GENERAL_REMEDY,
    )

    r8 = cases["R8"]  # a fee, paid; reviewed partly; part released
    accept(system, r8.number)
    api.IssueFeeNotice(
        h.IssueFeeNoticeRequest(
            case=r8.number,
            method=pb.FEE_METHOD_PER_PAGE,
            pages=2219,
            why="所需信息共2219页",
            payment="通过“山东通”缴费平台缴纳，缴款码：37170026000123",
        ),
        metadata=HANDLER,
    )
    api.RecordFeePayment(h.RecordFeePaymentRequest(case=r8.number), metadata=HANDLER)
    review(system, r8.number, partly=True)
    reply(
        system,
        r8.number,
        HEAD,
        outcome=pb.OUTCOME_R8,
        ground=pb.NON_DISCLOSURE_GROUND_THIRD_PARTY,
        reasons=REASONS,
        released=[ITEM],
    )
    r8.shows |= {
        K.DOCUMENT_KIND_FEE_NOTICE: (
            "第四十二条",
            "国办函〔2020〕109号",
            "31—100页（含100页）的部分，10元/页",
            "2219页",
            f"{per_page_fee(2219):.0f}元",
            "缴款码：37170026000123",
            "20个工作日",
            "视为放弃申请",
        ),
        K.DOCUMENT_KIND_REVIEW_FORM: ("第十七条", "部分公开", WITHHELD),
        K.DOCUMENT_KIND_REPLY: (
            "部分公开",
            "第三十七条",
            ITEM.title,
            WITHHELD,
            "保护第三方合法权益",
            REASONS,
            REFUSAL_REMEDY,
        ),
    }

    r9 = cases["R9"]  # reasons asked, found reasonable, a later reply date (Art 35)
    api.RequestReasons(
        h.RequestReasonsRequest(
            case=r9.number, unreasonable="您在30日内向本机关提出申请52件", period_working_days=10
        ),
        metadata=HANDLER,
    )
    later = date(date.today().year + 1, 3, 31)
    api.AssessReasons(
        h.AssessReasonsRequest(
            case=r9.number, reasonable=True, later_due=day(later), why="所涉信息分散于52个卷宗"
        ),
        metadata=HANDLER,
    )
    reply(system, r9.number, outcome=pb.OUTCOME_R9, reasons="需对多年数据汇总统计方能形成")
    r9.shows |= {
        K.DOCUMENT_KIND_REASONS_NOTICE: (
            "第三十五条",
            "您在30日内向本机关提出申请52件",
            "10个工作日",
            "不予处理",
        ),
        K.DOCUMENT_KIND_DELAYED_REPLY_NOTICE: (
            "第三十五条",
            "所涉信息分散于52个卷宗",
            zh_date(later),
        ),
        K.DOCUMENT_KIND_REPLY: ("第三十八条", "加工、分析", GENERAL_REMEDY),
    }

    r10 = cases["R10"]
    reply(system, r10.number, outcome=pb.OUTCOME_R10, route="菏泽市信访局网上信访平台")
    r10.shows[K.DOCUMENT_KIND_REPLY] = (
        "第三十九条第一款",
        "信访、投诉、举报",
        "菏泽市信访局网上信访平台",
        GENERAL_REMEDY,
    )

    r11 = cases["R11"]
    reply(system, r11.number, outcome=pb.OUTCOME_R11, route="菏泽市图书馆政府信息查阅点")
    r11.shows[K.DOCUMENT_KIND_REPLY] = (
        "第三十九条第二款",
        "公开出版物",
        "菏泽市图书馆政府信息查阅点",
        GENERAL_REMEDY,
    )

    r12 = cases["R12"]
    api.RequestReasons(
        h.RequestReasonsRequest(case=r12.number, unreasonable="您在30日内向本机关提出申请52件"),
        metadata=HANDLER,
    )
    r12.shows[K.DOCUMENT_KIND_REASONS_NOTICE] = ("第三十五条", "15个工作日")
    notice = issue(system, r12.number, K.DOCUMENT_KIND_REASONS_NOTICE)  # before the reply
    api.AssessReasons(h.AssessReasonsRequest(case=r12.number, reasonable=False), metadata=HANDLER)
    reply(system, r12.number, outcome=pb.OUTCOME_R12, reasons="未说明合理理由")
    r12.shows[K.DOCUMENT_KIND_REPLY] = (
        "第三十五条",
        "不予处理",
        "未说明合理理由",
        notice.number,
        GENERAL_REMEDY,
    )

    r13 = cases["R13"]
    reply(system, r13.number, outcome=pb.OUTCOME_R13, reasons="您已于2025年获取该信息")
    r13.shows[K.DOCUMENT_KIND_REPLY] = (
        "确认或者重新出具",
        "不予处理",
        "您已于2025年获取该信息",
        GENERAL_REMEDY,
    )

    r14 = cases["R14"]  # a correction asked, supplied by the applicant, still unclear
    api.RequestCorrection(
        h.RequestCorrectionRequest(
            case=r14.number, items=["请明确所需信息的年份范围", "请写明所涉区县"]
        ),
        metadata=HANDLER,
    )
    r14.shows[K.DOCUMENT_KIND_CORRECTION_NOTICE] = (
        "第三十条",
        "请明确所需信息的年份范围",
        "请写明所涉区县",
        "15个工作日",
        "视为放弃申请",
        "重新计算",
    )
    correction = issue(system, r14.number, K.DOCUMENT_KIND_CORRECTION_NOTICE)
    status = i.GetApplicationStatusRequest(application_number=r14.number, query_code=r14.query_code)
    wait_for(  # the notice and its document have reached the applicant
        lambda: (
            correction.number
            in {d.number for d in system.intake.stub.GetApplicationStatus(status).documents}
        ),
        what="the correction notice at intake",
    )
    system.intake.stub.SupplyCorrection(
        i.SupplyCorrectionRequest(
            application_number=r14.number,
            query_code=r14.query_code,
            information=pb.InformationDescription(description="低保资金发放明细，各区县"),
        )
    )
    wait_for(
        lambda: any(e.kind == "CorrectionReceived" for e in case_of(system, r14.number).history),
        what="the correction at handling",
    )
    reply(system, r14.number, outcome=pb.OUTCOME_R14, reasons="补正后仍未说明所需信息的年份")
    r14.shows[K.DOCUMENT_KIND_REPLY] = (
        "第三十条",
        "补正后的申请内容仍不明确",
        "补正后仍未说明所需信息的年份",
        correction.number,
        GENERAL_REMEDY,
    )
    for case in cases.values():
        case.shows[K.DOCUMENT_KIND_REGISTRATION_RECEIPT] = (
            "第三十一条第（三）项",
            "以双方确认之日为收到申请之日",
            DESCRIPTION,
            "查询码",
        )
    return cases
