"""The registrar's entries (登记): an application handed in on paper, by post, fax, e-mail or
orally, with its receipt date by the channel's Art 31 rule; and a correction or withdrawal
handed in offline afterwards. Intake checks the dates and fields; its refusals appear beside
them."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ogi.v1 import common_pb2 as pb
from ogi.v1 import intake_pb2 as i
from ogi.wire import date_to_wire
from services.console.backends import Refusal, call
from services.console.web import checked_form, console, day, render, session, text, token

ID_TYPES = {
    pb.IDENTITY_DOCUMENT_TYPE_RESIDENT_IDENTITY_CARD: "居民身份证",
    pb.IDENTITY_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE: "统一社会信用代码",
    pb.IDENTITY_DOCUMENT_TYPE_PASSPORT: "护照",
    pb.IDENTITY_DOCUMENT_TYPE_OTHER: "其他证件",
}


def _int(value: str) -> Any:
    """A number from a select (an enum's wire value); 0 (unset) for anything else, which the
    service then names as missing."""
    return int(value) if value.isdigit() else 0


async def entry_page(request: Request) -> Response:
    current = session(request)
    return render(request, "entry.html", current, request_id=str(uuid.uuid4()), ID_TYPES=ID_TYPES)


async def enter_application(request: Request) -> Response:
    current = session(request)
    form = await checked_form(request, current)
    values = {k: str(v) for k, v in form.items()}
    try:
        request_message = i.SubmitApplicationRequest(
            # Made when the form was shown: sending the same form again (a double click, a
            # retry after a lost answer) gets the same application back.
            request_id=text(form, "request_id"),
            agency_code=current.principal.agency_code,
            channel=_int(text(form, "channel")),
            receipt_date=date_to_wire(day(form, "receipt_date")),
            transcribed_by=text(form, "transcribed_by"),
            applicant=pb.Applicant(
                category=_int(text(form, "applicant.category")),
                name=text(form, "applicant.name"),
                contact=pb.Contact(
                    phone=text(form, "applicant.contact.phone"),
                    email=text(form, "applicant.contact.email"),
                    postal_address=text(form, "applicant.contact.postal_address"),
                    postal_code=text(form, "applicant.contact.postal_code"),
                ),
                contact_person=text(form, "applicant.contact_person"),
            ),
            information=pb.InformationDescription(
                description=text(form, "information.description"),
                document_title=text(form, "information.document_title"),
                document_number=text(form, "information.document_number"),
            ),
            delivery=pb.Delivery(
                form=_int(text(form, "delivery.form")), route=_int(text(form, "delivery.route"))
            ),
        )
        if number := text(form, "applicant.identity_document.number"):
            request_message.applicant.identity_document.CopyFrom(
                pb.IdentityDocument(
                    type=_int(text(form, "applicant.identity_document.type")), number=number
                )
            )
        reply = await call(
            console(request).backends.intake.SubmitApplication,
            request_message,
            await token(request, current),
        )
    except Refusal as refused:
        return render(
            request,
            "entry.html",
            current,
            422,
            refusal=refused,
            errors=refused.fields,
            values=values,
            request_id=values.get("request_id") or str(uuid.uuid4()),
            ID_TYPES=ID_TYPES,
        )
    return render(request, "entered.html", current, reply=reply)


KINDS = ("correction", "withdrawal")


async def offline_page(request: Request) -> Response:
    current = session(request)
    if request.path_params["kind"] not in KINDS:
        return render(request, "error.html", current, 404, message="没有这个页面（no such page）")
    return render(request, "offline.html", current, kind=request.path_params["kind"])


async def enter_offline(request: Request) -> Response:
    """A correction (补正) or withdrawal (撤回) handed in offline."""
    current = session(request)
    kind = request.path_params["kind"]
    form = await checked_form(request, current)
    if kind not in KINDS:
        return render(request, "error.html", current, 404, message="没有这个页面（no such page）")
    values = {k: str(v) for k, v in form.items()}
    intake = console(request).backends.intake
    try:
        received = i.OfflineReceipt(
            channel=_int(text(form, "received.channel")),
            receipt_date=date_to_wire(day(form, "received.receipt_date")),
            transcribed_by=text(form, "received.transcribed_by"),
        )
        number = text(form, "application_number")
        bearer = await token(request, current)
        if kind == "correction":
            reply = await call(
                intake.RecordCorrectionReceived,
                i.RecordCorrectionReceivedRequest(
                    application_number=number,
                    received=received,
                    information=pb.InformationDescription(
                        description=text(form, "information.description")
                    ),
                    note=text(form, "note"),
                ),
                bearer,
            )
            done = reply.receipt_date
        else:
            withdrawn = await call(
                intake.RecordWithdrawalReceived,
                i.RecordWithdrawalReceivedRequest(
                    application_number=number, received=received, reason=text(form, "reason")
                ),
                bearer,
            )
            done = withdrawn.withdrawal_date
    except Refusal as refused:
        return render(
            request,
            "offline.html",
            current,
            422,
            kind=kind,
            refusal=refused,
            errors=refused.fields,
            values=values,
        )
    return render(request, "offline.html", current, kind=kind, done=done, number=number)


ROUTES = [
    Route("/entry", entry_page, methods=["GET"]),
    Route("/entry", enter_application, methods=["POST"]),
    Route("/entry/{kind:str}", offline_page, methods=["GET"]),
    Route("/entry/{kind:str}", enter_offline, methods=["POST"]),
]
