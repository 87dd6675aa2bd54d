"""`ogi report`: the annual report's tables (sections 三, 四 and the fees of 六) for an agency and
year, read from archive, in the official layout and labels: HTML (merged headers, ready to
publish), Markdown, CSV, JSON or XLSX (Excel/WPS)."""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc

from ogi.cli.calls import bearer
from ogi.cli.report_layout import Grid, Table, tables
from ogi.config import DEFAULT_PORTS
from ogi.v1 import archive_pb2 as a
from ogi.v1 import archive_pb2_grpc

DEFAULT_ARCHIVE = f"127.0.0.1:{DEFAULT_PORTS['archive']}"
FORMATS = ("html", "md", "csv", "json", "xlsx")


def add_parser(sub: Any, token_default: str) -> None:
    report = sub.add_parser("report", help="年度报告 the annual report's tables")
    report.set_defaults(archive_command=run)
    report.add_argument("--archive", default=DEFAULT_ARCHIVE, help="archive host:port")
    report.add_argument("--token", default=token_default, help="or OGI_TOKEN")
    report.add_argument("--agency", required=True, help="agency code")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--roll-up", action="store_true", help="include the agencies under it")
    report.add_argument("--format", choices=FORMATS, default="html")
    report.add_argument(
        "--output", type=Path, help="file to write (default: stdout; xlsx needs one)"
    )
    report.add_argument("--lock", action="store_true", help="lock the year as published first")


def run(args: argparse.Namespace) -> None:
    metadata = bearer(args.token)
    with grpc.insecure_channel(args.archive) as channel:
        stub = archive_pb2_grpc.ArchiveServiceStub(channel)
        if args.lock:
            stub.LockAnnualReport(
                a.LockAnnualReportRequest(
                    agency_code=args.agency, year=args.year, roll_up=args.roll_up
                ),
                metadata=metadata,
                timeout=30,
            )
        report = stub.GetAnnualReport(
            a.GetAnnualReportRequest(agency_code=args.agency, year=args.year, roll_up=args.roll_up),
            metadata=metadata,
            timeout=30,
        ).report
    for problem in report.invariant_violations:
        print(f"勾稽关系不符 invariant broken: {problem}", file=sys.stderr)
    if args.format == "xlsx":
        if args.output is None:
            raise SystemExit("xlsx needs --output FILE")
        write_xlsx(report, args.output)
        return
    text = RENDERERS[args.format](report)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def title(report: Any) -> str:
    name = report.agency_name or report.agency_code
    scope = "（含下属机关）" if len(report.agencies) > 1 else ""
    return f"{name}{scope}{report.year}年政府信息公开工作年度报告"


def status_lines(report: Any) -> list[str]:
    lines = []
    if report.locked:
        lines.append(
            f"已于 {report.locked_at.ToDatetime():%Y-%m-%d} 锁定发布（{report.locked_by}）"
        )
    for c in report.corrections:
        lines.append(
            f"更正：{c.section} {c.line} {c.column} 发布数 {c.published}，现为 {c.current}"
        )
    return lines


# --- HTML -----------------------------------------------------------------------------------

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       margin: 2em; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #333; padding: 4px 8px; font-size: 14px; }
th { background: #f3f3f3; font-weight: normal; text-align: center; }
td { text-align: right; min-width: 3em; }
"""


def render_html(report: Any) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(title(report))}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title(report))}</h1>",
    ]
    parts += [f"<p>{html.escape(line)}</p>" for line in status_lines(report)]
    for table in tables(report):
        parts.append(f"<h2>{html.escape(table.title)}</h2>")
        parts.append(_html_grid(table.grid, table.section))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _html_grid(grid: Grid, section: str) -> str:
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


# --- Markdown, CSV, JSON --------------------------------------------------------------------


def _label(table: Table, labels: tuple[str, ...]) -> str:
    return " / ".join(labels) if labels else table.title


def render_markdown(report: Any) -> str:
    out = [f"# {title(report)}", "", *status_lines(report)]
    for table in tables(report):
        out += ["", f"## {table.title}", ""]
        out.append("| 项目 | " + " | ".join(table.columns) + " |")
        out.append("|---|" + "---:|" * len(table.columns))
        for row in table.rows:
            out.append(f"| {_label(table, row.labels)} | " + " | ".join(row.values) + " |")
    return "\n".join(out) + "\n"


def render_csv(report: Any) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title(report)])
    for table in tables(report):
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(["项目", *table.columns])
        for row in table.rows:
            writer.writerow([_label(table, row.labels), *row.values])
    return buffer.getvalue()


def render_json(report: Any) -> str:
    document = {
        "title": title(report),
        "agency_code": report.agency_code,
        "year": report.year,
        "agencies": list(report.agencies),
        "locked": report.locked,
        "invariant_violations": list(report.invariant_violations),
        "corrections": [
            {
                "section": c.section,
                "line": c.line,
                "column": c.column,
                "published": c.published,
                "current": c.current,
            }
            for c in report.corrections
        ],
        "tables": [
            {
                "section": t.section,
                "title": t.title,
                "columns": t.columns,
                "rows": [{"labels": list(r.labels), "values": r.values} for r in t.rows],
            }
            for t in tables(report)
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
    "csv": render_csv,
    "json": render_json,
}


# --- XLSX -----------------------------------------------------------------------------------


def write_xlsx(report: Any, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet  # noqa: S101
    sheet.title = str(report.year)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.cell(1, 1, title(report))
    top = 2
    for line in status_lines(report):
        sheet.cell(top, 1, line)
        top += 1
    for table in tables(report):
        top += 1
        sheet.cell(top, 1, table.title)
        top += 1
        top = _xlsx_grid(sheet, table.grid, top, border, Alignment)
    workbook.save(path)


def _xlsx_grid(sheet: Any, grid: Grid, top: int, border: Any, alignment: Any) -> int:
    """Lays the grid out as HTML would: each cell takes the first free column of its row."""
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(grid):
        column = 1
        for cell in row:
            while (top + r, column) in taken:
                column += 1
            value: Any = int(cell.text) if not cell.header and cell.text.isdigit() else cell.text
            target = sheet.cell(top + r, column, value)
            target.border = border
            target.alignment = alignment(wrap_text=True, vertical="center")
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((top + r + dr, column + dc))
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=top + r,
                    start_column=column,
                    end_row=top + r + cell.rowspan - 1,
                    end_column=column + cell.colspan - 1,
                )
            column += cell.colspan
    return top + len(grid)
