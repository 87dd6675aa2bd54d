"""Section 三 of the annual report (收到和处理政府信息公开申请情况), from counters that a
projection can keep incrementally: applications received per year, and conclusions per year and
report row. The carry-over lines are derived, never counted, so the sums hold by construction:

    carried_in(Y)  = carried_out(Y - 1)          (this year's 二 = last year's 四)
    carried_out(Y) = carried_in(Y) + received(Y) - concluded(Y)

Counting (domain.md §5): 本年新收 by receipt date; 办理结果 by the date the reply was served or the
case otherwise concluded; 结转 = received and not concluded by 31 December. No I/O here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from ogi.taxonomy import ApplicantCategory, ReportRow

CATEGORIES = tuple(ApplicantCategory)  # the six columns before 总计
RECEIVED = "一"  # 本年新收政府信息公开申请数量
CARRIED_IN = "二"  # 上年结转政府信息公开申请数量
TOTAL = "三（七）"  # （七）总计
CARRIED_OUT = "四"  # 结转下年度继续办理


def result_line(row: ReportRow) -> str:
    """The line of a leaf row of 三、本年度办理结果, e.g. "三.三4" for （三）4 保护第三方合法权益
    (ReportRow values alone would collide with lines 一 and 二)."""
    return f"三.{row.value}"


@dataclass
class ApplicationCounts:
    """What a projection keeps for one agency: counts by (year, line, category)."""

    received: Counter[tuple[int, ApplicantCategory]] = field(default_factory=Counter)
    concluded: Counter[tuple[int, ReportRow, ApplicantCategory]] = field(default_factory=Counter)

    def record_received(self, category: ApplicantCategory, receipt_date: date) -> None:
        self.received[receipt_date.year, category] += 1

    def record_concluded(
        self, category: ApplicantCategory, row: ReportRow, concluded_on: date
    ) -> None:
        self.concluded[concluded_on.year, row, category] += 1

    def years(self) -> list[int]:
        found = {y for y, _ in self.received} | {y for y, _, _ in self.concluded}
        return sorted(found)


@dataclass(frozen=True)
class SectionThree:
    """One year's table: a count per (line, category); `total(line)` is the 总计 column."""

    year: int
    cells: dict[tuple[str, ApplicantCategory], int]

    def cell(self, line: str, category: ApplicantCategory) -> int:
        return self.cells.get((line, category), 0)

    def total(self, line: str) -> int:
        return sum(self.cell(line, c) for c in CATEGORIES)


def section_three(counts: ApplicationCounts, year: int) -> SectionThree:
    """The table for `year`, carrying over from the first year with any application."""
    carried: Counter[ApplicantCategory] = Counter()
    first = min(counts.years(), default=year)
    for y in range(first, year):
        carried = _carried_out(counts, y, carried)
    cells: dict[tuple[str, ApplicantCategory], int] = {}
    for category in CATEGORIES:
        cells[RECEIVED, category] = counts.received[year, category]
        cells[CARRIED_IN, category] = carried[category]
        for row in ReportRow:
            cells[result_line(row), category] = counts.concluded[year, row, category]
        cells[TOTAL, category] = sum(counts.concluded[year, row, category] for row in ReportRow)
    out = _carried_out(counts, year, carried)
    for category in CATEGORIES:
        cells[CARRIED_OUT, category] = out[category]
    return SectionThree(year, cells)


def _carried_out(
    counts: ApplicationCounts, year: int, carried_in: Counter[ApplicantCategory]
) -> Counter[ApplicantCategory]:
    return Counter(
        {
            c: carried_in[c]
            + counts.received[year, c]
            - sum(counts.concluded[year, row, c] for row in ReportRow)
            for c in CATEGORIES
        }
    )


def invariant_violations(table: SectionThree) -> list[str]:
    """The sums of domain.md §5, per column and for 总计; empty when the table is right."""
    problems = []
    for category in CATEGORIES:
        left = table.cell(RECEIVED, category) + table.cell(CARRIED_IN, category)
        right = table.cell(TOTAL, category) + table.cell(CARRIED_OUT, category)
        if left != right:
            problems.append(f"{category.value}: 一 + 二 = {left} but 三（七） + 四 = {right}")
        leaves = sum(table.cell(result_line(row), category) for row in ReportRow)
        if leaves != table.cell(TOTAL, category):
            problems.append(f"{category.value}: （七） is not the sum of the 22 rows")
        if table.cell(CARRIED_OUT, category) < 0:
            problems.append(f"{category.value}: more concluded than received")
    return problems
