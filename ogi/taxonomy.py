"""The shared vocabulary of the annual report and the Regulation, used by every service, and
what people call each value (Term): the one table of names every client shows and accepts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, TypeVar


class ApplicantCategory(StrEnum):
    """申请人情况: the columns of section 三 of the annual report."""

    NATURAL_PERSON = "natural_person"  # 自然人
    COMMERCIAL_ENTERPRISE = "commercial_enterprise"  # 商业企业
    RESEARCH_INSTITUTION = "research_institution"  # 科研机构
    PUBLIC_INTEREST_ORGANIZATION = "public_interest_organization"  # 社会公益组织
    LEGAL_SERVICE_ORGANIZATION = "legal_service_organization"  # 法律服务机构
    OTHER_ORGANIZATION = "other_organization"  # 其他

    @property
    def is_organization(self) -> bool:
        """法人或其他组织."""
        return self is not ApplicantCategory.NATURAL_PERSON


class Channel(StrEnum):
    """How an application reached the agency; it decides the receipt date (Art 31)."""

    ONLINE = "online"  # 互联网渠道
    IN_PERSON = "in_person"  # 当面提交
    POST_SIGNED = "post_signed"  # 邮寄签收
    POST_ORDINARY = "post_ordinary"  # 平常信函
    FAX = "fax"  # 传真
    EMAIL = "email"  # 电子邮件
    ORAL = "oral"  # 口头提出，代为填写


class ReportRow(StrEnum):
    """The leaf rows of section 三（三）-（六） of the annual report (办理结果)."""

    DISCLOSED = "一"  # （一）予以公开
    PARTLY_DISCLOSED = "二"  # （二）部分公开
    WITHHELD_STATE_SECRET = "三1"  # noqa: S105 - 属于国家秘密, not a password
    WITHHELD_PROHIBITED_BY_LAW = "三2"  # 其他法律行政法规禁止公开
    WITHHELD_THREE_SECURITIES = "三3"  # 危及“三安全一稳定”
    WITHHELD_THIRD_PARTY = "三4"  # 保护第三方合法权益
    WITHHELD_INTERNAL_AFFAIRS = "三5"  # 属于三类内部事务信息
    WITHHELD_PROCESS_INFORMATION = "三6"  # 属于四类过程性信息
    WITHHELD_ENFORCEMENT_FILE = "三7"  # 属于行政执法案卷
    WITHHELD_ADMINISTRATIVE_QUERY = "三8"  # 属于行政查询事项
    UNAVAILABLE_NOT_HELD = "四1"  # 本机关不掌握相关政府信息
    UNAVAILABLE_NEEDS_CREATION = "四2"  # 没有现成信息需要另行制作
    UNAVAILABLE_STILL_UNCLEAR = "四3"  # 补正后申请内容仍不明确
    NOT_PROCESSED_PETITION = "五1"  # 信访举报投诉类申请
    NOT_PROCESSED_REPEATED = "五2"  # 重复申请
    NOT_PROCESSED_PUBLICATION = "五3"  # 要求提供公开出版物
    NOT_PROCESSED_UNREASONABLE_VOLUME = "五4"  # 无正当理由大量反复申请
    NOT_PROCESSED_CONFIRMATION = "五5"  # 要求行政机关确认或重新出具已获取信息
    OTHER_NO_CORRECTION = "六1"  # 申请人无正当理由逾期不补正
    OTHER_FEE_NOT_PAID = "六2"  # 申请人逾期未按收费通知要求缴纳费用
    OTHER = "六3"  # 其他


class NonDisclosureGround(StrEnum):
    """不予公开的理由 (row （三）1-8) with the article each rests on."""

    STATE_SECRET = "三1"  # noqa: S105 - Art 14, not a password
    PROHIBITED_BY_LAW = "三2"  # Art 14
    THREE_SECURITIES = "三3"  # Art 14
    THIRD_PARTY = "三4"  # Art 15
    INTERNAL_AFFAIRS = "三5"  # Art 16(1)
    PROCESS_INFORMATION = "三6"  # Art 16(2)
    ENFORCEMENT_FILE = "三7"  # Art 16(2)
    ADMINISTRATIVE_QUERY = "三8"  # 行政查询事项


class Outcome(StrEnum):
    """The final outcome of an application (domain.md §5); exactly one per application."""

    R1 = "R1"  # 36(一) already proactively disclosed
    R2 = "R2"  # 36(二) disclosed
    R3 = "R3"  # 36(三) not disclosed, with a ground
    R4 = "R4"  # 36(四) does not exist
    R5 = "R5"  # 36(五) not this agency's information
    R6 = "R6"  # 36(六) repeated application
    R7 = "R7"  # 36(七) registration data with its own access route
    R8 = "R8"  # 37 partly disclosed
    R9 = "R9"  # 38 needs new processing
    R10 = "R10"  # 39(1) petition, complaint, report
    R11 = "R11"  # 39(2) public publications
    R12 = "R12"  # 35 unreasonable volume
    R13 = "R13"  # asks to confirm or re-issue information already obtained
    R14 = "R14"  # 30 still unclear after correction
    NO_CORRECTION = "no_correction"  # 30 correction not supplied in time: deemed abandoned
    FEE_NOT_PAID = "fee_not_paid"  # fee not paid in time: deemed abandoned
    WITHDRAWN = "withdrawn"  # withdrawn by the applicant
    OTHER = "other"

    @property
    def is_reply(self) -> bool:
        """An outcome a reply (答复) gives; the other three conclude a case without one."""
        return self not in _CONCLUDING

    @property
    def needs_ground(self) -> bool:
        """Art 36(三): a refusal names one of the eight grounds."""
        return self is Outcome.R3

    @property
    def needs_reasons(self) -> bool:
        """Refusals and partial disclosure state their reasons (Arts 36, 37)."""
        return self in _NEEDS_REASONS

    def report_row(self, ground: NonDisclosureGround | None = None) -> ReportRow:
        if self is Outcome.R3:
            if ground is None:
                raise ValueError("R3 needs a non-disclosure ground")
            return ReportRow(ground.value)
        return _ROWS[self]


_CONCLUDING = frozenset({Outcome.NO_CORRECTION, Outcome.FEE_NOT_PAID, Outcome.WITHDRAWN})
_NEEDS_REASONS = frozenset({Outcome.R3, Outcome.R5, Outcome.R8, Outcome.R12, Outcome.R14})
_ROWS = {
    Outcome.R1: ReportRow.DISCLOSED,
    Outcome.R2: ReportRow.DISCLOSED,
    Outcome.R4: ReportRow.UNAVAILABLE_NOT_HELD,
    Outcome.R5: ReportRow.UNAVAILABLE_NOT_HELD,
    Outcome.R6: ReportRow.NOT_PROCESSED_REPEATED,
    Outcome.R7: ReportRow.WITHHELD_ADMINISTRATIVE_QUERY,
    Outcome.R8: ReportRow.PARTLY_DISCLOSED,
    Outcome.R9: ReportRow.UNAVAILABLE_NEEDS_CREATION,
    Outcome.R10: ReportRow.NOT_PROCESSED_PETITION,
    Outcome.R11: ReportRow.NOT_PROCESSED_PUBLICATION,
    Outcome.R12: ReportRow.NOT_PROCESSED_UNREASONABLE_VOLUME,
    Outcome.R13: ReportRow.NOT_PROCESSED_CONFIRMATION,
    Outcome.R14: ReportRow.UNAVAILABLE_STILL_UNCLEAR,
    Outcome.NO_CORRECTION: ReportRow.OTHER_NO_CORRECTION,
    Outcome.FEE_NOT_PAID: ReportRow.OTHER_FEE_NOT_PAID,
    Outcome.WITHDRAWN: ReportRow.OTHER,
    Outcome.OTHER: ReportRow.OTHER,
}


class RemedyKind(StrEnum):
    """The three groups of section 四 of the annual report (Art 51)."""

    RECONSIDERATION = "reconsideration"  # 行政复议
    LITIGATION_DIRECT = "litigation_direct"  # 行政诉讼 未经复议直接起诉
    LITIGATION_AFTER_RECONSIDERATION = "litigation_after_reconsideration"  # 复议后起诉


class RemedyResult(StrEnum):
    """The result columns of section 四."""

    UPHELD = "upheld"  # 结果维持
    CORRECTED = "corrected"  # 结果纠正 (撤销, 变更, 确认违法, 责令履行)
    OTHER = "other"  # 其他结果 (驳回, 终止, 撤回 …)
    PENDING = "pending"  # 尚未审结


# --- names -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """What people call a value: in the law's words (Chinese), an English name in snake case
    (what the command line also accepts), and the article it rests on, if any."""

    zh: str
    en: str
    basis: str = ""


OUTCOME_TERMS: Mapping[Outcome, Term] = {
    Outcome.R1: Term("已主动公开", "already_public", "第三十六条第（一）项"),
    Outcome.R2: Term("予以公开", "disclosed", "第三十六条第（二）项"),
    Outcome.R3: Term("不予公开", "withheld", "第三十六条第（三）项"),
    Outcome.R4: Term("信息不存在", "does_not_exist", "第三十六条第（四）项"),
    Outcome.R5: Term("不属于本机关负责公开", "not_this_agency", "第三十六条第（五）项"),
    Outcome.R6: Term("重复申请", "repeated", "第三十六条第（六）项"),
    Outcome.R7: Term("依特别规定查询", "special_access_route", "第三十六条第（七）项"),
    Outcome.R8: Term("部分公开", "partially_disclosed", "第三十七条"),
    Outcome.R9: Term("需要另行制作", "needs_creation", "第三十八条"),
    Outcome.R10: Term("信访举报投诉类申请", "petition", "第三十九条第一款"),
    Outcome.R11: Term("要求提供公开出版物", "publication", "第三十九条第二款"),
    Outcome.R12: Term("无正当理由大量反复申请", "unreasonable_volume", "第三十五条"),
    Outcome.R13: Term("要求确认或重新出具已获取信息", "confirmation"),
    Outcome.R14: Term("补正后申请内容仍不明确", "still_unclear", "第三十条"),
    Outcome.NO_CORRECTION: Term("逾期不补正", "no_correction", "第三十条"),
    Outcome.FEE_NOT_PAID: Term("逾期未缴纳信息处理费", "fee_not_paid", "第四十二条"),
    Outcome.WITHDRAWN: Term("申请人撤回", "withdrawn"),
    Outcome.OTHER: Term("其他处理", "other"),
}
GROUND_TERMS: Mapping[NonDisclosureGround, Term] = {
    NonDisclosureGround.STATE_SECRET: Term("属于国家秘密", "state_secret", "第十四条"),
    NonDisclosureGround.PROHIBITED_BY_LAW: Term(
        "其他法律行政法规禁止公开", "prohibited_by_law", "第十四条"
    ),
    NonDisclosureGround.THREE_SECURITIES: Term(
        "危及“三安全一稳定”", "three_securities", "第十四条"
    ),
    NonDisclosureGround.THIRD_PARTY: Term("保护第三方合法权益", "third_party", "第十五条"),
    NonDisclosureGround.INTERNAL_AFFAIRS: Term(
        "属于三类内部事务信息", "internal_affairs", "第十六条第一款"
    ),
    NonDisclosureGround.PROCESS_INFORMATION: Term(
        "属于四类过程性信息", "process_information", "第十六条第二款"
    ),
    NonDisclosureGround.ENFORCEMENT_FILE: Term(
        "属于行政执法案卷", "enforcement_file", "第十六条第二款"
    ),
    NonDisclosureGround.ADMINISTRATIVE_QUERY: Term("属于行政查询事项", "administrative_query"),
}
CHANNEL_TERMS: Mapping[Channel, Term] = {
    Channel.ONLINE: Term("互联网渠道", "online", "第三十一条第（三）项"),
    Channel.IN_PERSON: Term("当面提交", "in_person", "第三十一条第（一）项"),
    Channel.POST_SIGNED: Term("邮寄（需签收）", "post_signed", "第三十一条第（二）项"),
    Channel.POST_ORDINARY: Term("平常信函", "post_ordinary", "第三十一条第（二）项"),
    Channel.FAX: Term("传真", "fax", "第三十一条第（三）项"),
    Channel.EMAIL: Term("电子邮件", "email"),  # not in Art 31: the day the mail arrives
    Channel.ORAL: Term("口头提出，代为填写", "oral", "第二十九条"),
}
CATEGORY_TERMS: Mapping[ApplicantCategory, Term] = {
    ApplicantCategory.NATURAL_PERSON: Term("自然人", "natural_person"),
    ApplicantCategory.COMMERCIAL_ENTERPRISE: Term("商业企业", "commercial_enterprise"),
    ApplicantCategory.RESEARCH_INSTITUTION: Term("科研机构", "research_institution"),
    ApplicantCategory.PUBLIC_INTEREST_ORGANIZATION: Term(
        "社会公益组织", "public_interest_organization"
    ),
    ApplicantCategory.LEGAL_SERVICE_ORGANIZATION: Term(
        "法律服务机构", "legal_service_organization"
    ),
    ApplicantCategory.OTHER_ORGANIZATION: Term("其他组织", "other_organization"),
}
# The stages a case (handling's CaseState) and an application as its applicant sees it
# (intake's ApplicationState) pass through, by their values: the services own the states,
# clients only show them.
CASE_STATE_TERMS: Mapping[str, Term] = {
    "registered": Term("审核中", "registered"),
    "awaiting_correction": Term("补正中", "awaiting_correction", "第三十条"),
    "awaiting_reasons": Term("说明理由中", "awaiting_reasons", "第三十五条"),
    "in_progress": Term("办理中", "in_progress"),
    "consulting": Term("征求意见中", "consulting", "第三十二条"),
    "awaiting_fee": Term("待缴费", "awaiting_fee", "第四十二条"),
    "replied": Term("待送达", "replied"),  # answered, the reply still to be served (送达)
    "closed": Term("办结", "closed"),
}
APPLICATION_STATE_TERMS: Mapping[str, Term] = {
    "received": Term("已收到", "received"),
    "correction_requested": Term("待补正", "correction_requested", "第三十条"),
    "in_progress": Term("办理中", "in_progress"),
    "awaiting_fee": Term("待缴费", "awaiting_fee", "第四十二条"),
    "answered": Term("已答复", "answered"),
    "concluded": Term("已终止", "concluded"),
    "withdrawn": Term("已撤回", "withdrawn"),
    "reasons_requested": Term("待说明理由", "reasons_requested", "第三十五条"),
}
# The conclusions of a confidentiality review (保密审查, Art 17; handling's ReviewConclusion).
REVIEW_CONCLUSION_TERMS: Mapping[str, Term] = {
    "disclosable": Term("可以公开", "disclosable", "第十七条"),
    "partly_disclosable": Term("部分公开", "partly_disclosable", "第十七条"),
    "not_disclosable": Term("不得公开", "not_disclosable", "第十七条"),
}

V = TypeVar("V", bound=StrEnum)
# By type: values of different vocabularies compare equal as strings (Outcome.OTHER and
# RemedyResult.OTHER, NonDisclosureGround and ReportRow).
_TERMS_BY_TYPE: Mapping[type, Mapping[Any, Term]] = {
    Outcome: OUTCOME_TERMS,
    NonDisclosureGround: GROUND_TERMS,
    Channel: CHANNEL_TERMS,
    ApplicantCategory: CATEGORY_TERMS,
}


def term_for(value: Enum) -> Term | None:
    """The term of an outcome, ground, channel or applicant category; None for other values."""
    terms = _TERMS_BY_TYPE.get(type(value))
    return terms[value] if terms else None


def named(terms: Mapping[V, Term], text: str) -> V | None:
    """The value `text` names: its Chinese name, its English name, or its code (R8, r8, 三4),
    whatever the case of the Latin letters; None if it names none."""
    wanted = text.strip().casefold()
    for value, term in terms.items():
        if wanted in {term.zh.casefold(), term.en, value.value.casefold(), value.name.casefold()}:
            return value
    return None


def row_label(row: ReportRow) -> str:
    """The row as the report numbers it: （一）, （三）4."""
    return f"（{row.value[0]}）{row.value[1:]}"


def outcome_label(
    outcome: Outcome, ground: NonDisclosureGround | None = None, *, with_row: bool = True
) -> str:
    """The outcome in words with its article and (`with_row`, for staff) its report row:
    部分公开（第三十七条；年报三（二））,
    不予公开：保护第三方合法权益（第十五条；年报三（三）4）."""
    term = OUTCOME_TERMS[outcome]
    name, basis = term.zh, term.basis
    if outcome.needs_ground and ground is not None:
        grounds = GROUND_TERMS[ground]
        name, basis = f"{term.zh}：{grounds.zh}", grounds.basis or term.basis
        row = row_label(outcome.report_row(ground))
    else:
        row = "（三）" if outcome.needs_ground else row_label(outcome.report_row())
    notes = [basis, f"年报三{row}" if with_row else ""]
    return name + (f"（{'；'.join(n for n in notes if n)}）" if any(notes) else "")
