"""`ogi cases documents|issue|preview|document` for handlers, and `ogi status … --download DIR`
for applicants: the written notices and replies of a case (issue 17). A kind is given by its
Chinese name (答复书, 补正申请告知书 …) or its English one (reply, correction_notice …)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from ogi.cli.calls import bearer
from ogi.cli.shown import day, pad, parsed
from ogi.documents.kinds import KIND_TERMS, DocumentKind
from ogi.documents.wire import KIND_CODES, KINDS
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2

FORMATS = {"pdf": pb.DOCUMENT_FORMAT_PDF, "docx": pb.DOCUMENT_FORMAT_DOCX}
ADDRESSEES = {
    pb.DOCUMENT_ADDRESSEE_APPLICANT: "致申请人 to the applicant",
    pb.DOCUMENT_ADDRESSEE_CONSULTED_PARTY: "致被征求意见方 to the party consulted",
    pb.DOCUMENT_ADDRESSEE_ON_FILE: "存档 on file",
}


class DocumentError(Exception):
    """The command cannot go on as given; the message (Chinese, then English) says why."""


def _kind_names() -> str:
    return "; ".join(f"{t.zh} / {t.en}" for t in KIND_TERMS.values())


def document_kind(text: str) -> DocumentKind:
    """A kind by its name or code, or by the end of its Chinese name when only one ends so
    (答复书, 登记回执, 审查呈批单)."""
    try:
        return parsed(KIND_TERMS, "文书种类")(text)
    except argparse.ArgumentTypeError:
        ending = [kind for kind, term in KIND_TERMS.items() if term.zh.endswith(text.strip())]
        if len(ending) == 1 and text.strip():
            return ending[0]
        raise


def add_parsers(steps: Any) -> None:
    """The document commands under `ogi cases`."""
    kind = document_kind

    listing = steps.add_parser("documents", help="文书 a case's documents, and what it offers")
    listing.set_defaults(command=_documents)
    listing.add_argument("case", help="application number or case id")

    issue = steps.add_parser("issue", help="发文 issue a document of a case (takes a number)")
    issue.set_defaults(command=_issue)
    issue.add_argument("case", help="application number or case id")
    issue.add_argument("kind", type=kind, help=_kind_names())
    issue.add_argument("--replaces", default="", help="a correction: the number it replaces")

    for name, command, help_ in (
        ("preview", _preview, "草稿 a draft of a document: no number taken, nothing stored"),
        ("document", _document, "下载 the latest issued document of a kind, as PDF or DOCX"),
    ):
        one = steps.add_parser(name, help=help_)
        one.set_defaults(command=command)
        one.add_argument("case", help="application number or case id")
        one.add_argument("kind", type=kind, help=_kind_names())
        one.add_argument("--format", choices=FORMATS, default="pdf")
        one.add_argument("--output", type=Path, required=True, help="the file to write")


# What a step records for its document, by `ogi cases <step>`: (option, request field, help).
FACTS: dict[str, list[tuple[str, str, str]]] = {
    "request-reasons": [
        ("--unreasonable", "unreasonable", "明显超过合理范围的情形, as the notice says it"),
        ("--period", "period_working_days", "working days to give reasons (default: policy)"),
    ],
    "assess-reasons": [("--why", "why", "with --later-due: why the period cannot be met")],
    "consult": [
        ("--party-kind", "party_kind", "third_party (Art 32, default) or agency (Art 34)"),
        ("--information", "information", "the information concerned (default: the request)"),
        ("--concern", "concern", "how disclosure may touch the third party"),
    ],
    "extend": [("--reason", "reason", "why more time is needed")],
    "fee": [
        ("--why", "why", "what goes beyond reason (数量、频次)"),
        ("--payment", "payment", "how to pay this one (default: the agency's words)"),
    ],
    "reply": [
        ("--responsible-agency-contact", "reply.responsible_agency_contact", "R5: its contact"),
        ("--withheld", "reply.withheld", "R8: the part withheld (default: the review's)"),
        ("--earlier-reply", "reply.earlier_reply.number", "R6: the reply already given (文号)"),
        ("--earlier-reply-date", "reply.earlier_reply.dated", "R6: its date, YYYY-MM-DD"),
        ("--route", "reply.route", "R7 special route, R10 proper channel, R11 where to obtain"),
        ("--search", "reply.search", "R4: how the information was searched for"),
        ("--published-where", "reply.published_where", "R1: where it is published"),
    ],
}
PARTY_KINDS = {"third_party": h.CONSULTED_PARTY_THIRD_PARTY, "agency": h.CONSULTED_PARTY_AGENCY}


def add_fact_options(step: str, parser: argparse.ArgumentParser) -> None:
    """The options of `ogi cases <step>` that record what its document says."""
    parser.set_defaults(step_name=step)
    for option, field, help_ in FACTS.get(step, []):
        if field == "period_working_days":
            parser.add_argument(option, dest=field, type=int, default=0, help=help_)
        elif field == "party_kind":
            parser.add_argument(option, dest=field, choices=PARTY_KINDS, help=help_)
        elif field.endswith(".dated"):
            parser.add_argument(option, dest=field, type=day, help=help_)
        else:
            parser.add_argument(option, dest=field, default="", help=help_)


def fill_facts(args: argparse.Namespace, request: Any) -> None:
    """Put the options add_fact_options made into the step's request."""
    for _option, field, _help in FACTS.get(getattr(args, "step_name", ""), []):
        value = getattr(args, field, None)
        if value in (None, "", 0):
            continue
        *path, name = field.split(".")
        target = request
        for part in path:
            target = getattr(target, part)
        if field == "party_kind":
            value = PARTY_KINDS[str(value)]
        if isinstance(value, date):
            getattr(target, name).CopyFrom(
                pb.CalendarDate(year=value.year, month=value.month, day=value.day)
            )
        else:
            setattr(target, name, value)


def _metadata(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    return bearer(args.token)


def _documents(stub: Any, args: argparse.Namespace) -> None:
    case = stub.GetCase(h.GetCaseRequest(case=args.case), metadata=_metadata(args), timeout=10)
    found = case.case.documents
    print(f"{case.case.application_number}  文书 documents: {len(found)}")
    for d in found:
        corrects = f"  更正 replaces {d.replaces}" if d.replaces else ""
        print(
            f"  {_date(d.issued_on)}  {pad(d.number, 30)}{pad(d.kind_name, 26)}"
            f"{ADDRESSEES.get(d.addressee, '')}{corrects}"
        )
    offered = [KIND_TERMS[KINDS[k]] for k in case.case.document_kinds if k in KINDS]
    print("可出具 may issue: " + ("、".join(f"{t.zh}（{t.en}）" for t in offered) or "—"))


def _issue(stub: Any, args: argparse.Namespace) -> None:
    request = h.IssueDocumentRequest(
        case=args.case, kind=KIND_CODES[args.kind], replaces=args.replaces
    )
    document = stub.IssueDocument(request, metadata=_metadata(args), timeout=60).document
    print(f"已发文 issued: {document.kind_name} {document.number} ({_date(document.issued_on)})")
    print(f"  PDF SHA-256 {document.pdf_sha256}")
    print(f"  DOCX SHA-256 {document.docx_sha256}")


def _preview(stub: Any, args: argparse.Namespace) -> None:
    request = h.PreviewDocumentRequest(case=args.case, kind=KIND_CODES[args.kind])
    draft = stub.PreviewDocument(request, metadata=_metadata(args), timeout=60)
    _write(args.output, draft.pdf if args.format == "pdf" else draft.docx)
    print(f"草稿 draft ({draft.number} if issued now) → {args.output}")


def _document(stub: Any, args: argparse.Namespace) -> None:
    listing = stub.ListDocuments(
        h.ListDocumentsRequest(case=args.case), metadata=_metadata(args), timeout=10
    )
    of_kind = [d for d in listing.documents if d.kind == KIND_CODES[args.kind]]
    if not of_kind:
        term = KIND_TERMS[DocumentKind(args.kind)]
        raise DocumentError(
            f"此案件尚未出具{term.zh}，可用 `ogi cases issue {args.case} {term.en}` 发文"
            f"（no {term.en} issued on this case yet）"
        )
    latest = of_kind[-1]
    found = stub.GetDocument(
        h.GetDocumentRequest(case=args.case, number=latest.number, format=FORMATS[args.format]),
        metadata=_metadata(args),
        timeout=30,
    )
    _write(args.output, found.content)
    print(f"{latest.kind_name} {latest.number} → {args.output}")


def add_download_option(status: argparse.ArgumentParser) -> None:
    status.add_argument(
        "--download", type=Path, metavar="DIR", help="下载致申请人的文书 save the documents (PDF)"
    )


def download(stub: Any, args: argparse.Namespace, status: Any) -> None:
    """The documents addressed to the applicant: listed, and with --download saved as PDFs."""
    if status.documents:
        print("文书 documents:")
    for d in status.documents:
        print(f"  {_date(d.issued_on)}  {pad(d.number, 30)}{d.kind_name}")
    if not getattr(args, "download", None):
        return
    folder: Path = args.download
    folder.mkdir(parents=True, exist_ok=True)
    for d in status.documents:
        found = stub.DownloadDocument(
            intake_pb2.DownloadDocumentRequest(
                application_number=args.number, query_code=args.code, document_number=d.number
            ),
            timeout=30,
        )
        target = folder / Path(found.file_name).name
        _write(target, found.content)
        print(f"  → {target}")


def _write(path: Path, content: bytes) -> None:
    try:
        path.write_bytes(content)
    except OSError as error:
        raise DocumentError(f"无法写入 {path}（cannot write {path}: {error.strerror}）") from error


def _date(value: pb.CalendarDate) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if value.year else "—"
