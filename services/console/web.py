"""What every page shares: the signed-in session, the form token (CSRF), the token the services
are called with, and rendering a template with the person and the page's refusal."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from ogi.accounts import LocalAccounts
from ogi.auth import Role, mint_token
from services.console import present
from services.console.backends import Backends, Refusal
from services.console.sessions import SESSION_COOKIE, Session, SessionStore
from services.console.settings import ConsoleSettings
from services.console.throttle import SignInThrottle

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.globals.update(present.GLOBALS)
TEMPLATES.env.filters.update(present.FILTERS)
TOKEN_TTL = timedelta(minutes=15)
TOKEN_RENEW_BEFORE = 120.0  # seconds: a token this close to its end is replaced before a call


@dataclass
class Console:
    """The console's parts, shared by every request (app.state.console)."""

    settings: ConsoleSettings
    sessions: SessionStore
    throttle: SignInThrottle  # by name
    address_throttle: SignInThrottle  # by client address
    accounts: LocalAccounts
    backends: Backends
    oidc: Any = None  # services.console.oidc.OidcClient under OIDC


class SignInNeeded(Exception):
    """No live session: the person is sent to sign in."""


def console(request: Request) -> Console:
    found: Console = request.app.state.console
    return found


def session(request: Request) -> Session:
    found = console(request).sessions.get(request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise SignInNeeded
    return found


async def token(request: Request, current: Session) -> str:
    """The bearer token for the services: for a local account a short-lived one signed with
    the services' key, renewed before it ends; under OIDC the provider's access token."""
    parts = console(request)
    if current.token and current.token_expires - time.monotonic() > TOKEN_RENEW_BEFORE:
        return current.token
    if parts.oidc is not None:
        await parts.oidc.refresh(current)
        if not current.token:
            parts.sessions.end(current.id)
            raise SignInNeeded
        return current.token
    key = parts.settings.token_key
    assert key is not None  # noqa: S101 - local accounts come with the services' key
    current.token = mint_token(key, current.principal, datetime.now(UTC), TOKEN_TTL)
    current.token_expires = time.monotonic() + TOKEN_TTL.total_seconds()
    return current.token


async def checked_form(request: Request, current: Session) -> FormData:
    """The posted form, refused (403) unless it carries this session's form token."""
    form = await request.form()
    given = form.get("csrf")
    if not isinstance(given, str) or not hmac.compare_digest(given, current.csrf):
        raise HTTPException(
            403, "表单已失效，请刷新页面后重试（the form token is missing or stale）"
        )
    return form


def render(
    request: Request,
    template: str,
    current: Session | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    context.setdefault("refusal", None)
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"me": current, "roles": current.principal.roles if current else frozenset(), **context},
        status_code=status_code,
    )


def redirect(url: str) -> RedirectResponse:
    """After a form that changed something: see the result with a GET (303)."""
    return RedirectResponse(url, status_code=303)


def has_role(current: Session, *roles: Role) -> bool:
    return bool(current.principal.roles & set(roles))


def text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def day(form: FormData, name: str) -> date | None:
    """A date field (YYYY-MM-DD, as <input type=date> sends it); None when left empty, which
    the services read as today."""
    value = text(form, name)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise Refusal(
            grpc.StatusCode.INVALID_ARGUMENT,
            "日期格式应为 YYYY-MM-DD（a date is written YYYY-MM-DD）",
            {name: "日期格式应为 YYYY-MM-DD（a date is written YYYY-MM-DD）"},
        ) from None
