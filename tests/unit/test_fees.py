"""The fee rules of domain.md §6."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ogi.taxonomy import NonDisclosureGround, Outcome, ReportRow
from services.handling.fees import per_application_fee, per_page_fee


def test_the_published_per_page_example() -> None:
    assert per_page_fee(2219) == Decimal(83460)  # 70×10 + 100×20 + 2,019×40


@pytest.mark.parametrize(
    ("pages", "fee"), [(0, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740)]
)
def test_per_page_bracket_edges(pages: int, fee: int) -> None:
    assert per_page_fee(pages) == Decimal(fee)


@given(st.integers(0, 10_000))
def test_one_more_page_costs_the_rate_of_its_bracket(pages: int) -> None:
    step = per_page_fee(pages + 1) - per_page_fee(pages)
    expected = 0 if pages < 30 else 10 if pages < 100 else 20 if pages < 200 else 40
    assert step == expected


@pytest.mark.parametrize(
    ("ordinal", "fee"),
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (51, 400)],
)
def test_per_application_bands(ordinal: int, fee: int) -> None:
    assert per_application_fee(ordinal) == Decimal(fee)


def test_every_outcome_has_exactly_one_report_row() -> None:
    rows = {o.report_row(NonDisclosureGround.THIRD_PARTY) for o in Outcome}
    assert ReportRow.WITHHELD_THIRD_PARTY in rows
    assert Outcome.R8.report_row() is ReportRow.PARTLY_DISCLOSED
    assert Outcome.R7.report_row() is ReportRow.WITHHELD_ADMINISTRATIVE_QUERY
    with pytest.raises(ValueError, match="ground"):
        Outcome.R3.report_row()
    reachable = {o.report_row(g) for o in Outcome for g in NonDisclosureGround}
    assert reachable == set(ReportRow)  # all 22 leaf rows of section 三
