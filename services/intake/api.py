"""IntakeService over gRPC: converts wire messages to commands and results back."""

from __future__ import annotations

import asyncio

import grpc

from ogi.auth import Authenticator, Role
from ogi.bounds import text_problem
from ogi.documents.connection import DocumentStoreConnection
from ogi.documents.kinds import DocumentKind
from ogi.documents.render import PDF
from ogi.documents.wire import file_name, kind_name
from ogi.errors import FieldViolation, InvalidArgument, Unavailable
from ogi.freshness import Freshness
from ogi.taxonomy import Outcome
from ogi.v1 import common_pb2, intake_pb2, intake_pb2_grpc
from ogi.wire import CATEGORY_CODES, CHANNEL_CODES, OUTCOME_CODES, date_to_wire, timestamp
from services.intake.application import Intake
from services.intake.clients import TrustedProxies
from services.intake.documents import document_to_wire, documents
from services.intake.domain import Application, ApplicationState, HistoryEntry
from services.intake.wire import (
    information_from_wire,
    information_to_wire,
    offline_receipt_from_wire,
    submission_from_wire,
)

STATES = {
    ApplicationState.RECEIVED: intake_pb2.APPLICATION_STATE_RECEIVED,
    ApplicationState.CORRECTION_REQUESTED: intake_pb2.APPLICATION_STATE_CORRECTION_REQUESTED,
    ApplicationState.IN_PROGRESS: intake_pb2.APPLICATION_STATE_IN_PROGRESS,
    ApplicationState.AWAITING_FEE: intake_pb2.APPLICATION_STATE_AWAITING_FEE,
    ApplicationState.ANSWERED: intake_pb2.APPLICATION_STATE_ANSWERED,
    ApplicationState.CONCLUDED: intake_pb2.APPLICATION_STATE_CONCLUDED,
    ApplicationState.WITHDRAWN: intake_pb2.APPLICATION_STATE_WITHDRAWN,
    ApplicationState.REASONS_REQUESTED: intake_pb2.APPLICATION_STATE_REASONS_REQUESTED,
}
HISTORY_LABELS = {
    "ApplicationSubmitted": ("已收到申请", "Application received"),
    "CorrectionSupplied": ("已提交补正材料", "Correction supplied"),
    "ApplicationWithdrawn": ("已撤回申请", "Application withdrawn"),
    "ReasonsSupplied": ("已说明理由", "Reasons supplied (Art 35)"),
    "DisclosureSuggested": (
        "已建议将相关信息纳入主动公开范围",
        "Proactive disclosure suggested (Art 44(2))",
    ),
    "CorrectionRequested": (
        "补正告知：请在期限内补正",
        "Correction requested: correct by the due date",
    ),
    "CorrectionReceived": (
        "补正材料已收到，答复期限重新计算",
        "Correction received; the reply period restarts",
    ),
    "CaseAccepted": ("申请已受理", "Application accepted"),
    "ReasonsRequested": ("请说明申请理由（第三十五条）", "Reasons requested (Art 35)"),
    "ReasonsAssessed": ("理由合理，另定答复期限", "Reasons accepted; a later reply date is set"),
    "ReplyPeriodExtended": ("延期答复告知", "Reply period extended (Art 33)"),
    "FeeNoticeIssued": ("收费通知：请在期限内缴费", "Fee notice: pay by the due date"),
    "FeePaid": ("已缴费", "Fee paid"),
    "FeeWaived": ("信息处理费已减免，无需缴费", "Fee waived: nothing to pay"),
    "ApplicationAnswered": ("已作出答复", "Reply issued"),
    "ReplyServed": ("答复已送达", "Reply served"),
    "CaseConcluded": ("申请已终止处理", "Application concluded without a reply"),
    "DocumentIssued": ("已出具文书", "Document issued"),
}
OFFLINE_ROLES = (Role.REGISTRAR,)


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(
        self,
        intake: Intake,
        auth: Authenticator,
        proxies: TrustedProxies | None = None,
        documents: DocumentStoreConnection | None = None,
    ) -> None:
        self.intake = intake
        self.auth = auth
        self.proxies = proxies or TrustedProxies.from_env()
        self.documents = documents
        # Reads reflect intake's log and, as applied here, handling's (ogi.freshness).
        self.freshness = Freshness("intake", intake, ("handling",))

    def requester(self, context: grpc.aio.ServicerContext) -> str:
        """The client's address: the unit that guessing is counted by."""
        return self.proxies.client(context.peer() or "", context.invocation_metadata())

    async def SubmitApplication(
        self, request: intake_pb2.SubmitApplicationRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.SubmitApplicationResponse:
        """Online, anyone may apply. Every other channel is entered by the agency's registrar,
        who records the receipt date (Art 31): that takes a registrar's token for the agency."""
        if request.channel not in (common_pb2.CHANNEL_ONLINE, common_pb2.CHANNEL_UNSPECIFIED):
            principal = self.auth.principal(context.invocation_metadata())
            principal.require_role(*OFFLINE_ROLES)
            principal.require_agency(request.agency_code.strip())
        violations: list = []  # type: ignore[type-arg]
        command = submission_from_wire(request, violations)
        if violations:
            raise InvalidArgument(violations)
        receipt = await asyncio.to_thread(self.intake.submit, command)
        return intake_pb2.SubmitApplicationResponse(
            application_number=receipt.application_number,
            query_code=receipt.query_code,
            receipt_date=date_to_wire(receipt.receipt_date),
            submitted_at=timestamp(receipt.submitted_at),
            replayed=receipt.replayed,
            position=(
                self.freshness.written_at(receipt.position)
                if receipt.position
                else await asyncio.to_thread(self.freshness.written)
            ),
        )

    async def GetApplicationStatus(
        self, request: intake_pb2.GetApplicationStatusRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.GetApplicationStatusResponse:
        position = await self.freshness.read(context, request.min_position)
        application = await asyncio.to_thread(
            self.intake.status,
            request.application_number.strip(),
            request.query_code,
            self.requester(context),
        )
        status = self._status(application)
        status.position = position
        return status

    async def DownloadDocument(
        self, request: intake_pb2.DownloadDocumentRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.DownloadDocumentResponse:
        """The PDF of a document addressed to the applicant, checked against its SHA-256."""
        if problem := text_problem(request.document_number, 100, required=True, single_line=True):
            raise InvalidArgument([FieldViolation("document_number", problem)])
        notice = await asyncio.to_thread(
            self.intake.document,
            request.application_number.strip(),
            request.query_code,
            self.requester(context),
            request.document_number,
        )
        if self.documents is None:  # a process started without the document store
            raise Unavailable("文书下载未启用（documents are not available in this process）")
        content = await self.documents.read(notice.pdf_sha256)
        return intake_pb2.DownloadDocumentResponse(
            document=document_to_wire(notice),
            content=content,
            media_type=PDF,
            file_name=file_name(notice.document_number, "pdf"),
        )

    async def SupplyCorrection(
        self, request: intake_pb2.SupplyCorrectionRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.SupplyCorrectionResponse:
        receipt_date = await asyncio.to_thread(
            self.intake.supply_correction,
            request.application_number.strip(),
            request.query_code,
            self.requester(context),
            information_from_wire(request.information),
            request.note.strip(),
        )
        return intake_pb2.SupplyCorrectionResponse(
            receipt_date=date_to_wire(receipt_date),
            position=await asyncio.to_thread(self.freshness.written),
        )

    async def WithdrawApplication(
        self, request: intake_pb2.WithdrawApplicationRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.WithdrawApplicationResponse:
        withdrawal_date = await asyncio.to_thread(
            self.intake.withdraw,
            request.application_number.strip(),
            request.query_code,
            self.requester(context),
            request.reason.strip(),
        )
        return intake_pb2.WithdrawApplicationResponse(
            withdrawal_date=date_to_wire(withdrawal_date),
            position=await asyncio.to_thread(self.freshness.written),
        )

    async def SupplyReasons(
        self, request: intake_pb2.SupplyReasonsRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.SupplyReasonsResponse:
        receipt_date = await asyncio.to_thread(
            self.intake.supply_reasons,
            request.application_number.strip(),
            request.query_code,
            self.requester(context),
            request.reasons.strip(),
        )
        return intake_pb2.SupplyReasonsResponse(receipt_date=date_to_wire(receipt_date))

    async def SuggestProactiveDisclosure(
        self,
        request: intake_pb2.SuggestProactiveDisclosureRequest,
        context: grpc.aio.ServicerContext,
    ) -> intake_pb2.SuggestProactiveDisclosureResponse:
        suggested_on = await asyncio.to_thread(
            self.intake.suggest_disclosure,
            request.application_number.strip(),
            request.query_code,
            self.requester(context),
            request.subject.strip(),
        )
        return intake_pb2.SuggestProactiveDisclosureResponse(
            suggested_on=date_to_wire(suggested_on)
        )

    async def RecordCorrectionReceived(
        self,
        request: intake_pb2.RecordCorrectionReceivedRequest,
        context: grpc.aio.ServicerContext,
    ) -> intake_pb2.RecordCorrectionReceivedResponse:
        """A correction handed in offline, entered by the agency's registrar (Art 30, 31)."""
        principal = self.auth.principal(context.invocation_metadata())
        received = offline_receipt_from_wire(request.received)
        receipt_date = await asyncio.to_thread(
            self.intake.record_correction,
            request.application_number.strip(),
            principal,
            received,
            information_from_wire(request.information),
            request.note.strip(),
        )
        return intake_pb2.RecordCorrectionReceivedResponse(receipt_date=date_to_wire(receipt_date))

    async def RecordWithdrawalReceived(
        self,
        request: intake_pb2.RecordWithdrawalReceivedRequest,
        context: grpc.aio.ServicerContext,
    ) -> intake_pb2.RecordWithdrawalReceivedResponse:
        """A withdrawal handed in on paper or orally, entered by the registrar."""
        principal = self.auth.principal(context.invocation_metadata())
        received = offline_receipt_from_wire(request.received)
        withdrawal_date = await asyncio.to_thread(
            self.intake.record_withdrawal,
            request.application_number.strip(),
            principal,
            received,
            request.reason.strip(),
        )
        return intake_pb2.RecordWithdrawalReceivedResponse(
            withdrawal_date=date_to_wire(withdrawal_date)
        )

    async def ListAgencies(
        self, request: intake_pb2.ListAgenciesRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.ListAgenciesResponse:
        return intake_pb2.ListAgenciesResponse(
            agencies=[
                common_pb2.Agency(
                    code=a.code,
                    name=a.name,
                    parent_code=a.parent_code,
                    asks_purpose=a.asks_purpose,
                )
                for a in self.intake.agencies
            ]
        )

    def _status(self, application: Application) -> intake_pb2.GetApplicationStatusResponse:
        agency = self.intake.agencies.get(application.agency_code)
        return intake_pb2.GetApplicationStatusResponse(
            application_number=application.number,
            state=STATES[application.state],
            agency=common_pb2.Agency(
                code=application.agency_code,
                name=agency.name if agency else "",
                parent_code=agency.parent_code if agency else "",
            ),
            channel=CHANNEL_CODES[application.channel],
            receipt_date=date_to_wire(application.receipt_date),
            applicant_category=(
                CATEGORY_CODES[application.applicant.category]
                if application.applicant.category
                else common_pb2.APPLICANT_CATEGORY_UNSPECIFIED
            ),
            information=information_to_wire(application.information),
            history=[_entry(entry) for entry in application.history],
            documents=[document_to_wire(notice) for notice in documents(application)],
        )


def _entry(entry: HistoryEntry) -> intake_pb2.StatusEntry:
    zh, en = HISTORY_LABELS.get(entry.kind, (entry.kind, entry.kind))
    status = intake_pb2.StatusEntry(
        at=timestamp(entry.at), kind=entry.kind, summary_zh=zh, summary_en=en
    )
    if (notice := entry.notice) is not None:
        status.issued_on.CopyFrom(date_to_wire(notice.issued_on))
        status.due.CopyFrom(date_to_wire(notice.due))
        status.items.extend(notice.items)
        status.amount = notice.amount
        if notice.outcome:
            status.outcome = OUTCOME_CODES[Outcome(notice.outcome)]
        status.details = notice.details
        if notice.document_number:
            document = document_to_wire(notice)
            status.document.CopyFrom(document)
            status.summary_zh = f"已出具{kind_name(DocumentKind(notice.document_kind))}"
            status.summary_en = f"{DocumentKind(notice.document_kind).value} issued"
            status.details = notice.document_number
    return status
