"""The office's pages: information many applicants asked for (Art 44) with its evidence, to
convert, decline or take an application out of; the annual report as HTML tables, downloads
(XLSX, CSV), locking as published (office head), the roll-up over the agencies below; and the
register of documents (发文目录) uploaded as a spreadsheet."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ogi.cli.register import Row, read_rows
from ogi.cli.report import html_grid, render_csv, status_lines, title, write_xlsx
from ogi.cli.report_layout import NOT_WRITTEN, sections
from ogi.clock import china_date, system_clock
from ogi.v1 import archive_pb2 as a
from services.console.backends import Refusal, call
from services.console.web import (
    checked_form,
    console,
    redirect,
    render,
    session,
    text,
    token,
)

# --- Art 44 -------------------------------------------------------------------------------


async def candidates(request: Request) -> Response:
    return await _candidates(request)


async def _candidates(
    request: Request,
    status_code: int = 200,
    refusal: Refusal | None = None,
    failed: str = "",
) -> Response:
    me = session(request)
    try:
        reply = await call(
            console(request).backends.archive.ListConversionCandidates,
            a.ListConversionCandidatesRequest(agency_code=me.principal.agency_code),
            await token(request, me),
        )
        found = list(reply.candidates)
    except Refusal as refused:
        found, refusal = [], refused
    return render(
        request,
        "candidates.html",
        me,
        status_code,
        candidates=found,
        refusal=refusal,
        errors=refusal.fields if refusal else {},
        failed=failed,
        notice=request.query_params.get("notice"),
    )


async def decide_candidate(request: Request) -> Response:
    current = session(request)
    form = await checked_form(request, current)
    candidate, action = request.path_params["candidate"], request.path_params["action"]
    archive = console(request).backends.archive
    agency = current.principal.agency_code
    try:
        if action == "exclude":
            await call(
                archive.ExcludeFromConversionCandidate,
                a.ExcludeFromConversionCandidateRequest(
                    agency_code=agency,
                    candidate_id=candidate,
                    application_number=text(form, "application_number"),
                    reason=text(form, "reason"),
                ),
                await token(request, current),
            )
        else:
            decision = a.DecideConversionCandidateRequest(
                agency_code=agency, candidate_id=candidate
            )
            if action == "convert":
                decision.publication_link = text(form, "publication_link")
            else:
                decision.decline_reason = text(form, "decline_reason")
            await call(archive.DecideConversionCandidate, decision, await token(request, current))
    except Refusal as refused:
        return await _candidates(request, 422, refused, failed=f"{candidate}:{action}")
    return redirect(f"/candidates?notice={action}")


# --- the annual report ----------------------------------------------------------------------


def _report_request(request: Request) -> tuple[str, int, bool]:
    current = session(request)
    params = request.query_params
    year_text = params.get("year", "")
    year = int(year_text) if year_text.isdigit() else china_date(system_clock()).year - 1
    agency = params.get("agency", "").strip() or current.principal.agency_code
    return agency, year, params.get("roll_up") == "1"


async def _report(request: Request, agency: str, year: int, roll_up: bool) -> a.AnnualReport:
    current = session(request)
    reply = await call(
        console(request).backends.archive.GetAnnualReport,
        a.GetAnnualReportRequest(agency_code=agency, year=year, roll_up=roll_up),
        await token(request, current),
    )
    found: a.AnnualReport = reply.report
    return found


async def report_page(request: Request) -> Response:
    current = session(request)
    agency, year, roll_up = _report_request(request)
    try:
        report = await _report(request, agency, year, roll_up)
    except Refusal as refused:
        return render(
            request,
            "report.html",
            current,
            200,
            report=None,
            refusal=refused,
            agency=agency,
            year=year,
            roll_up=roll_up,
        )
    return _report_view(request, report, agency, year, roll_up)


def _report_view(
    request: Request,
    report: a.AnnualReport,
    agency: str,
    year: int,
    roll_up: bool,
    status_code: int = 200,
    refusal: Refusal | None = None,
) -> Response:
    shown = [
        {
            "number": s.number,
            "title": s.title,
            "tables": [(t.title, Markup(html_grid(t.grid, t.section))) for t in s.tables],  # noqa: S704 - html_grid escapes every cell
            "paragraphs": s.paragraphs,
            "corrections": s.corrections,
        }
        for s in sections(report)
    ]
    return render(
        request,
        "report.html",
        session(request),
        status_code,
        report=report,
        title=title(report),
        status=status_lines(report),
        sections=shown,
        not_written=NOT_WRITTEN,
        agency=agency,
        year=year,
        roll_up=roll_up,
        refusal=refusal,
        notice=request.query_params.get("notice"),
    )


async def report_download(request: Request) -> Response:
    agency, year, roll_up = _report_request(request)
    kind = request.path_params["kind"]
    report = await _report(request, agency, year, roll_up)
    name = f"{agency}-{year}{'-汇总' if roll_up else ''}-政府信息公开工作年度报告"
    if kind == "csv":
        body, media = render_csv(report).encode("utf-8-sig"), "text/csv; charset=utf-8"
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "report.xlsx"
            write_xlsx(report, path)
            body = path.read_bytes()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = f"attachment; filename*=UTF-8''{quote(name)}.{kind}"
    return Response(body, media_type=media, headers={"content-disposition": disposition})


async def lock_report(request: Request) -> Response:
    current = session(request)
    form = await checked_form(request, current)
    agency = text(form, "agency") or current.principal.agency_code
    year = int(text(form, "year")) if text(form, "year").isdigit() else 0
    roll_up = text(form, "roll_up") == "1"
    try:
        reply = await call(
            console(request).backends.archive.LockAnnualReport,
            a.LockAnnualReportRequest(agency_code=agency, year=year, roll_up=roll_up),
            await token(request, current),
        )
    except Refusal as refused:
        try:
            report = await _report(request, agency, year, roll_up)
        except Refusal:
            return render(
                request,
                "report.html",
                current,
                422,
                report=None,
                refusal=refused,
                agency=agency,
                year=year,
                roll_up=roll_up,
            )
        return _report_view(request, report, agency, year, roll_up, 422, refused)
    suffix = "&roll_up=1" if roll_up else ""
    return redirect(f"/report?agency={reply.report.agency_code}&year={year}{suffix}&notice=locked")


# --- the register (发文目录) ----------------------------------------------------------------


async def register_page(request: Request) -> Response:
    return render(request, "register.html", session(request))


async def register_upload(request: Request) -> Response:
    current = session(request)
    form = await checked_form(request, current)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return render(
            request, "register.html", current, 422, problems=["请选择文件（choose a file）"]
        )
    suffix = ".xlsx" if upload.filename.lower().endswith(".xlsx") else ".csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"register{suffix}"
        path.write_bytes(await upload.read())
        try:
            rows = read_rows(path)
        except SystemExit as unreadable:  # the CLI's reader says why and stops
            return render(
                request,
                "register.html",
                current,
                422,
                problems=[str(unreadable).replace(str(path), upload.filename)],
            )
        except Exception:
            return render(
                request,
                "register.html",
                current,
                422,
                problems=["无法读取该文件（cannot read the file as CSV or XLSX）"],
            )
    try:
        reply = await call(
            console(request).backends.archive.RecordDocuments,
            a.RecordDocumentsRequest(
                agency_code=current.principal.agency_code,
                documents=[a.RegisteredDocument(number=r.number, title=r.title) for r in rows],
            ),
            await token(request, current),
        )
    except Refusal as refused:
        problems = [refused.message] + [f"{_row(f, rows)}: {m}" for f, m in refused.fields.items()]
        return render(request, "register.html", current, 422, problems=problems, rows=rows)
    return render(request, "register.html", current, read=len(rows), recorded=reply.recorded)


def _row(field: str, rows: list[Row]) -> str:
    """documents[3].number as the spreadsheet numbers it: 第5行 number."""
    found = re.match(r"^documents\[(\d+)\]\.(\w+)$", field)
    if found and int(found[1]) < len(rows):
        return f"第{rows[int(found[1])].line}行 {found[2]}"
    return field


ROUTES = [
    Route("/candidates", candidates, methods=["GET"]),
    Route("/candidates/{candidate}/{action:str}", decide_candidate, methods=["POST"]),
    Route("/report", report_page, methods=["GET"]),
    Route("/report/download.{kind:str}", report_download, methods=["GET"]),
    Route("/report/lock", lock_report, methods=["POST"]),
    Route("/register", register_page, methods=["GET"]),
    Route("/register", register_upload, methods=["POST"]),
]
