"""待办 and the case: the worklist with its filters and bulk assignment, a case with its due
dates, history and the steps it allows now, and finding a case by its number."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import grpc
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ogi.clock import china_date, system_clock
from ogi.v1 import archive_pb2 as a
from ogi.v1 import handling_pb2 as h
from ogi.v1 import notifier_pb2 as n
from ogi.wire import date_to_wire
from services.console import documents
from services.console.backends import Refusal, call
from services.console.present import CASE_STATES
from services.console.steps import STEPS
from services.console.web import (
    checked_form,
    console,
    redirect,
    render,
    session,
    text,
    token,
)

STATE_CODES: dict[str, Any] = {name: number for number, name in CASE_STATES.items()}
DUE_WITHIN = {"today": 0, "3": 3, "10": 10}  # calendar days from today (China time)


async def worklist(request: Request) -> Response:
    current = session(request)
    filters = {k: request.query_params.get(k, "") for k in ("assignee", "state", "due")}
    listing = h.ListWorklistRequest(assignee=filters["assignee"])
    if filters["state"] in STATE_CODES:
        listing.states.append(STATE_CODES[filters["state"]])
    if filters["due"] in DUE_WITHIN:
        due = china_date(system_clock()) + timedelta(days=DUE_WITHIN[filters["due"]])
        listing.due_before.CopyFrom(date_to_wire(due))
    parts = console(request)
    try:
        reply = await call(
            parts.backends.handling.ListWorklist, listing, await token(request, current)
        )
    except Refusal as refused:
        return render(
            request,
            "worklist.html",
            current,
            200,
            items=[],
            filters=filters,
            refusal=refused,
            today=None,
            notice=None,
        )
    items = list(reply.items)
    if filters["due"] == "overdue":
        items = [i for i in items if i.overdue]  # the service's own flag
    template = "_worklist_table.html" if request.headers.get("hx-request") else "worklist.html"
    return render(
        request,
        template,
        current,
        items=items,
        filters=filters,
        today=reply.today,
        notice=request.query_params.get("notice"),
    )


async def bulk_assign(request: Request) -> Response:
    current = session(request)
    form = await checked_form(request, current)
    assignee = text(form, "assignee")
    chosen = [str(v) for v in form.getlist("case")]
    bearer = await token(request, current)
    handling = console(request).backends.handling
    failures: list[tuple[str, Refusal]] = []
    for number in chosen:
        try:
            await call(
                handling.AssignCase, h.AssignCaseRequest(case=number, assignee=assignee), bearer
            )
        except Refusal as refused:
            failures.append((number, refused))
    if failures or not chosen:
        problem = Refusal(
            grpc.StatusCode.INVALID_ARGUMENT,
            "请至少选择一件（choose at least one case）" if not chosen else "部分案件未能分办",
            {"assignee": failures[0][1].fields.get("assignee", "")} if failures else {},
        )
        reply = await call(handling.ListWorklist, h.ListWorklistRequest(), bearer)
        return render(
            request,
            "worklist.html",
            current,
            422,
            items=list(reply.items),
            filters={},
            today=reply.today,
            refusal=problem,
            failures=failures,
            notice=None,
        )
    return redirect(f"/?notice=assigned&n={len(chosen)}")


async def case_page(request: Request) -> Response:
    number = request.path_params["number"]
    try:
        case = await _case(request, number)
    except Refusal as refused:
        return _not_shown(request, refused)
    notice = STEPS.get(request.query_params.get("notice", ""))
    applicant = None
    if request.query_params.get("applicant") == "1":
        applicant = await _applicant(request, case)
    return await _show(request, case, notice=notice.title if notice else None, applicant=applicant)


async def take_step(request: Request) -> Response:
    current = session(request)
    number, step = request.path_params["number"], request.path_params["step"]
    form = await checked_form(request, current)
    found = STEPS.get(step)
    if found is None:
        return render(
            request, "error.html", current, 404, message="没有这个办理步骤（no such step）"
        )
    handling = console(request).backends.handling
    try:
        built = found.build(form)
        built.case = number
        built.expected_version = int(text(form, "expected_version") or 0)
        await call(getattr(handling, found.rpc), built, await token(request, current))
    except Refusal as refused:
        try:
            fresh = await _case(request, number)
        except Refusal as missing:
            return _not_shown(request, missing)
        if refused.conflict:  # shown with the case as it is now
            return await _show(request, fresh, conflict=True, status_code=409)
        errors = {k.removeprefix("reply."): v for k, v in refused.fields.items()}
        return await _show(
            request,
            fresh,
            refusal=refused,
            failed_step=step,
            step_errors=errors,
            values={k: v for k, v in form.items() if isinstance(v, str)},
            status_code=422,
        )
    return redirect(f"/cases/{number}?notice={step}")


async def search(request: Request) -> Response:
    current = session(request)
    query = request.query_params.get("q", "").strip()
    if not query:
        return render(request, "search.html", current, query="")
    try:
        case = await _case(request, query)
    except Refusal as refused:
        if refused.code not in (
            grpc.StatusCode.NOT_FOUND,
            grpc.StatusCode.PERMISSION_DENIED,
            grpc.StatusCode.INVALID_ARGUMENT,
        ):
            raise
        # Not a case number of one's agency (another agency's is not told apart from none):
        # the applicant's name, which handling records as a read of each case it finds.
        return await _by_applicant(request, query)
    return redirect(f"/cases/{case.application_number}")


async def _by_applicant(request: Request, query: str) -> Response:
    current = session(request)
    try:
        reply = await call(
            console(request).backends.handling.FindCasesByApplicant,
            h.FindCasesByApplicantRequest(name=query),
            await token(request, current),
        )
    except Refusal as refused:
        if refused.code is grpc.StatusCode.PERMISSION_DENIED:  # a role that may not see who
            return render(request, "search.html", current, 404, query=query, not_found=True)
        return render(request, "search.html", current, 422, query=query, refusal=refused)
    if not reply.matches:
        return render(request, "search.html", current, 404, query=query, not_found=True)
    return render(request, "search.html", current, query=query, matches=list(reply.matches))


async def _case(request: Request, reference: str) -> h.Case:
    current = session(request)
    reply = await call(
        console(request).backends.handling.GetCase,
        h.GetCaseRequest(case=reference),
        await token(request, current),
    )
    found: h.Case = reply.case
    return found


async def _applicant(request: Request, case: h.Case) -> Any:
    """Who the applicant is, where handling offers it (GetApplicant, the documents issue):
    asked for on purpose, as every read is recorded in the agency's access log."""
    if not hasattr(h, "GetApplicantRequest"):
        return None
    current = session(request)
    reply = await call(
        console(request).backends.handling.GetApplicant,
        h.GetApplicantRequest(case=case.application_number),
        await token(request, current),
    )
    return reply.applicant


async def _dossier(request: Request, case: h.Case) -> Any:
    """The archive's dossier of the case, where the archive has it (it follows handling)."""
    current = session(request)
    try:
        reply = await call(
            console(request).backends.archive.GetDossier,
            a.GetDossierRequest(dossier=case.application_number),
            await token(request, current),
        )
    except Refusal:
        return None
    return reply.dossier


async def _deliveries(request: Request, case: h.Case) -> Any:
    """What the notifier sent the applicant about the case (each notice, channel, masked
    address, state, attempts); None when the notifier cannot be asked now."""
    notifier = console(request).backends.notifier
    if notifier is None:
        return None
    try:
        return await call(
            notifier.ListDeliveries,
            n.ListDeliveriesRequest(application_number=case.application_number),
            await token(request, session(request)),
        )
    except Refusal:
        return None


async def _show(request: Request, case: h.Case, status_code: int = 200, **context: Any) -> Response:
    current = session(request)
    steps = [
        STEPS[s]
        for s in case.allowed_steps
        if s in STEPS and current.principal.roles & STEPS[s].roles
    ]
    return render(
        request,
        "case.html",
        current,
        status_code,
        case=case,
        steps=steps,
        dossier=await _dossier(request, case),
        deliveries=await _deliveries(request, case),
        documents=await documents.issued(request, case),
        document_kinds=documents.kind_names(),
        issued=request.query_params.get("issued") == "1",
        can_see_applicant=hasattr(h, "GetApplicantRequest"),
        **context,
    )


def _not_shown(request: Request, refused: Refusal) -> Response:
    """Another agency's case and a missing one look the same: nothing of it is shown."""
    current = session(request)
    status = (
        404
        if refused.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)
        else 403
    )
    message = "没有找到这件申请（no such case in your agency）"
    if refused.code == grpc.StatusCode.PERMISSION_DENIED:
        message = "无权查看这件申请（not a case of your agency）"
    return render(request, "error.html", current, status, message=message)


ROUTES = [
    Route("/", worklist, methods=["GET"]),
    Route("/worklist/assign", bulk_assign, methods=["POST"]),
    Route("/search", search, methods=["GET"]),
    Route("/cases/{number}", case_page, methods=["GET"]),
    Route("/cases/{number}/{step}", take_step, methods=["POST"]),
]
