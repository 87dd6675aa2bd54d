"""Who is calling: signed bearer tokens (JWT, HS256) naming an agency and roles.

A handler sees and changes only the cases of the agency in the token; only an office head
(政府信息公开工作机构负责人) approves an extension (Art 33). A token counts only for an agency of
the directory the service runs with (Authenticator)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

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
    # 系统运维: lists and retries the services' set-aside events (ogi.operations), in every
    # agency; reads no case, dossier or report.
    OPERATOR = "operator"


# Who works on an agency's applications: any of them may read its cases, dossiers and reports.
STAFF = (Role.REGISTRAR, Role.HANDLER, Role.OFFICE_HEAD, Role.AUDITOR)


@dataclass(frozen=True)
class Principal:
    subject: str
    agency_code: str
    roles: frozenset[Role]

    def require_role(self, *allowed: Role) -> None:
        if not self.roles & set(allowed):
            names = ", ".join(r.value for r in allowed)
            raise PermissionDenied(f"needs one of the roles: {names}")

    def require_agency(self, agency_code: str) -> None:
        if agency_code != self.agency_code:
            raise PermissionDenied("the case belongs to another agency")


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
        raise Unauthenticated(f"invalid token: {type(e).__name__}") from e


class Authenticator:
    """Who a call comes from: its bearer token, signed with the services' key, for an agency in
    the services' directory. A token for an agency the directory does not hold (never there,
    or removed since) names no one who can act: UNAUTHENTICATED, as for any token that does
    not establish who is calling, so the client knows to get a new one; PERMISSION_DENIED is
    left for a known caller asking for what the roles or agency do not allow."""

    def __init__(self, key: str, agencies: AgencyDirectory) -> None:
        self.key = key
        self.agencies = agencies

    @classmethod
    def from_settings(cls, settings: Settings) -> Authenticator:
        return cls(settings.token_key, AgencyDirectory.from_file(settings.agencies_file))

    def principal(self, metadata: Iterable[tuple[str, str | bytes]] | None) -> Principal:
        principal = verify_token(self.key, bearer_token(metadata))
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
    raise Unauthenticated("send authorization: Bearer <token> (mint one with `ogi token`)")


def _roles(values: Sequence[str]) -> frozenset[Role]:
    return frozenset(Role(v) for v in values)
