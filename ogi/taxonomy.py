"""The shared vocabulary of the annual report and the Regulation, used by every service."""

from __future__ import annotations

from enum import StrEnum


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
