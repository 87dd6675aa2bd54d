"""Section 三 from counters equals the definition applied case by case, and its sums hold."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ogi.annual_report import (
    CARRIED_IN,
    CARRIED_OUT,
    RECEIVED,
    RESULTS_TOTAL,
    TOTAL,
    result_line,
)
from ogi.taxonomy import ApplicantCategory, RemedyKind, RemedyResult, ReportRow
from services.archive.statistics import (
    CATEGORIES,
    RemedyCounting,
    Tally,
    annual_table,
    invariant_violations,
)

Case = tuple[ApplicantCategory, date, date | None, ReportRow]

cases = st.lists(
    st.tuples(
        st.sampled_from(CATEGORIES),
        st.dates(date(2024, 1, 1), date(2026, 12, 31)),
        st.one_of(st.none(), st.integers(0, 400)),
        st.sampled_from(list(ReportRow)),
    ).map(lambda t: (t[0], t[1], t[1] + timedelta(days=t[2]) if t[2] is not None else None, t[3])),
    max_size=60,
)


def counted(facts: list[Case]) -> Tally:
    counts = Tally()
    for category, received, concluded, row in facts:
        counts.record_received(category, received)
        if concluded is not None:
            counts.record_concluded(category, row, concluded)
    return counts


def by_definition(facts: list[Case], year: int, line: str, category: ApplicantCategory) -> int:
    """domain.md §5, applied to each case."""

    def open_at_end_of(y: int, received: date, concluded: date | None) -> bool:
        return received.year <= y and (concluded is None or concluded.year > y)

    return sum(
        1
        for c, received, concluded, row in facts
        if c is category
        and {
            RECEIVED: received.year == year,
            CARRIED_IN: open_at_end_of(year - 1, received, concluded),
            CARRIED_OUT: open_at_end_of(year, received, concluded),
            RESULTS_TOTAL: concluded is not None and concluded.year == year,
        }.get(line, concluded is not None and concluded.year == year and result_line(row) == line)
    )


@given(cases, st.integers(2024, 2027))
def test_the_table_from_counters_is_the_definition_and_its_sums_hold(
    facts: list[Case], year: int
) -> None:
    table = annual_table(counted(facts), year)
    lines = [
        RECEIVED,
        CARRIED_IN,
        RESULTS_TOTAL,
        CARRIED_OUT,
        *(result_line(row) for row in ReportRow),
    ]
    for line in lines:
        for category in CATEGORIES:
            assert table.three(line, category) == by_definition(facts, year, line, category), line
    assert invariant_violations(table) == []


def test_this_years_carry_in_is_last_years_carry_out() -> None:
    person = ApplicantCategory.NATURAL_PERSON
    facts: list[Case] = [
        (person, date(2025, 12, 20), date(2026, 1, 15), ReportRow.DISCLOSED),
        (person, date(2025, 12, 29), None, ReportRow.DISCLOSED),
        (person, date(2025, 3, 2), date(2025, 3, 30), ReportRow.WITHHELD_THIRD_PARTY),
    ]
    counts = counted(facts)
    last, this = annual_table(counts, 2025), annual_table(counts, 2026)
    assert [last.three(line, TOTAL) for line in (RECEIVED, RESULTS_TOTAL, CARRIED_OUT)] == [3, 1, 2]
    assert this.three(CARRIED_IN, TOTAL) == last.three(CARRIED_OUT, TOTAL)
    assert (this.three(RESULTS_TOTAL, TOTAL), this.three(CARRIED_OUT, TOTAL)) == (1, 1)


def test_counts_that_break_the_sums_are_reported() -> None:
    counts = Tally()
    counts.record_concluded(
        ApplicantCategory.RESEARCH_INSTITUTION, ReportRow.OTHER, date(2026, 5, 1)
    )
    problems = invariant_violations(annual_table(counts, 2026))
    assert problems == [
        "research_institution: more concluded than received",
        "total: more concluded than received",
    ]
    table = annual_table(Tally(), 2026)
    table.cells["四", RemedyKind.RECONSIDERATION.value, TOTAL] = 1
    assert invariant_violations(table) == [
        "reconsideration: 总计 is not the sum of the four before it"
    ]


def test_a_remedy_counts_in_its_filing_year_with_its_result_at_the_year_end() -> None:
    kind = RemedyKind.RECONSIDERATION
    filed = date(2025, 11, 3)
    decided_in_year = RemedyCounting.cell(kind, filed, RemedyResult.UPHELD, date(2025, 12, 31))
    decided_later = RemedyCounting.cell(kind, filed, RemedyResult.UPHELD, date(2026, 1, 2))
    assert decided_in_year == (2025, "四", "reconsideration", "upheld")
    assert decided_later == (2025, "四", "reconsideration", "pending")
