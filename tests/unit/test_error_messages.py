"""What an error says to a person (issue 16, item 14): Chinese first, the English after, and
never the name of a Python exception."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ogi.auth import Principal, Role, mint_token, verify_token
from ogi.config import new_cipher_key
from ogi.errors import Unauthenticated

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
# The errors a servicer lets through to the client (ogi.errors), and a field's complaint.
SAID_TO_A_PERSON = {
    "FieldViolation",
    "PreconditionFailed",
    "NotFound",
    "Conflict",
    "AlreadyExists",
    "PermissionDenied",
    "Unauthenticated",
    "TooManyAttempts",
    "Unavailable",
}


def _said_in_english_only(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in SAID_TO_A_PERSON:
            continue
        said = node.args[1:2] if name == "FieldViolation" else node.args[:1]
        for argument in said:
            text = ast.get_source_segment(source, argument) or ""
            literal = isinstance(argument, ast.Constant | ast.JoinedStr)
            if literal and not CJK.search(text):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text}")
    return found


def test_every_error_the_services_raise_is_said_in_chinese_first() -> None:
    sources = sorted((ROOT / "services").rglob("*.py")) + sorted((ROOT / "ogi").rglob("*.py"))
    english_only = [line for path in sources for line in _said_in_english_only(path)]
    assert english_only == []


@pytest.mark.parametrize(
    ("ttl", "said"), [(timedelta(seconds=-5), "令牌已过期"), (timedelta(hours=1), "令牌无效")]
)
def test_a_refused_token_is_explained_without_the_librarys_exception(
    ttl: timedelta, said: str
) -> None:
    key = new_cipher_key()
    principal = Principal("李四", "HZMZJ", frozenset({Role.HANDLER}))
    token = mint_token(key, principal, datetime.now(UTC), ttl)
    wrong_key = new_cipher_key() if ttl > timedelta(0) else key
    with pytest.raises(Unauthenticated) as refused:
        verify_token(wrong_key, token)
    message = str(refused.value)
    assert said in message
    assert "Error" not in message
