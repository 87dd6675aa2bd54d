"""类似申请曾答复 (issue 20, item 2a) through the public APIs of the real services on SQLite and
PostgreSQL: for a case at hand, HandlingService.SimilarAnsweredRequests and `ogi cases similar`
show the agency's earlier requests most like it whose replies released information, with what
each released — another agency's never, the case itself never."""

from __future__ import annotations

import grpc
import pytest

from ogi.auth import Role
from ogi.cli.main import main
from ogi.identity import resident_id_check_character
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from tests.builders import request, reviewed_reply
from tests.integration.conftest import bearer, violations, wait_for
from tests.integration.three_services import ThreeServices

HEAD = bearer("HZMZJ", Role.OFFICE_HEAD, Role.HANDLER, subject="王主任")
OTHER_HEAD = bearer("HZZRZYJ", Role.OFFICE_HEAD, Role.HANDLER, subject="赵六")
NOTICE = pb.ReleasedItem(
    title="关于调整城乡低保标准的通知",
    document_number="菏民发〔2025〕12号",
    form=pb.RELEASE_FORM_PAPER,
)
PAGE = pb.ReleasedItem(
    title="菏泽市救助管理站收费标准",
    form=pb.RELEASE_FORM_PUBLISHED_LINK,
    link="https://mzj.heze.gov.cn/zwgk/shoufei.html",
)
FUNERAL = pb.ReleasedItem(
    title="关于殡葬基本服务费用减免的通知",
    document_number="菏民发〔2025〕20号",
    form=pb.RELEASE_FORM_PAPER,
)


@pytest.fixture(scope="module")
def system(system_of_three: ThreeServices) -> ThreeServices:
    return system_of_three


def applied(system: ThreeServices, words: str, applicant: int, agency: str = "HZMZJ") -> str:
    first17 = f"11010519700101{applicant:03d}"
    return str(
        system.intake.stub.SubmitApplication(
            request(
                agency_code=agency,
                applicant__identity_document__number=first17 + resident_id_check_character(first17),
                information__description=words,
            )
        ).application_number
    )


def accepted(system: ThreeServices, number: str, metadata: object) -> None:
    api = system.handling.handling

    def registered() -> bool:
        items = api.ListWorklist(h.ListWorklistRequest(), metadata=metadata).items
        return number in {i.application_number for i in items}

    wait_for(registered, what=f"{number} on the worklist")
    api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=metadata)


def answered(
    system: ThreeServices, words: str, applicant: int, item: pb.ReleasedItem, **agency: str
) -> str:
    metadata = OTHER_HEAD if agency else HEAD
    number = applied(system, words, applicant, **agency)
    accepted(system, number, metadata)
    outcome = pb.OUTCOME_R1 if item.link else pb.OUTCOME_R2
    reply = h.Reply(outcome=outcome, reasons="依法答复", released=[item])
    reviewed_reply(system.handling.handling, number, reply, metadata)
    return number


def similar(system: ThreeServices, case: str, limit: int = 0) -> list[h.SimilarAnsweredRequest]:
    return list(
        system.handling.handling.SimilarAnsweredRequests(
            h.SimilarAnsweredRequestsRequest(case=case, limit=limit), metadata=HEAD
        ).similar
    )


def test_the_earlier_reply_that_released_it_comes_first(
    system: ThreeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = "想知道今年城乡低保标准涨了没有，请给文件"
    notice = answered(system, asked, 1, NOTICE)
    page = answered(system, "救助站住一晚收多少钱", 2, PAGE)
    funeral = answered(system, "殡葬费用减免政策", 3, FUNERAL)
    elsewhere = answered(system, "请提供菏民发（2025）第12号", 4, NOTICE, agency="HZZRZYJ")
    by_number = applied(system, "请提供菏民发（2025）第12号", 5)
    by_words = applied(system, "申请公开救助管理站的收费标准", 6)
    for case in (by_number, by_words):
        accepted(system, case, HEAD)

    def first(case: str) -> str | None:
        found = similar(system, case)
        return found[0].application_number if found else None

    wait_for(lambda: first(by_number) == notice, what="the notice's reply suggested first")
    [top, *rest] = similar(system, by_number)
    assert (top.description, top.outcome) == (
        "想知道今年城乡低保标准涨了没有，请给文件",
        pb.OUTCOME_R2,
    )
    assert [(i.title, i.document_number) for i in top.released] == [
        (NOTICE.title, NOTICE.document_number)
    ]
    assert top.similarity > 3  # the same document number
    assert elsewhere not in {s.application_number for s in [top, *rest]}
    assert first(by_words) == page
    assert similar(system, by_words)[0].released[0].link == PAGE.link
    assert len(similar(system, notice, limit=1)) <= 1
    assert notice not in {s.application_number for s in similar(system, notice)}
    assert funeral not in {s.application_number for s in similar(system, by_number)[:1]}

    token = HEAD[0][1].removeprefix("Bearer ")
    ogi = ["cases", "--handling", system.handling.listen, "--token", token]
    capsys.readouterr()
    assert main([*ogi, "similar", by_number]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"类似申请曾答复 earlier requests like {by_number}")
    assert f"{notice}  相似度" in out
    assert f"提供 released: {NOTICE.title} {NOTICE.document_number}" in out


def test_refused_questions_name_the_field(system: ThreeServices) -> None:
    api = system.handling.handling
    number = applied(system, "城乡低保标准", 7)
    for case, limit, field in [("", 0, "case"), (number, 21, "limit"), (number, -1, "limit")]:
        with pytest.raises(grpc.RpcError) as refused:
            api.SimilarAnsweredRequests(
                h.SimilarAnsweredRequestsRequest(case=case, limit=limit), metadata=HEAD
            )
        assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert violations(refused.value) == [field]
    accepted(system, number, HEAD)
    with pytest.raises(grpc.RpcError) as stranger:
        api.SimilarAnsweredRequests(
            h.SimilarAnsweredRequestsRequest(case=number), metadata=OTHER_HEAD
        )
    assert stranger.value.code() is grpc.StatusCode.PERMISSION_DENIED
