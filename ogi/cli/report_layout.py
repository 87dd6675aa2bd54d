"""The annual report as the official format lays it out (国办公开办函〔2021〕30号, domain.md §5):
six sections in order, each with the agency's text (一, 五, 六) or a table — a grid of cells with
merged headers and the official column widths (HTML, Markdown, XLSX), and the same table
flattened to label paths (CSV, JSON) — and the corrections made after the year was locked, in
the report's own words. Reads an ArchiveService AnnualReport; all labels come from
ogi.annual_report."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ogi.annual_report import (
    AMOUNT_YUAN,
    APPLICANTS_LABEL,
    CARRIED_IN,
    CARRIED_OUT,
    CATEGORY_LABELS,
    CONTENT_LABEL,
    FEES_AMOUNT,
    FEES_CHARGED,
    FEES_NOT_PAID,
    FIVE,
    FOUR,
    FOUR_COLUMNS,
    LINE_LABELS,
    LITIGATION_LABEL,
    ONE,
    ORGANIZATIONS_LABEL,
    PROACTIVE_GROUPS,
    RECEIVED,
    REMEDY_LABELS,
    RESULT_GROUPS,
    RESULT_LABELS,
    RESULTS_LABEL,
    SECTION_TITLES,
    SECTIONS,
    SIX,
    SIX_FEES_TITLE,
    SIX_LABELS,
    THREE,
    THREE_COLUMNS,
    THREE_NOTE,
    TOTAL_LABEL,
    TWO,
    TWO_COLUMN_LABELS,
    Cell,
    cell_label,
    cell_number,
    cell_text,
)
from ogi.taxonomy import ApplicantCategory, RemedyKind, RemedyResult

FEES = "fees"
NOT_WRITTEN = "（尚未填写）"
# The sections the format requires the agency to write; 六 says only what there is to say.
REQUIRED_TEXTS = (ONE, FIVE)


@dataclass(frozen=True)
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = True
    number: int | Decimal | None = None  # a data cell's value, in the unit shown
    number_format: str = "0"  # as Excel writes it


Grid = list[list[GridCell]]


@dataclass(frozen=True)
class FlatRow:
    """One line of a table with its labels from the outside in, and its values by column."""

    labels: tuple[str, ...]
    values: list[str]


@dataclass(frozen=True)
class Block:
    """Lines that share their columns (section 二 has four such blocks, the others one)."""

    columns: list[str]
    rows: list[FlatRow]


@dataclass(frozen=True)
class Table:
    section: str
    title: str  # "" for a section's own table; 六's fees table has its own
    grid: Grid
    widths: list[float]  # of the grid's columns, in characters of the official layout
    blocks: list[Block]


@dataclass(frozen=True)
class Section:
    number: str
    title: str
    tables: list[Table] = field(default_factory=list)
    # The agency's text by paragraph (一, 五, 六); None where the section has none.
    paragraphs: list[str] | None = None
    corrections: list[str] = field(default_factory=list)  # each may run to several paragraphs


def cells(report: Any) -> dict[Cell, int]:
    return {(c.section, c.line, c.column): c.value for c in report.cells}


def sections(report: Any) -> list[Section]:
    """The six sections in the official order."""
    values = cells(report)
    texts = {t.section: t.text for t in report.texts}
    corrections = _corrections(report)
    tables = {
        TWO: [_two(values)],
        THREE: [_three(values)],
        FOUR: [_four(values)],
        SIX: [_six(values)],
    }
    found = []
    for number in SECTIONS:
        text = texts.get(number)
        paragraphs = None
        if number in (ONE, FIVE, SIX):
            paragraphs = paragraphs_of(text) if text else []
        found.append(
            Section(
                number,
                SECTION_TITLES[number],
                tables.get(number, []),
                paragraphs,
                corrections.get(number, []),
            )
        )
    return found


def paragraphs_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def missing_texts(report: Any) -> list[str]:
    """The titles of the sections the format requires that the agency has not written."""
    written = {t.section for t in report.texts if t.text.strip()}
    return [SECTION_TITLES[s] for s in REQUIRED_TEXTS if s not in written]


def _corrections(report: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for c in report.corrections:
        cell = (c.section, c.line, c.column)
        found.setdefault(c.section, []).append(
            f"更正：{cell_label(cell)}：发布 {cell_text(cell, c.published)}，"
            f"现为 {cell_text(cell, c.current)}"
        )
    for t in report.text_corrections:
        title = SECTION_TITLES.get(t.section, t.section)
        found.setdefault(t.section, []).append(
            f"更正：{title}，发布后修改为：\n{t.current or NOT_WRITTEN}"
        )
    return found


def _data(values: dict[Cell, int], cell: Cell, colspan: int = 1) -> GridCell:
    n = values.get(cell, 0)
    number_format = {FEES_AMOUNT: "0.00", AMOUNT_YUAN: "0.00##"}.get(cell[2], "0")
    return GridCell(
        cell_text(cell, n),
        colspan=colspan,
        header=False,
        number=cell_number(cell, n),
        number_format=number_format,
    )


def _texts(row: list[GridCell]) -> list[str]:
    return [c.text for c in row]


# --- section 二 --------------------------------------------------------------------------------


def _two(values: dict[Cell, int]) -> Table:
    """Four columns: an Art 20 item across the table, then 信息内容 and its columns (a single
    column spans three)."""
    grid: Grid = []
    blocks = []
    for group in PROACTIVE_GROUPS:
        span = 3 // len(group.columns)
        labels = [TWO_COLUMN_LABELS[c] for c in group.columns]
        grid.append([GridCell(group.article, colspan=4)])
        grid.append([GridCell(CONTENT_LABEL), *(GridCell(t, colspan=span) for t in labels)])
        rows = []
        for line, label in group.lines:
            data = [_data(values, (TWO, line, column), span) for column in group.columns]
            grid.append([GridCell(label), *data])
            rows.append(FlatRow((group.article, label), _texts(data)))
        blocks.append(Block(labels, rows))
    return Table(TWO, "", grid, [22, 16, 16, 16], blocks)


# --- section 三 --------------------------------------------------------------------------------


def _three(values: dict[Cell, int]) -> Table:
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
        data = [_data(values, (THREE, line, column)) for column in THREE_COLUMNS]
        grid.append([*label_cells, *data])
        rows.append(FlatRow(labels, _texts(data)))

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
    return Table(THREE, "", grid, [8, 14, 36, *[9] * 7], [Block(columns, rows)])


# --- section 四 --------------------------------------------------------------------------------


def _four(values: dict[Cell, int]) -> Table:
    results = [*(RESULT_LABELS[r] for r in RemedyResult), TOTAL_LABEL]
    litigation = [RemedyKind.LITIGATION_DIRECT, RemedyKind.LITIGATION_AFTER_RECONSIDERATION]
    grid: Grid = [
        [
            GridCell(REMEDY_LABELS[RemedyKind.RECONSIDERATION], colspan=5),
            GridCell(LITIGATION_LABEL, colspan=10),
        ],
        [
            *(GridCell(r, rowspan=2) for r in results),
            *(GridCell(REMEDY_LABELS[k], colspan=5) for k in litigation),
        ],
        [GridCell(r) for _ in litigation for r in results],
    ]
    data = [_data(values, (FOUR, kind, column)) for kind, column in FOUR_COLUMNS]
    grid.append(data)
    columns = [cell_label((FOUR, kind, column)) for kind, column in FOUR_COLUMNS]
    block = Block(columns, [FlatRow((SECTION_TITLES[FOUR],), _texts(data))])
    return Table(FOUR, "", grid, [9] * 15, [block])


# --- section 六 --------------------------------------------------------------------------------


def _six(values: dict[Cell, int]) -> Table:
    keys = (FEES_CHARGED, FEES_AMOUNT, FEES_NOT_PAID)
    data = [_data(values, (SIX, FEES, k)) for k in keys]
    grid: Grid = [[GridCell(SIX_LABELS[k]) for k in keys], data]
    block = Block([SIX_LABELS[k] for k in keys], [FlatRow((SIX_FEES_TITLE,), _texts(data))])
    return Table(SIX, SIX_FEES_TITLE, grid, [30, 30, 30], [block])
