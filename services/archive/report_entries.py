"""What the agency writes into its annual report itself (年度报告的填报内容, Art 50): the
texts of 一、总体情况, 五、存在的主要问题及改进情况 and 六、其他需要报告的事项, and the figures
of 二、主动公开政府信息情况 (Art 20 items （一）（五）（六）（八）, domain.md §5). These are facts
the agency records, not counted from applications: each change is an event (who made it), and
once the year is locked, a change shows beside the published report as a correction. No I/O
here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ogi.annual_report import AMOUNT_YUAN, TEXT_SECTIONS, TWO_CELLS, Cell, figure_field
from ogi.bounds import check_range, text_problem
from ogi.errors import FieldViolation, InvalidArgument

MAX_TEXT = 20_000  # characters of one section (a long 总体情况 runs to 8,000)
MAX_COUNT = 1_000_000_000  # documents or decisions; a province's 行政处罚 run to millions
MAX_YUAN = 1_000_000_000_000  # 1 万亿元 (100,000,000 万元): above any agency's fees of a year
_WAN_YUAN = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,4})?$")
NOT_AN_AMOUNT = (
    "须为以万元计的非负金额，最多4位小数，如 12.5（an amount in 万元 from 0, at most 4 decimals)"
)
NOT_A_SECTION = "须为一、五或六（the section: 一, 五 or 六）"
TOO_MUCH = "最多100000000万元（at most 100,000,000 万元）"


def entries_id(agency_code: str, year: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"ogi:report-entries:{agency_code}:{year}")


def yuan_from_wan_yuan(text: str) -> int | None:
    """本年收费金额 as entered, in 万元 with at most 4 decimals ("12.5"), as whole 元; None when it
    is not such an amount. 4 decimals of 万元 are exactly 元, so nothing is rounded."""
    text = text.strip()
    if not _WAN_YUAN.fullmatch(text):
        return None
    return int(Decimal(text) * 10_000)


def normalized_text(text: str) -> str:
    """Line breaks as \\n, no blanks around the whole."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


class ReportEntries(Aggregate):
    """年度报告填报内容 of one agency and year: its texts by section and its section 二 figures."""

    @event("Started")
    def __init__(self, agency_code: str, year: int) -> None:
        self.agency_code = agency_code
        self.year = year
        self.texts: dict[str, str] = {}
        self.figures: dict[Cell, int] = {}

    @staticmethod
    def create_id(agency_code: str, year: int, **_: object) -> UUID:
        return entries_id(agency_code, year)

    def record_text(self, section: str, text: str, *, by: str) -> bool:
        """Write section 一, 五 or 六; False when it already says exactly that."""
        text = normalized_text(text)
        violations = []
        if section not in TEXT_SECTIONS:
            violations.append(FieldViolation("section", NOT_A_SECTION))
        if problem := text_problem(text, MAX_TEXT, required=True):
            violations.append(FieldViolation("text", problem))
        if violations:
            raise InvalidArgument(violations)
        if self.texts.get(section) == text:
            return False
        self._text_recorded(section, text, by)
        return True

    def record_figures(self, figures: Mapping[Cell, int], *, by: str) -> int:
        """Record section 二's figures given (all or none); how many changed."""
        violations = figure_violations(figures)
        if not figures:
            violations.append(FieldViolation("figures", "至少一项（at least one figure）"))
        if violations:
            raise InvalidArgument(violations)
        changed = [[*cell, n] for cell, n in figures.items() if self.figures.get(cell) != n]
        if changed:
            self._figures_recorded(self.agency_code, self.year, changed, by)
        return len(changed)

    # The events keep who wrote what (the time is the event's); the figures event names the
    # agency and year for the statistics projection, which sees only events.
    @event("TextRecorded")
    def _text_recorded(self, section: str, text: str, by: str) -> None:  # noqa: ARG002
        self.texts[section] = text

    @event("FiguresRecorded")
    def _figures_recorded(
        self,
        agency_code: str,  # noqa: ARG002
        year: int,  # noqa: ARG002
        figures: list[list[Any]],
        by: str,  # noqa: ARG002
    ) -> None:
        for section, line, column, n in figures:
            self.figures[section, line, column] = int(n)


def figure_violations(figures: Mapping[Cell, int]) -> list[FieldViolation]:
    """Counts are whole numbers from 0 to MAX_COUNT, the amount 0 to MAX_YUAN 元; every cell is
    one of section 二's."""
    violations: list[FieldViolation] = []
    for cell, n in figures.items():
        if cell not in TWO_CELLS:
            violations.append(FieldViolation("figures", f"二没有此项（二 has no figure {cell}）"))
        elif cell[2] == AMOUNT_YUAN:
            if not 0 <= n <= MAX_YUAN:
                problem = NOT_AN_AMOUNT if n < 0 else TOO_MUCH
                violations.append(FieldViolation(f"figures.{figure_field(cell)}", problem))
        else:
            check_range(n, f"figures.{figure_field(cell)}", 0, MAX_COUNT, violations)
    return violations
