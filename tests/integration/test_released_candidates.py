"""Art 44 candidates decided by what was released (issue 20), through the public APIs of the three
real services on SQLite and PostgreSQL: applications submitted to intake, reviewed, answered
with the items released and served in handling, listed by archive. Items released to three or
more distinct applicants are every one found and nothing else is (precision 1.0); corrections
(take out, add, merge) over ArchiveService and `ogi candidates`, kept with who and why, and
followed by later replies."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import grpc
import pytest

from ogi.auth import Role
from ogi.cli.main import main
from ogi.identity import resident_id_check_character
from ogi.taxonomy import Outcome
from ogi.v1 import archive_pb2 as a
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2 as i
from tests.builders import request, reviewed_reply
from tests.integration.conftest import bearer, violations, wait_for
from tests.integration.three_services import ThreeServices

AGENCY = "HZMZJ"
HEAD = bearer(AGENCY, Role.OFFICE_HEAD, Role.HANDLER, subject="王主任")
SHA = "5e" * 32
LINK = "https://mzj.heze.gov.cn/zwgk/2025/dibao.html"


@pytest.fixture(scope="module")
def system(system_of_three: ThreeServices) -> ThreeServices:
    return system_of_three


@dataclass(frozen=True)
class Asked:
    """An application: who asks (a serial of a resident id), in what words, and what the reply
    released (nothing: not answered yet; `outcome` R3: refused)."""

    document: str  # what it is labelled as asking for, for the test's own count
    applicant: int
    words: str
    items: tuple[pb.ReleasedItem, ...] = ()
    outcome: Outcome = Outcome.R2


def paper(title: str, number: str) -> pb.ReleasedItem:
    return pb.ReleasedItem(title=title, document_number=number, form=pb.RELEASE_FORM_PAPER)


def linked(title: str, link: str) -> pb.ReleasedItem:
    return pb.ReleasedItem(title=title, form=pb.RELEASE_FORM_PUBLISHED_LINK, link=link)


def filed(title: str) -> pb.ReleasedItem:
    return pb.ReleasedItem(title=title, form=pb.RELEASE_FORM_ELECTRONIC_FILE, sha256=SHA)


NOTICE = "关于调整城乡低保标准的通知"
ASKED = [
    # 菏民发〔2025〕12号, released to three applicants under three spellings of its number.
    Asked("dibao", 1, "想知道今年低保标准涨了没有", (paper(NOTICE, "菏民发〔2025〕12号"),)),
    Asked("dibao", 2, "请公开民政局调低保标准的文件", (paper("通知", "菏民发[2025]12号"),)),
    Asked("dibao", 3, "菏民发（2025）第12号", (paper(NOTICE, "菏民发（2025）第12号"),)),
    # The same words, refused: releases nothing.
    Asked("dibao", 4, "菏民发（2025）第12号", outcome=Outcome.R3),
    # A page on the portal, given as its link (R1), written two ways.
    Asked("page", 5, "救助站的收费标准", (linked("救助站收费", LINK),), Outcome.R1),
    Asked(
        "page", 6, "救助管理站收费标准", (linked("收费标准", LINK.replace("mzj.heze", "MZJ.HEZE")),)
    ),
    Asked("page", 7, "想看救助站怎么收费", (linked("救助站收费标准", LINK + "/"),), Outcome.R1),
    # One electronic file, titled four ways, to four applicants.
    Asked("file", 8, "2024年临时救助资金发放明细", (filed("发放明细"),)),
    Asked("file", 9, "临时救助金都发给谁了", (filed("临时救助明细表"),)),
    Asked("file", 10, "请提供临时救助名单", (filed("名单"),)),
    Asked("file", 11, "临时救助资金明细", (filed("明细"),)),
    # Asked by two applicants only, and by one applicant three times: no candidate.
    Asked("twice", 12, "殡葬补贴标准", (paper("殡葬补贴", "菏民发〔2025〕20号"),)),
    Asked("twice", 13, "殡葬补贴标准", (paper("殡葬补贴", "菏民发〔2025〕20号"),)),
    *(
        Asked("one", 14, f"养老床位补贴{n}", (paper("床位", "菏民发〔2025〕21号"),))
        for n in "甲乙丙"
    ),
]


def resident_id(applicant: int) -> str:
    first17 = f"11010519800101{applicant:03d}"
    return first17 + resident_id_check_character(first17)


def submitted(system: ThreeServices, asked: list[Asked]) -> list[str]:
    """Each application submitted, accepted and — if it has items or is refused — reviewed,
    answered and served; their numbers."""
    return [r.application_number for r in submissions(system, asked)]


def submissions(system: ThreeServices, asked: list[Asked]) -> list[i.SubmitApplicationResponse]:
    """submitted(), with what intake answered each submission."""
    receipts = [
        system.intake.stub.SubmitApplication(
            request(
                applicant__identity_document__number=resident_id(a.applicant),
                information__description=a.words,
            )
        )
        for a in asked
    ]
    numbers = [r.application_number for r in receipts]
    api = system.handling.handling

    def registered() -> bool:
        items = api.ListWorklist(h.ListWorklistRequest(), metadata=HEAD).items
        return set(numbers) <= {i.application_number for i in items}

    wait_for(registered, what="the applications on the worklist")
    for number, one in zip(numbers, asked, strict=True):
        api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=HEAD)
        if not one.items and one.outcome is not Outcome.R3:
            continue
        outcome = getattr(pb, f"OUTCOME_{one.outcome.name}")
        reply = h.Reply(outcome=outcome, reasons="依法答复", released=list(one.items))
        if one.outcome is Outcome.R3:
            reply.ground = pb.NON_DISCLOSURE_GROUND_STATE_SECRET
        reviewed_reply(api, number, reply, HEAD, one.outcome)
        api.RecordService(
            h.RecordServiceRequest(case=number, method=pb.SERVICE_METHOD_ELECTRONIC),
            metadata=HEAD,
        )
    return receipts


def settled(system: ThreeServices, receipt: i.SubmitApplicationResponse) -> None:
    """Intake and archive have applied everything handling has published so far (each follows
    handling's events on its own, after the calls above returned)."""
    handling_now = system.handling.handling.GetCase(
        h.GetCaseRequest(case=receipt.application_number), metadata=HEAD
    ).case.position
    system.intake.stub.GetApplicationStatus(
        i.GetApplicationStatusRequest(
            application_number=receipt.application_number,
            query_code=receipt.query_code,
            min_position=handling_now,
        ),
        timeout=30,
    )
    system.archive.archive.ListConversionCandidates(
        a.ListConversionCandidatesRequest(agency_code=AGENCY, min_position=handling_now),
        metadata=HEAD,
        timeout=30,
    )


def candidates(system: ThreeServices, origin: int | None = None) -> list[a.ConversionCandidate]:
    listed = system.archive.archive.ListConversionCandidates(
        a.ListConversionCandidatesRequest(agency_code=AGENCY), metadata=HEAD
    ).candidates
    return [c for c in listed if origin is None or c.origin == origin]


def released(system: ThreeServices) -> list[a.ConversionCandidate]:
    return candidates(system, a.CANDIDATE_ORIGIN_RELEASED)


def test_every_item_released_to_three_applicants_is_found_and_nothing_else(
    system: ThreeServices,
) -> None:
    numbers = submitted(system, ASKED)
    document = {n: asked.document for n, asked in zip(numbers, ASKED, strict=True)}
    released_to = Counter((asked.document, asked.applicant) for asked in ASKED if asked.items)
    often = {d for d, n in Counter(d for d, _ in released_to).items() if n >= 3}
    assert often == {"dibao", "page", "file"}

    replies = sum(1 for asked in ASKED if asked.document in often and asked.items)

    def found() -> list[a.ConversionCandidate] | None:
        """Ours, once every reply of the often released items is in one (archive applies
        handling's events a moment after they happen)."""
        shown = released(system)
        ours = [c for c in shown if {r.application_number for r in c.requests} & set(numbers)]
        return ours if sum(len(c.requests) for c in ours) >= replies else None

    shown = wait_for(found, what="the released candidates")
    # Precision 1.0: each candidate is one document, and all of its replies.
    labels = [{document[r.application_number] for r in c.requests} for c in shown]
    assert all(len(label) == 1 for label in labels)
    assert sorted(label.pop() for label in labels) == sorted(often)  # recall: every one
    for c in shown:
        which = document[c.requests[0].application_number]
        expected = [n for n, asked in zip(numbers, ASKED, strict=True) if asked.document == which]
        expected = [n for n in expected if n != numbers[3]]  # the refusal released nothing
        assert [r.application_number for r in c.requests] == expected
        assert [e.application_number for e in c.released] == expected
        assert c.distinct_applicants == len(expected)
    dibao = next(c for c in shown if document[c.requests[0].application_number] == "dibao")
    assert dibao.subject == f"{NOTICE}（菏民发〔2025〕12号）"
    assert {e.same_by for e in dibao.released} == {"文号 菏民发〔2025〕12号"}


def test_corrections_are_recorded_with_who_and_why_and_later_replies_follow_them(
    system: ThreeServices, capsys: pytest.CaptureFixture[str]
) -> None:
    receipts = submissions(
        system,
        [
            *(
                Asked("a", 20 + n, f"申请公开{n}", (paper("通知", "菏民发〔2025〕31号"),))
                for n in range(3)
            ),
            *(
                Asked("b", 30 + n, f"请公开{n}", (paper("更正", "菏民发〔2025〕32号"),))
                for n in range(3)
            ),
            Asked("open", 40, "还没答复的申请"),
        ],
    )
    numbers = [r.application_number for r in receipts]
    archive = system.archive.archive

    def pair() -> list[a.ConversionCandidate] | None:
        ours = [c for c in released(system) if c.requests[0].application_number in numbers]
        return ours if sum(len(c.requests) for c in ours) == 6 else None

    first, second = wait_for(pair, what="the two candidates")
    settled(system, receipts[-1])
    before = system.event_rows()
    for fields, field in [
        ({"candidate_id": "nope"}, "candidate_id"),
        ({"application_number": ""}, "application_number"),
        ({"application_number": "HZMZJ-2025-999999"}, "application_number"),
        ({"application_number": numbers[0]}, "application_number"),  # one of its own
        ({"reason": " "}, "reason"),
    ]:
        add = {
            "agency_code": AGENCY,
            "candidate_id": first.candidate_id,
            "application_number": numbers[6],
            "reason": "问的也是31号文",
        } | fields
        with pytest.raises(grpc.RpcError) as refusal:
            archive.AddToConversionCandidate(
                a.AddToConversionCandidateRequest(**add), metadata=HEAD
            )
        assert refusal.value.code() is grpc.StatusCode.INVALID_ARGUMENT, field
        assert violations(refusal.value) == [field], refusal.value.details()
    with pytest.raises(grpc.RpcError) as refusal:
        archive.MergeConversionCandidates(
            a.MergeConversionCandidatesRequest(
                agency_code=AGENCY, candidate_id=first.candidate_id, other_candidate_id="x"
            ),
            metadata=HEAD,
        )
    assert violations(refusal.value) == ["other_candidate_id", "reason"]
    with pytest.raises(grpc.RpcError) as stranger:
        archive.MergeConversionCandidates(
            a.MergeConversionCandidatesRequest(
                agency_code=AGENCY,
                candidate_id=first.candidate_id,
                other_candidate_id=second.candidate_id,
                reason="同一",
            ),
            metadata=bearer(AGENCY, Role.REGISTRAR),
        )
    assert stranger.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert system.event_rows() == before

    token = HEAD[0][1].removeprefix("Bearer ")
    ogi = ["candidates", "--archive", system.archive.listen, "--token", token, "--agency", AGENCY]
    assert (
        main([*ogi, "merge", first.candidate_id, second.candidate_id, "--reason", "32号更正31号"])
        == 0
    )
    assert (
        main(
            [
                *ogi,
                "add",
                first.candidate_id,
                "--application",
                numbers[6],
                "--reason",
                "电话里问的就是它",
            ]
        )
        == 0
    )
    archive.ExcludeFromConversionCandidate(
        a.ExcludeFromConversionCandidateRequest(
            agency_code=AGENCY,
            candidate_id=first.candidate_id,
            application_number=numbers[1],
            reason="答复时填错了文号",
        ),
        metadata=HEAD,
    )
    # Later replies releasing either number join the merged candidate; the one taken out is
    # not put back by another reply under its number.
    later = submitted(
        system,
        [
            Asked("a", 50, "再问31号", (paper("通知", "菏民发〔2025〕31号"),)),
            Asked("b", 51, "再问32号", (paper("更正", "菏民发〔2025〕32号"),)),
        ],
    )

    def merged() -> a.ConversionCandidate | None:
        found = [c for c in released(system) if c.candidate_id == first.candidate_id]
        return (
            found[0]
            if found and set(later) <= {r.application_number for r in found[0].requests}
            else None
        )

    candidate = wait_for(merged, what="the later replies in the merged candidate")
    shown = [r.application_number for r in candidate.requests]
    assert shown == [numbers[0], numbers[2], *numbers[3:7], *later]
    assert [(x.application_number, x.reason, x.excluded_by) for x in candidate.excluded] == [
        (numbers[1], "答复时填错了文号", "王主任")
    ]
    assert [(x.application_number, x.reason, x.added_by) for x in candidate.added] == [
        (numbers[6], "电话里问的就是它", "王主任")
    ]
    assert [(m.candidate_id, m.reason, m.merged_by) for m in candidate.merged] == [
        (second.candidate_id, "32号更正31号", "王主任")
    ]
    assert second.candidate_id not in {c.candidate_id for c in candidates(system)}
    capsys.readouterr()
    assert main([*ogi, "list"]) == 0
    out = capsys.readouterr().out
    assert f"{first.candidate_id}  已公开同一信息 released" in out
    assert f"added {numbers[6]}: 电话里问的就是它 (王主任)" in out
    assert f"merged {second.candidate_id}: 32号更正31号 (王主任)" in out
