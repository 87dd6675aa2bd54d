"""IntakeService over gRPC: converts wire messages to commands and results back."""

from __future__ import annotations

import asyncio

import grpc

from ogi.errors import InvalidArgument
from ogi.v1 import common_pb2, intake_pb2, intake_pb2_grpc
from ogi.wire import CATEGORY_CODES, CHANNEL_CODES, date_to_wire, timestamp
from services.intake.application import Intake
from services.intake.domain import Application, ApplicationState
from services.intake.wire import information_from_wire, information_to_wire, submission_from_wire

STATES = {
    ApplicationState.RECEIVED: intake_pb2.APPLICATION_STATE_RECEIVED,
    ApplicationState.WITHDRAWN: intake_pb2.APPLICATION_STATE_WITHDRAWN,
}
HISTORY_LABELS = {
    "ApplicationSubmitted": ("已收到申请", "Application received"),
    "CorrectionSupplied": ("已提交补正材料", "Correction supplied"),
    "ApplicationWithdrawn": ("已撤回申请", "Application withdrawn"),
}


def requester(context: grpc.aio.ServicerContext) -> str:
    """The client's address without its port: the unit that guessing is counted by."""
    peer: str = context.peer() or "unknown"
    return peer.rsplit(":", 1)[0]


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    async def SubmitApplication(
        self, request: intake_pb2.SubmitApplicationRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.SubmitApplicationResponse:
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
        )

    async def GetApplicationStatus(
        self, request: intake_pb2.GetApplicationStatusRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.GetApplicationStatusResponse:
        application = await asyncio.to_thread(
            self.intake.status,
            request.application_number.strip(),
            request.query_code,
            requester(context),
        )
        return self._status(application)

    async def SupplyCorrection(
        self, request: intake_pb2.SupplyCorrectionRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.SupplyCorrectionResponse:
        receipt_date = await asyncio.to_thread(
            self.intake.supply_correction,
            request.application_number.strip(),
            request.query_code,
            requester(context),
            information_from_wire(request.information),
            request.note.strip(),
        )
        return intake_pb2.SupplyCorrectionResponse(receipt_date=date_to_wire(receipt_date))

    async def WithdrawApplication(
        self, request: intake_pb2.WithdrawApplicationRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.WithdrawApplicationResponse:
        withdrawal_date = await asyncio.to_thread(
            self.intake.withdraw,
            request.application_number.strip(),
            request.query_code,
            requester(context),
            request.reason.strip(),
        )
        return intake_pb2.WithdrawApplicationResponse(withdrawal_date=date_to_wire(withdrawal_date))

    async def ListAgencies(
        self, request: intake_pb2.ListAgenciesRequest, context: grpc.aio.ServicerContext
    ) -> intake_pb2.ListAgenciesResponse:
        return intake_pb2.ListAgenciesResponse(
            agencies=[
                common_pb2.Agency(code=a.code, name=a.name, parent_code=a.parent_code)
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
            history=[
                intake_pb2.StatusEntry(
                    at=timestamp(entry.at),
                    kind=entry.kind,
                    summary_zh=HISTORY_LABELS[entry.kind][0],
                    summary_en=HISTORY_LABELS[entry.kind][1],
                )
                for entry in application.history
            ],
        )
