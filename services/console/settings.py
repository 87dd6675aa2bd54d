"""The console's configuration, read once from the environment like the services'."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ogi.accounts import accounts_file
from ogi.auth import JwksVerifier
from ogi.config import DEFAULT_PORTS, ConfigError, key_file

DEFAULT_LISTEN = "127.0.0.1:8080"


@dataclass(frozen=True)
class OidcSettings:
    """Sign-in at the agency's identity provider (OpenID Connect, authorization code + PKCE).
    The access tokens it issues are what the console calls the services with, and both read
    who the person is from them in the same way (ogi.auth.JwksVerifier, ClaimMapping)."""

    issuer: str
    client_id: str
    client_secret: str
    verifier: JwksVerifier
    scope: str = "openid profile"


@dataclass(frozen=True)
class ConsoleSettings:
    listen: str
    intake: str
    handling: str
    archive: str
    notifier: str  # what the applicant was sent (NotifierService), shown on the case
    nats_url: str
    data_dir: Path
    agencies_file: Path | None
    # Local accounts (embedded mode): the file `ogi users add` writes.
    accounts_file: Path
    # The services' HS256 key, to sign the tokens of local accounts; None under OIDC.
    token_key: str | None
    oidc: OidcSettings | None
    secure_cookies: bool
    idle_minutes: float
    # The address people open, for the OIDC redirect (http://127.0.0.1:8080 by default).
    public_url: str
    sign_in_failures: int = 5
    sign_in_window_minutes: float = 15

    @property
    def embedded(self) -> bool:
        return not self.secure_cookies


def load_console_settings(environ: Mapping[str, str] = os.environ) -> ConsoleSettings:
    data_dir = Path(environ.get("OGI_DATA_DIR", "data")).resolve()
    embedded = environ.get("OGI_DATABASE_URL", "sqlite").startswith("sqlite")
    listen = environ.get("OGI_CONSOLE_LISTEN") or environ.get("OGI_LISTEN") or DEFAULT_LISTEN
    oidc = _oidc(environ)
    secure = environ.get("OGI_CONSOLE_SECURE_COOKIES", "no" if embedded else "yes")
    return ConsoleSettings(
        listen=listen,
        intake=environ.get("OGI_INTAKE_ADDR", f"127.0.0.1:{DEFAULT_PORTS['intake']}"),
        handling=environ.get("OGI_HANDLING_ADDR", f"127.0.0.1:{DEFAULT_PORTS['handling']}"),
        archive=environ.get("OGI_ARCHIVE_ADDR", f"127.0.0.1:{DEFAULT_PORTS['archive']}"),
        notifier=environ.get("OGI_NOTIFIER_ADDR", f"127.0.0.1:{DEFAULT_PORTS['notifier']}"),
        nats_url=environ.get("OGI_NATS_URL", "nats://127.0.0.1:4222"),
        data_dir=data_dir,
        agencies_file=Path(p) if (p := environ.get("OGI_AGENCIES_FILE")) else None,
        accounts_file=accounts_file(environ),
        token_key=None if oidc else _token_key(environ, data_dir, embedded=embedded),
        oidc=oidc,
        secure_cookies=secure.lower() in ("yes", "true", "1"),
        idle_minutes=float(environ.get("OGI_CONSOLE_IDLE_MINUTES", "30")),
        public_url=environ.get("OGI_CONSOLE_URL", f"http://{listen}").rstrip("/"),
    )


def _oidc(environ: Mapping[str, str]) -> OidcSettings | None:
    verifier = JwksVerifier.from_env(environ)
    if verifier is None:
        return None
    client_id = environ.get("OGI_OIDC_CLIENT_ID")
    if not client_id:
        raise ConfigError("set OGI_OIDC_CLIENT_ID with OGI_OIDC_ISSUER")
    secret = environ.get("OGI_OIDC_CLIENT_SECRET", "")
    if not secret and (path := environ.get("OGI_OIDC_CLIENT_SECRET_FILE")):
        secret = Path(path).read_text().strip()
    return OidcSettings(
        issuer=verifier.issuer,
        client_id=client_id,
        client_secret=secret,
        verifier=verifier,
        scope=environ.get("OGI_OIDC_SCOPE", "openid profile"),
    )


def _token_key(environ: Mapping[str, str], data_dir: Path, *, embedded: bool) -> str:
    """The services' signing key (OGI_TOKEN_KEY, …_FILE, or embedded mode's data/token.key)."""
    if key := environ.get("OGI_TOKEN_KEY"):
        return key
    if named := environ.get("OGI_TOKEN_KEY_FILE"):
        return Path(named).read_text().strip()
    if not embedded:
        raise ConfigError("set OGI_TOKEN_KEY(_FILE) or OGI_OIDC_ISSUER (production mode)")
    return key_file(data_dir / "token.key").read_text().strip()
