"""`ogi report`: the annual report (政府信息公开工作年度报告) of an agency and year, all six
sections in the official order and labels, read from archive: HTML (merged headers, ready to
publish), Markdown (with the same HTML tables), CSV (UTF-8 with a byte-order mark, or GB18030,
for Excel), JSON or XLSX (Excel/WPS: numbers as numbers, 宋体, the official column widths).

The agency writes what is not counted from applications:
`ogi report set-overview` (一、总体情况), `set-proactive` (二's figures), `set-problems`
(五、存在的主要问题及改进情况) and `set-other` (六、其他需要报告的事项)."""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import os
import sys
import tomllib
import unicodedata
from collections.abc import Callable
from math import ceil
from pathlib import Path
from typing import Any

import grpc

from ogi.annual_report import FIGURE_FIELDS, FIVE, ONE, SECTION_TITLES, SIX, cell_label
from ogi.cli import positions
from ogi.cli.calls import bearer
from ogi.cli.report_layout import NOT_WRITTEN, Grid, Section, Table, missing_texts, sections
from ogi.config import DEFAULT_PORTS
from ogi.v1 import archive_pb2 as a
from ogi.v1 import archive_pb2_grpc

DEFAULT_ARCHIVE = os.environ.get("OGI_ARCHIVE_ADDR", f"127.0.0.1:{DEFAULT_PORTS['archive']}")
FORMATS = ("html", "md", "csv", "json", "xlsx")
CSV_ENCODINGS = {"utf-8-bom": "utf-8-sig", "gb18030": "gb18030"}
FONT = "宋体"  # SimSun: what Excel and WPS on Chinese Windows lay official tables out in
TEXT_ACTIONS = {
    "set-overview": (ONE, "写入 一、总体情况"),
    "set-problems": (FIVE, "写入 五、政府信息公开工作存在的主要问题及改进情况"),
    "set-other": (SIX, "写入 六、其他需要报告的事项（信息处理费之外）"),
}
TEXT_COMMANDS = {section: name for name, (section, _) in TEXT_ACTIONS.items()}


def add_parser(sub: Any, token_default: str) -> None:
    report = sub.add_parser(
        "report", help="年度报告 the annual report: write it (set-…) or print it in a format"
    )
    report.set_defaults(archive_command=run)
    _common(report, token_default)
    report.add_argument("--roll-up", action="store_true", help="include the agencies under it")
    report.add_argument("--format", choices=FORMATS, default="html")
    report.add_argument(
        "--output", type=Path, help="file to write (default: stdout; xlsx needs one)"
    )
    report.add_argument(
        "--encoding",
        choices=CSV_ENCODINGS,
        default="utf-8-bom",
        help="of CSV: UTF-8 with a byte-order mark (default) or GB18030",
    )
    report.add_argument("--lock", action="store_true", help="lock the year as published first")
    actions = report.add_subparsers(metavar="{set-overview,set-proactive,set-problems,set-other}")
    for name, (section, help_text) in TEXT_ACTIONS.items():
        action = actions.add_parser(name, help=help_text)
        action.set_defaults(archive_command=_set_text, section=section)
        _common(action, token_default, in_action=True)
        action.add_argument(
            "--file", type=Path, required=True, help="the text, UTF-8 or GB18030 (- for stdin)"
        )
    proactive = actions.add_parser(
        "set-proactive",
        help="写入 二、主动公开政府信息情况 的数字 (only those given; a TOML file and/or options)",
    )
    proactive.set_defaults(archive_command=_set_proactive)
    _common(proactive, token_default, in_action=True)
    proactive.add_argument(
        "--file", type=Path, help="TOML: rules_issued = 3 … charges_amount = 1.5"
    )
    for name, cell in FIGURE_FIELDS.items():
        proactive.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            type=str if name == "charges_amount" else int,
            default=argparse.SUPPRESS,
            metavar="万元" if name == "charges_amount" else "N",
            help=cell_label(cell),
        )


def _common(parser: Any, token_default: str, *, in_action: bool = False) -> None:
    """--agency and --year go before or after the action; given once, they hold."""
    extra = {"default": argparse.SUPPRESS} if in_action else {}
    parser.add_argument(
        "--archive", **({"default": DEFAULT_ARCHIVE} | extra), help="archive host:port"
    )
    parser.add_argument("--token", **({"default": token_default} | extra), help="or OGI_TOKEN")
    parser.add_argument("--agency", **extra, help="agency code")
    parser.add_argument("--year", type=int, **extra)


def _stub(args: argparse.Namespace) -> tuple[Any, Any]:
    if not args.agency or not args.year:
        raise SystemExit("ogi report: --agency and --year are required")
    channel = grpc.insecure_channel(args.archive)
    return channel, archive_pb2_grpc.ArchiveServiceStub(channel)


def run(args: argparse.Namespace) -> None:
    metadata = bearer(args.token)
    channel, stub = _stub(args)
    with channel:
        if args.lock:
            stub.LockAnnualReport(
                a.LockAnnualReportRequest(
                    agency_code=args.agency, year=args.year, roll_up=args.roll_up
                ),
                metadata=metadata,
                timeout=30,
            )
        report = stub.GetAnnualReport(
            a.GetAnnualReportRequest(
                agency_code=args.agency,
                year=args.year,
                roll_up=args.roll_up,
                min_position=positions.recent(args.archive),
            ),
            metadata=metadata,
            timeout=30,
        ).report
    for problem in report.invariant_violations:
        print(f"勾稽关系不符 invariant broken: {problem}", file=sys.stderr)
    for missing in missing_texts(report):
        print(f"尚未填写 not written yet: {missing}", file=sys.stderr)
    if args.format == "xlsx":
        if args.output is None:
            raise SystemExit("xlsx needs --output FILE")
        write_xlsx(report, args.output)
        return
    if args.format == "csv":
        data = render_csv(report).encode(CSV_ENCODINGS[args.encoding])
        if args.output:
            args.output.write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
        return
    text = RENDERERS[args.format](report)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


# --- writing the agency's parts ---------------------------------------------------------------


def _set_text(args: argparse.Namespace) -> None:
    text = read_text(args.file)
    channel, stub = _stub(args)
    with channel:
        reply = stub.RecordAnnualReportText(
            a.RecordAnnualReportTextRequest(
                agency_code=args.agency, year=args.year, section=args.section, text=text
            ),
            metadata=bearer(args.token),
            timeout=30,
        )
    print(f"已记录 recorded: {SECTION_TITLES[reply.section]}（{len(reply.text)}字）")
    _say_if_correction(reply.correction, args.year)


def _set_proactive(args: argparse.Namespace) -> None:
    figures = _figures(args)
    if not figures.ListFields():
        raise SystemExit("ogi report set-proactive: give --file or at least one figure")
    channel, stub = _stub(args)
    with channel:
        reply = stub.RecordProactiveDisclosureFigures(
            a.RecordProactiveDisclosureFiguresRequest(
                agency_code=args.agency, year=args.year, figures=figures
            ),
            metadata=bearer(args.token),
            timeout=30,
        )
    print("已记录 recorded: 二、主动公开政府信息情况")
    for field, value in reply.figures.ListFields():
        print(f"  {cell_label(FIGURE_FIELDS[field.name])}: {value}")
    _say_if_correction(reply.correction, args.year)


def _figures(args: argparse.Namespace) -> a.ProactiveDisclosureFigures:
    """From the TOML file, then the options (which win)."""
    fields = FIGURE_FIELDS
    figures: dict[str, Any] = {}
    if args.file:
        try:
            loaded = tomllib.loads(read_text(args.file))
        except tomllib.TOMLDecodeError as e:
            raise SystemExit(f"{args.file}: {e}") from None
        unknown = sorted(set(loaded) - set(fields))
        if unknown:
            raise SystemExit(
                f"{args.file}: unknown {', '.join(unknown)}; known: {', '.join(fields)}"
            )
        figures |= loaded
    figures |= {name: getattr(args, name) for name in fields if hasattr(args, name)}
    if "charges_amount" in figures:
        figures["charges_amount"] = str(figures["charges_amount"])
    wrong = [
        name
        for name, value in figures.items()
        if name != "charges_amount" and (type(value) is not int)  # not bool, not 3.0
    ]
    if wrong:
        raise SystemExit(f"{args.file}: {', '.join(wrong)}: 须为整数（a whole number）")
    return a.ProactiveDisclosureFigures(**figures)


def _say_if_correction(correction: bool, year: int) -> None:
    if correction:
        print(
            f"{year}年度报告已锁定发布：本次修改作为更正列在报告中"
            "（the year is locked as published: the report lists this as a correction）"
        )


def read_text(path: Path) -> str:
    """A file as Notepad, Word or WPS saves text: UTF-8 (with or without a byte-order mark) or
    GB18030; `-` reads standard input."""
    data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


# --- the report -------------------------------------------------------------------------------


def title(report: Any) -> str:
    name = report.agency_name or report.agency_code
    scope = "（含下属机关）" if len(report.agencies) > 1 else ""
    return f"{name}{scope}{report.year}年政府信息公开工作年度报告"


def status_lines(report: Any) -> list[str]:
    if not report.locked:
        return []
    return [f"已于 {report.locked_at.ToDatetime():%Y-%m-%d} 锁定发布（{report.locked_by}）"]


def _text_lines(section: Section) -> list[str]:
    """A section's paragraphs as printed; the placeholder where a required text is missing."""
    if section.paragraphs is None:
        return []
    if not section.paragraphs and section.number != SIX:
        return [NOT_WRITTEN]
    return section.paragraphs


def _correction_lines(section: Section) -> list[str]:
    return [line for c in section.corrections for line in c.splitlines() if line.strip()]


# --- HTML -----------------------------------------------------------------------------------

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       margin: 2em; max-width: 80em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid #333; padding: 4px 8px; font-size: 14px; }
th { background: #f3f3f3; font-weight: normal; text-align: center; }
td { text-align: right; min-width: 3em; }
p { line-height: 1.6; }
p.text { text-indent: 2em; }
p.correction { color: #a00; }
"""


def render_html(report: Any) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(title(report))}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title(report))}</h1>",
    ]
    parts += [f"<p>{html.escape(line)}</p>" for line in status_lines(report)]
    for section in sections(report):
        parts.append(f'<section data-section="{section.number}">')
        parts.extend(_html_section(section))
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _html_section(section: Section) -> list[str]:
    parts = [f"<h2>{html.escape(section.title)}</h2>"]
    for table in section.tables:
        if table.title:
            parts.append(f"<h3>{html.escape(table.title)}</h3>")
        parts.append(html_grid(table.grid, table.section))
    parts += [f'<p class="text">{html.escape(line)}</p>' for line in _text_lines(section)]
    parts += [
        f'<p class="correction">{html.escape(line)}</p>' for line in _correction_lines(section)
    ]
    return parts


def html_grid(grid: Grid, section: str) -> str:
    rows = []
    for row in grid:
        cells = []
        for cell in row:
            tag = "th" if cell.header else "td"
            span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            cells.append(f"<{tag}{span}>{html.escape(cell.text)}</{tag}>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table data-section="{section}">\n' + "\n".join(rows) + "\n</table>"


# --- Markdown: the text as Markdown, the tables as HTML (Markdown has no merged cells) --------


def render_markdown(report: Any) -> str:
    out = [f"# {_md(title(report))}"]
    out += ["", *(_md(line) for line in status_lines(report))]
    for section in sections(report):
        out += ["", f"## {_md(section.title)}"]
        for table in section.tables:
            if table.title:
                out += ["", f"### {_md(table.title)}"]
            out += ["", html_grid(table.grid, table.section)]
        for line in _text_lines(section):
            out += ["", _md(line)]
        for line in _correction_lines(section):
            out += ["", f"> {_md(line)}"]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return html.escape(text, quote=False)


# --- CSV and JSON -----------------------------------------------------------------------------


def _label(table: Table, labels: tuple[str, ...]) -> str:
    return " / ".join(labels) if labels else table.title


def render_csv(report: Any) -> str:
    """Every section in order; a table's lines labelled by their path of labels
    ("三、本年度办理结果 / （三）不予公开 / 4.保护第三方合法权益"), since CSV cannot merge."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title(report)])
    for line in status_lines(report):
        writer.writerow([line])
    for section in sections(report):
        writer.writerow([])
        writer.writerow([section.title])
        for table in section.tables:
            if table.title:
                writer.writerow([table.title])
            for block in table.blocks:
                writer.writerow(["项目", *block.columns])
                for row in block.rows:
                    writer.writerow([_label(table, row.labels), *row.values])
        for line in _text_lines(section):
            writer.writerow([line])
        for line in _correction_lines(section):
            writer.writerow([line])
    return buffer.getvalue()


def render_json(report: Any) -> str:
    document = {
        "title": title(report),
        "agency_code": report.agency_code,
        "year": report.year,
        "agencies": list(report.agencies),
        "locked": report.locked,
        "locked_by": report.locked_by,
        "invariant_violations": list(report.invariant_violations),
        "sections": [
            {
                "section": s.number,
                "title": s.title,
                "text": "\n".join(s.paragraphs) if s.paragraphs else None,
                "tables": [
                    {
                        "title": t.title,
                        "blocks": [
                            {
                                "columns": b.columns,
                                "rows": [
                                    {"labels": list(r.labels), "values": r.values} for r in b.rows
                                ],
                            }
                            for b in t.blocks
                        ],
                    }
                    for t in s.tables
                ],
                "corrections": s.corrections,
            }
            for s in sections(report)
        ],
        "corrections": [
            {
                "section": c.section,
                "line": c.line,
                "column": c.column,
                "label": cell_label((c.section, c.line, c.column)),
                "published": c.published,
                "current": c.current,
            }
            for c in report.corrections
        ],
        "text_corrections": [
            {"section": t.section, "published": t.published, "current": t.current}
            for t in report.text_corrections
        ],
        "cells": [
            {"section": c.section, "line": c.line, "column": c.column, "value": c.value}
            for c in report.cells
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


RENDERERS: dict[str, Callable[[Any], str]] = {
    "html": render_html,
    "md": render_markdown,
    "json": render_json,
}


# --- XLSX: a sheet per section, laid out as the official tables ------------------------------

_TEXT_WIDTH = 100  # characters across a sheet of text (一, 五)
_LINE_HEIGHT = 15.0  # points per line of 11-point 宋体


def write_xlsx(report: Any, path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    if first is not None:
        workbook.remove(first)
    for section in sections(report):
        _xlsx_section(workbook.create_sheet(_sheet_name(section)), report, section)
    workbook.save(path)


def _sheet_name(section: Section) -> str:
    # Excel allows 31 characters and no []:*?/\ — the official titles have none
    return section.title[:31]


def _xlsx_section(sheet: Any, report: Any, section: Section) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    widths = section.tables[0].widths if section.tables else [float(_TEXT_WIDTH)]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    across = len(widths)
    row = 1
    row = _xlsx_line(sheet, row, title(report), across, Font(name=FONT, size=16, bold=True))
    if section.number == ONE:
        for line in status_lines(report):
            row = _xlsx_line(sheet, row, line, across, Font(name=FONT, size=11))
    row = _xlsx_line(sheet, row, section.title, across, Font(name=FONT, size=14, bold=True))
    for table in section.tables:
        if table.title:
            row = _xlsx_line(sheet, row, table.title, across, Font(name=FONT, size=12, bold=True))
        row = _xlsx_grid(sheet, table, row) + 1
    body = Font(name=FONT, size=11)
    for line in _text_lines(section):
        row = _xlsx_line(sheet, row, "\u3000\u3000" + line, across, body, widths)
    for line in _correction_lines(section):
        row = _xlsx_line(sheet, row, line, across, Font(name=FONT, size=11, color="AA0000"), widths)


def _xlsx_line(
    sheet: Any,
    row: int,
    text: str,
    across: int,
    font: Any,
    widths: list[float] | None = None,
) -> int:
    """One line of text across the sheet (merged over the table's columns); its height fitted
    to the text, as Excel does not fit merged cells itself. The next free row."""
    from openpyxl.styles import Alignment

    cell = sheet.cell(row, 1, text)
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if across > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=across)
    if widths is not None:
        sheet.row_dimensions[row].height = _height(text, sum(widths), font.size or 11)
    return row + 1


def _xlsx_grid(sheet: Any, table: Table, top: int) -> int:
    """Lays the grid out as HTML would: each cell takes the first free column of its row. Data
    cells hold numbers (with their number format), never text. The row after the table."""
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name=FONT, size=11)
    taken: set[tuple[int, int]] = set()
    for r, grid_row in enumerate(table.grid):
        column = 1
        height = 1
        for cell in grid_row:
            while (top + r, column) in taken:
                column += 1
            target = sheet.cell(top + r, column, cell.text if cell.number is None else cell.number)
            if cell.number is not None:
                target.number_format = cell.number_format
            horizontal = "center" if cell.header else "right"
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((top + r + dr, column + dc))
                    part = sheet.cell(top + r + dr, column + dc)
                    part.border = border
                    part.font = font
                    part.alignment = Alignment(
                        wrap_text=True, vertical="center", horizontal=horizontal
                    )
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=top + r,
                    start_column=column,
                    end_row=top + r + cell.rowspan - 1,
                    end_column=column + cell.colspan - 1,
                )
            if cell.rowspan == 1:
                width = sum(table.widths[column - 1 : column - 1 + cell.colspan])
                height = max(height, _lines(cell.text, width))
            column += cell.colspan
        sheet.row_dimensions[top + r].height = height * _LINE_HEIGHT
    return top + len(table.grid)


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide (a Chinese character
    is two)."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return max(1, ceil(shown / max(width - 1, 1)))


def _height(text: str, width: float, size: float) -> float:
    return _lines(text, width) * _LINE_HEIGHT * size / 11
