"""The console as an ASGI app (Starlette): its routes, what a refusal or a lapsed session turns
into, one log line per request (method, route, status, time: never a query string, a form, a
cookie or a token), and headers that keep pages out of caches and frames."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import grpc
import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ogi.accounts import LocalAccounts
from services.console import cases, documents, office, operations, registrar, signin
from services.console.backends import Backends, Refusal
from services.console.sessions import SESSION_COOKIE, SessionStore
from services.console.settings import ConsoleSettings
from services.console.throttle import SignInThrottle
from services.console.web import Console, SignInNeeded, console, render

log = structlog.get_logger("ogi.console")
STATIC = Path(__file__).parent / "static"
HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; frame-ancestors 'none'; form-action 'self' *",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


def create_app(settings: ConsoleSettings) -> Starlette:
    parts = Console(
        settings=settings,
        sessions=SessionStore(settings.idle_minutes * 60),
        throttle=SignInThrottle(settings.sign_in_failures, settings.sign_in_window_minutes * 60),
        address_throttle=SignInThrottle(
            settings.sign_in_failures * 4, settings.sign_in_window_minutes * 60
        ),
        accounts=LocalAccounts(settings.accounts_file),
        backends=Backends(settings.intake, settings.handling, settings.archive, settings.notifier),
    )
    if settings.oidc is not None:
        from services.console.oidc import OidcClient, routes  # only with a provider configured

        parts.oidc = OidcClient(settings.oidc, settings.public_url)
        oidc_routes = routes()
    else:
        oidc_routes = []

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        parts.backends.open()
        try:
            yield
        finally:
            await parts.backends.close()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
            *signin.ROUTES,
            *oidc_routes,
            *documents.ROUTES,
            *cases.ROUTES,
            *registrar.ROUTES,
            *office.ROUTES,
            *operations.ROUTES,
        ],
        exception_handlers={
            SignInNeeded: sign_in_needed,
            Refusal: refused,
            HTTPException: http_error,
        },
        lifespan=lifespan,
    )
    app.state.console = parts
    app.add_middleware(RequestLog)
    return app


async def healthz(_request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    """Ready when intake, handling and archive answer their health checks: a console that can
    reach none of them should not be sent people."""
    down = await console(request).backends.unhealthy()
    if down:
        return PlainTextResponse("unavailable: " + ", ".join(down), status_code=503)
    return PlainTextResponse("ready")


async def sign_in_needed(request: Request, _exc: Exception) -> Response:
    if request.headers.get("hx-request"):  # htmx follows this instead of swapping in a page
        return Response(status_code=200, headers={"hx-redirect": "/signin"})
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def refused(request: Request, exc: Exception) -> Response:
    """A refusal no page handled itself."""
    assert isinstance(exc, Refusal)  # noqa: S101 - registered for Refusal
    if exc.code == grpc.StatusCode.UNAUTHENTICATED:  # the token no longer counts: sign in again
        console(request).sessions.end(request.cookies.get(SESSION_COOKIE))
        return await sign_in_needed(request, exc)
    current = console(request).sessions.get(request.cookies.get(SESSION_COOKIE))
    status, message = {
        grpc.StatusCode.PERMISSION_DENIED: (
            403,
            "无权进行此操作（not allowed for your roles or agency）",
        ),
        grpc.StatusCode.NOT_FOUND: (404, "没有找到（not found）"),
        grpc.StatusCode.UNAVAILABLE: (
            503,
            "服务暂时不可用，请稍后重试（service temporarily unavailable）",
        ),
    }.get(exc.code, (502, exc.message))
    return render(request, "error.html", current, status, message=message, refusal=exc)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException
    current = console(request).sessions.get(request.cookies.get(SESSION_COOKIE))
    return render(request, "error.html", current, exc.status_code, message=exc.detail)


class RequestLog:
    """One structured line per request, and the security headers on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            log.info(
                "request",
                method=scope["method"],
                # The route's pattern, not the path: a path may hold an application number.
                route=getattr(route, "path", "?"),
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
