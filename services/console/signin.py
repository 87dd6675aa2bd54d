"""Signing in and out. Local accounts (embedded mode): name and password, throttled. Under OIDC
the identity provider signs people in (services.console.oidc). The session id goes into an
HttpOnly, SameSite=Lax cookie (Secure outside embedded mode); nothing else reaches the browser."""

from __future__ import annotations

import hmac
import secrets

import structlog
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ogi.auth import Principal
from services.console.sessions import SESSION_COOKIE, Session
from services.console.throttle import wait_text
from services.console.web import SignInNeeded, checked_form, console, redirect, render, session

SIGN_IN_COOKIE = "ogi_signin"  # the sign-in form's token (login CSRF), before any session
log = structlog.get_logger("ogi.console")


def start_session(request: Request, principal: Principal, response: Response) -> Session:
    parts = console(request)
    parts.sessions.end(request.cookies.get(SESSION_COOKIE))  # never keep an id across sign-in
    created = parts.sessions.create(principal)
    response.set_cookie(
        SESSION_COOKIE,
        created.id,
        httponly=True,
        samesite="lax",
        secure=parts.settings.secure_cookies,
        path="/",
    )
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    log.info("signed_in", agency=principal.agency_code, roles=sorted(principal.roles))
    return created


async def sign_in_page(request: Request) -> Response:
    parts = console(request)
    if parts.oidc is not None:
        return render(request, "signin_oidc.html", None)
    form_token = secrets.token_urlsafe(32)
    response = render(request, "signin.html", None, form_token=form_token)
    _set_form_cookie(request, response, form_token)
    return response


async def sign_in(request: Request) -> Response:
    parts = console(request)
    if parts.oidc is not None:
        return RedirectResponse("/signin", status_code=303)
    form = await request.form()
    given, expected = form.get("csrf", ""), request.cookies.get(SIGN_IN_COOKIE, "")
    if not (isinstance(given, str) and expected and hmac.compare_digest(given, expected)):
        return render(request, "error.html", None, 403, message=_STALE_FORM)
    name = str(form.get("name", "")).strip()
    password = str(form.get("password", ""))
    address = request.client.host if request.client else ""
    wait = max(parts.throttle.wait_seconds(name), parts.address_throttle.wait_seconds(address))
    if wait:
        log.warning("sign_in_throttled")
        return _form_again(request, wait_text(wait), name, 429)
    account = parts.accounts.verify(name, password)
    if account is None:
        parts.throttle.failed(name)
        parts.address_throttle.failed(address)
        log.info("sign_in_failed")
        return _form_again(request, "姓名或密码不正确（wrong name or password）", name, 401)
    parts.throttle.succeeded(name)
    response = redirect("/")
    start_session(request, account.principal, response)
    return response


async def sign_out(request: Request) -> Response:
    parts = console(request)
    try:
        current = session(request)
    except SignInNeeded:
        return redirect("/signin")
    await checked_form(request, current)
    parts.sessions.end(current.id)
    log.info("signed_out", agency=current.principal.agency_code)
    response = redirect("/signin")
    response.delete_cookie(SESSION_COOKIE, path="/")
    if parts.oidc is not None and (end := await parts.oidc.end_session_url(current)):
        response = redirect(end)
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


_STALE_FORM = "表单已失效，请刷新页面后重试（the form token is missing or stale）"


def _form_again(request: Request, message: str, name: str, status: int) -> Response:
    form_token = secrets.token_urlsafe(32)
    response = render(
        request, "signin.html", None, status, form_token=form_token, message=message, name=name
    )
    _set_form_cookie(request, response, form_token)
    return response


def _set_form_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        SIGN_IN_COOKIE,
        value,
        httponly=True,
        samesite="lax",
        secure=console(request).settings.secure_cookies,
        path="/",
        max_age=3600,
    )


ROUTES = [
    Route("/signin", sign_in_page, methods=["GET"]),
    Route("/signin", sign_in, methods=["POST"]),
    Route("/signout", sign_out, methods=["POST"]),
]
