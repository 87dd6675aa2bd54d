"""The command line says what went wrong in the person's terms (issue 16, item 14): a refused
field by the option that filled it, and a date typed wrong without Python's words for it."""

from __future__ import annotations

import argparse

import pytest

from ogi.cli.main import _parser
from ogi.cli.shown import day, option_for


@pytest.mark.parametrize(
    ("field", "option"),
    [
        ("applicant.identity_document.number", "--id-number"),
        ("applicant.contact.postal_address", "--address"),
        ("information.description", "--description"),
        ("reply.reasons", "--reasons"),
        ("items[2]", "--item"),
        ("receipt_date", "--receipt-date"),
        ("request_id", "--request-id"),
        ("no_such_thing", "no_such_thing"),
    ],
)
def test_a_refused_field_is_named_by_its_option(field: str, option: str) -> None:
    assert option_for(field, _parser()) == option


def test_a_date_typed_wrong_is_refused_in_words() -> None:
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        day("2026-13-01")
    assert "不是有效日期" in str(refused.value)
    assert "fromisoformat" not in str(refused.value)
    assert str(day(" 2026-12-03 ")) == "2026-12-03"


def test_the_cli_refuses_a_wrong_date_without_pythons_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(
            ["apply", "--agency", "HZMZJ", "--name", "张三", "--receipt-date", "x"]
        )
    said = capsys.readouterr().err
    assert "--receipt-date" in said
    assert "不是有效日期" in said
    assert "invalid" not in said


def test_an_applicant_chooses_how_to_be_told_in_either_language() -> None:
    chosen = ["--notify", "短信", "--notify", "email"]
    args = _parser().parse_args(
        ["apply", "--agency", "HZMZJ", "--name", "张", "--description", "x", *chosen]
    )
    assert args.notify == ["短信", "email"]
