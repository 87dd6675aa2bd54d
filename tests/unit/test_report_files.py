"""The annual report's files as `ogi report` writes them, from an AnnualReport as archive sends
it: numbers stay numbers in XLSX, which uses 宋体 and the official widths; corrections are
written in the report's own labels; Markdown keeps the merged headers (as HTML tables); and
every format has the six sections in the official order, with the agency's texts and 二."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from ogi.annual_report import SECTION_TITLES, THREE_NOTE, TOTAL, result_line
from ogi.cli.main import main as cli
from ogi.cli.report import render_csv, render_html, render_json, render_markdown, write_xlsx
from ogi.taxonomy import ReportRow
from ogi.v1 import archive_pb2 as a

FEE_FEN = 8_346_000  # 83,460 元: the 2,219 pages of domain.md §6
FEE_LABEL = "收取信息处理费金额（元）"
TEXT_FORMATS = {"html": render_html, "md": render_markdown, "csv": render_csv}


def report(**changes: Any) -> a.AnnualReport:
    wire = a.AnnualReport(
        agency_code="HZMZJ", agency_name="菏泽市民政局", year=2025, agencies=["HZMZJ"], **changes
    )
    wire.cells.extend(
        [
            a.ReportCell(section="六", line="fees", column="charged", value=1),
            a.ReportCell(section="六", line="fees", column="amount_fen", value=FEE_FEN),
            a.ReportCell(section="三", line="一", column="natural_person", value=5),
            a.ReportCell(section="三", line="一", column=TOTAL, value=5),
        ]
    )
    return wire


def xlsx(wire: a.AnnualReport, tmp_path: Path) -> Any:
    path = tmp_path / "report.xlsx"
    write_xlsx(wire, path)
    return load_workbook(path)


def below(book: Any, label: str) -> Any:
    """The cell under the header cell that reads `label`, on whichever sheet it is."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == label:
                    return sheet.cell(cell.row + 1, cell.column)
    raise AssertionError(f"no {label} in the workbook")


def test_the_xlsx_keeps_the_fee_as_a_number_in_yuan(tmp_path: Path) -> None:
    fee = below(xlsx(report(), tmp_path), FEE_LABEL)
    assert isinstance(fee.value, int | float | Decimal)
    assert fee.value == 83460
    assert fee.number_format == "0.00"


def test_the_xlsx_is_in_songti_with_the_official_column_widths(tmp_path: Path) -> None:
    book = xlsx(report(), tmp_path)
    fonts = {
        cell.font.name
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert fonts == {"宋体"}
    [sheet] = [
        s for s in book.worksheets if any(c.value == THREE_NOTE for r in s.iter_rows() for c in r)
    ]
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJ"]
    assert widths == [8, 14, 36, 9, 9, 9, 9, 9, 9, 9]


def test_corrections_are_written_with_the_official_labels() -> None:
    wire = report(locked=True, locked_by="王主任")
    wire.locked_at.GetCurrentTime()
    wire.corrections.extend(
        [
            a.ReportCorrection(
                section="三",
                line=result_line(ReportRow.DISCLOSED),
                column="natural_person",
                published=4,
                current=5,
            ),
            a.ReportCorrection(
                section="六", line="fees", column="amount_fen", published=70000, current=83400
            ),
        ]
    )
    for fmt, render in TEXT_FORMATS.items():
        text = render(wire)
        assert "更正：三、（一）予以公开 · 自然人：发布 4，现为 5" in text, fmt
        assert "更正：收取信息处理费金额（元）：发布 700.00，现为 834.00" in text, fmt
        assert "natural_person" not in text, fmt
        assert "amount_fen" not in text, fmt
    labels = [c["label"] for c in json.loads(render_json(wire))["corrections"]]
    assert labels == ["三、（一）予以公开 · 自然人", FEE_LABEL]


def test_markdown_keeps_the_merged_headers_as_html_tables() -> None:
    markdown = render_markdown(report())
    assert '<table data-section="三">' in markdown
    assert f'<th rowspan="3" colspan="3">{THREE_NOTE}</th>' in markdown
    assert '<th colspan="5">法人或其他组织</th>' in markdown
    assert "| 项目 |" not in markdown  # no flattened pipe table


TEXTS = {
    "一": "本年度，本机关认真贯彻落实《条例》。\n一是加强组织领导。",
    "五": "主要问题：公开不够及时。",
}
PENALTIES = 1234


def entered() -> a.AnnualReport:
    wire = report()
    wire.texts.extend(a.ReportText(section=s, text=t) for s, t in TEXTS.items())
    wire.cells.extend(
        [
            a.ReportCell(section="二", line="rules", column="issued", value=2),
            a.ReportCell(section="二", line="penalty", column="decisions", value=PENALTIES),
            a.ReportCell(section="二", line="charges", column="amount_yuan", value=125_000),
        ]
    )
    return wire


def in_order(text: str, parts: list[str]) -> bool:
    at = 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            return False
    return True


@pytest.mark.parametrize("fmt", ["html", "md", "csv", "json"])
def test_every_format_has_the_six_sections_in_order(fmt: str) -> None:
    wire = entered()
    text = {**TEXT_FORMATS, "json": render_json}[fmt](wire)
    if fmt == "json":
        document = json.loads(text)
        assert [s["title"] for s in document["sections"]] == list(SECTION_TITLES.values())
        text = json.dumps(document["sections"], ensure_ascii=False)
    assert in_order(text, list(SECTION_TITLES.values())), fmt
    for line in (*TEXTS["一"].split("\n"), TEXTS["五"]):
        assert line in text
    for label in (
        "第二十条第（一）项",
        "规章",
        "行政规范性文件",
        "第二十条第（八）项",
        "行政事业性收费",
    ):
        assert label in text
    assert "本年收费金额（单位：万元）" in text
    assert "12.50" in text  # 125,000 元 in 万元
    assert str(PENALTIES) in text


def test_a_missing_text_is_shown_as_not_written() -> None:
    markdown = render_markdown(report())
    one = markdown.index(SECTION_TITLES["一"])
    assert markdown[one:].split("\n\n")[1] == "（尚未填写）"


def test_the_xlsx_has_the_six_sections_with_section_two_as_numbers(tmp_path: Path) -> None:
    book = xlsx(entered(), tmp_path)
    assert book.sheetnames == list(SECTION_TITLES.values())
    texts = [
        str(cell.value)
        for sheet in (book[SECTION_TITLES["一"]], book[SECTION_TITLES["五"]])
        for row in sheet.iter_rows()
        for cell in row
        if cell.value
    ]
    for line in (*TEXTS["一"].split("\n"), TEXTS["五"]):
        assert any(line in t for t in texts)
    amount = below(book, "本年收费金额（单位：万元）")
    assert (amount.value, amount.number_format) == (12.5, "0.00##")
    two = book[SECTION_TITLES["二"]]
    row = next(r for r in two.iter_rows() if r[0].value == "行政处罚")
    assert row[1].value == PENALTIES


def test_the_csv_lists_section_two_by_article_and_item() -> None:
    rows = list(csv.reader(io.StringIO(render_csv(entered()))))
    assert ["第二十条第（一）项 / 规章", "2", "0", "0"] in rows
    assert ["第二十条第（六）项 / 行政处罚", str(PENALTIES)] in rows
    assert ["项目", "本年收费金额（单位：万元）"] in rows


def test_set_proactive_refuses_figures_that_are_not_whole_numbers_before_calling(
    tmp_path: Path,
) -> None:
    figures = tmp_path / "二.toml"
    figures.write_text("penalty_decisions = 3.0\nrules_issued = true\n", encoding="utf-8")
    argv = ["report", "set-proactive", "--agency", "HZMZJ", "--year", "2025"]
    with pytest.raises(SystemExit, match="penalty_decisions, rules_issued: 须为整数"):
        cli([*argv, "--archive", "127.0.0.1:1", "--file", str(figures)])
