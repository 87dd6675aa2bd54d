"""Who the applicant is, the confidentiality review, and what a reply released (issue 17, parts
1–3), through the public APIs of the three real services on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from ogi.auth import Role
from ogi.taxonomy import Outcome
from ogi.v1 import archive_pb2 as a
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from tests.builders import (
    APPLICANT_NAME,
    PHONE,
    RELEASED_NUMBER,
    RESIDENT_ID,
    released_items,
    request,
    review_request,
)
from tests.integration.conftest import bearer, violations, wait_for
from tests.integration.three_services import ThreeServices

HANDLER = bearer("HZMZJ", Role.HANDLER, subject="李四")
REGISTRAR = bearer("HZMZJ", Role.REGISTRAR, subject="登记员")
REVIEWER = bearer("HZMZJ", Role.REVIEWER, subject="保密员")
HEAD = bearer("HZMZJ", Role.OFFICE_HEAD, subject="王主任")
AUDITOR = bearer("HZMZJ", Role.AUDITOR, subject="审计员")
OTHER_AGENCY = bearer("HZZRZYJ", Role.HANDLER, Role.OFFICE_HEAD, subject="赵六")


@pytest.fixture(scope="module")
def system(system_of_three: ThreeServices) -> ThreeServices:
    return system_of_three


def refused(call: Any, code: grpc.StatusCode) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        call()
    assert error.value.code() is code, error.value.details()
    return error.value


def accepted(system: ThreeServices) -> str:
    number: str = system.intake.stub.SubmitApplication(request()).application_number
    api = system.handling.handling

    def registered() -> bool:
        items = api.ListWorklist(h.ListWorklistRequest(), metadata=HANDLER).items
        return any(i.application_number == number for i in items)

    wait_for(registered, what=f"{number} on the worklist")
    api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=HANDLER)
    return number


def test_staff_who_must_know_read_the_applicant_and_every_read_is_logged(
    system: ThreeServices,
) -> None:
    number = accepted(system)
    api = system.handling.handling
    for reader in (HANDLER, REGISTRAR, HEAD):
        found = api.GetApplicant(h.GetApplicantRequest(case=number), metadata=reader)
        assert (found.applicant.name, found.applicant.identity_document.number) == (
            APPLICANT_NAME,
            RESIDENT_ID,
        )
        assert found.applicant.contact.phone == PHONE
        assert found.delivery.route == pb.DELIVERY_ROUTE_ONLINE_DOWNLOAD
    for outsider in (OTHER_AGENCY, AUDITOR, REVIEWER):
        refused(
            lambda m=outsider: api.GetApplicant(h.GetApplicantRequest(case=number), metadata=m),
            grpc.StatusCode.PERMISSION_DENIED,
        )
    log = api.ListApplicantReads(h.ListApplicantReadsRequest(case=number), metadata=AUDITOR)
    assert [(r.reader, r.call) for r in log.reads] == [
        (who, "ogi.v1.HandlingService/GetApplicant") for who in ("李四", "登记员", "王主任")
    ]
    assert all(r.application_number == number and r.at.seconds for r in log.reads)
    assert list(log.reads[0].roles) == ["handler"]
    refused(
        lambda: api.ListApplicantReads(h.ListApplicantReadsRequest(), metadata=HANDLER),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    elsewhere = api.ListApplicantReads(h.ListApplicantReadsRequest(), metadata=OTHER_AUDITOR)
    assert list(elsewhere.reads) == []
    # Never in the service's log: only the access log holds who read whom.
    assert APPLICANT_NAME not in system.handling.log()
    assert RESIDENT_ID not in system.handling.log()


OTHER_AUDITOR = bearer("HZZRZYJ", Role.AUDITOR, subject="另一审计员")


def test_a_release_needs_a_review_that_lets_it_and_lists_what_it_provides(
    system: ThreeServices,
) -> None:
    number = accepted(system)
    api = system.handling.handling
    rows = system.databases["handling"].event_rows()
    reply = h.Reply(outcome=pb.OUTCOME_R2, released=released_items(Outcome.R2))
    answer = h.ReplyToApplicationRequest(case=number, reply=reply)
    error = refused(
        lambda: api.ReplyToApplication(answer, metadata=HANDLER),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert "保密审查" in error.details()
    assert system.databases["handling"].event_rows() == rows
    refused(  # a handler is not a reviewer
        lambda: api.ReviewConfidentiality(review_request(number, Outcome.R2), metadata=HANDLER),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    partly = api.ReviewConfidentiality(review_request(number, Outcome.R8), metadata=REVIEWER)
    assert partly.case.review.conclusion == h.REVIEW_CONCLUSION_PARTLY_DISCLOSABLE
    assert partly.case.review.reviewer == "保密员"
    refused(  # reviewed as partly disclosable: not a full disclosure
        lambda: api.ReplyToApplication(answer, metadata=HANDLER),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    without_items = h.ReplyToApplicationRequest(
        case=number, reply=h.Reply(outcome=pb.OUTCOME_R8, reasons="部分涉及个人隐私")
    )
    error = refused(
        lambda: api.ReplyToApplication(without_items, metadata=HANDLER),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert violations(error) == ["released"]
    bad_file = h.Reply(
        outcome=pb.OUTCOME_R8,
        reasons="部分涉及个人隐私",
        released=[pb.ReleasedItem(title="发放明细", form=pb.RELEASE_FORM_ELECTRONIC_FILE)],
    )
    error = refused(
        lambda: api.ReplyToApplication(
            h.ReplyToApplicationRequest(case=number, reply=bad_file), metadata=HANDLER
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert violations(error) == ["released[0].sha256"]
    assert system.databases["handling"].event_rows() == rows + 1  # the review only
    file_item = pb.ReleasedItem(
        title="2025年城乡低保资金发放明细（隐去身份证号码）",
        document_number=RELEASED_NUMBER,
        form=pb.RELEASE_FORM_ELECTRONIC_FILE,
        sha256="ab" * 32,
    )
    replied = api.ReplyToApplication(
        h.ReplyToApplicationRequest(
            case=number,
            reply=h.Reply(
                outcome=pb.OUTCOME_R8,
                reasons="部分涉及个人隐私",
                ground=pb.NON_DISCLOSURE_GROUND_THIRD_PARTY,
                released=[file_item],
            ),
        ),
        metadata=HANDLER,
    ).case
    assert list(replied.reply.released) == [file_item]
    assert [e.kind for e in replied.history][-2:] == ["ConfidentialityReviewed", "Replied"]
    api.RecordService(
        h.RecordServiceRequest(case=number, method=pb.SERVICE_METHOD_ELECTRONIC), metadata=HANDLER
    )

    def dossier() -> Any:
        try:
            found = system.archive.archive.GetDossier(
                a.GetDossierRequest(dossier=number), metadata=HEAD
            ).dossier
        except grpc.RpcError as error:
            if error.code() is not grpc.StatusCode.NOT_FOUND:
                raise
            return None
        return found if found.archived else None

    filed = wait_for(dossier, what="the dossier archived")
    by_kind = {e.kind: e.summary for e in filed.entries}
    assert "保密审查：部分公开" in by_kind["confidentiality_review"]
    assert "涉及个人隐私的身份证号码" in by_kind["confidentiality_review"]
    assert RELEASED_NUMBER in by_kind["reply"]
    assert "未在发文目录中" in by_kind["reply"]
    assert "ab" * 32 in by_kind["reply"]


def test_a_review_that_refuses_stops_any_release(system: ThreeServices) -> None:
    number = accepted(system)
    api = system.handling.handling
    api.ReviewConfidentiality(
        h.ReviewConfidentialityRequest(
            case=number,
            conclusion=h.REVIEW_CONCLUSION_NOT_DISCLOSABLE,
            basis="属于国家秘密（定密文件）",
        ),
        metadata=HEAD,
    )
    for outcome in (Outcome.R1, Outcome.R2, Outcome.R8):
        reply = h.Reply(
            outcome=getattr(pb, f"OUTCOME_{outcome.name}"),
            reasons="依法答复",
            released=released_items(outcome),
        )
        refused(
            lambda r=reply: api.ReplyToApplication(
                h.ReplyToApplicationRequest(case=number, reply=r), metadata=HANDLER
            ),
            grpc.StatusCode.FAILED_PRECONDITION,
        )
    refusal = h.Reply(
        outcome=pb.OUTCOME_R3, reasons="属于国家秘密", ground=pb.NON_DISCLOSURE_GROUND_STATE_SECRET
    )
    replied = api.ReplyToApplication(
        h.ReplyToApplicationRequest(case=number, reply=refusal), metadata=HANDLER
    ).case
    assert replied.outcome == pb.OUTCOME_R3


def test_staff_find_their_agencys_cases_by_the_applicants_name_and_each_find_is_logged(
    system: ThreeServices,
) -> None:
    """申请人查询 (issue 18): by the name, within one's agency; every case shown is a read."""
    named = system.intake.stub.SubmitApplication(
        request(applicant__name="欧阳明月")
    ).application_number
    accepted(system)  # another applicant's case, not to be found
    api = system.handling.handling
    before = len(api.ListApplicantReads(h.ListApplicantReadsRequest(), metadata=AUDITOR).reads)

    def found(metadata: Any = HANDLER, name: str = "欧阳 明月") -> list[str]:
        reply = api.FindCasesByApplicant(
            h.FindCasesByApplicantRequest(name=name), metadata=metadata
        )
        return [m.application_number for m in reply.matches]

    assert wait_for(lambda: found() == [named], what="the case found by the name")
    matches = api.FindCasesByApplicant(
        h.FindCasesByApplicantRequest(name="明月"), metadata=REGISTRAR
    ).matches
    assert [(m.application_number, m.applicant_name) for m in matches] == [(named, "欧阳明月")]
    assert found(OTHER_AGENCY) == []
    refused(lambda: found(AUDITOR), grpc.StatusCode.PERMISSION_DENIED)
    error = refused(lambda: found(name="欧"), grpc.StatusCode.INVALID_ARGUMENT)
    assert violations(error) == ["name"]
    reads = api.ListApplicantReads(h.ListApplicantReadsRequest(), metadata=AUDITOR).reads
    searched = [r for r in reads[before:] if r.call.endswith("FindCasesByApplicant")]
    assert {r.application_number for r in searched} == {named}
    assert {r.reader for r in searched} >= {"李四", "登记员"}
