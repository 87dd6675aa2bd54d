"""The portal's only way into the system: IntakeService over gRPC. Each call carries the
applicant's address (for intake's guess throttle, which believes it from a trusted proxy) and
turns intake's refusals into what the pages show."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from ogi.v1 import intake_pb2, intake_pb2_grpc

# services.intake.clients.CLIENT_ADDRESS: the portal may not import intake, only speak to it.
CLIENT_ADDRESS = "ogi-client-address"
CALL_TIMEOUT = 10.0
T = TypeVar("T")


class Refused(Exception):
    """Intake said no; `message` is for the person, in Chinese (English after where given)."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class FieldErrors(Refused):
    """INVALID_ARGUMENT: what is wrong with each field, by the request's field path."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(grpc.StatusCode.INVALID_ARGUMENT, "请修改标出的内容")
        self.fields = fields


class IntakeGateway:
    def __init__(self, address: str) -> None:
        self.address = address
        self._channel: grpc.aio.Channel | None = None
        self._stub: intake_pb2_grpc.IntakeServiceStub | None = None

    async def open(self) -> None:
        self._channel = grpc.aio.insecure_channel(self.address)
        self._stub = intake_pb2_grpc.IntakeServiceStub(self._channel)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()

    @property
    def stub(self) -> intake_pb2_grpc.IntakeServiceStub:
        if self._stub is None:
            raise RuntimeError("IntakeGateway.open() first")
        return self._stub

    async def agencies(self) -> list[Any]:
        reply = await self._call(self.stub.ListAgencies, intake_pb2.ListAgenciesRequest(), "")
        return list(reply.agencies)

    async def submit(self, request: intake_pb2.SubmitApplicationRequest, client: str) -> Any:
        return await self._call(self.stub.SubmitApplication, request, client)

    async def status(self, number: str, code: str, client: str) -> Any:
        request = intake_pb2.GetApplicationStatusRequest(application_number=number, query_code=code)
        return await self._call(self.stub.GetApplicationStatus, request, client)

    async def supply_correction(
        self, request: intake_pb2.SupplyCorrectionRequest, client: str
    ) -> Any:
        return await self._call(self.stub.SupplyCorrection, request, client)

    async def withdraw(self, request: intake_pb2.WithdrawApplicationRequest, client: str) -> Any:
        return await self._call(self.stub.WithdrawApplication, request, client)

    async def supply_reasons(self, request: intake_pb2.SupplyReasonsRequest, client: str) -> Any:
        return await self._call(self.stub.SupplyReasons, request, client)

    async def suggest(
        self, request: intake_pb2.SuggestProactiveDisclosureRequest, client: str
    ) -> Any:
        return await self._call(self.stub.SuggestProactiveDisclosure, request, client)

    async def download(self, number: str, code: str, document: str, client: str) -> Any:
        """A document's PDF (DownloadDocument), where intake serves documents."""
        request_type = getattr(intake_pb2, "DownloadDocumentRequest", None)
        method = getattr(self.stub, "DownloadDocument", None)
        if request_type is None or method is None:
            raise Refused(grpc.StatusCode.NOT_FOUND, "文书暂不能下载。")
        request = request_type(application_number=number, query_code=code, document_number=document)
        return await self._call(method, request, client)

    async def _call(self, method: Callable[..., Awaitable[T]], request: Any, client: str) -> T:
        metadata = ((CLIENT_ADDRESS, client),) if client else ()
        try:
            return await method(request, metadata=metadata, timeout=CALL_TIMEOUT)
        except grpc.aio.AioRpcError as error:
            raise refusal(error) from None


def refusal(error: grpc.aio.AioRpcError) -> Refused:
    """What a failed call means for the person using the portal."""
    code = error.code()
    if code is grpc.StatusCode.INVALID_ARGUMENT:
        return FieldErrors(_field_violations(error))
    if code is grpc.StatusCode.NOT_FOUND:
        return Refused(code, "申请编号或查询码不正确，请核对后重新输入。")
    if code is grpc.StatusCode.RESOURCE_EXHAUSTED:
        return Refused(code, chinese(error.details() or "") or "尝试次数过多，请稍后再试。")
    if code is grpc.StatusCode.ALREADY_EXISTS:
        return Refused(code, "这份申请表已经提交过。如需再提交一份申请，请重新打开申请页面填写。")
    if code is grpc.StatusCode.FAILED_PRECONDITION:
        said = chinese(error.details() or "")
        return Refused(
            code,
            (f"{said}。" if _has_chinese(said) else "")
            + "申请当前的状态不能办理这一事项，请刷新查询结果后再看。",
        )
    if code in (grpc.StatusCode.ABORTED, grpc.StatusCode.DEADLINE_EXCEEDED):
        return Refused(code, "系统正忙，请稍后重新提交。")
    return Refused(grpc.StatusCode.UNAVAILABLE, "系统暂时无法办理，请稍后再试。")


def _field_violations(error: grpc.aio.AioRpcError) -> dict[str, str]:
    status = rpc_status.from_call(error)
    fields: dict[str, str] = {}
    for detail in status.details if status else ():
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            for v in bad_request.field_violations:
                fields.setdefault(v.field, chinese(v.description))
    return fields


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def chinese(message: str) -> str:
    """The Chinese part of a message written 中文（English）: the last parenthesised part goes
    when it holds the English; a message with no Chinese stays as it is."""
    text = message.strip()
    if text.endswith("）") and "（" in text:
        depth, start = 0, -1
        for i in range(len(text) - 1, -1, -1):
            depth += {"）": 1, "（": -1}.get(text[i], 0)
            if depth == 0:
                start = i
                break
        head = text[:start].strip() if start > 0 else ""
        if head:
            return head
    return text
