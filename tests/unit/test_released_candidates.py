"""Art 44 candidates from what was released (issue 20): replies that released the same item — a
document number however written, a link, a file's digest, a title the register numbers — are
one candidate, whatever the requests' words; the text matcher's groups are the separate, likely
list, which also shows open requests. Corrections (take out, add, merge) are kept with who and
why, survive a rebuild by replay, and are not undone by later requests."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from ogi.errors import InvalidArgument, PreconditionFailed
from ogi.projection import ProjectionWorker
from ogi.taxonomy import Outcome
from ogi.v1 import common_pb2
from services.archive.application import Archive
from services.archive.candidates import CandidateView
from services.archive.conversion import Decision, Origin
from services.archive.register import RegisterEntry
from tests.handling_feed import HandlingFeed
from tests.unit.test_archive_application import HEAD, archive, caught_up

__all__ = ["archive"]  # the fixture

FILE = common_pb2.RELEASE_FORM_ELECTRONIC_FILE
LINK = common_pb2.RELEASE_FORM_PUBLISHED_LINK
PAPER = common_pb2.RELEASE_FORM_PAPER
SHA = "ab" * 32
# Requests that read nothing alike: only what was released says they asked for one thing.
WORDS = [
    "想知道今年低保标准涨了没有",
    "申请公开民政局调整城乡最低生活保障标准的文件",
    "请提供菏民发（2025）第12号",
    "我家领的救助金为什么变了，请给我依据",
    "申请公开临时救助资金管理的通知",
]


def item(
    title: str, number: str = "", form: common_pb2.ReleaseForm.ValueType = PAPER, **more: str
) -> common_pb2.ReleasedItem:
    return common_pb2.ReleasedItem(title=title, document_number=number, form=form, **more)


def released_to(
    feed: HandlingFeed, words: str, items: list[common_pb2.ReleasedItem], key: str, day: int
) -> str:
    """A request answered R2 with `items` and served; its application number."""
    case = feed.register(date(2026, 1, day), description=words, applicant_key=key)
    feed.answer_and_serve(case, Outcome.R2, date(2026, 2, day), released=items)
    return feed.numbers[case]


def listed(archive: Archive, origin: Origin | None = None) -> list[CandidateView]:
    found = caught_up(archive).list_candidates(HEAD, "HZMZJ")
    return [c for c in found if origin is None or c.origin is origin]


def test_replies_that_released_one_item_are_one_candidate(archive: Archive) -> None:
    """The same 文号 in three spellings, the same link, the same file: one item, released to
    three applicants whose words share nothing; another number is another item."""
    feed = HandlingFeed(archive.apply_handling_event)
    notice = "关于调整城乡低保标准的通知"
    spelt = "菏民发（2025）第12号"
    link = "https://mzj.heze.gov.cn/zwgk/12.html"
    numbers = [
        released_to(feed, WORDS[0], [item(notice, "菏民发〔2025〕12号")], "a", 5),
        released_to(feed, WORDS[1], [item(notice, "菏民发[2025]12号", LINK, link=link)], "b", 6),
        released_to(feed, WORDS[2], [item("低保标准", form=LINK, link=link + "/")], "c", 7),
        released_to(feed, WORDS[3], [item("通知", form=FILE, sha256=SHA)], "d", 8),
        released_to(feed, WORDS[3], [item(notice, spelt, FILE, sha256=SHA)], "e", 9),
        released_to(feed, WORDS[4], [item("临时救助", "菏民发〔2025〕13号")], "f", 10),
    ]
    [candidate] = listed(archive, Origin.RELEASED)
    assert [r.application_number for r in candidate.requests] == numbers[:5]
    assert candidate.subject == f"{notice}（菏民发〔2025〕12号）"
    assert [r.application_number for r in candidate.released] == numbers[:5]
    assert candidate.released[0].same_by == "文号 菏民发〔2025〕12号"
    assert candidate.released[2].same_by == f"链接 {link}/"
    assert candidate.released[3].same_by.startswith("文件 SHA-256 abababababab")
    assert listed(archive, Origin.DETECTED) == []  # nothing reads alike


def test_two_applicants_are_not_enough_and_a_refusal_releases_nothing(archive: Archive) -> None:
    feed = HandlingFeed(archive.apply_handling_event)
    for key, day in (("a", 5), ("b", 6)):
        released_to(feed, WORDS[key == "b"], [item("通知", "菏民发〔2025〕12号")], key, day)
    released_to(feed, WORDS[2], [item("通知", "菏民发〔2025〕12号")], "a", 7)  # the same one
    refused = feed.register(date(2026, 1, 8), description=WORDS[2], applicant_key="c")
    feed.answer_and_serve(refused, Outcome.R4, date(2026, 2, 8))
    assert listed(archive) == []


def test_a_title_the_register_numbers_is_that_number_even_when_learnt_later(
    archive: Archive,
) -> None:
    feed = HandlingFeed(archive.apply_handling_event)
    released_to(feed, WORDS[0], [item("菏民发〔2025〕12号", "菏民发〔2025〕12号")], "a", 5)
    released_to(feed, WORDS[1], [item("《关于调整城乡低保标准的通知》")], "b", 6)
    released_to(feed, WORDS[2], [item("关于调整城乡低保标准的通知")], "c", 7)
    assert listed(archive) == []
    title = "关于调整城乡低保标准的通知"
    archive.record_documents(HEAD, "HZMZJ", [RegisterEntry("菏民发[2025]12号", title)])
    [candidate] = listed(archive, Origin.RELEASED)
    assert len(candidate.requests) == 3
    released_to(feed, WORDS[3], [item(f"{title}。")], "d", 8)  # numbered on arrival now
    [candidate] = listed(archive, Origin.RELEASED)
    assert len(candidate.requests) == 4


def test_open_requests_that_read_alike_are_likely(archive: Archive) -> None:
    """Before any reply, requests that read alike are a likely candidate; once an item was
    released, a released candidate shows the open requests that read like its own."""
    feed = HandlingFeed(archive.apply_handling_event)
    alike = "申请公开菏泽市民政局关于2025年城乡低保标准调整的通知"
    for n in range(3):
        feed.register(date(2026, 1, 5 + n), description=alike, applicant_key=f"o{n}")
    [likely] = listed(archive)
    assert likely.origin is Origin.DETECTED
    assert [r.open for r in likely.requests] == [True, True, True]
    notice = [item("关于2025年城乡低保标准调整的通知", "菏民发〔2025〕12号")]
    for n, key in enumerate("abc"):
        released_to(feed, alike if n == 0 else WORDS[n], notice, key, 10 + n)
    [released] = listed(archive, Origin.RELEASED)
    assert [r.applicant_key for r in released.likely] == ["o0", "o1", "o2"]
    assert all(r.open for r in released.likely)


def test_the_candidates_are_rebuilt_identically_by_replay(archive: Archive) -> None:
    corrected(archive)
    before = listed(archive)
    archive.art44.tables.reset()
    ProjectionWorker(archive, archive.art44, batch_size=1).catch_up()
    assert archive.list_candidates(HEAD, "HZMZJ") == before


def corrected(archive: Archive) -> tuple[HandlingFeed, dict[str, str]]:
    """Two released candidates merged, an application taken out of one and another added;
    their numbers by name."""
    feed = HandlingFeed(archive.apply_handling_event)
    numbers = {
        f"{which}{n}": released_to(
            feed, WORDS[n], [item("通知", f"菏民发〔2025〕{serial}号")], f"{which}{n}", day
        )
        for which, serial, first in (("x", 12, 5), ("y", 13, 15))
        for n, day in enumerate(range(first, first + 3))
    }
    unanswered = feed.register(date(2026, 1, 25), description="救助", applicant_key="z")
    numbers["z"] = feed.numbers[unanswered]
    x, y = listed(archive, Origin.RELEASED)
    archive.merge_candidates(HEAD, "HZMZJ", x.candidate_id, y.candidate_id, "一个是另一个的更正")
    archive.exclude_from_candidate(HEAD, "HZMZJ", x.candidate_id, numbers["x1"], "填错了文号")
    archive.add_to_candidate(HEAD, "HZMZJ", x.candidate_id, numbers["z"], "问的也是这份通知")
    return feed, numbers


def test_corrections_are_kept_with_who_and_why_and_later_requests_follow_them(
    archive: Archive,
) -> None:
    feed, numbers = corrected(archive)
    [merged] = listed(archive, Origin.RELEASED)
    shown = [r.application_number for r in merged.requests]
    assert shown == [numbers[k] for k in ("x0", "x2", "y0", "y1", "y2", "z")]
    assert [(c.what, c.by, c.reason) for c in merged.excluded] == [
        (numbers["x1"], "head", "填错了文号")
    ]
    assert [(c.what, c.reason) for c in merged.added] == [(numbers["z"], "问的也是这份通知")]
    assert len(merged.merged) == 1
    assert merged.merged[0].reason == "一个是另一个的更正"
    # Later replies releasing either item join the merged candidate; the one taken out stays
    # out though a later item shares its number.
    later = [
        released_to(feed, WORDS[4], [item("通知", f"菏民发〔2025〕{serial}号")], key, 28)
        for serial, key in ((12, "p"), (13, "q"))
    ]
    [after] = listed(archive, Origin.RELEASED)
    assert after.candidate_id == merged.candidate_id
    assert {*later} <= {r.application_number for r in after.requests}
    assert numbers["x1"] not in {r.application_number for r in after.requests}


def test_corrections_are_refused_where_they_make_no_sense(archive: Archive) -> None:
    feed, numbers = corrected(archive)
    [merged] = listed(archive, Origin.RELEASED)
    cid = merged.candidate_id
    for number, reason, field in [
        (numbers["x0"], "已在", "application_number"),  # one of its applications already
        ("HZMZJ-2026-999999", "没有", "application_number"),
        (numbers["x1"], " ", "reason"),
    ]:
        with pytest.raises(InvalidArgument) as refused:
            archive.add_to_candidate(HEAD, "HZMZJ", cid, number, reason)
        assert [v.field for v in refused.value.violations] == [field]
    with pytest.raises(InvalidArgument):
        archive.merge_candidates(HEAD, "HZMZJ", cid, cid, "自身")
    archive.decide_candidate(
        HEAD, "HZMZJ", cid, lambda c: c.decline("已在政务公开栏公布", date(2026, 3, 1), by="head")
    )
    for n, key in enumerate("uvw"):
        released_to(feed, WORDS[n], [item("救助", "菏民发〔2025〕14号")], key, 20 + n)
    other = next(c for c in listed(archive, Origin.RELEASED) if c.candidate_id != cid)
    with pytest.raises(PreconditionFailed):  # a decided candidate keeps its decision
        archive.merge_candidates(HEAD, "HZMZJ", other.candidate_id, cid, "同一")
    assert {c.decision for c in listed(archive)} == {Decision.DECLINED, Decision.PENDING}


def test_a_merged_candidate_is_decided_through_the_one_it_became_part_of(
    archive: Archive,
) -> None:
    corrected(archive)
    [merged] = listed(archive, Origin.RELEASED)
    [(other_id, *_)] = [(UUID(m.what),) for m in merged.merged]
    with pytest.raises(PreconditionFailed):
        archive.decide_candidate(
            HEAD, "HZMZJ", other_id, lambda c: c.convert("https://x.gov.cn/a", date.today(), by="h")
        )


def test_requests_alike_and_released_alike_are_one_candidate_not_two(archive: Archive) -> None:
    """Their words read alike too, but what was released says it exactly: no likely twin."""
    feed = HandlingFeed(archive.apply_handling_event)
    alike = "申请公开菏民发〔2025〕12号关于调整城乡低保标准的通知"
    for n, key in enumerate("abc"):
        released_to(feed, alike, [item("通知", "菏民发〔2025〕12号")], key, 5 + n)
    assert [c.origin for c in listed(archive)] == [Origin.RELEASED]


def test_an_item_like_one_taken_out_does_not_bring_others_in(archive: Archive) -> None:
    """Taken out because its reply's item is another (the handler typed the wrong number):
    later replies releasing that other item (its link) stay with it, even when one of them
    also carries the candidate's number."""
    feed = HandlingFeed(archive.apply_handling_event)
    link = "https://mzj.heze.gov.cn/zwgk/13.html"
    numbers = [
        released_to(feed, WORDS[n], [item("通知", "菏民发〔2025〕12号")], f"a{n}", 5 + n)
        for n in range(3)
    ]
    wrong = released_to(
        feed, WORDS[3], [item("通知", "菏民发〔2025〕12号", LINK, link=link)], "w", 9
    )
    [candidate] = listed(archive)
    archive.exclude_from_candidate(HEAD, "HZMZJ", candidate.candidate_id, wrong, "是13号文")
    like_wrong = released_to(feed, WORDS[4], [item("救助", form=LINK, link=link)], "p", 10)
    both = released_to(
        feed, WORDS[0], [item("通知", "菏民发〔2025〕12号", LINK, link=link)], "q", 11
    )
    [after] = listed(archive, Origin.RELEASED)
    assert [r.application_number for r in after.requests] == [*numbers, both]
    assert like_wrong not in {r.application_number for r in after.requests}


def test_an_application_taken_out_does_not_bring_back_the_likely_twin(archive: Archive) -> None:
    """Taken out of a released candidate, its reply still released an item: the requests that
    read alike are all answered exactly, so no likely candidate appears beside it."""
    feed = HandlingFeed(archive.apply_handling_event)
    alike = "菏泽市2025年城乡低保资金发放明细表"
    numbers = [
        released_to(feed, alike, [item("明细", "菏民发〔2025〕3号")], key, 5 + n)
        for n, key in enumerate("abcd")
    ]
    [candidate] = listed(archive)
    archive.exclude_from_candidate(HEAD, "HZMZJ", candidate.candidate_id, numbers[3], "另一年度")
    [after] = listed(archive)
    assert after.candidate_id == candidate.candidate_id
    assert [r.application_number for r in after.requests] == numbers[:3]
