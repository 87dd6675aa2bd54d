"""The intake domain: an application for disclosure (政府信息公开申请) as the applicant made it.

No I/O here: aggregates record events; the application layer stores them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ogi.taxonomy import ApplicantCategory, Channel

_NAMESPACE = uuid5(NAMESPACE_URL, "https://ogi.invalid/intake")


class IdentityDocumentType(StrEnum):
    RESIDENT_IDENTITY_CARD = "resident_identity_card"  # 居民身份证
    UNIFIED_SOCIAL_CREDIT_CODE = "unified_social_credit_code"  # 统一社会信用代码
    PASSPORT = "passport"  # 护照
    OTHER = "other"


class DeliveryForm(StrEnum):
    PAPER = "paper"  # 纸质
    ELECTRONIC = "electronic"  # 电子
    INSPECTION = "inspection"  # 查阅


class DeliveryRoute(StrEnum):
    POST = "post"  # 邮寄
    PICKUP = "pickup"  # 自行领取
    EMAIL = "email"  # 电子邮件
    ONLINE_DOWNLOAD = "online_download"  # 网上下载


class NotificationChannel(StrEnum):
    """How the applicant wants to be told of the agency's notices."""

    EMAIL = "email"  # 电子邮件
    SMS = "sms"  # 短信


@dataclass(frozen=True)
class IdentityDocument:
    type: IdentityDocumentType | None
    number: str


@dataclass(frozen=True)
class Contact:
    phone: str = ""
    email: str = ""
    postal_address: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class Applicant:
    """申请人 (Art 29(一))."""

    category: ApplicantCategory | None
    name: str
    identity_document: IdentityDocument | None
    contact: Contact
    contact_person: str = ""


@dataclass(frozen=True)
class InformationDescription:
    """所需政府信息的名称、文号或者特征性描述 (Art 29(二))."""

    description: str
    document_title: str = ""
    document_number: str = ""


@dataclass(frozen=True)
class Delivery:
    """提供形式和获取方式 (Art 29(三))."""

    form: DeliveryForm | None
    route: DeliveryRoute | None


@dataclass(frozen=True)
class SubmitApplication:
    """Command: an application as submitted, before validation.

    `receipt_date` is the date the registrar records for offline channels (Art 31); online
    submissions leave it empty and are received when acknowledged."""

    request_id: str
    agency_code: str
    channel: Channel | None
    receipt_date: date | None
    applicant: Applicant
    information: InformationDescription
    delivery: Delivery
    transcribed_by: str = ""
    notify_by: tuple[NotificationChannel, ...] = ()
    purpose: str = ""  # 用途, for an agency that asks; never required


@dataclass(frozen=True)
class OfflineReceipt:
    """How something the applicant handed in after applying reached the agency (a correction,
    a withdrawal on paper or orally), as its registrar enters it: channel, receipt date by the
    channel's Art 31 rule, and who wrote down an oral one (代为填写). Before validation."""

    channel: Channel | None
    receipt_date: date | None
    transcribed_by: str = ""


class ApplicationState(StrEnum):
    """Where the application stands, as the applicant is told."""

    RECEIVED = "received"  # 已收到
    CORRECTION_REQUESTED = "correction_requested"  # 待补正 (Art 30)
    IN_PROGRESS = "in_progress"  # 办理中
    AWAITING_FEE = "awaiting_fee"  # 待缴费
    ANSWERED = "answered"  # 已答复
    CONCLUDED = "concluded"  # 已终止: not corrected or not paid in time
    WITHDRAWN = "withdrawn"  # 已撤回
    REASONS_REQUESTED = "reasons_requested"  # 待说明理由 (Art 35)


FINAL_STATES = frozenset(
    {ApplicationState.ANSWERED, ApplicationState.CONCLUDED, ApplicationState.WITHDRAWN}
)


@dataclass(frozen=True)
class Notice:
    """告知: something the agency told the applicant (correction notice, extension, fee notice,
    reply…). `kind` names handling's event; `due` is what the applicant or agency must meet."""

    kind: str
    issued_on: date | None
    due: date | None = None
    items: tuple[str, ...] = ()
    amount: str = ""
    outcome: str = ""
    details: str = ""
    # A document addressed to the applicant (DocumentIssued): its kind (ogi.documents.kinds
    # DocumentKind), number, the PDF's SHA-256 (what DownloadDocument serves), what it corrects.
    document_kind: str = ""
    document_number: str = ""
    pdf_sha256: str = ""
    replaces: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str
    notice: Notice | None = None


def application_id(request_id: UUID) -> UUID:
    """The aggregate id follows from the client's request id, which makes submission idempotent."""
    return uuid5(_NAMESPACE, f"application:{request_id}")


class Application(Aggregate):
    """依申请公开的申请: what the applicant asked for, and what the applicant did since.

    Created with an explicit `id` (see `application_id`)."""

    id: UUID
    happened_at: datetime  # the time of the event being applied (see Event)

    class Event(Aggregate.Event):
        """Lets an event method read its own event's time (`happened_at`): the library sets
        `modified_on` only after the method has run, so inside it that is the time of the event
        before, which the applicant's timeline once showed for every notice."""

        def mutate(self, aggregate: Any) -> Any:
            if aggregate is not None:
                aggregate.happened_at = self.timestamp
            return super().mutate(aggregate)

    @event("Submitted")
    def __init__(
        self,
        number: str,
        agency_code: str,
        channel: Channel,
        receipt_date: date,
        submitted_at: datetime,
        applicant: Applicant,
        information: InformationDescription,
        delivery: Delivery,
        transcribed_by: str,
        query_code_digest: str,
        fingerprint: str,
        notify_by: tuple[str, ...] = (),
        purpose: str = "",
    ) -> None:
        self.number = number
        self.agency_code = agency_code
        self.channel = Channel(channel)
        self.receipt_date = receipt_date
        self.submitted_at = submitted_at
        self.applicant = applicant
        self.information = information
        self.delivery = delivery
        self.transcribed_by = transcribed_by
        self.query_code_digest = query_code_digest
        self.fingerprint = fingerprint
        self.notify_by = tuple(NotificationChannel(c) for c in notify_by)
        self.purpose = purpose
        self.state = ApplicationState.RECEIVED
        self.history = [HistoryEntry(self.created_on, "ApplicationSubmitted")]

    def correction_requested_on(self) -> date | None:
        """The day of the latest correction notice (补正告知), as the applicant was told."""
        notices = [e.notice for e in self.history if e.kind == "CorrectionRequested" and e.notice]
        return notices[-1].issued_on if notices else None

    @event("CorrectionSupplied")
    def supply_correction(
        self,
        information: InformationDescription,
        note: str,
        receipt_date: date,
        channel: str = Channel.ONLINE.value,
        recorded_by: str = "",
        transcribed_by: str = "",
    ) -> None:
        """补正 (Art 30): the corrected application replaces the description on file. Handed in
        offline, the registrar who `recorded_by` it gives its channel and receipt date (Art 31);
        events stored before those existed read as online."""
        self.information = information
        self.history.append(HistoryEntry(self.happened_at, "CorrectionSupplied"))
        self.state = ApplicationState.RECEIVED  # under review again

    @event("Withdrawn")
    def withdraw(
        self,
        reason: str,
        withdrawal_date: date,
        channel: str = Channel.ONLINE.value,
        recorded_by: str = "",
        transcribed_by: str = "",
    ) -> None:
        """撤回: the applicant takes the application back; offline, as for a correction."""
        self.state = ApplicationState.WITHDRAWN
        self.withdrawal_date = withdrawal_date
        self.history.append(HistoryEntry(self.happened_at, "ApplicationWithdrawn"))

    @event("ReasonsSupplied")
    def supply_reasons(self, reasons: str, receipt_date: date) -> None:
        """说明理由 (Art 35): the reasons the agency asked for; under review again."""
        self.history.append(HistoryEntry(self.happened_at, "ReasonsSupplied"))
        self.state = ApplicationState.RECEIVED

    @event("DisclosureSuggested")
    def suggest_disclosure(self, subject: str, suggested_on: date, agency_code: str) -> None:
        """建议主动公开 (Art 44(2)) to the agency the application went to: relayed to it as
        an integration event."""
        self.history.append(HistoryEntry(self.happened_at, "DisclosureSuggested"))

    @event("NoticeReceived")
    def receive_notice(self, notice: Notice, state: ApplicationState | None) -> None:
        """The agency's handling told the applicant something; a withdrawal stays final."""
        if state is not None and self.state is not ApplicationState.WITHDRAWN:
            self.state = ApplicationState(state)
        self.history.append(HistoryEntry(self.happened_at, notice.kind, notice))


class NumberSequence(Aggregate):
    """申请编号: the numbers one agency has issued in one year, so each is issued once."""

    @staticmethod
    def create_id(agency_code: str, year: int) -> UUID:
        return uuid5(_NAMESPACE, f"number-sequence:{agency_code}:{year}")

    @event("Started")
    def __init__(self, agency_code: str, year: int) -> None:
        self.agency_code = agency_code
        self.year = year
        self.issued = 0

    @event("Issued")
    def issue(self) -> None:
        self.issued += 1

    @property
    def last_number(self) -> str:
        return f"{self.agency_code}-{self.year}-{self.issued:06d}"


class NumberAssignment(Aggregate):
    """Which application holds an application number: the lookup for status queries."""

    @staticmethod
    def create_id(number: str, application_id: UUID) -> UUID:
        return assignment_id(number)

    @event("Assigned")
    def __init__(self, number: str, application_id: UUID) -> None:
        self.number = number
        self.application_id = application_id


def assignment_id(number: str) -> UUID:
    return uuid5(_NAMESPACE, f"application-number:{number}")


VALUE_TYPES = (IdentityDocument, Contact, Applicant, InformationDescription, Delivery, Notice)
