"""Section 三 from counters equals the definition applied case by case, and its sums hold."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ogi.taxonomy import ApplicantCategory, ReportRow
from services.archive.statistics import (
    CARRIED_IN,
    CARRIED_OUT,
    CATEGORIES,
    RECEIVED,
    TOTAL,
    ApplicationCounts,
    invariant_violations,
    result_line,
    section_three,
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


def counted(facts: list[Case]) -> ApplicationCounts:
    counts = ApplicationCounts()
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
            TOTAL: concluded is not None and concluded.year == year,
        }.get(line, concluded is not None and concluded.year == year and result_line(row) == line)
    )


@given(cases, st.integers(2024, 2027))
def test_the_table_from_counters_is_the_definition_and_its_sums_hold(
    facts: list[Case], year: int
) -> None:
    table = section_three(counted(facts), year)
    lines = [RECEIVED, CARRIED_IN, TOTAL, CARRIED_OUT, *(result_line(row) for row in ReportRow)]
    for line in lines:
        for category in CATEGORIES:
            assert table.cell(line, category) == by_definition(facts, year, line, category), line
    assert invariant_violations(table) == []


def test_this_years_carry_in_is_last_years_carry_out() -> None:
    person = ApplicantCategory.NATURAL_PERSON
    facts: list[Case] = [
        (person, date(2025, 12, 20), date(2026, 1, 15), ReportRow.DISCLOSED),
        (person, date(2025, 12, 29), None, ReportRow.DISCLOSED),
        (person, date(2025, 3, 2), date(2025, 3, 30), ReportRow.WITHHELD_THIRD_PARTY),
    ]
    counts = counted(facts)
    last, this = section_three(counts, 2025), section_three(counts, 2026)
    assert (last.total(RECEIVED), last.total(TOTAL), last.total(CARRIED_OUT)) == (3, 1, 2)
    assert this.total(CARRIED_IN) == last.total(CARRIED_OUT)
    assert (this.total(TOTAL), this.total(CARRIED_OUT)) == (1, 1)


def test_counts_that_break_the_sums_are_reported() -> None:
    counts = ApplicationCounts()
    counts.record_concluded(
        ApplicantCategory.RESEARCH_INSTITUTION, ReportRow.OTHER, date(2026, 5, 1)
    )
    problems = invariant_violations(section_three(counts, 2026))
    assert problems == ["research_institution: more concluded than received"]
