"""The handling domain: a case (案件) from registration to service of the reply.

Commands check the law and the state, then record an event; the event methods only change state,
so replaying history never re-checks. Due dates are derived from the recorded facts (ogi.deadlines),
never typed in. No I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ogi.deadlines import (
    CONSULTATION_PERIOD,
    CORRECTION_NOTICE_PERIOD,
    FEE_PAYMENT_PERIOD,
    MAX_EXTENSION,
    REPLY_PERIOD,
    Deadline,
    Pause,
    count_working_days,
)
from ogi.documents.kinds import Addressee, ConsultedParty, DocumentKind, DocumentReference
from ogi.errors import FieldViolation, InvalidArgument, PreconditionFailed
from ogi.taxonomy import ApplicantCategory, NonDisclosureGround, Outcome
from ogi.workdays import WorkingDayCalendar
from services.handling.disclosure import (
    RELEASING,
    ConfidentialityReview,
    ReleasedItem,
    released_violations,
    review_violations,
)


@dataclass(frozen=True)
class HandlingPolicy:
    """Choices the law leaves to the agency (domain.md §8), with the documented defaults."""

    correction_period: int = 15  # working days the applicant has to correct (Art 30)
    reasons_period: int = 15  # working days the applicant has to give reasons (Art 35)
    fee_pauses_clock: bool = True  # waiting for payment is not counted
    at_risk_working_days: int = 3  # the worklist flags a reply due within this many WD

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> HandlingPolicy:
        """OGI_POLICY_CORRECTION_PERIOD, OGI_POLICY_FEE_PAUSES_CLOCK (yes/no),
        OGI_POLICY_AT_RISK_WORKING_DAYS, OGI_POLICY_REASONS_PERIOD; unset means the default
        above."""
        default = cls()
        return cls(
            correction_period=int(
                environ.get("OGI_POLICY_CORRECTION_PERIOD", default.correction_period)
            ),
            fee_pauses_clock=environ.get("OGI_POLICY_FEE_PAUSES_CLOCK", "yes").lower()
            in {"yes", "true", "1"},
            at_risk_working_days=int(
                environ.get("OGI_POLICY_AT_RISK_WORKING_DAYS", default.at_risk_working_days)
            ),
            reasons_period=int(environ.get("OGI_POLICY_REASONS_PERIOD", default.reasons_period)),
        )


class CaseState(StrEnum):
    REGISTERED = "registered"  # 已登记, under review (审核)
    AWAITING_CORRECTION = "awaiting_correction"  # 补正中 (Art 30)
    AWAITING_REASONS = "awaiting_reasons"  # 说明理由中 (Art 35)
    IN_PROGRESS = "in_progress"  # 办理中
    CONSULTING = "consulting"  # 征求意见中 (Art 32, 34)
    AWAITING_FEE = "awaiting_fee"  # 待缴费
    REPLIED = "replied"  # 已答复, awaiting service (送达)
    CLOSED = "closed"  # 办结


# How a case's state is said to a person (the worklist, errors).
CASE_STATE_ZH = {
    CaseState.REGISTERED: "审核中",
    CaseState.AWAITING_CORRECTION: "待补正",
    CaseState.AWAITING_REASONS: "待说明理由",
    CaseState.IN_PROGRESS: "办理中",
    CaseState.CONSULTING: "征求意见中",
    CaseState.AWAITING_FEE: "待缴费",
    CaseState.REPLIED: "已答复待送达",
    CaseState.CLOSED: "已办结",
}
OPEN_STATES = frozenset(CaseState) - {CaseState.REPLIED, CaseState.CLOSED}
REPLYABLE = frozenset({CaseState.REGISTERED, CaseState.IN_PROGRESS, CaseState.AWAITING_REASONS})


class Step(StrEnum):
    """A handler's step on a case (HandlingService's methods), as clients are told which ones
    the case allows now (Case.allowed_steps)."""

    ACCEPT = "accept"  # 受理
    ASSIGN = "assign"  # 分办
    REQUEST_CORRECTION = "request_correction"  # 补正告知
    LAPSE_CORRECTION = "lapse_correction"  # 逾期不补正
    REQUEST_REASONS = "request_reasons"  # 要求说明理由 (Art 35)
    ASSESS_REASONS = "assess_reasons"
    START_CONSULTATION = "start_consultation"  # 征求意见
    END_CONSULTATION = "end_consultation"
    EXTEND = "extend"  # 延期 (office head)
    ISSUE_FEE_NOTICE = "issue_fee_notice"  # 收费通知
    RECORD_PAYMENT = "record_payment"
    WAIVE_FEE = "waive_fee"  # 减免
    LAPSE_FEE = "lapse_fee"  # 逾期未缴费
    REVIEW_CONFIDENTIALITY = "review_confidentiality"  # 保密审查 (reviewer, office head)
    ANSWER = "answer"  # 答复
    SERVE = "serve"  # 送达


# The states each step may be taken in: the rule every step checks, and what clients offer.
STEP_STATES: dict[Step, frozenset[CaseState]] = {
    Step.ACCEPT: frozenset({CaseState.REGISTERED}),
    Step.ASSIGN: OPEN_STATES,
    Step.REQUEST_CORRECTION: frozenset({CaseState.REGISTERED}),
    Step.LAPSE_CORRECTION: frozenset({CaseState.AWAITING_CORRECTION}),
    Step.REQUEST_REASONS: frozenset({CaseState.REGISTERED, CaseState.IN_PROGRESS}),
    Step.ASSESS_REASONS: frozenset({CaseState.AWAITING_REASONS}),
    Step.START_CONSULTATION: frozenset({CaseState.IN_PROGRESS}),
    Step.END_CONSULTATION: frozenset({CaseState.CONSULTING}),
    Step.EXTEND: OPEN_STATES - {CaseState.REGISTERED, CaseState.AWAITING_CORRECTION},
    Step.ISSUE_FEE_NOTICE: frozenset({CaseState.IN_PROGRESS}),
    Step.RECORD_PAYMENT: frozenset({CaseState.AWAITING_FEE}),
    Step.WAIVE_FEE: frozenset({CaseState.AWAITING_FEE}),
    Step.LAPSE_FEE: frozenset({CaseState.AWAITING_FEE}),
    Step.REVIEW_CONFIDENTIALITY: REPLYABLE,
    Step.ANSWER: REPLYABLE,
    Step.SERVE: frozenset({CaseState.REPLIED}),
}
CONCLUDING_OUTCOMES = frozenset({Outcome.NO_CORRECTION, Outcome.FEE_NOT_PAID, Outcome.WITHDRAWN})


class PauseKind(StrEnum):
    CONSULTATION = "consultation"  # 征求意见, Art 33 para 3
    FEE = "fee"  # 缴费, policy


class ServiceMethod(StrEnum):
    """送达方式 (2016 interpretation): timeliness is judged on the service date."""

    DIRECT = "direct"  # 直接送达: the day the applicant signs
    ENTRUSTED = "entrusted"  # 委托送达: the day the applicant signs
    POST = "post"  # 邮寄送达: the day handed to the post (交邮之日)
    ELECTRONIC = "electronic"  # 电子送达: the day it reaches the applicant's system


@dataclass(frozen=True)
class PauseFact:
    """A recorded pause of the reply clock: when it began, its statutory length, when it ended."""

    kind: PauseKind
    start: date
    period: int
    end: date | None = None

    def as_pause(self, calendar: WorkingDayCalendar) -> Pause:
        latest = count_working_days(calendar, self.start, self.kind.value, self.period).due
        return Pause(self.start, self.end, latest, self.kind.value)


@dataclass(frozen=True)
class Reply:
    """答复: exactly one outcome, with what the law requires for it and what its 答复书 says
    (services.handling.letters). The fields after `released` came with the documents: replies
    stored before have them empty."""

    outcome: Outcome
    replied_on: date
    reasons: str = ""
    ground: NonDisclosureGround | None = None  # R3; R8 for the part it withholds
    responsible_agency: str = ""  # R5: the agency that holds the information, if known
    released: tuple[ReleasedItem, ...] = ()  # R1, R2, R8: what was provided
    responsible_agency_contact: str = ""  # R5: its 联系方式 (Art 36(五))
    withheld: str = ""  # R8: the part not disclosed (else what the review withheld)
    earlier_reply: DocumentReference | None = None  # R6: the reply already given
    route: str = ""  # R7 the special route, R10 the proper channel, R11 where to obtain
    search: str = ""  # R4: how the information was searched for
    published_where: str = ""  # R1: where it is published


@dataclass(frozen=True)
class IssuedDocument:
    """发文: a document issued on the case. Never changed; its PDF and DOCX are kept by SHA-256
    in the document store, and a correction is a new document naming the one it `replaces`."""

    kind: DocumentKind
    number: str  # 发文字号
    issued_on: date  # 成文日期
    pdf_sha256: str
    docx_sha256: str
    addressee: Addressee
    replaces: str = ""  # the number of the document it corrects


class Case(Aggregate):
    """案件: one application as the agency handles it."""

    @event("Registered")
    def __init__(
        self,
        application_id: UUID,
        application_number: str,
        agency_code: str,
        receipt_date: date,
        applicant_category: ApplicantCategory,
        description: str,
        applicant_key: str = "",
        sealed_applicant: str = "",
        delivery_form: str = "",
        delivery_route: str = "",
        channel: str = "",
    ) -> None:
        self.application_id = application_id
        self.application_number = application_number
        self.agency_code = agency_code
        self.receipt_date = receipt_date
        self.applicant_category = ApplicantCategory(applicant_category)
        self.description = description
        self.applicant_key = applicant_key  # a pseudonym: tells applicants apart, no more
        # Who the applicant is, sealed with the platform's key (base64): opened only for the
        # agency's staff who must know, and every opening is logged (Handling.applicant).
        self.sealed_applicant = sealed_applicant
        self.delivery_form = delivery_form
        self.delivery_route = delivery_route
        # How the application came in (its Art 31 rule fixed the receipt date); empty for a
        # case registered before handling was told.
        self.channel = channel
        self.documents: list[IssuedDocument] = []
        self.review: ConfidentialityReview | None = None
        self.state = CaseState.REGISTERED
        self.assignee = ""
        self.clock_start = receipt_date
        self.clock_start_reason = "application received (Art 31)"
        self.pauses: list[PauseFact] = []
        self.extension_days = 0
        self.delayed_due: date | None = None
        self.correction: tuple[date, int] | None = None  # (notice date, period)
        self.correction_received_on: date | None = None
        self.reasons_requested = False
        self.reasons_received_on: date | None = None
        self.reasons_given = ""  # what the applicant answered (Art 35)
        self.fee_amount = ""
        self.fee_waiver_reason = ""
        self._fee_notified_on: date | None = None
        self.reply: Reply | None = None
        self.outcome: Outcome | None = None
        self.concluded_on: date | None = None

    @staticmethod
    def create_id(application_id: UUID, **_: object) -> UUID:
        """One case per application, whatever redelivers the registration."""
        return application_id

    # --- commands ---------------------------------------------------------------------------

    def request_correction(
        self, items: list[str], notice_date: date, period: int, *, by: str
    ) -> None:
        """补正告知 (Art 30): once, listing everything to correct, with a reasonable period."""
        self._require(
            STEP_STATES[Step.REQUEST_CORRECTION],
            "补正须在审核时告知（a correction is requested at review）",
        )
        if self.correction is not None:
            raise PreconditionFailed(
                "补正只能一次性告知（a correction may be requested only once, Art 30）"
            )
        if not [i for i in items if i.strip()]:
            raise InvalidArgument(
                [FieldViolation("items", "列明需要补正的事项（list what must be corrected）")]
            )
        if period < 1:
            raise InvalidArgument(
                [FieldViolation("period", "至少一个工作日（at least one working day）")]
            )
        self._not_before(notice_date, self.receipt_date, "notice_date")
        self._correction_requested(items, notice_date, period, by)

    def receive_reasons(self, received_on: date, reasons: str) -> None:
        """The applicant's reasons (Art 35) arrive; the handler then assesses them."""
        self._require(
            STEP_STATES[Step.ASSESS_REASONS], "未要求说明理由（no reasons were asked for）"
        )
        self._reasons_received(received_on, reasons)

    def receive_correction(self, received_on: date, description: str) -> None:
        """The corrected application arrives: the reply period restarts from that day."""
        self._require({CaseState.AWAITING_CORRECTION}, "未要求补正（no correction was requested）")
        self._correction_received(received_on, description)

    def lapse_correction(self, calendar: WorkingDayCalendar, on: date, *, by: str) -> None:
        """逾期不补正: not corrected in time, the application is deemed abandoned (row 六1)."""
        self._require(
            STEP_STATES[Step.LAPSE_CORRECTION], "没有待补正的申请（no correction is awaited）"
        )
        due = self.correction_due(calendar)
        if due is None or on <= due.due:
            raise PreconditionFailed(
                f"补正期限至{due.due if due else '?'}尚未届满"
                f"（the correction period runs until {due.due if due else '?'}）"
            )
        self._concluded(Outcome.NO_CORRECTION, on, by)

    def request_reasons(
        self, notice_date: date, *, by: str, unreasonable: str = "", period: int = 0
    ) -> None:
        """Art 35: the quantity or frequency is clearly unreasonable; the applicant is asked why,
        within `period` working days (what appears `unreasonable` is what the notice says)."""
        self._require(
            STEP_STATES[Step.REQUEST_REASONS],
            "说明理由须在审核或办理时要求（reasons are asked at review）",
        )
        self._not_before(notice_date, self.clock_start, "notice_date")
        self._reasons_requested(notice_date, by, unreasonable.strip(), period)

    def assess_reasons(
        self, reasonable: bool, later_due: date | None, *, by: str, why: str = ""
    ) -> None:
        """Reasons unreasonable: reply R12. Reasonable but not feasible in time: a later date,
        and `why` the ordinary period cannot be met."""
        self._require(
            STEP_STATES[Step.ASSESS_REASONS], "未要求说明理由（no reasons were asked for）"
        )
        if reasonable and later_due is not None and later_due <= self.receipt_date:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "later_due", "须晚于收到申请之日（must be after the receipt date）"
                    )
                ]
            )
        delayed = later_due if reasonable else None
        self._reasons_assessed(reasonable, delayed, by, why.strip() if delayed else "")

    def accept(self, *, by: str) -> None:
        """受理: the application is an OGI application, clear enough to handle."""
        self._require(
            STEP_STATES[Step.ACCEPT],
            "只有审核中的申请可以受理（only a case under review can be accepted）",
        )
        self._accepted(by)

    def assign(self, handler: str, *, by: str) -> None:
        self._require(STEP_STATES[Step.ASSIGN], "案件已办结（the case is no longer open）")
        if not handler.strip():
            raise InvalidArgument([FieldViolation("assignee", "必填（required）")])
        self._assigned(handler.strip(), by)

    def start_consultation(
        self,
        party: str,
        sent_on: date,
        *,
        by: str,
        party_kind: ConsultedParty = ConsultedParty.THIRD_PARTY,
        information: str = "",
        concern: str = "",
    ) -> None:
        """征求意见 (Art 32, 34): the clock pauses until the opinion arrives or 15 WD run out.
        The letter names the `information` concerned and, to a third party, the `concern`."""
        self._require(
            STEP_STATES[Step.START_CONSULTATION], "consultation happens while the case is handled"
        )
        if not party.strip():
            raise InvalidArgument(
                [FieldViolation("party", "写明第三方或协作机关（name the third party or agency）")]
            )
        self._not_before(sent_on, self.clock_start, "sent_on")
        self._consultation_started(
            party.strip(), sent_on, by, party_kind.value, information.strip(), concern.strip()
        )

    def end_consultation(self, received_on: date, opinion: str, *, by: str) -> None:
        self._require(
            STEP_STATES[Step.END_CONSULTATION],
            "没有正在进行的征求意见（no consultation is under way）",
        )
        self._not_before(received_on, self.pauses[-1].start, "received_on")
        self._consultation_ended(received_on, opinion, by)

    def extend(
        self,
        calendar: WorkingDayCalendar,
        days: int,
        approved_by: str,
        on: date,
        *,
        by: str,
        reason: str = "",
    ) -> None:
        """延期 (Art 33): once, at most 20 WD, office head approval, before the period ends."""
        self._require(
            STEP_STATES[Step.EXTEND],
            "只有办理中的案件可以延期（extend a case that is being handled）",
        )
        if self.extension_days:
            raise PreconditionFailed(
                "答复期限只能延长一次（the reply period can be extended only once, Art 33）"
            )
        if not 1 <= days <= MAX_EXTENSION:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "days", f"1至{MAX_EXTENSION}个工作日（1 to {MAX_EXTENSION} working days）"
                    )
                ]
            )
        if not approved_by.strip():
            raise InvalidArgument(
                [FieldViolation("approved_by", "写明批准的负责人（the office head who approved）")]
            )
        self._not_before(on, self.clock_start, "on")
        due = self.reply_deadline(calendar)
        if on > due.due:
            raise PreconditionFailed(
                f"答复期限已于{due.due}届满，不能再延期"
                f"（the reply period ended on {due.due}; too late to extend）"
            )
        self._extended(days, approved_by.strip(), on, by, reason.strip())

    def issue_fee_notice(
        self,
        amount: str,
        method: str,
        notified_on: date,
        pauses: bool,
        *,
        by: str,
        quantity: int = 0,
        why: str = "",
        payment: str = "",
    ) -> None:
        """收费通知: the applicant has 20 WD from the day after receiving it to pay. `quantity`
        is what the amount was computed from (pages, or the application's place in the month);
        `why` and `payment` are what the notice says of it."""
        self._require(
            STEP_STATES[Step.ISSUE_FEE_NOTICE], "a fee notice goes out while the case is handled"
        )
        if self.fee_amount:
            raise PreconditionFailed("已发出收费通知（a fee notice was already issued）")
        self._not_before(notified_on, self.clock_start, "notified_on")
        self._fee_notice_issued(
            amount, method, notified_on, pauses, by, quantity, why.strip(), payment.strip()
        )

    def record_payment(self, paid_on: date, *, by: str) -> None:
        self._require(STEP_STATES[Step.RECORD_PAYMENT], "没有待缴的费用（no fee is awaited）")
        if self._fee_notified_on:
            self._not_before(paid_on, self._fee_notified_on, "paid_on")
        self._fee_paid(paid_on, by)

    def waive_fee(self, waived_on: date, reason: str, *, by: str) -> None:
        """减免 (domain.md §6: charging is discretionary, a waiver is recorded with its reason):
        nothing is charged, and the clock runs again as after a payment."""
        self._require(STEP_STATES[Step.WAIVE_FEE], "没有待缴的费用（no fee is awaited）")
        if not reason.strip():
            raise InvalidArgument(
                [FieldViolation("reason", "写明减免的理由（why the fee is waived）")]
            )
        if self._fee_notified_on and waived_on < self._fee_notified_on:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "waived_on",
                        (
                            f"早于{self._fee_notified_on}的收费通知"
                            f"（before the fee notice of {self._fee_notified_on}）"
                        ),
                    )
                ]
            )
        self._fee_waived(waived_on, reason.strip(), by)

    def lapse_fee(self, calendar: WorkingDayCalendar, on: date, *, by: str) -> None:
        """逾期未缴费: deemed abandoned (row 六2)."""
        self._require(STEP_STATES[Step.LAPSE_FEE], "没有待缴的费用（no fee is awaited）")
        due = self.fee_due(calendar)
        if due is None or on <= due.due:
            raise PreconditionFailed(
                f"缴费期限至{due.due if due else '?'}尚未届满"
                f"（payment is due by {due.due if due else '?'}）"
            )
        self._concluded(Outcome.FEE_NOT_PAID, on, by)

    def withdraw(self, on: date, reason: str, *, by: str = "") -> None:
        """撤回 by the applicant (row 六3)."""
        self._require(
            OPEN_STATES, "案件已答复或已办结（the case has already been answered or closed）"
        )
        self._concluded(Outcome.WITHDRAWN, on, by)

    def review_confidentiality(self, review: ConfidentialityReview, *, by: str) -> None:
        """保密审查 (Art 17): before information is released; a later review replaces it."""
        self._require(
            STEP_STATES[Step.REVIEW_CONFIDENTIALITY],
            "保密审查须在答复前进行（review before the reply）",
        )
        if violations := review_violations(review):
            raise InvalidArgument(violations)
        self._not_before(review.reviewed_on, self.receipt_date, "reviewed_on")
        self._confidentiality_reviewed(review, by)

    def answer(self, reply: Reply, *, by: str) -> None:
        """答复: exactly one outcome, with the reasons, ground and agency the law requires;
        one that releases information lists what and has passed the review (Art 17)."""
        self._require(
            STEP_STATES[Step.ANSWER],
            "只有审核中或办理中的案件可以答复（answer a case under review or in progress）",
        )
        violations = reply_violations(reply)
        if violations := violations + released_violations(
            reply.outcome, reply.released, "released"
        ):
            raise InvalidArgument(violations)
        self._not_before(reply.replied_on, self.receipt_date, "replied_on")
        if reply.outcome in RELEASING:
            if self.review is None:
                raise PreconditionFailed(
                    "公开前须经保密审查（a release reply needs the confidentiality review, Art 17:"
                    " ReviewConfidentiality first）"
                )
            if refused := self.review.allows(reply.outcome):
                raise PreconditionFailed(refused)
        if reply.outcome is Outcome.R14 and self.correction_received_on is None:
            raise PreconditionFailed(
                "经补正仍不明确"
                "（R14）须已收到补正（R14 needs a correction that was received, Art 30）"
            )
        if reply.outcome is Outcome.R12 and not self.reasons_requested:
            raise PreconditionFailed(
                "不予处理（R12）须已要求说明理由（R12 needs reasons asked for under Art 35）"
            )
        self._replied(reply, by)

    def serve(self, method: ServiceMethod, served_on: date, *, by: str) -> None:
        """送达: the case is closed on the service date (for post, the day handed to the post)."""
        self._require(
            STEP_STATES[Step.SERVE], "须先作出答复再送达（serve a reply that has been issued）"
        )
        assert self.reply is not None  # noqa: S101 - REPLIED implies a reply
        self._not_before(served_on, self.reply.replied_on, "served_on")
        self._served(method, served_on, by)

    def record_document(self, document: IssuedDocument, *, by: str) -> None:
        """发文: a document of the case was issued, in any state (a notice may go out after the
        reply); a correction replaces a document of the same kind issued on this case."""
        if document.number in {d.number for d in self.documents}:
            raise PreconditionFailed(
                f"本案件已发出{document.number}"
                f"（{document.number} was issued on this case already）"
            )
        if document.replaces:
            earlier = [d for d in self.documents if d.number == document.replaces]
            if not earlier or earlier[0].kind is not document.kind:
                raise InvalidArgument(
                    [
                        FieldViolation(
                            "replaces",
                            "须为本案件已发出的同类文书的文号"
                            "（the number of a document of this kind issued on this case）",
                        )
                    ]
                )
        self._document_issued(document, by)

    # --- derived: the statutory clock ------------------------------------------------------

    def reply_deadline(
        self, calendar: WorkingDayCalendar, *, with_extension: bool = True
    ) -> Deadline:
        if self.delayed_due is not None:
            return Deadline(
                self.delayed_due,
                self.clock_start,
                self.clock_start_reason,
                0,
                replaced_by_art35=True,
                calendar_version=calendar.version,
            )
        return count_working_days(
            calendar,
            self.clock_start,
            self.clock_start_reason,
            REPLY_PERIOD,
            pauses=tuple(p.as_pause(calendar) for p in self.pauses),
            extension_days=self.extension_days if with_extension else 0,
        )

    def correction_notice_deadline(self, calendar: WorkingDayCalendar) -> Deadline:
        return count_working_days(
            calendar, self.receipt_date, "application received", CORRECTION_NOTICE_PERIOD
        )

    def current_reply_deadline(self, calendar: WorkingDayCalendar) -> Deadline | None:
        """The reply deadline as it stands; none while the applicant corrects, because the
        period restarts from the corrected application (Art 30)."""
        if self.state is CaseState.AWAITING_CORRECTION:
            return None
        return self.reply_deadline(calendar)

    def correction_due(self, calendar: WorkingDayCalendar) -> Deadline | None:
        """While a correction is awaited: the applicant's last day to correct."""
        if self.state is not CaseState.AWAITING_CORRECTION or self.correction is None:
            return None
        notice_date, period = self.correction
        return count_working_days(calendar, notice_date, "correction notice", period)

    def consultation_due(self, calendar: WorkingDayCalendar) -> Deadline | None:
        open_ = [p for p in self.pauses if p.kind is PauseKind.CONSULTATION and p.end is None]
        if not open_:
            return None
        return count_working_days(
            calendar, open_[-1].start, "consultation letter", CONSULTATION_PERIOD
        )

    def fee_due(self, calendar: WorkingDayCalendar) -> Deadline | None:
        if self.state is not CaseState.AWAITING_FEE or self._fee_notified_on is None:
            return None
        return count_working_days(
            calendar, self._fee_notified_on, "fee notice received", FEE_PAYMENT_PERIOD
        )

    # --- events -----------------------------------------------------------------------------

    @event("CorrectionRequested")
    def _correction_requested(
        self, items: list[str], notice_date: date, period: int, by: str
    ) -> None:
        self.correction = (notice_date, period)
        self.state = CaseState.AWAITING_CORRECTION

    @event("CorrectionReceived")
    def _correction_received(self, received_on: date, description: str) -> None:
        self.correction_received_on = received_on
        self.description = description
        self.clock_start = received_on
        self.clock_start_reason = "corrected application received (Art 30)"
        self.state = CaseState.REGISTERED

    @event("ReasonsRequested")
    def _reasons_requested(
        self, notice_date: date, by: str, unreasonable: str = "", period: int = 0
    ) -> None:
        self.reasons_requested = True
        self.state = CaseState.AWAITING_REASONS

    @event("ReasonsReceived")
    def _reasons_received(self, received_on: date, reasons: str) -> None:
        self.reasons_received_on = received_on
        self.reasons_given = reasons

    @event("ReasonsAssessed")
    def _reasons_assessed(
        self, reasonable: bool, later_due: date | None, by: str, why: str = ""
    ) -> None:
        self.delayed_due = later_due
        self.state = CaseState.IN_PROGRESS if reasonable else CaseState.AWAITING_REASONS

    @event("Accepted")
    def _accepted(self, by: str) -> None:
        self.state = CaseState.IN_PROGRESS

    @event("Assigned")
    def _assigned(self, assignee: str, by: str) -> None:
        self.assignee = assignee

    @event("ConsultationStarted")
    def _consultation_started(
        self,
        party: str,
        sent_on: date,
        by: str,
        party_kind: str = ConsultedParty.THIRD_PARTY.value,
        information: str = "",
        concern: str = "",
    ) -> None:
        self.pauses.append(PauseFact(PauseKind.CONSULTATION, sent_on, CONSULTATION_PERIOD))
        self.state = CaseState.CONSULTING

    @event("ConsultationEnded")
    def _consultation_ended(self, received_on: date, opinion: str, by: str) -> None:
        self.pauses[-1] = PauseFact(
            PauseKind.CONSULTATION, self.pauses[-1].start, CONSULTATION_PERIOD, received_on
        )
        self.state = CaseState.IN_PROGRESS

    @event("Extended")
    def _extended(self, days: int, approved_by: str, on: date, by: str, reason: str = "") -> None:
        self.extension_days = days

    @event("FeeNoticeIssued")
    def _fee_notice_issued(
        self,
        amount: str,
        method: str,
        notified_on: date,
        pauses: bool,
        by: str,
        quantity: int = 0,
        why: str = "",
        payment: str = "",
    ) -> None:
        self.fee_amount = amount
        self._fee_notified_on = notified_on
        if pauses:
            self.pauses.append(PauseFact(PauseKind.FEE, notified_on, FEE_PAYMENT_PERIOD))
        self.state = CaseState.AWAITING_FEE

    @event("FeePaid")
    def _fee_paid(self, paid_on: date, by: str) -> None:
        self._fee_settled(paid_on)

    @event("FeeWaived")
    def _fee_waived(self, waived_on: date, reason: str, by: str) -> None:
        self.fee_waiver_reason = reason
        self._fee_settled(waived_on)

    def _fee_settled(self, on: date) -> None:
        """The wait for payment ends on `on`: the fee pause, if the policy made one, closes."""
        fee_pauses = [i for i, p in enumerate(self.pauses) if p.kind is PauseKind.FEE]
        if fee_pauses:
            last = self.pauses[fee_pauses[-1]]
            self.pauses[fee_pauses[-1]] = PauseFact(last.kind, last.start, last.period, on)
        self.state = CaseState.IN_PROGRESS

    @event("Concluded")
    def _concluded(self, outcome: Outcome, on: date, by: str) -> None:
        self.outcome = Outcome(outcome)
        self.concluded_on = on
        self.state = CaseState.CLOSED

    @event("ConfidentialityReviewed")
    def _confidentiality_reviewed(self, review: ConfidentialityReview, by: str) -> None:
        self.review = review

    @event("Replied")
    def _replied(self, reply: Reply, by: str) -> None:
        self.reply = reply
        self.outcome = reply.outcome
        self.state = CaseState.REPLIED

    @event("Served")
    def _served(self, method: ServiceMethod, served_on: date, by: str) -> None:
        self.concluded_on = served_on
        self.state = CaseState.CLOSED

    @event("DocumentIssued")
    def _document_issued(self, document: IssuedDocument, by: str) -> None:
        self.documents.append(document)

    def allowed_steps(self) -> list[Step]:
        """The steps the case allows now, by its state (and a fee notice and an extension only
        once); a step may still be refused for its date or the caller's role."""
        once = {Step.EXTEND: not self.extension_days, Step.ISSUE_FEE_NOTICE: not self.fee_amount}
        return [
            step
            for step, states in STEP_STATES.items()
            if self.state in states and once.get(step, True)
        ]

    # --- guards -------------------------------------------------------------------------------

    def _require(self, states: frozenset[CaseState] | set[CaseState], why: str) -> None:
        if self.state not in states:
            raise PreconditionFailed(
                f"{why}；案件当前为{CASE_STATE_ZH[self.state]}（the case is {self.state.value}）"
            )

    @staticmethod
    def _not_before(day: date, earliest: date, name: str) -> None:
        if day < earliest:
            raise InvalidArgument(
                [FieldViolation(name, f"不能早于{earliest}（cannot be before {earliest}）")]
            )


def reply_violations(reply: Reply) -> list[FieldViolation]:
    """What the law requires a reply of this outcome to say (Arts 36-39)."""
    violations = []
    if reply.outcome in CONCLUDING_OUTCOMES:
        violations.append(
            FieldViolation(
                "outcome",
                (
                    "撤回、逾期未补正和逾期未缴费自行终止案件，不作答复"
                    "（withdrawal, lapsed correction and unpaid fee conclude a case themselves）"
                ),
            )
        )
    if reply.outcome.needs_ground and reply.ground is None:
        violations.append(
            FieldViolation(
                "ground", "不予公开须写明理由类别（R3 names the legal ground, Art 36(三)）"
            )
        )
    if reply.outcome not in _GROUNDED and reply.ground is not None:
        violations.append(
            FieldViolation(
                "ground",
                "只有不予公开（R3）和部分公开中不予公开的部分（R8）有理由类别"
                "（only a refusal, R3, or the part withheld, R8, has a ground）",
            )
        )
    if reply.outcome.needs_reasons and not reply.reasons.strip():
        violations.append(
            FieldViolation("reasons", "此答复须说明理由（this outcome must state its reasons）")
        )
    if reply.outcome is Outcome.R5 and not reply.responsible_agency.strip():
        violations.append(
            FieldViolation(
                "responsible_agency",
                (
                    "写明负责的机关，或说明无法确定"
                    "（name the agency responsible, or say it is unknown）"
                ),
            )
        )
    return violations


class ApplicantDetailsRead(Aggregate):
    """查阅记录: one opening of a case's applicant details by the agency's staff — who, with
    which roles, through which call; the event's time is when. One aggregate per read, so reads
    of one case at the same moment never conflict. Listed for the auditor, never logged."""

    @event("Read")
    def __init__(
        self,
        case_id: UUID,
        application_number: str,
        agency_code: str,
        reader: str,
        roles: list[str],
        call: str,
    ) -> None:
        self.case_id = case_id
        self.application_number = application_number
        self.agency_code = agency_code
        self.reader = reader
        self.roles = roles
        self.call = call


# R3 refuses on a ground; R8 refuses the part it withholds on one (Art 37, 36(三)).
_GROUNDED = frozenset({Outcome.R3, Outcome.R8})

CASE_VALUE_TYPES = (
    PauseFact,
    Reply,
    ReleasedItem,
    ConfidentialityReview,
    DocumentReference,
    IssuedDocument,
)
