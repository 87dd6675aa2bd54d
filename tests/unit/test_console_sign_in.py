"""The console's sign-in parts on their own: local accounts (argon2), the sign-in throttle, the
session store's idle expiry and sign-out, and reading who someone is from a provider's claims."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ogi.accounts import AccountError, LocalAccounts
from ogi.auth import ClaimMapping, Principal, Role
from ogi.errors import Unauthenticated
from services.console.sessions import SessionStore
from services.console.throttle import SignInThrottle, wait_text

HANDLER = Principal("李四", "HZMZJ", frozenset({Role.HANDLER}))


def test_a_local_account_keeps_only_an_argon2_hash(tmp_path: Path) -> None:
    accounts = LocalAccounts(tmp_path / "accounts.json")
    accounts.add("李四", "HZMZJ", frozenset({Role.HANDLER}), "correct horse")
    stored = (tmp_path / "accounts.json").read_text(encoding="utf-8")
    assert "correct horse" not in stored
    assert json.loads(stored)["accounts"]["李四"]["hash"].startswith("$argon2id$")
    assert (tmp_path / "accounts.json").stat().st_mode & 0o077 == 0
    found = accounts.verify("李四", "correct horse")
    assert found is not None
    assert found.principal == HANDLER
    assert accounts.verify("李四", "wrong horse") is None
    assert accounts.verify("王五", "correct horse") is None


def test_an_account_needs_a_name_a_role_and_a_long_enough_password(tmp_path: Path) -> None:
    accounts = LocalAccounts(tmp_path / "accounts.json")
    with pytest.raises(AccountError, match="8"):
        accounts.add("李四", "HZMZJ", frozenset({Role.HANDLER}), "short")
    with pytest.raises(AccountError):
        accounts.add(" ", "HZMZJ", frozenset({Role.HANDLER}), "long enough")
    with pytest.raises(AccountError):
        accounts.add("李四", "HZMZJ", frozenset(), "long enough")


def test_sign_in_attempts_are_throttled_within_their_window() -> None:
    now = [0.0]
    throttle = SignInThrottle(3, 900, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait_seconds("李四") == 0
        throttle.failed("李四")
    assert throttle.wait_seconds("李四") == 900
    assert throttle.wait_seconds("王五") == 0
    now[0] = 300.0
    assert throttle.wait_seconds("李四") == 600
    now[0] = 900.0
    assert throttle.wait_seconds("李四") == 0
    throttle.failed("李四")
    throttle.succeeded("李四")
    assert throttle.wait_seconds("李四") == 0
    assert (
        wait_text(899)
        == "登录失败次数过多，请约15分钟后再试（too many failed sign-ins; retry in 15 min）"
    )
    assert wait_text(0.2).startswith("登录失败次数过多，请约1秒后再试")


def test_a_session_ends_when_idle_or_signed_out() -> None:
    now = [0.0]
    sessions = SessionStore(idle_seconds=60, clock=lambda: now[0])
    one, two = sessions.create(HANDLER), sessions.create(HANDLER)
    assert one.id != two.id
    assert one.csrf != two.csrf
    now[0] = 59.0
    assert sessions.get(one.id) is one  # used: its idle time starts again
    now[0] = 110.0
    assert sessions.get(one.id) is one
    assert sessions.get(two.id) is None  # idle for 110 s
    sessions.end(one.id)
    assert sessions.get(one.id) is None


def test_claims_name_the_agency_and_roles_by_configuration() -> None:
    mapping = ClaimMapping(
        agency_claim="org",
        roles_claim="groups",
        role_map={"承办人": "handler", "负责人": "office_head"},
    )
    claims = {"sub": "u1", "name": "李四", "org": "HZMZJ", "groups": ["承办人", "负责人", "其他"]}
    assert mapping.principal(claims) == Principal(
        "李四", "HZMZJ", frozenset({Role.HANDLER, Role.OFFICE_HEAD})
    )
    assert mapping.principal(claims | {"groups": "handler registrar"}).roles == {
        Role.HANDLER,
        Role.REGISTRAR,
    }
    with pytest.raises(Unauthenticated, match="roles"):
        mapping.principal(claims | {"groups": ["其他"]})
    with pytest.raises(Unauthenticated, match="agency"):
        mapping.principal({"sub": "u1", "groups": ["承办人"]})
