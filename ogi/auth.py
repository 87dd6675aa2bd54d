"""Who is calling: signed bearer tokens (JWT) naming an agency and roles.

A handler sees and changes only the cases of the agency in the token; only an office head
(政府信息公开工作机构负责人) approves an extension (Art 33). A token counts only for an agency of
the directory the service runs with (Authenticator).

Two kinds of token, never both: in embedded mode, HS256 tokens signed with the services' own key
(`ogi token`, the console's local accounts); in production, with OGI_OIDC_ISSUER set, RS256
access tokens of the agency's identity provider, verified against its published keys (JWKS)
with the issuer, the audience (OGI_OIDC_AUDIENCE) and the algorithm pinned and `exp` required;
the agency and roles are read from the claims configuration names (ClaimMapping)."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt

from ogi.agencies import AgencyDirectory
from ogi.config import Settings
from ogi.errors import PermissionDenied, Unauthenticated

ISSUER = "ogi"
ALGORITHM = "HS256"


class Role(StrEnum):
    REGISTRAR = "registrar"  # 登记人员
    HANDLER = "handler"  # 承办人
    OFFICE_HEAD = "office_head"  # 工作机构负责人
    AUDITOR = "auditor"  # read-only
    REVIEWER = "reviewer"  # 保密审查人员 (Art 17): reviews what is to be released
    # 系统运维: lists and retries the services' set-aside events (ogi.operations), in every
    # agency; reads no case, dossier or report.
    OPERATOR = "operator"


# Who works on an agency's applications: any of them may read its cases, dossiers and reports.
STAFF = (Role.REGISTRAR, Role.HANDLER, Role.OFFICE_HEAD, Role.AUDITOR, Role.REVIEWER)


@dataclass(frozen=True)
class Principal:
    subject: str
    agency_code: str
    roles: frozenset[Role]

    def require_role(self, *allowed: Role) -> None:
        if not self.roles & set(allowed):
            names = ", ".join(r.value for r in allowed)
            raise PermissionDenied(f"需要以下角色之一：{names}（needs one of the roles: {names}）")

    def require_agency(self, agency_code: str) -> None:
        if agency_code != self.agency_code:
            raise PermissionDenied("属于其他机关（the case belongs to another agency）")


def mint_token(key: str, principal: Principal, now: datetime, ttl: timedelta) -> str:
    claims = {
        "iss": ISSUER,
        "sub": principal.subject,
        "agency": principal.agency_code,
        "roles": sorted(r.value for r in principal.roles),
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify_token(key: str, token: str) -> Principal:
    """The principal of a valid token; Unauthenticated for anything else."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iss", "sub"]},
        )
        return Principal(claims["sub"], claims["agency"], _roles(claims["roles"]))
    except (jwt.InvalidTokenError, KeyError, ValueError) as e:
        raise Unauthenticated(_token_refused(e)) from e


RS256 = "RS256"


@dataclass(frozen=True)
class ClaimMapping:
    """Where an identity provider's token says who the person is: the claim holding the agency
    code, the claim holding the roles (a list, or a string separated by spaces or commas), and
    the provider's role names mapped to ours (role_map; our own names count as themselves).
    Roles it does not know are ignored; a token with none of ours names no one who can act."""

    agency_claim: str = "agency"
    roles_claim: str = "roles"
    name_claims: tuple[str, ...] = ("name", "preferred_username", "sub")
    role_map: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> ClaimMapping:
        pairs = [
            p.split("=", 1) for p in environ.get("OGI_OIDC_ROLE_MAP", "").split(",") if "=" in p
        ]
        name = environ.get("OGI_OIDC_NAME_CLAIM")
        return cls(
            agency_claim=environ.get("OGI_OIDC_AGENCY_CLAIM", "agency"),
            roles_claim=environ.get("OGI_OIDC_ROLES_CLAIM", "roles"),
            name_claims=(name, "sub") if name else cls.name_claims,
            role_map={k.strip(): v.strip() for k, v in pairs},
        )

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        agency = claims.get(self.agency_claim)
        if not isinstance(agency, str) or not agency:
            raise Unauthenticated(
                f"令牌未载明所属机关（the token has no agency claim: {self.agency_claim}）"
            )
        raw = claims.get(self.roles_claim, [])
        names = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
        known = {r.value for r in Role}
        roles = frozenset(
            Role(mapped) for n in names if (mapped := self.role_map.get(n, n)) in known
        )
        if not roles:
            raise Unauthenticated(
                f"令牌未载明本系统的角色（the token names none of our roles: {self.roles_claim}）"
            )
        subject = next((str(claims[c]) for c in self.name_claims if claims.get(c)), "")
        if not subject:
            raise Unauthenticated("令牌未载明使用人（the token does not say who it is: sub）")
        return Principal(subject, agency, roles)


class JwksVerifier:
    """RS256 tokens of the agency's identity provider (OpenID Connect): the signature checked
    against the provider's published keys (JWKS, fetched once and again for a key id not yet
    seen), the issuer, the audience and the algorithm pinned, `exp` required. Anything else is
    UNAUTHENTICATED: another issuer, another audience, HS256, a token past its time."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        claims: ClaimMapping | None = None,
        jwks_url: str | None = None,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.claims = claims or ClaimMapping()
        self._jwks_url = jwks_url
        self._keys: jwt.PyJWKClient | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> JwksVerifier | None:
        """The verifier OGI_OIDC_ISSUER and OGI_OIDC_AUDIENCE configure; None without them."""
        issuer = environ.get("OGI_OIDC_ISSUER")
        if not issuer:
            return None
        audience = environ.get("OGI_OIDC_AUDIENCE")
        if not audience:
            raise ValueError("set OGI_OIDC_AUDIENCE with OGI_OIDC_ISSUER")
        return cls(
            issuer, audience, ClaimMapping.from_env(environ), environ.get("OGI_OIDC_JWKS_URL")
        )

    def decode(self, token: str, audience: str | None = None) -> dict[str, Any]:
        """The token's claims once it is proved genuine; Unauthenticated otherwise."""
        try:
            key = self._key_set().get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[RS256],
                issuer=self.issuer,
                audience=audience or self.audience,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except (jwt.InvalidTokenError, jwt.PyJWKClientError, OSError, ValueError) as e:
            raise Unauthenticated(_token_refused(e)) from e
        return claims

    def verify(self, token: str) -> Principal:
        return self.claims.principal(self.decode(token))

    def _key_set(self) -> jwt.PyJWKClient:
        if self._keys is None:
            url = self._jwks_url or discover(self.issuer)["jwks_uri"]
            self._keys = jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
        return self._keys


def discover(issuer: str) -> dict[str, Any]:
    """The provider's OpenID configuration (its endpoints and jwks_uri)."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the configured issuer
        found: dict[str, Any] = json.load(response)
    if found.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise ValueError("the provider's configuration names another issuer")
    return found


class Authenticator:
    """Who a call comes from: its bearer token, signed with the services' key (or, with OIDC
    configured, by the agency's identity provider), for an agency in the services' directory.
    A token for an agency the directory does not hold (never there, or removed since) names no
    one who can act: UNAUTHENTICATED, as for any token that does not establish who is calling,
    so the client knows to get a new one; PERMISSION_DENIED is left for a known caller asking
    for what the roles or agency do not allow."""

    def __init__(
        self, key: str, agencies: AgencyDirectory, provider: JwksVerifier | None = None
    ) -> None:
        self.key = key
        self.agencies = agencies
        self.provider = provider

    @classmethod
    def from_settings(cls, settings: Settings) -> Authenticator:
        return cls(
            settings.token_key,
            AgencyDirectory.from_file(settings.agencies_file),
            JwksVerifier.from_env(),
        )

    def principal(self, metadata: Iterable[tuple[str, str | bytes]] | None) -> Principal:
        token = bearer_token(metadata)
        if self.provider is not None:  # the shared key is for embedded mode only
            principal = self.provider.verify(token)
        else:
            principal = verify_token(self.key, token)
        if self.agencies.get(principal.agency_code) is None:
            raise Unauthenticated(
                f"令牌所属机关 {principal.agency_code} 不在机关目录中（the token's agency "
                f"{principal.agency_code} is not in the agency directory）"
            )
        return principal


def bearer_token(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    """The token from an ``authorization: Bearer …`` header."""
    for name, value in metadata or ():
        if name == "authorization" and isinstance(value, str) and value.startswith("Bearer "):
            return value.removeprefix("Bearer ").strip()
    raise Unauthenticated(
        "须提供令牌（send authorization: Bearer <token>; mint one with `ogi token`）"
    )


def _token_refused(error: Exception) -> str:
    """Why a token is refused, in words: never the name of the library's exception."""
    if isinstance(error, jwt.ExpiredSignatureError):
        return "令牌已过期，请重新获取（the token has expired; get a new one）"
    if isinstance(error, jwt.InvalidAudienceError | jwt.InvalidIssuerError):
        return "令牌不是为本系统签发的（the token was not issued for ogi）"
    return "令牌无效（invalid token）"


def _roles(values: Sequence[str]) -> frozenset[Role]:
    return frozenset(Role(v) for v in values)
