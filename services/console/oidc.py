"""Sign-in at the agency's identity provider: OpenID Connect, authorization code with PKCE
(Authlib's OAuth 2 client). The console sends the person to the provider with a fresh state,
nonce and code verifier (kept server-side), takes the code back once, exchanges it for tokens,
checks the ID token (signature, issuer, audience = our client, nonce) and reads who the person
is from the access token exactly as the services will (ogi.auth.JwksVerifier). The tokens stay
in the session; the browser gets only the session cookie."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import structlog
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ogi.auth import discover
from ogi.errors import Unauthenticated
from services.console.sessions import PendingSignIn, Session
from services.console.settings import OidcSettings
from services.console.web import console, render

log = structlog.get_logger("ogi.console")
CALLBACK = "/signin/callback"


class OidcClient:
    def __init__(self, settings: OidcSettings, public_url: str) -> None:
        self.settings = settings
        self.redirect_uri = public_url + CALLBACK
        self._metadata: dict[str, Any] | None = None

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            self._metadata = await asyncio.to_thread(discover, self.settings.issuer)
        return self._metadata

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.settings.client_id,
            client_secret=self.settings.client_secret or None,
            scope=self.settings.scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method=(
                "client_secret_basic" if self.settings.client_secret else "none"
            ),
            timeout=10,
        )

    async def authorization_url(self, pending: PendingSignIn) -> str:
        endpoint = (await self.metadata())["authorization_endpoint"]
        async with self._client() as client:
            url, _state = client.create_authorization_url(
                endpoint,
                state=pending.state,
                nonce=pending.nonce,
                code_verifier=pending.code_verifier,
            )
        return str(url)

    async def tokens(self, code: str, pending: PendingSignIn) -> dict[str, Any]:
        endpoint = (await self.metadata())["token_endpoint"]
        async with self._client() as client:
            token = await client.fetch_token(
                endpoint, code=code, code_verifier=pending.code_verifier
            )
        return dict(token)

    def signed_in(self, tokens: dict[str, Any], pending: PendingSignIn) -> Any:
        """The principal of a sign-in, once its ID token and access token prove it."""
        verifier = self.settings.verifier
        identity = verifier.decode(str(tokens.get("id_token", "")), self.settings.client_id)
        if identity.get("nonce") != pending.nonce:
            raise Unauthenticated(
                "登录凭据与本次登录不符（the ID token's nonce is not this sign-in's）"
            )
        return verifier.verify(str(tokens.get("access_token", "")))

    async def refresh(self, session: Session) -> None:
        """A new access token from the refresh token; none (sign in again) if that fails."""
        session.token = ""
        if not session.refresh_token:
            return
        endpoint = (await self.metadata())["token_endpoint"]
        try:
            async with self._client() as client:
                token = await client.refresh_token(endpoint, refresh_token=session.refresh_token)
            keep(session, dict(token))
        except Exception as error:
            log.info("token_refresh_failed", error=type(error).__name__)
            session.token = ""

    async def end_session_url(self, session: Session) -> str | None:
        """Where to end the person's session at the provider too (RP-initiated logout)."""
        endpoint = (await self.metadata()).get("end_session_endpoint")
        if not endpoint:
            return None
        query = {"client_id": self.settings.client_id}
        if session.id_token:
            query["id_token_hint"] = session.id_token
        return f"{endpoint}?{urlencode(query)}"


def keep(session: Session, tokens: dict[str, Any]) -> None:
    session.token = str(tokens.get("access_token", ""))
    session.token_expires = time.monotonic() + float(tokens.get("expires_in", 300))
    session.refresh_token = str(tokens.get("refresh_token", "") or session.refresh_token)
    session.id_token = str(tokens.get("id_token", "") or session.id_token)


async def start(request: Request) -> Response:
    parts = console(request)
    pending = PendingSignIn(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        code_verifier=generate_token(64),
    )
    parts.sessions.begin_sign_in(pending)
    return RedirectResponse(await parts.oidc.authorization_url(pending), status_code=303)


async def callback(request: Request) -> Response:
    from services.console.signin import start_session  # signin imports this module's routes

    parts = console(request)
    params = request.query_params
    pending = parts.sessions.finish_sign_in(params.get("state", ""))
    if pending is None or "code" not in params:
        log.info("sign_in_failed", reason="state" if pending is None else params.get("error", "?"))
        return render(
            request,
            "signin_oidc.html",
            None,
            400,
            message="登录未完成，请重试（sign-in did not complete; try again）",
        )
    try:
        tokens = await parts.oidc.tokens(params["code"], pending)
        principal = parts.oidc.signed_in(tokens, pending)
    except Exception as error:
        log.info("sign_in_failed", reason=type(error).__name__)
        return render(
            request,
            "signin_oidc.html",
            None,
            401,
            message="身份认证未通过（the identity provider's answer was not accepted）",
        )
    response = RedirectResponse("/", status_code=303)
    created = start_session(request, principal, response)
    keep(created, tokens)
    return response


def routes() -> list[Route]:
    return [
        Route("/signin/oidc", start, methods=["GET"]),
        Route(CALLBACK, callback, methods=["GET"]),
    ]
