"""The annual report's tables as the official layout draws them: a grid of cells with merged
headers (for HTML and XLSX), and the same tables flattened to label paths (Markdown, CSV, JSON).
Reads an ArchiveService AnnualReport; all labels come from ogi.annual_report."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ogi.annual_report import (
    APPLICANTS_LABEL,
    CARRIED_IN,
    CARRIED_OUT,
    CATEGORY_LABELS,
    FEES_AMOUNT,
    FEES_CHARGED,
    FEES_NOT_PAID,
    FOUR,
    FOUR_COLUMNS,
    LINE_LABELS,
    LITIGATION_LABEL,
    ORGANIZATIONS_LABEL,
    RECEIVED,
    REMEDY_LABELS,
    RESULT_GROUPS,
    RESULT_LABELS,
    RESULTS_LABEL,
    SECTION_TITLES,
    SIX,
    SIX_LABELS,
    THREE,
    THREE_COLUMNS,
    THREE_NOTE,
    TOTAL,
    TOTAL_LABEL,
)
from ogi.taxonomy import ApplicantCategory, RemedyKind, RemedyResult

FEES = "fees"


@dataclass(frozen=True)
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = True


Grid = list[list[GridCell]]


@dataclass(frozen=True)
class FlatRow:
    """One line of a table with its labels from the outside in, and its values by column."""

    labels: tuple[str, ...]
    values: list[str]


@dataclass(frozen=True)
class Table:
    section: str
    title: str
    grid: Grid
    columns: list[str]  # column labels for the flat forms
    rows: list[FlatRow]


def cells(report: Any) -> dict[tuple[str, str, str], int]:
    return {(c.section, c.line, c.column): c.value for c in report.cells}


def tables(report: Any) -> list[Table]:
    values = cells(report)
    return [_three(values), _four(values), _six(values)]


def _value(values: dict[tuple[str, str, str], int], section: str, line: str, column: str) -> str:
    n = values.get((section, line, column), 0)
    return f"{Decimal(n) / 100:.2f}" if column == FEES_AMOUNT else str(n)


def _data(texts: list[str]) -> list[GridCell]:
    return [GridCell(t, header=False) for t in texts]


def _three(values: dict[tuple[str, str, str], int]) -> Table:
    organizations = [c for c in ApplicantCategory if c.is_organization]
    grid: Grid = [
        [GridCell(THREE_NOTE, rowspan=3, colspan=3), GridCell(APPLICANTS_LABEL, colspan=7)],
        [
            GridCell(CATEGORY_LABELS[ApplicantCategory.NATURAL_PERSON], rowspan=2),
            GridCell(ORGANIZATIONS_LABEL, colspan=5),
            GridCell(TOTAL_LABEL, rowspan=2),
        ],
        [GridCell(CATEGORY_LABELS[c]) for c in organizations],
    ]
    rows: list[FlatRow] = []

    def row(line: str, labels: tuple[str, ...], label_cells: list[GridCell]) -> None:
        texts = [_value(values, THREE, line, column) for column in THREE_COLUMNS]
        grid.append([*label_cells, *_data(texts)])
        rows.append(FlatRow(labels, texts))

    for line in (RECEIVED, CARRIED_IN):
        row(line, (LINE_LABELS[line],), [GridCell(LINE_LABELS[line], colspan=3)])
    first_result = True
    result_lines = sum(len(g.lines) for g in RESULT_GROUPS)
    for group in RESULT_GROUPS:
        for i, (line, item) in enumerate(group.lines):
            label_cells = []
            if first_result:
                label_cells.append(GridCell(RESULTS_LABEL, rowspan=result_lines))
                first_result = False
            if not item:
                label_cells.append(GridCell(group.label, colspan=2))
            else:
                if i == 0:
                    label_cells.append(GridCell(group.label, rowspan=len(group.lines)))
                label_cells.append(GridCell(item))
            labels = (RESULTS_LABEL, group.label, *((item,) if item else ()))
            row(line, labels, label_cells)
    row(CARRIED_OUT, (LINE_LABELS[CARRIED_OUT],), [GridCell(LINE_LABELS[CARRIED_OUT], colspan=3)])
    columns = [*(CATEGORY_LABELS[c] for c in ApplicantCategory), TOTAL_LABEL]
    return Table(THREE, SECTION_TITLES[THREE], grid, columns, rows)


def _four(values: dict[tuple[str, str, str], int]) -> Table:
    results = [*(RESULT_LABELS[r] for r in RemedyResult), TOTAL_LABEL]
    litigation = [RemedyKind.LITIGATION_DIRECT, RemedyKind.LITIGATION_AFTER_RECONSIDERATION]
    grid: Grid = [
        [
            GridCell(_kind_label(RemedyKind.RECONSIDERATION), colspan=5),
            GridCell(LITIGATION_LABEL, colspan=10),
        ],
        [
            *(GridCell(r, rowspan=2) for r in results),
            *(GridCell(_kind_label(k), colspan=5) for k in litigation),
        ],
        [GridCell(r) for _ in litigation for r in results],
    ]
    texts = [_value(values, FOUR, kind, column) for kind, column in FOUR_COLUMNS]
    grid.append(_data(texts))
    columns = [f"{_kind_label(RemedyKind(kind))}·{_result_label(c)}" for kind, c in FOUR_COLUMNS]
    return Table(FOUR, SECTION_TITLES[FOUR], grid, columns, [FlatRow((), texts)])


def _kind_label(kind: RemedyKind) -> str:
    return REMEDY_LABELS[kind]


def _result_label(column: str) -> str:
    return TOTAL_LABEL if column == TOTAL else RESULT_LABELS[RemedyResult(column)]


def _six(values: dict[tuple[str, str, str], int]) -> Table:
    keys = (FEES_CHARGED, FEES_AMOUNT, FEES_NOT_PAID)
    texts = [_value(values, SIX, FEES, k) for k in keys]
    grid: Grid = [[GridCell(SIX_LABELS[k]) for k in keys], _data(texts)]
    return Table(
        SIX, SECTION_TITLES[SIX], grid, [SIX_LABELS[k] for k in keys], [FlatRow((), texts)]
    )
