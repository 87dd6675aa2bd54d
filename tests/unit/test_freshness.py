"""Positions as tokens (ogi.freshness): what a client passes from one service to another."""

from __future__ import annotations

import pytest

from ogi.errors import InvalidArgument
from ogi.freshness import merged, parse, token


def test_a_token_names_each_services_highest_position() -> None:
    assert parse("intake:12, handling:34,intake:5") == {"intake": 12, "handling": 34}
    assert parse("") == {}
    assert token({"intake": 12, "handling": 34, "archive": 0}) == "handling:34,intake:12"
    assert merged("intake:3", "handling:4,intake:9", "") == "handling:4,intake:9"


@pytest.mark.parametrize("wrong", ["intake", "intake:", ":3", "Intake:3", "intake:3;a:1", "a:1,"])
def test_a_malformed_token_names_its_field(wrong: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        parse(wrong)
    assert [v.field for v in raised.value.violations] == ["min_position"]
