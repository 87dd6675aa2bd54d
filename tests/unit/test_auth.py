"""Bearer tokens: who may do what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ogi.agencies import Agency, AgencyDirectory
from ogi.auth import Authenticator, Principal, Role, bearer_token, mint_token, verify_token
from ogi.cli.main import main
from ogi.config import new_cipher_key
from ogi.errors import PermissionDenied, Unauthenticated

KEY = new_cipher_key()
HANDLER = Principal("李四", "HZMZJ", frozenset({Role.HANDLER}))


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    first = "B" if signature[0] == "A" else "A"
    return f"{header}.{payload}.{first}{signature[1:]}"


def test_a_token_names_its_agency_and_roles() -> None:
    token = mint_token(KEY, HANDLER, datetime.now(UTC), timedelta(hours=1))
    assert verify_token(KEY, bearer_token([("authorization", f"Bearer {token}")])) == HANDLER


@pytest.mark.parametrize(
    "token",
    [
        mint_token(KEY, HANDLER, datetime.now(UTC) - timedelta(hours=2), timedelta(hours=1)),
        mint_token(new_cipher_key(), HANDLER, datetime.now(UTC), timedelta(hours=1)),
        _tampered(mint_token(KEY, HANDLER, datetime.now(UTC), timedelta(hours=1))),
        "not a token",
    ],
    ids=["expired", "other key", "tampered", "garbage"],
)
def test_anything_but_a_valid_token_is_unauthenticated(token: str) -> None:
    with pytest.raises(Unauthenticated):
        verify_token(KEY, token)


def test_a_token_counts_only_for_an_agency_in_the_directory() -> None:
    """Signed with the right key, but for an agency the directory does not hold (never there,
    or removed since): it names no one who can act."""
    directory = AgencyDirectory([Agency("HZMZJ", "菏泽市民政局", "")])
    authenticate = Authenticator(KEY, directory).principal
    now = datetime.now(UTC)
    token = mint_token(KEY, HANDLER, now, timedelta(hours=1))
    assert authenticate([("authorization", f"Bearer {token}")]) == HANDLER
    stranger = Principal("某人", "NOPE", frozenset({Role.HANDLER}))
    token = mint_token(KEY, stranger, now, timedelta(hours=1))
    with pytest.raises(Unauthenticated, match="NOPE is not in the agency directory"):
        authenticate([("authorization", f"Bearer {token}")])


def test_ogi_token_mints_none_for_an_agency_not_in_the_directory(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OGI_TOKEN_KEY", KEY)
    monkeypatch.setenv("OGI_CIPHER_KEY", new_cipher_key())
    assert main(["token", "--agency", "NOPE", "--role", "handler", "--subject", "某人"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "NOPE is not in the agency directory" in err


def test_no_bearer_header_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        bearer_token([("x-request-id", "1")])


def test_roles_and_agency_are_enforced() -> None:
    HANDLER.require_role(Role.HANDLER, Role.OFFICE_HEAD)
    HANDLER.require_agency("HZMZJ")
    with pytest.raises(PermissionDenied):
        HANDLER.require_role(Role.OFFICE_HEAD)
    with pytest.raises(PermissionDenied):
        HANDLER.require_agency("HZBGS")


def test_ogi_token_mints_with_the_configured_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OGI_TOKEN_KEY", KEY)
    monkeypatch.setenv("OGI_CIPHER_KEY", new_cipher_key())
    assert (
        main(
            [
                "token",
                "--agency",
                "HZMZJ",
                "--role",
                "office_head",
                "--role",
                "handler",
                "--subject",
                "王主任",
            ]
        )
        == 0
    )
    principal = verify_token(KEY, capsys.readouterr().out.strip())
    assert principal == Principal("王主任", "HZMZJ", frozenset({Role.OFFICE_HEAD, Role.HANDLER}))
