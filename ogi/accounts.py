"""Local accounts (embedded mode, `make run`): staff sign in to the console with a name and a
password, kept as an argon2 hash beside the agency and roles, in one JSON file (owner-only)
written by `ogi users add` and read by the console."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ogi.auth import Principal, Role

_HASHER = PasswordHasher()
# Checked when the name is unknown, so that an unknown name takes as long as a wrong password.
_NOBODY = _HASHER.hash("nobody has this password")
MIN_PASSWORD = 8


def accounts_file(environ: Mapping[str, str] = os.environ) -> Path:
    """Where local accounts are kept: OGI_CONSOLE_ACCOUNTS_FILE, else in the data folder."""
    if named := environ.get("OGI_CONSOLE_ACCOUNTS_FILE"):
        return Path(named)
    return Path(environ.get("OGI_DATA_DIR", "data")).resolve() / "console-accounts.json"


class AccountError(Exception):
    """The account cannot be added as given; the message says why (Chinese, then English)."""


@dataclass(frozen=True)
class Account:
    name: str
    agency_code: str
    roles: frozenset[Role]
    password_hash: str

    @property
    def principal(self) -> Principal:
        return Principal(self.name, self.agency_code, self.roles)


class LocalAccounts:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, object]]:
        if not self.path.exists():
            return {}
        accounts = json.loads(self.path.read_text(encoding="utf-8")).get("accounts", {})
        return dict(accounts)

    def get(self, name: str) -> Account | None:
        entry = self._read().get(name)
        if entry is None:
            return None
        roles = entry["roles"]
        assert isinstance(roles, list)  # noqa: S101 - our own file
        return Account(
            name,
            str(entry["agency"]),
            frozenset(Role(r) for r in roles),
            str(entry["hash"]),
        )

    def add(self, name: str, agency_code: str, roles: frozenset[Role], password: str) -> Account:
        """Add or replace the account `name` (a new password, agency or roles)."""
        name = name.strip()
        if not name:
            raise AccountError("姓名不能为空（the name is required）")
        if len(password) < MIN_PASSWORD:
            raise AccountError(
                f"密码至少{MIN_PASSWORD}个字符（the password needs {MIN_PASSWORD} characters）"
            )
        if not roles:
            raise AccountError("至少一个角色（at least one role）")
        accounts = self._read()
        accounts[name] = {
            "agency": agency_code,
            "roles": sorted(r.value for r in roles),
            "hash": _HASHER.hash(password),
        }
        self._write(accounts)
        return Account(name, agency_code, roles, str(accounts[name]["hash"]))

    def verify(self, name: str, password: str) -> Account | None:
        """The account if the password is right; None otherwise (same work either way)."""
        account = self.get(name)
        try:
            _HASHER.verify(account.password_hash if account else _NOBODY, password)
        except (VerificationError, InvalidHashError):
            return None
        return account

    def _write(self, accounts: dict[str, dict[str, object]]) -> None:
        """Atomically, readable by the owner only: the file holds password hashes."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".accounts-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"accounts": accounts}, out, ensure_ascii=False, indent=1)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)
