"""A case's documents (the documents issue): drafts to preview (PDF and DOCX, marked 草稿,
nothing stored), issuing one (the agency's next number), and the issued ones to download, each
file checked by handling against its SHA-256. Offered where handling serves these calls."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from services.console.backends import call
from services.console.web import checked_form, console, redirect, session, text, token

AVAILABLE = hasattr(h, "ListDocumentsRequest")
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _kind(value: str) -> Any:
    """A kind's wire value from the form or query; 0 (unset) for anything else."""
    return int(value) if value.isdigit() else 0


def kind_names() -> dict[int, str]:
    """The kinds of document by their names in the Regulation's words."""
    names = {
        "REGISTRATION_RECEIPT": "政府信息公开申请登记回执",
        "CORRECTION_NOTICE": "补正申请告知书",
        "REASONS_NOTICE": "说明理由告知书",
        "DELAYED_REPLY_NOTICE": "延迟答复告知书",
        "EXTENSION_NOTICE": "延长答复期限告知书",
        "CONSULTATION_LETTER": "征求意见书",
        "CONSULTATION_NOTICE": "征求意见告知书",
        "FEE_NOTICE": "收费通知书",
        "REVIEW_FORM": "政府信息公开审查呈批单",
        "REPLY": "政府信息公开申请答复书",
    }
    return {
        getattr(pb, f"DOCUMENT_KIND_{key}"): name
        for key, name in names.items()
        if hasattr(pb, f"DOCUMENT_KIND_{key}")
    }


async def issued(request: Request, case: h.Case) -> list[Any]:
    """The documents issued on the case, oldest first; none where handling has no such call."""
    if not AVAILABLE:
        return []
    reply = await call(
        console(request).backends.handling.ListDocuments,
        h.ListDocumentsRequest(case=case.application_number),
        await token(request, session(request)),
    )
    return list(reply.documents)


async def download(request: Request) -> Response:
    current = session(request)
    wanted = request.query_params.get("format", "pdf")
    reply = await call(
        console(request).backends.handling.GetDocument,
        h.GetDocumentRequest(
            case=request.path_params["number"],
            number=request.query_params.get("number", ""),
            format=pb.DOCUMENT_FORMAT_DOCX if wanted == "docx" else pb.DOCUMENT_FORMAT_PDF,
        ),
        await token(request, current),
    )
    return _file(reply.content, reply.media_type, reply.file_name)


async def preview(request: Request) -> Response:
    current = session(request)
    kind = request.query_params.get("kind", "")
    reply = await call(
        console(request).backends.handling.PreviewDocument,
        h.PreviewDocumentRequest(case=request.path_params["number"], kind=_kind(kind)),
        await token(request, current),
    )
    name = f"草稿-{kind_names().get(reply.kind, '文书')}"
    if request.query_params.get("format") == "docx":
        return _file(reply.docx, DOCX, name + ".docx")
    return _file(reply.pdf, PDF, name + ".pdf", inline=True)


async def issue(request: Request) -> Response:
    current = session(request)
    form = await checked_form(request, current)
    number = request.path_params["number"]
    kind = text(form, "kind")
    await call(
        console(request).backends.handling.IssueDocument,
        h.IssueDocumentRequest(case=number, kind=_kind(kind)),
        await token(request, current),
    )
    return redirect(f"/cases/{number}?issued=1#documents")


def _file(content: bytes, media_type: str, name: str, *, inline: bool = False) -> Response:
    how = "inline" if inline else "attachment"
    return Response(
        content,
        media_type=media_type,
        headers={"content-disposition": f"{how}; filename*=UTF-8''{quote(name)}"},
    )


ROUTES = (
    [
        Route("/cases/{number}/document", download, methods=["GET"]),
        Route("/cases/{number}/preview", preview, methods=["GET"]),
        Route("/cases/{number}/issue", issue, methods=["POST"]),
    ]
    if AVAILABLE
    else []
)
