"""For the operator (系统运维): the messages consumers set aside (dead letters, on NATS) and the
stored events each service's readers set aside (OperationsService), listed with why, and put
back once the cause is fixed. Ids, topics and errors only: never an event's contents."""

from __future__ import annotations

import nats
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ogi.auth import Role
from ogi.cli.deadletters import replay, set_aside
from ogi.v1 import operations_pb2 as o
from services.console.backends import Refusal, call
from services.console.web import checked_form, console, redirect, render, session, text, token

SERVICES = ("intake", "handling", "archive")


def _operator(request: Request) -> Response | None:
    """Dead letters live on NATS, which knows nothing of tokens: the console itself lets only
    the operator role see and replay them (the services check their own calls again)."""
    if Role.OPERATOR in session(request).principal.roles:
        return None
    return render(
        request,
        "error.html",
        session(request),
        403,
        message="需要系统运维角色（needs the operator role）",
    )


async def operations_page(request: Request) -> Response:
    current = session(request)
    if denied := _operator(request):
        return denied
    parts = console(request)
    bearer = await token(request, current)
    readers: dict[str, o.ListSetAsideEventsResponse | Refusal] = {}
    for service in SERVICES:
        try:
            readers[service] = await call(
                parts.backends.operations(service).ListSetAsideEvents,
                o.ListSetAsideEventsRequest(),
                bearer,
            )
        except Refusal as refused:
            readers[service] = refused
    letters, unreachable = [], ""
    try:
        nc = await nats.connect(
            parts.settings.nats_url, connect_timeout=2, max_reconnect_attempts=0
        )
        try:
            letters = await set_aside(nc.jetstream())
        finally:
            await nc.close()
    except Exception as error:
        unreachable = type(error).__name__
    return render(
        request,
        "operations.html",
        current,
        readers=readers,
        letters=letters,
        unreachable=unreachable,
        notice=request.query_params.get("notice"),
    )


async def retry_set_aside(request: Request) -> Response:
    current = session(request)
    form = await checked_form(request, current)
    service = text(form, "service")
    if service not in SERVICES:
        return render(
            request, "error.html", current, 404, message="没有这个服务（no such service）"
        )
    await call(
        console(request).backends.operations(service).RetrySetAsideEvents,
        o.RetrySetAsideEventsRequest(reader=text(form, "reader")),
        await token(request, current),
    )
    return redirect("/operations?notice=retried")


async def replay_letter(request: Request) -> Response:
    """Dead letters live on NATS, which has no idea of tokens: the console lets only the
    operator role put one back."""
    current = session(request)
    form = await checked_form(request, current)
    if "operator" not in current.principal.roles:
        return render(
            request,
            "error.html",
            current,
            403,
            message="需要系统运维角色（needs the operator role）",
        )
    sequence = text(form, "sequence")
    nc = await nats.connect(console(request).settings.nats_url, connect_timeout=2)
    try:
        await replay(nc.jetstream(), int(sequence) if sequence.isdigit() else 0)
    except SystemExit:
        return render(
            request, "error.html", current, 404, message="没有这条消息（no such message）"
        )
    finally:
        await nc.close()
    return redirect("/operations?notice=replayed")


ROUTES = [
    Route("/operations", operations_page, methods=["GET"]),
    Route("/operations/retry", retry_set_aside, methods=["POST"]),
    Route("/operations/replay", replay_letter, methods=["POST"]),
]
