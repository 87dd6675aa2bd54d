"""Documents issued on cases (issue 17, items 4 and 5) through the public APIs of the three real
services on SQLite and PostgreSQL: every step and every outcome R1–R14 issues its document,
whose PDF (pdftotext) and DOCX (python-docx) hold what the law asks of its kind; an agency's own
template and prefix reach that agency only; concurrent issues get consecutive numbers; a
tampered file is refused; other agencies are refused; the applicant downloads what is
addressed to them with the number and the query code; the dossier indexes every document."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import nats
import pytest

from ogi.auth import Role
from ogi.documents.compose import zh_date
from ogi.documents.numbering import DocumentNumber
from ogi.documents.store import BUCKET
from ogi.v1 import archive_pb2 as a
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2 as i
from tests.builders import APPLICANT_NAME, request
from tests.integration.conftest import bearer, violations, wait_for
from tests.integration.document_walk import (
    AUDITOR,
    HANDLER,
    HEAD,
    ITEM,
    REASONS,
    Application,
    K,
    accept,
    as_date,
    case_of,
    issue,
    reply,
    review,
    submit,
    walk,
)
from tests.integration.test_document_rendering import docx_text, holds, pdf_text
from tests.integration.three_services import ThreeServices, three_services

OTHER_HANDLER = bearer("HZZRZYJ", Role.HANDLER, Role.OFFICE_HEAD, subject="赵六")
MDQ_HANDLER = bearer("HZMDQ", Role.HANDLER, subject="周七")
ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts" / "documents-issued"
OWN_PREFIX = "菏自规信复"
OWN_SENTENCE = "本答复书由本局法制科审核。"


@pytest.fixture(scope="module")
def documents_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OGI_DOCUMENTS_DIR: HZZRZYJ has its own reply prefix and reply template; every other
    agency the defaults."""
    root = tmp_path_factory.mktemp("documents")
    own = root / "agencies" / "HZZRZYJ"
    (own / "templates").mkdir(parents=True)
    (own / "documents.toml").write_text(
        f'abbreviation = "菏自规"\n[numbers]\nreply = "{OWN_PREFIX}"\n', encoding="utf-8"
    )
    (own / "templates" / "reply.xml.j2").write_text(
        '{% include "_head.xml.j2" %}\n<p>{% include "_received.xml.j2" %}。'
        f"{OWN_SENTENCE}</p>\n<p>{{{{ remedies }}}}</p>\n"
        '{% include "_end.xml.j2" %}\n',
        encoding="utf-8",
    )
    return root


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def system(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    documents_dir: Path,
) -> Iterator[ThreeServices]:
    folder = tmp_path_factory.mktemp(request.param)
    env = {"OGI_DOCUMENTS_DIR": str(documents_dir)}
    with three_services(request.param, request, folder, env) as s:
        yield s


def refused(call: Any, code: grpc.StatusCode) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        call()
    assert error.value.code() is code, error.value.details()
    return error.value


def files(system: ThreeServices, number: str, document: Any) -> tuple[bytes, bytes]:
    get = system.handling.handling.GetDocument
    pdf = get(h.GetDocumentRequest(case=number, number=document.number), metadata=HANDLER)
    docx = get(
        h.GetDocumentRequest(case=number, number=document.number, format=pb.DOCUMENT_FORMAT_DOCX),
        metadata=HANDLER,
    )
    assert hashlib.sha256(pdf.content).hexdigest() == document.pdf_sha256
    assert hashlib.sha256(docx.content).hexdigest() == document.docx_sha256
    assert pdf.file_name == f"{document.number}.pdf"
    return pdf.content, docx.content


def page_one(pdf: bytes, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", "-", str(target)],
        input=pdf,
        check=True,
    )
    return target.with_suffix(".png")


def received(system: ThreeServices, number: str) -> str:
    return zh_date(as_date(case_of(system, number).receipt_date))


@pytest.fixture(scope="module")
def walked(system: ThreeServices) -> dict[str, Application]:
    return walk(system)


def test_every_step_and_every_outcome_issues_what_the_law_asks(
    system: ThreeServices, walked: dict[str, Application], request: pytest.FixtureRequest
) -> None:
    backend = request.node.callspec.params["system"]
    pictured: set[Any] = set()
    for outcome, case in walked.items():
        offered = set(case_of(system, case.number).document_kinds)
        assert offered == set(case.shows), (outcome, offered)
        issued = {d.kind: d for d in case_of(system, case.number).documents}
        for kind, shows in case.shows.items():
            document = issued.get(kind) or issue(system, case.number, kind)
            name = pb.DocumentKind.Name(kind).removeprefix("DOCUMENT_KIND_").lower()
            assert DocumentNumber.parse(document.number).year == document.issued_on.year
            pdf, docx = files(system, case.number, document)
            in_pdf, in_docx = pdf_text(pdf), docx_text(docx)
            letter = () if kind == K.DOCUMENT_KIND_REVIEW_FORM else (f"{APPLICANT_NAME}：",)
            if kind == K.DOCUMENT_KIND_CONSULTATION_LETTER:
                letter = ()  # to the party consulted, never naming the applicant
                assert not holds(in_pdf, APPLICANT_NAME)
            must = (
                document.number,
                zh_date(as_date(document.issued_on)),
                received(system, case.number),
                case.number,
                *letter,
                *shows,
            )
            for element in must:
                assert holds(in_pdf, element), f"{outcome} {name}: PDF lacks {element}"
                assert holds(in_docx, element), f"{outcome} {name}: DOCX lacks {element}"
            picture = f"{backend}/{name}" + (f"_{outcome}" if kind == K.DOCUMENT_KIND_REPLY else "")
            if kind not in pictured or kind == K.DOCUMENT_KIND_REPLY:
                (ARTIFACTS / backend).mkdir(parents=True, exist_ok=True)
                assert page_one(pdf, picture).stat().st_size > 1000
                pictured.add(kind)
    assert pictured == set(pb.DocumentKind.values()) - {K.DOCUMENT_KIND_UNSPECIFIED}


def test_a_kind_the_case_does_not_offer_is_refused_and_nothing_stored(
    system: ThreeServices, walked: dict[str, Application]
) -> None:
    number = walked["R3"].number
    rows = system.event_rows()
    error = refused(
        lambda: issue(system, number, K.DOCUMENT_KIND_FEE_NOTICE),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert "收费通知书" in (error.details() or "")
    refused(
        lambda: system.handling.handling.PreviewDocument(
            h.PreviewDocumentRequest(case=number, kind=K.DOCUMENT_KIND_CONSULTATION_LETTER),
            metadata=HANDLER,
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert system.event_rows() == rows


def test_a_reply_its_document_could_not_state_is_refused(system: ThreeServices) -> None:
    """The 答复书 is the reply in law: a reply lacking what it must say is refused, with the
    request's field names, and nothing is stored."""
    number = submit(system).number
    rows = system.event_rows()
    lacking = {
        "reply.responsible_agency_contact": {
            "outcome": pb.OUTCOME_R5,
            "reasons": "不属于本机关职责",
            "responsible_agency": "菏泽市医疗保障局",
        },
        "reply.earlier_reply": {"outcome": pb.OUTCOME_R6},
        "reply.route": {"outcome": pb.OUTCOME_R7},
    }
    for name, fields in lacking.items():
        error = refused(
            lambda f=fields: reply(system, number, **f), grpc.StatusCode.INVALID_ARGUMENT
        )
        assert violations(error) == [name]
    accept(system, number)
    review(system, number, partly=True)
    error = refused(
        lambda: reply(
            system, number, HEAD, outcome=pb.OUTCOME_R8, reasons=REASONS, released=[ITEM]
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert violations(error) == ["reply.ground"]  # the part withheld is refused on a ground
    assert system.event_rows()["handling"] == rows["handling"] + 2  # accepted and reviewed


def test_a_preview_is_a_draft_and_takes_no_number(system: ThreeServices) -> None:
    case = submit(system)
    api = system.handling.handling
    kind = K.DOCUMENT_KIND_REGISTRATION_RECEIPT
    draft = api.PreviewDocument(
        h.PreviewDocumentRequest(case=case.number, kind=kind), metadata=HANDLER
    )
    assert holds(pdf_text(draft.pdf), "草稿")
    assert holds(docx_text(draft.docx), "草稿")
    assert holds(pdf_text(draft.pdf), f"{APPLICANT_NAME}：")
    assert list(case_of(system, case.number).documents) == []
    issued = issue(system, case.number, kind)
    assert issued.number == draft.number  # the number the draft showed was not taken
    assert not holds(pdf_text(files(system, case.number, issued)[0]), "草稿")


def test_a_correction_names_the_document_it_replaces(
    system: ThreeServices, walked: dict[str, Application]
) -> None:
    number = walked["R4"].number
    first = next(d for d in case_of(system, number).documents if d.kind == K.DOCUMENT_KIND_REPLY)
    api = system.handling.handling
    again = api.IssueDocument(
        h.IssueDocumentRequest(case=number, kind=K.DOCUMENT_KIND_REPLY, replaces=first.number),
        metadata=HANDLER,
    ).document
    assert again.replaces == first.number
    assert DocumentNumber.parse(again.number).serial > DocumentNumber.parse(first.number).serial
    assert holds(pdf_text(files(system, number, again)[0]), f"{first.number}的更正")
    error = refused(
        lambda: api.IssueDocument(
            h.IssueDocumentRequest(
                case=number, kind=K.DOCUMENT_KIND_REGISTRATION_RECEIPT, replaces=first.number
            ),
            metadata=HANDLER,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert violations(error) == ["replaces"]


def test_an_agencys_own_template_and_prefix_apply_to_it_only(
    system: ThreeServices, walked: dict[str, Application]
) -> None:
    """OGI_DOCUMENTS_DIR gives HZZRZYJ its own reply prefix and template."""
    own = submit(system, OTHER_HANDLER, agency_code="HZZRZYJ")
    reply(system, own.number, OTHER_HANDLER, outcome=pb.OUTCOME_R4, search="已检索档案")
    document = issue(system, own.number, K.DOCUMENT_KIND_REPLY, OTHER_HANDLER)
    get = system.handling.handling.GetDocument
    pdf = get(
        h.GetDocumentRequest(case=own.number, number=document.number), metadata=OTHER_HANDLER
    ).content
    assert DocumentNumber.parse(document.number).prefix == OWN_PREFIX
    assert holds(pdf_text(pdf), OWN_SENTENCE)
    receipt = issue(system, own.number, K.DOCUMENT_KIND_REGISTRATION_RECEIPT, OTHER_HANDLER)
    assert DocumentNumber.parse(receipt.number).prefix == "菏自规公登"  # its abbreviation

    ours = walked["R4"].number
    default = next(d for d in case_of(system, ours).documents if d.kind == K.DOCUMENT_KIND_REPLY)
    assert DocumentNumber.parse(default.number).prefix == "菏泽市民政局公复"
    default_text = pdf_text(files(system, ours, default)[0])
    assert not holds(default_text, OWN_SENTENCE)
    assert holds(default_text, "第三十六条第（四）项")


def test_concurrent_issues_get_consecutive_numbers(system: ThreeServices) -> None:
    cases = [
        system.intake.stub.SubmitApplication(request(agency_code="HZMDQ")).application_number
        for _ in range(50)
    ]
    api = system.handling.handling

    def registered() -> bool:
        items = api.ListWorklist(h.ListWorklistRequest(), metadata=MDQ_HANDLER).items
        return {item.application_number for item in items} >= set(cases)

    wait_for(registered, timeout=60, what="the 50 cases on the worklist")
    kind = K.DOCUMENT_KIND_REGISTRATION_RECEIPT
    with ThreadPoolExecutor(50) as pool:
        documents = list(pool.map(lambda n: issue(system, n, kind, MDQ_HANDLER), cases))
    serials = sorted(DocumentNumber.parse(d.number).serial for d in documents)
    assert serials == list(range(serials[0], serials[0] + 50))
    assert len({d.pdf_sha256 for d in documents}) == 50


def test_a_tampered_document_is_refused_on_read(system: ThreeServices) -> None:
    case = submit(system)
    document = issue(system, case.number, K.DOCUMENT_KIND_REGISTRATION_RECEIPT)
    files(system, case.number, document)  # intact: served

    async def forge() -> None:
        nc = await nats.connect(system.nats.url)
        try:
            store = await nc.jetstream().object_store(BUCKET)
            await store.put(document.pdf_sha256, b"%PDF-1.7 a forged reply")
        finally:
            await nc.close()

    asyncio.run(forge())
    error = refused(
        lambda: system.handling.handling.GetDocument(
            h.GetDocumentRequest(case=case.number, number=document.number), metadata=HANDLER
        ),
        grpc.StatusCode.DATA_LOSS,
    )
    assert "SHA-256" in (error.details() or "")
    assert "不符" in (error.details() or "")

    def listed() -> bool:
        status = system.intake.stub.GetApplicationStatus(
            i.GetApplicationStatusRequest(
                application_number=case.number, query_code=case.query_code
            )
        )
        return bool(status.documents)

    wait_for(listed, what="the document in the applicant's status")
    refused(
        lambda: system.intake.stub.DownloadDocument(
            i.DownloadDocumentRequest(
                application_number=case.number,
                query_code=case.query_code,
                document_number=document.number,
            )
        ),
        grpc.StatusCode.DATA_LOSS,
    )
    docx = system.handling.handling.GetDocument(  # the other file is still intact
        h.GetDocumentRequest(
            case=case.number, number=document.number, format=pb.DOCUMENT_FORMAT_DOCX
        ),
        metadata=HANDLER,
    )
    assert hashlib.sha256(docx.content).hexdigest() == document.docx_sha256


def test_another_agency_gets_no_document(
    system: ThreeServices, walked: dict[str, Application]
) -> None:
    number = walked["R3"].number
    api = system.handling.handling
    reply_number = next(
        d.number for d in case_of(system, number).documents if d.kind == K.DOCUMENT_KIND_REPLY
    )
    rows = system.event_rows()
    kind = K.DOCUMENT_KIND_REPLY
    for call in (
        lambda: api.PreviewDocument(
            h.PreviewDocumentRequest(case=number, kind=kind), metadata=OTHER_HANDLER
        ),
        lambda: api.IssueDocument(
            h.IssueDocumentRequest(case=number, kind=kind), metadata=OTHER_HANDLER
        ),
        lambda: api.ListDocuments(h.ListDocumentsRequest(case=number), metadata=OTHER_HANDLER),
        lambda: api.GetDocument(
            h.GetDocumentRequest(case=number, number=reply_number), metadata=OTHER_HANDLER
        ),
        lambda: api.ListDocuments(h.ListDocumentsRequest(case=number), metadata=AUDITOR),
    ):
        refused(call, grpc.StatusCode.PERMISSION_DENIED)
    assert system.event_rows() == rows


def test_the_applicant_downloads_what_is_addressed_to_them(
    system: ThreeServices, walked: dict[str, Application]
) -> None:
    case = walked["R2"]
    issued = {d.number: d for d in case_of(system, case.number).documents}
    to_applicant = {n for n, d in issued.items() if d.addressee == pb.DOCUMENT_ADDRESSEE_APPLICANT}
    assert len(to_applicant) == len(issued) - 2  # not the consultation letter, not the form
    status_request = i.GetApplicationStatusRequest(
        application_number=case.number, query_code=case.query_code
    )

    def listed() -> Any:
        status = system.intake.stub.GetApplicationStatus(status_request)
        return status if {d.number for d in status.documents} == to_applicant else None

    status = wait_for(listed, what="the documents in the applicant's status")
    reply_entry = next(d for d in status.documents if d.kind == K.DOCUMENT_KIND_REPLY)
    assert reply_entry.kind_name == "政府信息公开申请答复书"
    assert reply_entry.issued_on.year
    assert any(
        e.kind == "DocumentIssued" and e.document.number == reply_entry.number
        for e in status.history
    )
    download = system.intake.stub.DownloadDocument(
        i.DownloadDocumentRequest(
            application_number=case.number,
            query_code=case.query_code,
            document_number=reply_entry.number,
        )
    )
    pdf, _ = files(system, case.number, issued[reply_entry.number])
    assert download.content == pdf
    assert download.file_name == f"{reply_entry.number}.pdf"
    letter = next(n for n, d in issued.items() if d.kind == K.DOCUMENT_KIND_CONSULTATION_LETTER)
    for number, code in (
        (reply_entry.number, "AAAA-BBBB-CCCC-DDDD"),  # a wrong code, as for the status
        (letter, case.query_code),  # not addressed to the applicant
    ):
        refused(
            lambda n=number, c=code: system.intake.stub.DownloadDocument(
                i.DownloadDocumentRequest(
                    application_number=case.number, query_code=c, document_number=n
                )
            ),
            grpc.StatusCode.NOT_FOUND,
        )
    refused(
        lambda: system.intake.stub.GetApplicationStatus(
            i.GetApplicationStatusRequest(
                application_number=case.number, query_code="AAAA-BBBB-CCCC-DDDD"
            )
        ),
        grpc.StatusCode.NOT_FOUND,
    )


def test_the_dossier_indexes_every_document_and_the_reads_are_logged(
    system: ThreeServices, walked: dict[str, Application]
) -> None:
    case = walked["R8"]
    issued = list(case_of(system, case.number).documents)

    def indexed() -> Any:
        try:
            dossier = system.archive.archive.GetDossier(
                a.GetDossierRequest(dossier=case.number), metadata=HEAD
            ).dossier
        except grpc.RpcError as error:
            if error.code() is not grpc.StatusCode.NOT_FOUND:
                raise
            return None
        entries = [e.summary for e in dossier.entries if e.kind == "issued_document"]
        return entries if len(entries) == len(issued) else None

    entries = wait_for(indexed, what="every document in the dossier index")
    for document in issued:
        line = next(e for e in entries if document.number in e)
        assert document.kind_name in line
        assert document.pdf_sha256 in line
        assert document.docx_sha256 in line
    reads = system.handling.handling.ListApplicantReads(
        h.ListApplicantReadsRequest(case=case.number), metadata=AUDITOR
    ).reads
    calls = [r.call for r in reads]
    # Every document naming the applicant opened the name once; the form kept on file too.
    assert calls.count("ogi.v1.HandlingService/IssueDocument") == len(issued)
    assert APPLICANT_NAME not in system.handling.log()


def test_a_wrong_documents_folder_stops_handling_from_starting(
    start_handling: Any, tmp_path: Path
) -> None:
    """A legal office's typo is found at start, named by file and key, not on a 答复书."""
    wrong = tmp_path / "wrong"
    (wrong / "agencies" / "HZMZJ").mkdir(parents=True)
    (wrong / "agencies" / "HZMZJ" / "documents.toml").write_text(
        '[remedies]\nreconsideration_bdy = "菏泽市人民政府"\n', encoding="utf-8"
    )
    process = start_handling(wait=False, OGI_DOCUMENTS_DIR=str(wrong))
    assert process.wait_exit(30) == 2
    assert "reconsideration_bdy" in process.log()
    assert "documents.toml" in process.log()
