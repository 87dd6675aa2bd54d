"""`ogi register import`: an agency's register of its documents (发文目录) from the spreadsheet it
keeps, into archive, so that a request naming a document by its number alone is compared with
requests naming its title (Art 44). A CSV (UTF-8 or GB18030, as Excel and WPS save it) or XLSX
file whose header row has a number column (文号, 发文字号) and a title column (标题, 文件名称).
The whole file is recorded or none of it; importing it again records only what is new."""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import openpyxl

from ogi.cli.calls import bearer, field_violations
from ogi.cli.report import DEFAULT_ARCHIVE
from ogi.v1 import archive_pb2 as a
from ogi.v1 import archive_pb2_grpc

_NUMBER_HEADER = re.compile(r"^(发文字号|发文号|文号|字号|number)$", re.IGNORECASE)
_TITLE_HEADER = re.compile(r"^(文件标题|文件名称|标题|名称|title)$", re.IGNORECASE)
_VIOLATION_INDEX = re.compile(r"^documents\[(\d+)\]\.(\w+)$")


@dataclass(frozen=True)
class Row:
    line: int  # as the spreadsheet numbers it, header included
    number: str
    title: str


def add_parser(sub: Any, token_default: str) -> None:
    register = sub.add_parser("register", help="发文目录 the agency's register of its documents")
    actions = register.add_subparsers(required=True)
    load = actions.add_parser("import", help="record documents from a CSV or XLSX file")
    load.set_defaults(archive_command=run)
    load.add_argument("file", type=Path, help="CSV or XLSX with 文号 and 标题 columns")
    load.add_argument("--agency", required=True, help="agency code")
    load.add_argument("--archive", default=DEFAULT_ARCHIVE, help="archive host:port")
    load.add_argument("--token", default=token_default, help="or OGI_TOKEN")


def run(args: argparse.Namespace) -> None:
    rows = read_rows(args.file)
    request = a.RecordDocumentsRequest(
        agency_code=args.agency,
        documents=[a.RegisteredDocument(number=r.number, title=r.title) for r in rows],
    )
    metadata = bearer(args.token)
    with grpc.insecure_channel(args.archive) as channel:
        stub = archive_pb2_grpc.ArchiveServiceStub(channel)
        try:
            recorded = stub.RecordDocuments(request, metadata=metadata, timeout=60).recorded
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
                raise
            for line in refused_rows(error, rows):
                print(line, file=sys.stderr)
            raise SystemExit(f"{args.file}: nothing recorded") from None
    print(f"{len(rows)} documents read, {recorded} recorded (new or with a new title)")


def read_rows(path: Path) -> list[Row]:
    """The file's documents, from the row after its header; blank rows left out."""
    lines = _xlsx_lines(path) if path.suffix.lower() == ".xlsx" else _csv_lines(path)
    table = [(n, [str(cell or "").strip() for cell in cells]) for n, cells in lines]
    for at, (_, cells) in enumerate(table):
        number, title = _column(cells, _NUMBER_HEADER), _column(cells, _TITLE_HEADER)
        if number is not None and title is not None:
            return [
                Row(n, _cell(cells, number), _cell(cells, title))
                for n, cells in table[at + 1 :]
                if _cell(cells, number) or _cell(cells, title)
            ]
    raise SystemExit(f"{path}: no header row with a 文号 column and a 标题 column")


def refused_rows(error: grpc.RpcError, rows: Sequence[Row]) -> list[str]:
    """Archive's field violations, told by the spreadsheet's row (documents[3].number → 第5行)."""
    lines = [f"错误 error: {error.details()}"]
    for field, description in field_violations(error):
        found = _VIOLATION_INDEX.match(field)
        if found and int(found[1]) < len(rows):
            line = rows[int(found[1])].line
            field = f"第{line}行 row {line} {found[2]}"
        lines.append(f"  {field}: {description}")
    return lines


def _xlsx_lines(path: Path) -> Iterable[tuple[int, Sequence[object]]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return list(enumerate(sheet.iter_rows(values_only=True), start=1))
    finally:
        book.close()


def _csv_lines(path: Path) -> Iterable[tuple[int, Sequence[object]]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return list(enumerate(csv.reader(text.splitlines()), start=1))


def _column(cells: list[str], header: re.Pattern[str]) -> int | None:
    return next((i for i, cell in enumerate(cells) if header.match(cell)), None)


def _cell(cells: list[str], column: int) -> str:
    return cells[column] if column < len(cells) else ""
