"""The steps of handling as forms: each step the case allows now (Case.allowed_steps) is one
form, in the law's words, that becomes one HandlingService call. The service decides; this only
turns the form into the request."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from ogi.auth import Role
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.wire import date_to_wire
from services.console.web import day, text

Build = Callable[[FormData], Any]


@dataclass(frozen=True)
class StepForm:
    step: str  # Case.allowed_steps' name
    title: str  # in the law's words
    rpc: str  # HandlingService method
    build: Build
    # Who may take it; the service checks again (PERMISSION_DENIED).
    roles: frozenset[Role] = frozenset({Role.REGISTRAR, Role.HANDLER, Role.OFFICE_HEAD})


def _date(form: FormData, name: str) -> pb.CalendarDate:
    return date_to_wire(day(form, name))


def _int(form: FormData, name: str) -> Any:
    value = text(form, name)
    return int(value) if value.isdigit() else 0


def _fee(form: FormData) -> h.IssueFeeNoticeRequest:
    if text(form, "method") == "per_application":
        return h.IssueFeeNoticeRequest(
            method=pb.FEE_METHOD_PER_APPLICATION,
            ordinal_in_month=_int(form, "ordinal_in_month"),
            notified_on=_date(form, "notified_on"),
        )
    return h.IssueFeeNoticeRequest(
        method=pb.FEE_METHOD_PER_PAGE,
        pages=_int(form, "pages"),
        notified_on=_date(form, "notified_on"),
    )


RELEASE_ROWS = 3  # rows the reply form offers for what it provides (R1, R2, R8)


def _reply(form: FormData) -> h.ReplyToApplicationRequest:
    reply = h.Reply(
        outcome=_int(form, "outcome"),
        ground=_int(form, "ground"),
        reasons=text(form, "reasons"),
        responsible_agency=text(form, "responsible_agency"),
        replied_on=_date(form, "replied_on"),
    )
    if "released" in h.Reply.DESCRIPTOR.fields_by_name:  # the documents issue's field
        reply.released.extend(released_items(form))
    return h.ReplyToApplicationRequest(reply=reply)


def released_items(form: FormData) -> list[Any]:
    """The rows of what the reply provides that were filled in. For an electronic file the
    console takes the file and records its SHA-256 (the file itself is not kept here)."""
    items = []
    for n in range(RELEASE_ROWS):
        title, form_code = text(form, f"released[{n}].title"), _int(form, f"released[{n}].form")
        upload = form.get(f"released[{n}].file")
        digest = ""
        if upload is not None and not isinstance(upload, str) and upload.filename:
            digest = hashlib.sha256(upload.file.read()).hexdigest()
        if not (title or digest or text(form, f"released[{n}].link")):
            continue
        items.append(
            pb.ReleasedItem(
                title=title,
                document_number=text(form, f"released[{n}].document_number"),
                form=form_code,
                sha256=digest,
                link=text(form, f"released[{n}].link"),
            )
        )
    return items


def _review(form: FormData) -> Any:
    return h.ReviewConfidentialityRequest(
        conclusion=_int(form, "conclusion"),
        basis=text(form, "basis"),
        withheld=text(form, "withheld"),
        reviewed_on=_date(form, "reviewed_on"),
    )


# 保密审查 is the reviewers' and the office head's (the service checks again).
_REVIEWERS = frozenset(r for r in Role if r.value in ("reviewer", "office_head"))


STEPS: dict[str, StepForm] = {
    s.step: s
    for s in [
        StepForm("accept", "受理", "AcceptCase", lambda _f: h.AcceptCaseRequest()),
        StepForm(
            "assign",
            "分办",
            "AssignCase",
            lambda f: h.AssignCaseRequest(assignee=text(f, "assignee")),
        ),
        StepForm(
            "request_correction",
            "补正告知（第三十条）",
            "RequestCorrection",
            lambda f: h.RequestCorrectionRequest(
                items=[line.strip() for line in text(f, "items").splitlines() if line.strip()],
                period_working_days=_int(f, "period_working_days"),
                notice_date=_date(f, "notice_date"),
            ),
        ),
        StepForm(
            "lapse_correction",
            "逾期不补正（第三十条）",
            "LapseCorrection",
            lambda f: h.LapseCorrectionRequest(on=_date(f, "on")),
        ),
        StepForm(
            "request_reasons",
            "要求说明理由（第三十五条）",
            "RequestReasons",
            lambda f: h.RequestReasonsRequest(notice_date=_date(f, "notice_date")),
        ),
        StepForm(
            "assess_reasons",
            "审核理由（第三十五条）",
            "AssessReasons",
            lambda f: h.AssessReasonsRequest(
                reasonable=text(f, "reasonable") == "yes", later_due=_date(f, "later_due")
            ),
        ),
        StepForm(
            "start_consultation",
            "征求意见（第三十二条）",
            "StartConsultation",
            lambda f: h.StartConsultationRequest(
                party=text(f, "party"), sent_on=_date(f, "sent_on")
            ),
        ),
        StepForm(
            "end_consultation",
            "收到意见",
            "EndConsultation",
            lambda f: h.EndConsultationRequest(
                opinion=text(f, "opinion"), received_on=_date(f, "received_on")
            ),
        ),
        StepForm(
            "extend",
            "延长答复期限（第三十三条）",
            "ExtendReplyPeriod",
            lambda f: h.ExtendReplyPeriodRequest(days=_int(f, "days"), on=_date(f, "on")),
            frozenset({Role.OFFICE_HEAD}),
        ),
        StepForm("issue_fee_notice", "收取信息处理费通知", "IssueFeeNotice", _fee),
        StepForm(
            "record_payment",
            "已缴费",
            "RecordFeePayment",
            lambda f: h.RecordFeePaymentRequest(paid_on=_date(f, "paid_on")),
        ),
        StepForm(
            "waive_fee",
            "减免信息处理费",
            "WaiveFee",
            lambda f: h.WaiveFeeRequest(reason=text(f, "reason"), waived_on=_date(f, "waived_on")),
        ),
        StepForm(
            "lapse_fee",
            "逾期未缴费（第四十二条）",
            "LapseFee",
            lambda f: h.LapseFeeRequest(on=_date(f, "on")),
        ),
        StepForm(
            "review_confidentiality",
            "保密审查（第十七条）",
            "ReviewConfidentiality",
            _review,
            _REVIEWERS,
        ),
        StepForm("answer", "答复", "ReplyToApplication", _reply),
        StepForm(
            "serve",
            "送达",
            "RecordService",
            lambda f: h.RecordServiceRequest(
                method=_int(f, "method"), served_on=_date(f, "served_on")
            ),
        ),
    ]
}
