"""The archive's aggregates: the dossier of each case (归档, Art 45) with the remedies against it
(行政复议, 行政诉讼, Art 51). No I/O here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ogi.errors import FieldViolation, InvalidArgument, PreconditionFailed
from ogi.taxonomy import (
    ApplicantCategory,
    NonDisclosureGround,
    Outcome,
    RemedyKind,
    RemedyResult,
    ReportRow,
)


class EntryKind(StrEnum):
    """What a dossier holds (domain.md §3.6): one entry per document or proof."""

    APPLICATION = "application"  # 申请及收件凭证
    CORRECTION_NOTICE = "correction_notice"  # 补正告知书
    CORRECTION = "correction"  # 补正后的申请
    REASONS_NOTICE = "reasons_notice"  # 说明理由通知 (Art 35)
    REASONS_ASSESSMENT = "reasons_assessment"
    CONSULTATION_LETTER = "consultation_letter"  # 征求意见函
    CONSULTATION_OPINION = "consultation_opinion"  # 第三方/协作机关意见
    EXTENSION = "extension"  # 延期答复审批及告知书
    FEE_NOTICE = "fee_notice"  # 收费通知
    PAYMENT = "payment"  # 缴费凭证
    FEE_WAIVER = "fee_waiver"  # 减免审批
    CONFIDENTIALITY_REVIEW = "confidentiality_review"  # 公开审查呈批单 (Art 17)
    REPLY = "reply"  # 答复书
    SERVICE_PROOF = "service_proof"  # 送达回证/交邮凭证
    CONCLUSION = "conclusion"  # 终止处理记录
    REMEDY = "remedy"  # 复议/诉讼文书
    ISSUED_DOCUMENT = "issued_document"  # 发文: a document the agency issued, by its hashes


@dataclass(frozen=True)
class IndexEntry:
    """卷内目录 line: what, when, and what it says in one line."""

    kind: EntryKind
    on: date
    summary: str


@dataclass(frozen=True)
class Remedy:
    number: int  # 1, 2, … within the dossier
    kind: RemedyKind
    filed_on: date
    reference: str  # 案号 of the reconsideration body or court
    result: RemedyResult = RemedyResult.PENDING
    decided_on: date | None = None


@dataclass(frozen=True)
class RetentionPolicy:
    """保管期限 [policy]: the agency's records schedule. Defaults: 10 years after the year the
    file closed (定期10年); 30 years once a remedy was brought against it."""

    years: int = 10
    with_remedy_years: int = 30

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> RetentionPolicy:
        return cls(
            years=int(environ.get("OGI_POLICY_RETENTION_YEARS", cls.years)),
            with_remedy_years=int(
                environ.get("OGI_POLICY_RETENTION_WITH_REMEDY_YEARS", cls.with_remedy_years)
            ),
        )


@dataclass(frozen=True)
class Conclusion:
    """How the case ended, as the annual report counts it (domain.md §5)."""

    outcome: Outcome
    ground: NonDisclosureGround | None
    concluded_on: date  # service date of the reply, or the day the case otherwise ended

    @property
    def row(self) -> ReportRow:
        return self.outcome.report_row(self.ground)


class Dossier(Aggregate):
    """案卷: everything on file about one application, from registration to the last remedy."""

    @event("Opened")
    def __init__(
        self,
        case_id: UUID,
        application_number: str,
        agency_code: str,
        receipt_date: date,
        applicant_category: ApplicantCategory,
        description: str,
        applicant_key: str,
    ) -> None:
        self.case_id = case_id
        self.application_number = application_number
        self.agency_code = agency_code
        self.receipt_date = receipt_date
        self.applicant_category = ApplicantCategory(applicant_category)
        self.description = description
        self.applicant_key = applicant_key
        self.index: list[IndexEntry] = [
            IndexEntry(EntryKind.APPLICATION, receipt_date, f"申请 {application_number}")
        ]
        self.answer: tuple[Outcome, NonDisclosureGround | None] | None = None
        self.conclusion: Conclusion | None = None
        self.archive_number = ""
        self.retention_years = 0
        self.fee_paid: tuple[str, date] | None = None  # (amount in 元, paid on)
        self.remedies: list[Remedy] = []

    @staticmethod
    def create_id(case_id: UUID, **_: object) -> UUID:
        """One dossier per case, whatever redelivers the registration."""
        return case_id

    @property
    def archived(self) -> bool:
        return self.conclusion is not None

    @property
    def retention_until(self) -> date | None:
        if self.conclusion is None:
            return None
        return date(self.conclusion.concluded_on.year + self.retention_years, 12, 31)

    # --- from handling ----------------------------------------------------------------------

    def file(self, kind: EntryKind, on: date, summary: str) -> None:
        self._filed(IndexEntry(kind, on, summary))

    def record_payment(self, amount: str, paid_on: date) -> None:
        self._paid(amount, paid_on)

    def record_answer(
        self, outcome: Outcome, ground: NonDisclosureGround | None, replied_on: date, summary: str
    ) -> None:
        self._answered(outcome, ground, IndexEntry(EntryKind.REPLY, replied_on, summary))

    def close(
        self, concluded_on: date, entry: IndexEntry, policy: RetentionPolicy, outcome: Outcome
    ) -> None:
        """归档: the case has ended; it gets its archive number and retention period. `outcome`
        is the answer's, or the concluding outcome (lapse, withdrawal) when there was none."""
        if self.archived:
            raise PreconditionFailed("案卷已归档（the dossier is archived already）")
        ground = self.answer[1] if self.answer else None
        conclusion = Conclusion(outcome, ground, concluded_on)
        years = policy.with_remedy_years if self.remedies else policy.years
        number = f"{concluded_on.year}-D{years}-{self.application_number}"
        self._archived(conclusion, number, years, entry)

    # --- remedies (Art 51) --------------------------------------------------------------------

    def file_remedy(
        self, kind: RemedyKind, filed_on: date, reference: str, policy: RetentionPolicy
    ) -> Remedy:
        """A reconsideration or a lawsuit against the agency's handling of this application."""
        if filed_on < self.receipt_date:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "filed_on", "救济不能早于申请（a remedy cannot precede the application）"
                    )
                ]
            )
        if not reference.strip():
            raise InvalidArgument([FieldViolation("reference", "the case number (案号) is needed")])
        remedy = Remedy(len(self.remedies) + 1, kind, filed_on, reference.strip())
        retention = max(self.retention_years, policy.with_remedy_years) if self.archived else 0
        self._remedy_filed(remedy, retention)
        return remedy

    def decide_remedy(self, number: int, result: RemedyResult, decided_on: date) -> Remedy:
        if not 1 <= number <= len(self.remedies):
            raise InvalidArgument(
                [
                    FieldViolation(
                        "remedy",
                        f"本案卷没有第{number}项救济（this dossier has no remedy {number}）",
                    )
                ]
            )
        remedy = self.remedies[number - 1]
        if remedy.result is not RemedyResult.PENDING:
            raise PreconditionFailed(
                f"第{number}项救济已有结果（remedy {number} was decided already ({remedy.result})）"
            )
        if result is RemedyResult.PENDING:
            raise InvalidArgument([FieldViolation("result", "a decision is 维持, 纠正 or 其他")])
        if decided_on < remedy.filed_on:
            raise InvalidArgument(
                [FieldViolation("decided_on", "早于救济提出之日（before the remedy was filed）")]
            )
        decided = replace(remedy, result=result, decided_on=decided_on)
        self._remedy_decided(decided)
        return decided

    # --- events -------------------------------------------------------------------------------

    @event("Filed")
    def _filed(self, entry: IndexEntry) -> None:
        self.index.append(entry)

    @event("FeePaid")
    def _paid(self, amount: str, paid_on: date) -> None:
        self.fee_paid = (amount, paid_on)
        self.index.append(IndexEntry(EntryKind.PAYMENT, paid_on, f"缴费 {amount} 元"))

    @event("Answered")
    def _answered(
        self, outcome: Outcome, ground: NonDisclosureGround | None, entry: IndexEntry
    ) -> None:
        self.answer = (Outcome(outcome), NonDisclosureGround(ground) if ground else None)
        self.index.append(entry)

    @event("Archived")
    def _archived(
        self, conclusion: Conclusion, archive_number: str, retention_years: int, entry: IndexEntry
    ) -> None:
        self.conclusion = conclusion
        self.archive_number = archive_number
        self.retention_years = retention_years
        self.index.append(entry)

    @event("RemedyFiled")
    def _remedy_filed(self, remedy: Remedy, retention_years: int) -> None:
        self.remedies.append(remedy)
        if retention_years:
            self.retention_years = retention_years
        self.index.append(
            IndexEntry(EntryKind.REMEDY, remedy.filed_on, f"{remedy.kind} {remedy.reference}")
        )

    @event("RemedyDecided")
    def _remedy_decided(self, remedy: Remedy) -> None:
        self.remedies[remedy.number - 1] = remedy


class DossierNumber(Aggregate):
    """Index: an application number to its dossier, saved with the dossier's opening."""

    @event("Indexed")
    def __init__(self, application_number: str, dossier_id: UUID) -> None:
        self.dossier_id = dossier_id

    @staticmethod
    def create_id(application_number: str, **_: object) -> UUID:
        return dossier_number_id(application_number)


def dossier_number_id(application_number: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"ogi:dossier-number:{application_number}")


VALUE_TYPES = (IndexEntry, Remedy, Conclusion)
