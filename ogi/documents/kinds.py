"""The documents an agency issues (书面告知, domain.md §9) and the content each must hold.

One dataclass per kind: the service that issues a document decides what goes in it and fills
one of these; `violations` says what the law asks for that is missing. The templates turn the
content into words (ogi.documents.compose)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from ogi.documents.law import FEE_STANDARDS
from ogi.errors import FieldViolation
from ogi.taxonomy import Channel, NonDisclosureGround, Outcome, Term


class DocumentKind(StrEnum):
    REGISTRATION_RECEIPT = "registration_receipt"  # 登记回执 (Art 31)
    CORRECTION_NOTICE = "correction_notice"  # 补正申请告知书 (Art 30)
    REASONS_NOTICE = "reasons_notice"  # 说明理由告知书 (Art 35)
    DELAYED_REPLY_NOTICE = "delayed_reply_notice"  # 延迟答复告知书 (Art 35)
    EXTENSION_NOTICE = "extension_notice"  # 延长答复期限告知书 (Art 33)
    CONSULTATION_LETTER = "consultation_letter"  # 征求意见书 (Arts 32, 34)
    CONSULTATION_NOTICE = "consultation_notice"  # 征求意见告知书, to the applicant (Art 33)
    FEE_NOTICE = "fee_notice"  # 收费通知书 (Art 42)
    REVIEW_FORM = "review_form"  # 公开审查呈批单 (Art 17)
    REPLY = "reply"  # 政府信息公开申请答复书 (Arts 36-39)


KIND_TERMS: Mapping[DocumentKind, Term] = {
    DocumentKind.REGISTRATION_RECEIPT: Term(
        "政府信息公开申请登记回执", "registration_receipt", "第三十一条"
    ),
    DocumentKind.CORRECTION_NOTICE: Term("补正申请告知书", "correction_notice", "第三十条"),
    DocumentKind.REASONS_NOTICE: Term("说明理由告知书", "reasons_notice", "第三十五条"),
    DocumentKind.DELAYED_REPLY_NOTICE: Term("延迟答复告知书", "delayed_reply_notice", "第三十五条"),
    DocumentKind.EXTENSION_NOTICE: Term(
        "延长答复期限告知书", "extension_notice", "第三十三条第二款"
    ),
    DocumentKind.CONSULTATION_LETTER: Term(
        "征求意见书", "consultation_letter", "第三十二条、第三十四条"
    ),
    DocumentKind.CONSULTATION_NOTICE: Term(
        "征求意见告知书", "consultation_notice", "第三十三条第三款"
    ),
    DocumentKind.FEE_NOTICE: Term("收费通知书", "fee_notice", "第四十二条"),
    DocumentKind.REVIEW_FORM: Term("政府信息公开审查呈批单", "review_form", "第十七条"),
    DocumentKind.REPLY: Term("政府信息公开申请答复书", "reply", "第三十六条"),
}


class Addressee(StrEnum):
    """Whom a document goes to: what the applicant may download is what is addressed to them."""

    APPLICANT = "applicant"  # 申请人
    CONSULTED_PARTY = "consulted_party"  # 第三方或者其他机关 (Arts 32, 34)
    ON_FILE = "on_file"  # nobody outside: kept in the dossier (公开审查呈批单)


ADDRESSEES: Mapping[DocumentKind, Addressee] = {
    kind: (
        Addressee.CONSULTED_PARTY
        if kind is DocumentKind.CONSULTATION_LETTER
        else Addressee.ON_FILE
        if kind is DocumentKind.REVIEW_FORM
        else Addressee.APPLICANT
    )
    for kind in DocumentKind
}


def _missing(name: str, what: str) -> FieldViolation:
    return FieldViolation(name, f"须填写{what}（{name.replace('_', ' ')} is required）")


def _blank(text: str) -> bool:
    return not text.strip()


@dataclass(frozen=True, kw_only=True)
class DocumentReference:
    """An earlier document by its number and date (成文日期)."""

    number: str
    dated: date


@dataclass(frozen=True, kw_only=True)
class Issue:
    """What makes content a document: its number, its date (成文日期), and the document it
    corrects, if any (a correction is a new document that names the one it replaces)."""

    number: str
    dated: date
    replaces: DocumentReference | None = None


@dataclass(frozen=True, kw_only=True)
class CaseLetter:
    """What every letter about an application names: whom it goes to (主送), the application
    and the day it was received."""

    kind: ClassVar[DocumentKind]
    recipient: str
    application_number: str
    receipt_date: date

    def violations(self) -> list[FieldViolation]:
        found = []
        if _blank(self.recipient):
            found.append(_missing("recipient", "主送（收件人）"))
        if _blank(self.application_number):
            found.append(_missing("application_number", "申请编号"))
        return found


@dataclass(frozen=True, kw_only=True)
class RegistrationReceipt(CaseLetter):
    """登记回执: the number, the receipt date and the Art 31 rule that fixed it, how to query."""

    kind: ClassVar[DocumentKind] = DocumentKind.REGISTRATION_RECEIPT
    channel: Channel
    requested: str  # the information asked for, in the applicant's words
    reply_due: date | None = None  # 20 working days on (Art 33), if known

    def violations(self) -> list[FieldViolation]:
        found = super().violations()
        if _blank(self.requested):
            found.append(_missing("requested", "申请内容"))
        return found


@dataclass(frozen=True, kw_only=True)
class CorrectionNotice(CaseLetter):
    """补正申请告知书 (Art 30): every item at once, the period, that the reply period restarts
    with the correction, and that no correction in time means the application is dropped."""

    kind: ClassVar[DocumentKind] = DocumentKind.CORRECTION_NOTICE
    items: tuple[str, ...]
    period_working_days: int
    correction_due: date
    guidance: str = ""  # 指导和释明

    def violations(self) -> list[FieldViolation]:
        found = super().violations()
        if not self.items or any(_blank(item) for item in self.items):
            found.append(_missing("items", "每一项需要补正的事项"))
        if self.period_working_days < 1:
            found.append(FieldViolation("period_working_days", "补正期限须为正数（positive）"))
        return found


@dataclass(frozen=True, kw_only=True)
class ReasonsNotice(CaseLetter):
    """说明理由告知书 (Art 35): what looks unreasonable, the period for reasons, what follows."""

    kind: ClassVar[DocumentKind] = DocumentKind.REASONS_NOTICE
    unreasonable: str  # the quantity or frequency that appears beyond reason
    period_working_days: int
    reasons_due: date

    def violations(self) -> list[FieldViolation]:
        found = super().violations()
        if _blank(self.unreasonable):
            found.append(_missing("unreasonable", "明显超过合理范围的情形"))
        if self.period_working_days < 1:
            found.append(FieldViolation("period_working_days", "说明期限须为正数（positive）"))
        return found


@dataclass(frozen=True, kw_only=True)
class DelayedReplyNotice(CaseLetter):
    """延迟答复告知书 (Art 35): the reasons are accepted, the reply cannot be made in time, and the
    later date the agency sets."""

    kind: ClassVar[DocumentKind] = DocumentKind.DELAYED_REPLY_NOTICE
    delayed_due: date
    why: str  # why the ordinary period cannot be met
    reasons_notice: DocumentReference | None = None

    def violations(self) -> list[FieldViolation]:
        found = super().violations()
        if _blank(self.why):
            found.append(_missing("why", "无法按期答复的原因"))
        return found


@dataclass(frozen=True, kw_only=True)
class ExtensionNotice(CaseLetter):
    """延长答复期限告知书 (Art 33 para 2): at most 20 working days, approved by the office head."""

    kind: ClassVar[DocumentKind] = DocumentKind.EXTENSION_NOTICE
    original_due: date
    extension_working_days: int
    new_due: date
    approved_by: str  # 政府信息公开工作机构负责人
    approved_on: date
    reason: str = ""

    def violations(self) -> list[FieldViolation]:
        found = super().violations()
        if not 1 <= self.extension_working_days <= 20:
            found.append(
                FieldViolation(
                    "extension_working_days",
                    "延长的期限为1至20个工作日（1 to 20 working days, Art 33）",
                )
            )
        if _blank(self.approved_by):
            found.append(_missing("approved_by", "批准延期的负责人"))
        if self.new_due <= self.original_due:
            found.append(
                FieldViolation("new_due", "新的答复期限须晚于原期限（must be after the old one）")
            )
        return found


class ConsultedParty(StrEnum):
    THIRD_PARTY = "third_party"  # 第三方 (Art 32): silence leaves the decision to the agency
    AGENCY = "agency"  # 共同制作的其他机关 (Art 34): silence is consent


@dataclass(frozen=True, kw_only=True)
class ConsultationLetter(CaseLetter):
    """征求意见书 (Arts 32, 34) to the party consulted: the information, 15 working days, what
    silence means. It names the application, never the applicant."""

    kind: ClassVar[DocumentKind] = DocumentKind.CONSULTATION_LETTER
    party: ConsultedParty
    information: str  # the government information concerned
    concern: str = ""  # how disclosure may touch the party (商业秘密, 个人隐私 …)

    def violations(self) -> list[FieldViolation]:
        found = super().violations()
        if _blank(self.information):
            found.append(_missing("information", "所涉政府信息"))
        if self.party is ConsultedParty.THIRD_PARTY and _blank(self.concern):
            found.append(_missing("concern", "可能损害第三方合法权益的情形"))
        return found


@dataclass(frozen=True, kw_only=True)
class ConsultationNotice(CaseLetter):
    """征求意见告知书 to the applicant (Art 33 para 3): the consultation time is not counted."""

    kind: ClassVar[DocumentKind] = DocumentKind.CONSULTATION_NOTICE
    party: ConsultedParty
    consulted_on: date  # the day the consultation letter went out


@dataclass(frozen=True, kw_only=True)
class FeeNotice(CaseLetter):
    """收费通知书 (Art 42; 国办函〔2020〕109号): basis, standard, amount, how to pay, 20 working
    days from the day after receipt, not paid means dropped."""

    kind: ClassVar[DocumentKind] = DocumentKind.FEE_NOTICE
    method: str  # a services.handling.fees.FeeMethod value: per_application or per_page
    quantity: int  # the applicant's n-th application in the month, or the pages
    amount: Decimal  # 元
    why: str = ""  # what goes beyond reason (数量、频次)
    payment: str = ""  # how to pay this one (a payment code…); the agency's default otherwise
    clock_paused: bool = True  # OGI_POLICY_FEE_PAUSES_CLOCK: the waiting is not counted

    def violations(self) -> list[FieldViolation]:
        found = super().violations()
        if self.method not in FEE_STANDARDS:
            found.append(FieldViolation("method", "未知的计收方式（unknown fee method）"))
        if self.quantity < 1:
            found.append(FieldViolation("quantity", "件数或页数须为正数（positive）"))
        if self.amount <= 0:
            found.append(FieldViolation("amount", "收费金额须大于零（must be above zero）"))
        return found


class ReviewConclusion(StrEnum):
    DISCLOSE = "disclose"  # 可以公开
    PARTLY = "partly"  # 部分公开
    WITHHOLD = "withhold"  # 不得公开


REVIEW_CONCLUSION_TERMS: Mapping[ReviewConclusion, Term] = {
    ReviewConclusion.DISCLOSE: Term("可以公开", "disclose"),
    ReviewConclusion.PARTLY: Term("部分公开", "partly", "第三十七条"),
    ReviewConclusion.WITHHOLD: Term("不得公开", "withhold"),
}


@dataclass(frozen=True, kw_only=True)
class ReviewForm(CaseLetter):
    """公开审查呈批单 (Art 17, 保密审查): the information, the reviewer, the conclusion, what is
    withheld and the basis; the approvals are signed on paper. `recipient` is the applicant."""

    kind: ClassVar[DocumentKind] = DocumentKind.REVIEW_FORM
    information: str
    reviewer: str
    reviewed_on: date
    conclusion: ReviewConclusion
    basis: str
    withheld: str = ""
    opinion: str = ""  # 承办意见

    def violations(self) -> list[FieldViolation]:
        found = super().violations()
        for name, what in (
            ("information", "审查的信息"),
            ("reviewer", "审查人"),
            ("basis", "依据"),
        ):
            if _blank(getattr(self, name)):
                found.append(_missing(name, what))
        if self.conclusion is not ReviewConclusion.DISCLOSE and _blank(self.withheld):
            found.append(_missing("withheld", "不予公开的内容"))
        return found


@dataclass(frozen=True, kw_only=True)
class ReleasedItem:
    """One piece of information a reply provides: title, 文号, form, how it is obtained."""

    title: str
    form: str  # 电子文本, 纸质复印件, 查阅 …
    how: str  # 随本答复书附送, 电子邮件发送 …
    doc_number: str = ""  # 文号
    link: str = ""
    sha256: str = ""  # of the file provided, when it is stored


@dataclass(frozen=True, kw_only=True)
class Publication:
    """Where information already proactively disclosed is published (R1)."""

    place: str  # e.g. 菏泽市民政局门户网站“政府信息公开”专栏
    link: str = ""
    published_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class ResponsibleAgency:
    """The agency responsible for information that is not this agency's (R5, Art 36(5))."""

    name: str
    contact: str


_RELEASING = frozenset({Outcome.R2, Outcome.R8})
_GROUNDED = frozenset({Outcome.R3, Outcome.R8})


@dataclass(frozen=True, kw_only=True)
class ReplyLetter(CaseLetter):
    """政府信息公开申请答复书 (Art 36): what was asked, the outcome in the law's words and its
    article, and what that outcome must say (domain.md §5, §9)."""

    kind: ClassVar[DocumentKind] = DocumentKind.REPLY
    requested: str
    outcome: Outcome
    ground: NonDisclosureGround | None = None  # R3, and the withheld part of R8
    reasons: str = ""
    released: tuple[ReleasedItem, ...] = field(default=())  # R2, R8
    withheld: str = ""  # R8: the part not disclosed
    publication: Publication | None = None  # R1
    responsible: ResponsibleAgency | None = None  # R5, when it can be determined
    earlier: DocumentReference | None = None  # R6 the earlier reply; R12, R14 the notice
    special_route: str = ""  # R7: the route the special law provides
    proper_channel: str = ""  # R10: where petitions, complaints, reports go
    where_to_obtain: str = ""  # R11: where the publication is obtained
    search: str = ""  # R4: how the information was searched for

    def violations(self) -> list[FieldViolation]:
        found = super().violations()
        outcome = self.outcome
        if _blank(self.requested):
            found.append(_missing("requested", "申请内容"))
        if not outcome.is_reply:
            return [*found, FieldViolation("outcome", "该办理结果不作答复（not a reply outcome）")]
        if outcome in _GROUNDED and self.ground is None:
            found.append(_missing("ground", "不予公开的理由（第十四条至第十六条）"))
        if outcome not in _GROUNDED and self.ground is not None:
            found.append(FieldViolation("ground", "只有不予公开才有理由（only for a refusal）"))
        if outcome.needs_reasons and _blank(self.reasons):
            found.append(_missing("reasons", "具体理由"))
        if outcome in _RELEASING and not self.released:
            found.append(_missing("released", "提供的政府信息"))
        if outcome not in _RELEASING and self.released:
            found.append(FieldViolation("released", "该办理结果不提供信息（nothing is released)"))
        for i, item in enumerate(self.released):
            for name in ("title", "form", "how"):
                if _blank(getattr(item, name)):
                    found.append(_missing(f"released[{i}].{name}", "提供信息的名称、形式和方式"))
        if outcome is Outcome.R8 and _blank(self.withheld):
            found.append(_missing("withheld", "不予公开的部分"))
        if outcome is Outcome.R1 and (self.publication is None or _blank(self.publication.place)):
            found.append(_missing("publication.place", "公开的位置"))
        if self.responsible is not None:
            for name in ("name", "contact"):
                if _blank(getattr(self.responsible, name)):
                    found.append(_missing(f"responsible.{name}", "负责公开的机关名称和联系方式"))
        if outcome is Outcome.R6 and self.earlier is None:
            found.append(_missing("earlier", "已作出的答复"))
        if outcome is Outcome.R7 and _blank(self.special_route):
            found.append(_missing("special_route", "依特别规定办理的途径"))
        return found


DocumentContent = (
    RegistrationReceipt
    | CorrectionNotice
    | ReasonsNotice
    | DelayedReplyNotice
    | ExtensionNotice
    | ConsultationLetter
    | ConsultationNotice
    | FeeNotice
    | ReviewForm
    | ReplyLetter
)
