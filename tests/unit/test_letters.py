"""What each document of a case says, from the case's recorded facts (services.handling.letters):
which kinds a case offers, the content of each, and what a reply lacks for its 答复书, named by
the request field that records it."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from ogi.documents import kinds as k
from ogi.documents.kinds import Addressee, DocumentKind, DocumentReference
from ogi.errors import PreconditionFailed
from ogi.persistence import dataclass_transcoding
from ogi.taxonomy import ApplicantCategory, NonDisclosureGround, Outcome
from ogi.workdays import WorkingDayCalendar
from services.handling.disclosure import ReviewConclusion
from services.handling.domain import Case, HandlingPolicy, IssuedDocument, Reply
from services.handling.letters import (
    PLACEHOLDER,
    CaseRecord,
    letter,
    offered_kinds,
    reply_letter_violations,
)
from tests.builders import released, review

CALENDAR = WorkingDayCalendar()
H = "李四"
RECEIVED = date(2026, 3, 2)


def case(channel: str = "online") -> Case:
    return Case(
        application_id=uuid.uuid4(),
        application_number="HZMZJ-2026-000001",
        agency_code="HZMZJ",
        receipt_date=RECEIVED,
        applicant_category=ApplicantCategory.NATURAL_PERSON,
        description="低保资金发放明细",
        channel=channel,
    )


def record(c: Case) -> CaseRecord:
    """The case with its events as handling reads them back (a version is replayed to)."""
    history = list(c.collect_events())

    def at(version: int) -> Case:
        found: Any = None
        for event in history[:version]:
            found = event.mutate(found)
        return found  # type: ignore[no-any-return]

    return CaseRecord(c, history, CALENDAR, HandlingPolicy(), at)


def kinds_of(c: Case) -> list[DocumentKind]:
    return offered_kinds(c, record(c).history)


def test_the_kinds_a_case_offers_follow_its_facts() -> None:
    assert kinds_of(case()) == [DocumentKind.REGISTRATION_RECEIPT]
    assert kinds_of(case(channel="")) == []  # registered before handling knew the channel
    c = case()
    c.request_reasons(date(2026, 3, 3), by=H, unreasonable="30日内52件", period=10)
    c.assess_reasons(True, date(2026, 6, 30), by=H, why="分散于52个卷宗")
    c.start_consultation("某公司", date(2026, 3, 5), by=H, concern="经营数据")
    c.end_consultation(date(2026, 3, 9), "同意", by=H)
    c.extend(CALENDAR, 10, "王主任", date(2026, 3, 10), by=H)
    c.issue_fee_notice("700", "per_page", date(2026, 3, 11), True, by=H, quantity=100)
    c.record_payment(date(2026, 3, 12), by=H)
    c.review_confidentiality(review(date(2026, 3, 13)), by=H)
    c.answer(Reply(Outcome.R2, date(2026, 3, 16), released=released(Outcome.R2)), by=H)
    # every kind but the correction notice, in the order of the procedure
    assert kinds_of(c) == [d for d in DocumentKind if d is not DocumentKind.CORRECTION_NOTICE]


def test_a_kind_not_offered_is_a_failed_precondition() -> None:
    with pytest.raises(PreconditionFailed, match="补正申请告知书"):
        letter(DocumentKind.CORRECTION_NOTICE, record(case()), "张三")


def test_the_extension_notice_gives_both_due_dates_as_they_stood() -> None:
    c = case()
    c.accept(by=H)
    c.extend(CALENDAR, 10, "王主任", date(2026, 3, 10), by=H, reason="需调取档案")
    before = c.reply_deadline(CALENDAR, with_extension=False).due
    c.start_consultation("某公司", date(2026, 3, 12), by=H, concern="经营数据")  # moves it later
    notice = letter(DocumentKind.EXTENSION_NOTICE, record(c), "张三")
    assert isinstance(notice, k.ExtensionNotice)
    assert (notice.original_due, notice.new_due) == (date(2026, 3, 30), date(2026, 4, 14))
    assert notice.original_due == before
    assert (notice.approved_by, notice.reason, notice.extension_working_days) == (
        "王主任",
        "需调取档案",
        10,
    )


def test_a_consultation_letter_goes_to_the_party_and_never_names_the_applicant() -> None:
    c = case()
    c.accept(by=H)
    c.start_consultation("菏泽市某某商贸有限公司", date(2026, 3, 5), by=H, concern="经营数据")
    content = letter(DocumentKind.CONSULTATION_LETTER, record(c), "张三")
    assert isinstance(content, k.ConsultationLetter)
    assert content.recipient == "菏泽市某某商贸有限公司"
    assert content.information == "低保资金发放明细"  # the request's, unless the step said
    assert k.ADDRESSEES[content.kind] is Addressee.CONSULTED_PARTY


def test_a_notice_lacking_a_recorded_fact_names_the_steps_field() -> None:
    c = case()
    c.request_reasons(date(2026, 3, 3), by=H)  # what is unreasonable not said
    with pytest.raises(PreconditionFailed, match=r"RequestReasons\.unreasonable"):
        letter(DocumentKind.REASONS_NOTICE, record(c), "张三")
    c = case()
    c.accept(by=H)
    c.start_consultation("某公司", date(2026, 3, 5), by=H)  # a third party: its concern
    with pytest.raises(PreconditionFailed, match=r"StartConsultation\.concern"):
        letter(DocumentKind.CONSULTATION_LETTER, record(c), "张三")


def reply_letter(c: Case) -> k.ReplyLetter:
    content = letter(DocumentKind.REPLY, record(c), "张三")
    assert isinstance(content, k.ReplyLetter)
    return content


def test_a_reply_letter_takes_what_the_reply_and_the_case_recorded() -> None:
    c = case()
    c.accept(by=H)
    c.review_confidentiality(review(date(2026, 3, 5), ReviewConclusion.PARTLY_DISCLOSABLE), by=H)
    c.answer(
        Reply(
            Outcome.R8,
            date(2026, 3, 6),
            reasons="涉及个人隐私",
            ground=NonDisclosureGround.THIRD_PARTY,
            released=released(Outcome.R8),
        ),
        by=H,
    )
    content = reply_letter(c)
    assert content.withheld == "涉及个人隐私的身份证号码"  # the review's, as the reply left it
    assert content.released[0].form == "纸质文本"
    assert content.ground is NonDisclosureGround.THIRD_PARTY

    c = case()
    c.request_reasons(date(2026, 3, 3), by=H, unreasonable="30日内52件")
    c.record_document(
        IssuedDocument(
            DocumentKind.REASONS_NOTICE, "菏民政公说〔2026〕4号", date(2026, 3, 3), "a", "b",
            Addressee.APPLICANT,
        ),
        by=H,
    )  # fmt: skip
    c.assess_reasons(False, None, by=H)
    c.answer(Reply(Outcome.R12, date(2026, 3, 9), reasons="未说明理由"), by=H)
    assert reply_letter(c).earlier == DocumentReference(
        number="菏民政公说〔2026〕4号", dated=date(2026, 3, 3)
    )

    c = case()
    c.answer(Reply(Outcome.R7, date(2026, 3, 9), reasons="到不动产登记中心查询"), by=H)
    assert reply_letter(c).special_route == "到不动产登记中心查询"  # no route: the reasons
    c = case()
    c.accept(by=H)
    c.review_confidentiality(review(date(2026, 3, 5)), by=H)
    c.answer(Reply(Outcome.R1, date(2026, 3, 9), released=released(Outcome.R1)), by=H)
    publication = reply_letter(c).publication
    assert publication is not None
    assert (publication.place, publication.link) == ("互联网", released(Outcome.R1)[0].link)


@pytest.mark.parametrize(
    ("reply", "field"),
    [
        (Reply(Outcome.R6, date(2026, 3, 9)), "reply.earlier_reply"),
        (
            Reply(Outcome.R5, date(2026, 3, 9), reasons="非本机关", responsible_agency="医保局"),
            "reply.responsible_agency_contact",
        ),
        (Reply(Outcome.R7, date(2026, 3, 9)), "reply.route"),
    ],
)
def test_what_a_reply_lacks_for_its_letter_is_named_by_the_requests_field(
    reply: Reply, field: str
) -> None:
    c = case()
    c.answer(reply, by=H)
    assert [v.field for v in reply_letter_violations(c)] == [field]


def test_a_partial_disclosure_refuses_its_withheld_part_on_a_ground() -> None:
    c = case()
    c.accept(by=H)
    c.review_confidentiality(review(date(2026, 3, 5), ReviewConclusion.PARTLY_DISCLOSABLE), by=H)
    c.answer(
        Reply(Outcome.R8, date(2026, 3, 6), reasons="涉及隐私", released=released(Outcome.R8)),
        by=H,
    )
    assert [v.field for v in reply_letter_violations(c)] == ["reply.ground"]


def test_a_reply_stored_before_the_documents_still_loads() -> None:
    stored = {"outcome": "R5", "replied_on": date(2026, 3, 9), "responsible_agency": "医保局"}
    reply = dataclass_transcoding(Reply).decode(stored)
    assert (reply.responsible_agency_contact, reply.earlier_reply, reply.route) == ("", None, "")
    assert PLACEHOLDER  # what checks use before the applicant is opened
