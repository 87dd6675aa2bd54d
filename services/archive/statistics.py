"""The annual report's numbers (sections 三, 四 and the fees of 六) from counters a projection keeps
incrementally, beside section 二's figures as the agency recorded them. The carry-over lines and
every 总计 are derived, never counted, so the sums of domain.md §5 hold by construction:

    carried_in(Y)  = carried_out(Y - 1)          (this year's 二 = last year's 四)
    carried_out(Y) = carried_in(Y) + received(Y) - concluded(Y)

Counting: 本年新收 by receipt date; 办理结果 by the date the reply was served or the case otherwise
concluded; 结转 = received and not concluded by 31 December; remedies per RemedyCounting; fees by
the day they were paid. No I/O here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ogi.annual_report import (
    CARRIED_IN,
    CARRIED_OUT,
    FEES_AMOUNT,
    FEES_CHARGED,
    FEES_NOT_PAID,
    FOUR,
    RECEIVED,
    RESULTS_TOTAL,
    SIX,
    THREE,
    TOTAL,
    TWO_CELLS,
    Cell,
    result_line,
)
from ogi.taxonomy import ApplicantCategory, RemedyKind, RemedyResult, ReportRow

CATEGORIES = tuple(ApplicantCategory)  # the six columns before 总计
FEES = "fees"  # the one line of section 六
_CONCLUDED_LINES = tuple(result_line(row) for row in ReportRow)

Key = tuple[int, str, str, str]  # (year, section, line, column)


class RemedyCounting:
    """复议/诉讼的统计年度 [policy] (domain.md §8). The default, and the only rule so far: a remedy
    counts in the year it was filed, with its result as it stood on 31 December of that year; a
    result given later leaves that year's 尚未审结 as it was."""

    name = "filed_year"

    @staticmethod
    def cell(
        kind: RemedyKind, filed_on: date, result: RemedyResult, decided_on: date | None
    ) -> Key:
        decided_in_year = decided_on is not None and decided_on.year == filed_on.year
        shown = result if decided_in_year else RemedyResult.PENDING
        return (filed_on.year, FOUR, kind.value, shown.value)


class Tally(Counter[Key]):
    """What a projection keeps for one agency: counts by (year, section, line, column)."""

    def record_received(self, category: ApplicantCategory, receipt_date: date) -> None:
        self[receipt_date.year, THREE, RECEIVED, category.value] += 1

    def record_concluded(
        self, category: ApplicantCategory, row: ReportRow, concluded_on: date
    ) -> None:
        self[concluded_on.year, THREE, result_line(row), category.value] += 1

    def record_fee(self, amount: Decimal, paid_on: date) -> None:
        self[paid_on.year, SIX, FEES, FEES_CHARGED] += 1
        self[paid_on.year, SIX, FEES, FEES_AMOUNT] += int(amount * 100)

    def years(self) -> list[int]:
        return sorted({year for year, *_ in self})


@dataclass(frozen=True)
class ReportTable:
    """One year's cells of sections 二, 三, 四 and 六, totals included."""

    year: int
    cells: dict[Cell, int]

    def get(self, section: str, line: str, column: str) -> int:
        return self.cells.get((section, line, column), 0)

    def three(self, line: str, category: ApplicantCategory | str) -> int:
        column = category.value if isinstance(category, ApplicantCategory) else category
        return self.get(THREE, line, column)


def annual_table(tally: Tally, year: int) -> ReportTable:
    cells = {cell: tally[year, *cell] for cell in TWO_CELLS}  # summed over a roll-up's agencies
    cells |= _section_three(tally, year)
    for kind in RemedyKind:
        results = {r: tally[year, FOUR, kind.value, r.value] for r in RemedyResult}
        for result, n in results.items():
            cells[FOUR, kind.value, result.value] = n
        cells[FOUR, kind.value, TOTAL] = sum(results.values())
    for column in (FEES_CHARGED, FEES_AMOUNT):
        cells[SIX, FEES, column] = tally[year, SIX, FEES, column]
    cells[SIX, FEES, FEES_NOT_PAID] = cells[THREE, result_line(ReportRow.OTHER_FEE_NOT_PAID), TOTAL]
    return ReportTable(year, cells)


def _section_three(tally: Tally, year: int) -> dict[Cell, int]:
    carried: Counter[str] = Counter()
    for y in range(min(tally.years(), default=year), year):
        carried = _carried_out(tally, y, carried)
    out = _carried_out(tally, year, carried)
    cells: dict[Cell, int] = {}
    for c in (category.value for category in CATEGORIES):
        cells[THREE, RECEIVED, c] = tally[year, THREE, RECEIVED, c]
        cells[THREE, CARRIED_IN, c] = carried[c]
        for line in _CONCLUDED_LINES:
            cells[THREE, line, c] = tally[year, THREE, line, c]
        cells[THREE, RESULTS_TOTAL, c] = _concluded(tally, year, c)
        cells[THREE, CARRIED_OUT, c] = out[c]
    for section, line, _ in list(cells):
        cells[section, line, TOTAL] = sum(cells[section, line, c.value] for c in CATEGORIES)
    return cells


def _concluded(tally: Tally, year: int, column: str) -> int:
    return sum(tally[year, THREE, line, column] for line in _CONCLUDED_LINES)


def _carried_out(tally: Tally, year: int, carried_in: Counter[str]) -> Counter[str]:
    return Counter(
        {
            c: carried_in[c] + tally[year, THREE, RECEIVED, c] - _concluded(tally, year, c)
            for c in (category.value for category in CATEGORIES)
        }
    )


def invariant_violations(table: ReportTable) -> list[str]:
    """The sums of domain.md §5; empty when the table is right."""
    problems = []
    for column in (*(c.value for c in CATEGORIES), TOTAL):
        left = table.three(RECEIVED, column) + table.three(CARRIED_IN, column)
        right = table.three(RESULTS_TOTAL, column) + table.three(CARRIED_OUT, column)
        if left != right:
            problems.append(f"{column}: 一 + 二 = {left} but 三（七） + 四 = {right}")
        leaves = sum(table.three(line, column) for line in _CONCLUDED_LINES)
        if leaves != table.three(RESULTS_TOTAL, column):
            problems.append(f"{column}: （七） is not the sum of the 22 rows")
        if table.three(CARRIED_OUT, column) < 0:
            problems.append(f"{column}: more concluded than received")
    for line in {line for (section, line, _) in table.cells if section == THREE}:
        if table.three(line, TOTAL) != sum(table.three(line, c) for c in CATEGORIES):
            problems.append(f"{line}: 总计 is not the sum of the six columns")
    for kind in RemedyKind:
        parts = sum(table.get(FOUR, kind.value, r.value) for r in RemedyResult)
        if parts != table.get(FOUR, kind.value, TOTAL):
            problems.append(f"{kind.value}: 总计 is not the sum of the four before it")
    not_paid = table.three(result_line(ReportRow.OTHER_FEE_NOT_PAID), TOTAL)
    if table.get(SIX, FEES, FEES_NOT_PAID) != not_paid:
        problems.append("六: dropped for non-payment differs from row （六）2")
    return problems
