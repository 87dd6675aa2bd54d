"""The province benchmark's generator (bench.province_seed): a three-level tree of the asked size,
a year's applications with the bursts it claims, and outcomes in the shares annual reports
show; every planned case goes through handling's domain and files as archive files it."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import cast

import pytest

from bench.province_seed import Planned, build_case, dossiers, plan_year
from bench.province_tree import PROVINCE, depth, province_directory, write_toml
from ogi.agencies import AgencyDirectory
from ogi.taxonomy import Outcome
from ogi.workdays import WorkingDayCalendar
from services.archive.domain import Dossier
from services.handling.domain import CaseState

CALENDAR = WorkingDayCalendar()
YEAR = 2025
COUNT = 1200  # 0.8% of a province's year: quick, and enough for shares to be plausible


@pytest.fixture(scope="module")
def plans() -> list[Planned]:
    return plan_year(YEAR, COUNT, province_directory(120), CALENDAR)


@pytest.mark.parametrize("agencies", [6, 120, 1000])
def test_the_tree_has_three_levels_and_the_asked_size(agencies: int) -> None:
    directory = province_directory(agencies)
    levels = Counter(depth(directory, a.code) for a in directory)
    assert sum(levels.values()) == agencies
    assert set(levels) == {1, 2, 3}
    assert levels[1] == 1
    assert len(directory.subtree(PROVINCE)) == agencies  # the roll-up covers all of them


def test_the_tree_round_trips_through_the_agencies_file(tmp_path: Path) -> None:
    directory = province_directory(120)
    read = AgencyDirectory.from_file(write_toml(directory, tmp_path / "agencies.toml"))
    assert [(a.code, a.parent_code) for a in read] == [(a.code, a.parent_code) for a in directory]


def test_a_year_has_the_asked_applications_with_its_bursts(plans: list[Planned]) -> None:
    assert len(plans) == COUNT
    assert {p.received.year for p in plans} == {YEAR}
    assert len({p.number for p in plans}) == COUNT
    weekdays = Counter(p.received.weekday() for p in plans)
    assert weekdays[0] > weekdays[3] > weekdays[6]  # Monday peak, quiet Sunday
    months = Counter(p.received.month for p in plans)
    assert months[12] > months[6]  # the year-end surge
    flooded = Counter(p.agency for p in plans if p.flood)
    assert len(flooded) == 3
    assert min(flooded.values()) >= COUNT * 0.01


def test_outcomes_are_in_plausible_shares(plans: list[Planned]) -> None:
    outcomes = Counter(p.outcome for p in plans)
    share = {o: n / COUNT for o, n in outcomes.items()}
    disclosed = share[Outcome.R1] + share[Outcome.R2] + share[Outcome.R8]
    assert 0.35 < disclosed < 0.55
    assert 0.12 < share[Outcome.R4] + share.get(Outcome.R5, 0) < 0.35
    assert 0.02 < share[Outcome.WITHDRAWN] < 0.08
    assert 0.02 < share[Outcome.NO_CORRECTION] < 0.08
    assert len(outcomes) >= 14  # nearly every row of the report is used
    assert 0.03 < sum(p.extended for p in plans) / COUNT < 0.12
    assert 0.05 < sum(p.correction for p in plans) / COUNT < 0.2


def test_every_case_is_built_by_handlings_domain_and_filed_by_archive(plans: list[Planned]) -> None:
    as_of = date(YEAR, 12, 31)
    built = [build_case(p, CALENDAR, as_of) for p in plans[:400]]
    closed = [c for c in built if c.state is CaseState.CLOSED]
    assert len(closed) > 0.9 * len(built)
    assert Counter(c.outcome for c in closed) == Counter(
        p.outcome for p, c in zip(plans, built, strict=False) if c.state is CaseState.CLOSED
    )
    late = [c for c in built if c.state is not CaseState.CLOSED]
    assert all(c.receipt_date.month >= 11 or c.correction for c in late)
    filed = list(dossiers(plans[:400], CALENDAR, as_of))
    assert len(filed) == 400
    archived = sum(1 for aggregates in filed if cast(Dossier, aggregates[0]).archived)
    assert archived == len(closed)
