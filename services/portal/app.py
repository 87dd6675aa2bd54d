"""The public portal (政府信息公开申请平台): apply, follow an application, and act on the
agency's notices, from any browser and without JavaScript. Server-rendered, no business rules:
it shows what intake answers and puts intake's field errors beside the fields.

Nothing secret travels in a URL: the query code comes in a form field and is rendered only
into the page that needs it (no caching). A page that needs the number and the query code is
reached by POST; cross-site forms can do no harm without the code, so no CSRF token is kept."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import grpc
import structlog
from grpc_health.v1 import health_pb2, health_pb2_grpc
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ogi.v1 import intake_pb2
from services.portal import forms, words
from services.portal.documents import documents_of
from services.portal.gateway import FieldErrors, IntakeGateway, Refused

log = structlog.get_logger("portal")

HERE = Path(__file__).parent
# htmx 2.0.11, copied from the npm package htmx.org (static/htmx.LICENSE): served from here,
# never from a CDN. Every page works without it; it only keeps the page in place on submit and
# disables a submit button while its request is on its way.
HTMX = HERE / "static" / "htmx.min.js"
NO_STORE = {"Cache-Control": "no-store"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
HTTP_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: 422,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.ABORTED: 409,
}
ACTIONS = ("correction", "withdraw", "reasons", "suggest")
ACTION_DONE = {
    "correction": "补正材料已提交，行政机关将重新审查您的申请。",
    "withdraw": "申请已撤回。",
    "reasons": "理由已提交。",
    "suggest": "建议已提交，行政机关将研究处理。",
}


def create_app(gateway: IntakeGateway) -> Starlette:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(words=words, htmx=HTMX.exists())

    def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
        return templates.TemplateResponse(
            request, name, context, status_code=status, headers=NO_STORE
        )

    async def agencies() -> list[Any]:
        return await gateway.agencies()

    async def home(request: Request) -> Response:
        return page(request, "home.html")

    async def apply_form(request: Request) -> Response:
        filled = forms.new_application(request.query_params.get("agency", ""))
        return page(request, "apply.html", form=filled, agencies=await agencies())

    async def apply(request: Request) -> Response:
        filled = forms.read(await request.form(), forms.APPLICATION_FIELDS)
        try:
            receipt = await gateway.submit(forms.submission(filled), client(request))
        except Refused as refused:
            if isinstance(refused, FieldErrors):
                filled.place(refused.fields, forms.APPLICATION_FIELDS)
            else:
                filled.general.append(refused.message)
            if refused.code is grpc.StatusCode.ALREADY_EXISTS:
                filled.values["request_id"] = forms.new_application().values["request_id"]
            return page(
                request,
                "apply.html",
                HTTP_STATUS.get(refused.code, 503),
                form=filled,
                agencies=await agencies(),
            )
        agency = next((a for a in await agencies() if a.code == filled.values["agency_code"]), None)
        log.info("application submitted", replayed=receipt.replayed)
        return page(request, "receipt.html", receipt=receipt, agency=agency)

    async def lookup_form(request: Request) -> Response:
        return page(request, "lookup.html", number="", error="")

    async def lookup(request: Request) -> Response:
        form = await request.form()
        number, code = _credentials(form)
        return await status_page(request, number, code)

    async def status_page(
        request: Request,
        number: str,
        code: str,
        *,
        done: str = "",
        action: str = "",
        filled: forms.Filled | None = None,
        status: int = 200,
    ) -> Response:
        try:
            reply = await gateway.status(number, code, client(request))
        except Refused as refused:
            return page(
                request,
                "lookup.html",
                HTTP_STATUS.get(refused.code, 503),
                number=number,
                error=refused.message,
            )
        return page(
            request,
            "status.html",
            status,
            status_reply=reply,
            number=number,
            code=code,
            timeline=[words.timeline_entry(e) for e in reply.history],
            documents=documents_of(reply),
            final=reply.state in words.FINAL_STATES,
            done=done,
            action=action,
            form=filled or forms.Filled(),
            on_file=forms.on_file(reply.information),
            blank=forms.Filled(),
        )

    async def act(request: Request) -> Response:
        action = request.path_params["action"]
        if action not in ACTIONS:
            return PlainTextResponse("没有这个页面", status_code=404)
        form = await request.form()
        number, code = _credentials(form)
        filled = forms.read(
            form, (*forms.INFORMATION_FIELDS, "note", "reason", "reasons", "subject", "confirm")
        )
        if action == "withdraw" and filled.values["confirm"] != "yes":
            filled.errors["confirm"] = "撤回后不能恢复，请勾选确认。"
            return await status_page(
                request, number, code, action=action, filled=filled, status=422
            )
        try:
            await _perform(gateway, action, number, code, filled, client(request))
        except Refused as refused:
            if isinstance(refused, FieldErrors):
                filled.place(refused.fields, tuple(filled.values))
            else:
                filled.general.append(refused.message)
            return await status_page(
                request,
                number,
                code,
                action=action,
                filled=filled,
                status=HTTP_STATUS.get(refused.code, 503),
            )
        log.info("applicant acted", action=action)
        return await status_page(request, number, code, done=ACTION_DONE[action])

    async def download(request: Request) -> Response:
        """The PDF of a document addressed to the applicant, as an attachment."""
        form = await request.form()
        number, code = _credentials(form)
        document = str(form.get("document") or "").strip()
        try:
            reply = await gateway.download(number, code, document, client(request))
        except Refused as refused:
            return await status_page(
                request, number, code, done="", action="document", filled=_refused(refused)
            )
        log.info("document downloaded")
        return Response(
            reply.content,
            media_type=reply.media_type or "application/pdf",
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(reply.file_name)}",
                **NO_STORE,
            },
        )

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(_request: Request) -> Response:
        """Ready while intake answers its health check: the portal can do nothing without it."""
        try:
            async with grpc.aio.insecure_channel(gateway.address) as channel:
                reply = await health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(), timeout=2
                )
        except grpc.aio.AioRpcError:
            return PlainTextResponse("intake unreachable", status_code=503)
        if reply.status != health_pb2.HealthCheckResponse.SERVING:
            return PlainTextResponse("intake not serving", status_code=503)
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await gateway.open()
        try:
            yield
        finally:
            await gateway.close()

    return Starlette(
        routes=[
            Route("/", home),
            Route("/apply", apply_form, methods=["GET"]),
            Route("/apply", apply, methods=["POST"]),
            Route("/status", lookup_form, methods=["GET"]),
            Route("/status", lookup, methods=["POST"]),
            Route("/status/document", download, methods=["POST"]),
            Route("/status/{action}", act, methods=["POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=_logged)],
        lifespan=lifespan,
    )


def _refused(refused: Refused) -> forms.Filled:
    return forms.Filled(general=[refused.message])


def client(request: Request) -> str:
    """The applicant's address as the portal sees it (uvicorn takes it from X-Forwarded-For
    when the request comes through a proxy it trusts): what intake counts guesses by."""
    return request.client.host if request.client else ""


def _credentials(form: FormData) -> tuple[str, str]:
    return str(form.get("number") or "").strip(), str(form.get("code") or "").strip()


async def _perform(
    gateway: IntakeGateway,
    action: str,
    number: str,
    code: str,
    filled: forms.Filled,
    client_address: str,
) -> None:
    v = filled.values
    if action == "correction":
        await gateway.supply_correction(
            intake_pb2.SupplyCorrectionRequest(
                application_number=number,
                query_code=code,
                information=forms.information(filled),
                note=v["note"],
            ),
            client_address,
        )
    elif action == "withdraw":
        await gateway.withdraw(
            intake_pb2.WithdrawApplicationRequest(
                application_number=number, query_code=code, reason=v["reason"]
            ),
            client_address,
        )
    elif action == "reasons":
        await gateway.supply_reasons(
            intake_pb2.SupplyReasonsRequest(
                application_number=number, query_code=code, reasons=v["reasons"]
            ),
            client_address,
        )
    else:
        await gateway.suggest(
            intake_pb2.SuggestProactiveDisclosureRequest(
                application_number=number, query_code=code, subject=v["subject"]
            ),
            client_address,
        )


async def _logged(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """One line per request: method, path, status and time; never the form, the query code or
    the client's address."""
    started = time.monotonic()
    response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    log.info(
        "request",
        method=request.method,
        path=request.url.path,
        status=response.status_code,
        ms=round((time.monotonic() - started) * 1000, 1),
    )
    return response
