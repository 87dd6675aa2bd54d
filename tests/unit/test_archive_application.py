"""Archive use cases on a SQLite store in a temporary folder: handling's events fed in as they
arrive on the stream, the report read from the projection, and the Art 44 candidates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ogi.agencies import AgencyDirectory
from ogi.annual_report import CARRIED_IN, CARRIED_OUT, RECEIVED, RESULTS_TOTAL, TOTAL, result_line
from ogi.auth import Principal, Role
from ogi.config import load_settings, new_cipher_key
from ogi.errors import InvalidArgument, PermissionDenied, PreconditionFailed
from ogi.projection import ProjectionWorker
from ogi.taxonomy import ApplicantCategory, NonDisclosureGround, Outcome, RemedyKind, RemedyResult
from ogi.taxonomy import ReportRow as Row
from services.archive.application import Archive
from services.archive.conversion import Decision
from services.archive.domain import EntryKind
from services.archive.register import RegisterEntry
from tests.handling_feed import HandlingFeed

HEAD = Principal("head", "HZMZJ", frozenset({Role.OFFICE_HEAD, Role.HANDLER}))
CITY = Principal("city", "HZ", frozenset({Role.AUDITOR}))
PERSON = ApplicantCategory.NATURAL_PERSON
FIRM = ApplicantCategory.COMMERCIAL_ENTERPRISE


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(tmp_path / "archive.sqlite"),
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": new_cipher_key(),
    }
    agencies = AgencyDirectory.from_file(load_settings("archive", {}).agencies_file)
    return Archive(env, agencies)


def caught_up(archive: Archive) -> Archive:
    ProjectionWorker(archive, archive.statistics).catch_up()
    ProjectionWorker(archive, archive.art44, batch_size=1).catch_up()
    return archive


def test_a_case_is_filed_archived_and_counted(archive: Archive) -> None:
    feed = HandlingFeed(archive.apply_handling_event)
    case = feed.register(date(2025, 12, 20), FIRM)
    feed.pay(case, "83460", date(2026, 1, 5))
    feed.answer_and_serve(case, Outcome.R3, date(2026, 1, 15), NonDisclosureGround.THIRD_PARTY)
    dossier = archive.get_dossier(feed.numbers[case], HEAD)
    assert [e.kind for e in dossier.index] == [
        EntryKind.APPLICATION,
        EntryKind.PAYMENT,
        EntryKind.REPLY,
        EntryKind.SERVICE_PROOF,
    ]
    assert dossier.archive_number == f"2026-D10-{feed.numbers[case]}"
    assert dossier.retention_until == date(2036, 12, 31)

    caught_up(archive)
    last = archive.annual_report(HEAD, "HZMZJ", 2025, False).table
    this = archive.annual_report(HEAD, "HZMZJ", 2026, False).table
    assert (last.three(RECEIVED, FIRM), last.three(CARRIED_OUT, FIRM)) == (1, 1)
    assert this.three(CARRIED_IN, TOTAL) == 1
    assert this.three(result_line(Row.WITHHELD_THIRD_PARTY), FIRM) == 1
    assert this.three(RESULTS_TOTAL, TOTAL) == 1
    assert (this.get("六", "fees", "charged"), this.get("六", "fees", "amount_fen")) == (1, 8346000)


def test_a_redelivered_event_is_filed_once(archive: Archive) -> None:
    feed = HandlingFeed(archive.apply_handling_event)
    case = feed.register(date(2026, 3, 2))
    feed.pay(case, "100", date(2026, 3, 9))
    feed.position -= 1  # the stream delivers the payment again
    feed.pay(case, "100", date(2026, 3, 9))
    assert len(archive.get_dossier(str(case), HEAD).index) == 2
    caught_up(archive)
    assert archive.annual_report(HEAD, "HZMZJ", 2026, False).table.get("六", "fees", "charged") == 1


def test_remedies_count_in_the_filing_year_with_the_result_at_its_end(archive: Archive) -> None:
    feed = HandlingFeed(archive.apply_handling_event)
    case = feed.register(date(2025, 3, 2))
    feed.answer_and_serve(case, Outcome.R4, date(2025, 3, 20))
    number = feed.numbers[case]
    archive.file_remedy(number, HEAD, RemedyKind.RECONSIDERATION, date(2025, 5, 6), "复字1号")
    archive.file_remedy(number, HEAD, RemedyKind.LITIGATION_DIRECT, date(2025, 11, 6), "行初2号")
    archive.decide_remedy(number, HEAD, 1, RemedyResult.CORRECTED, date(2025, 7, 1))
    archive.decide_remedy(number, HEAD, 2, RemedyResult.UPHELD, date(2026, 2, 1))
    with pytest.raises(PreconditionFailed):
        archive.decide_remedy(number, HEAD, 2, RemedyResult.OTHER, date(2026, 3, 1))
    assert archive.get_dossier(number, HEAD).retention_until == date(2055, 12, 31)
    table = caught_up(archive).annual_report(HEAD, "HZMZJ", 2025, False).table
    assert table.get("四", "reconsideration", "corrected") == 1
    assert table.get("四", "litigation_direct", "pending") == 1
    assert table.get("四", "litigation_direct", "upheld") == 0
    assert table.get("四", "litigation_direct", TOTAL) == 1


def test_a_locked_year_shows_late_changes_as_corrections(archive: Archive) -> None:
    feed = HandlingFeed(archive.apply_handling_event)
    feed.register(date(2025, 6, 1))
    caught_up(archive)
    locked = archive.lock_year(HEAD, "HZMZJ", 2025, False)
    assert locked.locked_at is not None
    assert locked.corrections == []
    with pytest.raises(PreconditionFailed):
        archive.lock_year(HEAD, "HZMZJ", 2025, False)
    feed.register(date(2025, 12, 30))  # registered late, with its real receipt date
    report = caught_up(archive).annual_report(HEAD, "HZMZJ", 2025, False)
    assert report.table.three(RECEIVED, TOTAL) == 1  # as published
    changed = {c.cell: (c.published, c.current) for c in report.corrections}
    assert changed[("三", RECEIVED, PERSON.value)] == (1, 2)
    assert changed[("三", RECEIVED, TOTAL)] == (1, 2)
    assert report.violations == []


def test_a_roll_up_adds_the_departments_and_only_a_parent_may_read_it(archive: Archive) -> None:
    for agency in ("HZMZJ", "HZBGS", "HZ"):
        feed = HandlingFeed(archive.apply_handling_event, agency_code=agency)
        feed.position = {"HZMZJ": 0, "HZBGS": 100, "HZ": 200}[agency]
        feed.register(date(2026, 4, 1))
    caught_up(archive)
    assert archive.annual_report(CITY, "HZ", 2026, True).table.three(RECEIVED, TOTAL) == 3
    assert archive.annual_report(CITY, "HZ", 2026, False).table.three(RECEIVED, TOTAL) == 1
    assert archive.annual_report(CITY, "HZMZJ", 2026, False).table.three(RECEIVED, TOTAL) == 1
    with pytest.raises(PermissionDenied):
        archive.annual_report(HEAD, "HZ", 2026, True)
    with pytest.raises(InvalidArgument):
        archive.annual_report(CITY, "NOPE", 2026, True)


def test_three_applicants_asking_for_one_document_make_a_candidate(archive: Archive) -> None:
    feed = HandlingFeed(archive.apply_handling_event)
    texts = [
        "申请公开菏民发〔2025〕12号文件",
        "请提供菏民发[2025]12号《关于调整城乡低保标准的通知》",
        "依据条例申请获取菏民发（2025）第12号",
        "申请公开菏民发〔2025〕13号文件",  # another document
    ]
    for i, text in enumerate(texts):
        case = feed.register(date(2026, 1, 5 + i), description=text, applicant_key=f"a{i}")
        feed.answer_and_serve(case, Outcome.R2, date(2026, 2, 1))
    refused = feed.register(date(2026, 1, 20), description=texts[0], applicant_key="a9")
    feed.answer_and_serve(refused, Outcome.R4, date(2026, 2, 1))
    caught_up(archive)
    [candidate] = archive.list_candidates(HEAD, "HZMZJ")
    assert [r.applicant_key for r in candidate.requests] == ["a0", "a1", "a2"]
    assert {link.evidence for link in candidate.evidence} == {"文号 菏民发〔2025〕12号"}
    archive.decide_candidate(
        HEAD,
        "HZMZJ",
        candidate.candidate_id,
        lambda c: c.convert("https://x.gov.cn/a", date(2026, 2, 3), by="head"),
    )
    [decided] = caught_up(archive).list_candidates(HEAD, "HZMZJ")
    assert (decided.decision, decided.link) == (Decision.CONVERTED, "https://x.gov.cn/a")


def test_this_year_is_the_year_a_request_was_received(archive: Archive) -> None:
    """今年 in a request received in 2025 is 2025, not the 2024 of the others within the
    window."""
    feed = HandlingFeed(archive.apply_handling_event)
    asked = [
        (date(2024, 3, 1), "今年的安全生产执法检查计划"),
        (date(2024, 3, 4), "2024年度安全生产执法检查计划"),
        (date(2024, 3, 8), "申请公开应急局2024年安全生产执法检查计划"),
        (date(2025, 2, 24), "今年的安全生产执法检查计划"),
    ]
    for i, (received, text) in enumerate(asked):
        case = feed.register(received, description=text, applicant_key=f"a{i}")
        feed.answer_and_serve(case, Outcome.R1, received)
    [candidate] = caught_up(archive).list_candidates(HEAD, "HZMZJ")
    assert [r.applicant_key for r in candidate.requests] == ["a0", "a1", "a2"]


def test_an_application_taken_out_of_a_candidate_is_not_grouped_with_it_again(
    archive: Archive,
) -> None:
    feed = HandlingFeed(archive.apply_handling_event)
    same = "申请公开菏民发〔2025〕12号文件"
    feed.disclose_each([same] * 4, date(2026, 1, 5), date(2026, 2, 1))
    [candidate] = caught_up(archive).list_candidates(HEAD, "HZMZJ")
    taken_out = candidate.requests[1].application_number
    with pytest.raises(InvalidArgument) as refused:
        archive.exclude_from_candidate(HEAD, "HZMZJ", candidate.candidate_id, taken_out, " ")
    assert [v.field for v in refused.value.violations] == ["reason"]
    with pytest.raises(InvalidArgument) as refused:
        archive.exclude_from_candidate(HEAD, "HZMZJ", candidate.candidate_id, "NOPE", "其他")
    assert [v.field for v in refused.value.violations] == ["application_number"]
    events = archive.recorder.max_notification_id() or 0

    archive.exclude_from_candidate(
        HEAD, "HZMZJ", candidate.candidate_id, taken_out, "问的是执行情况，不是文件本身"
    )
    archive.exclude_from_candidate(HEAD, "HZMZJ", candidate.candidate_id, taken_out, "again")
    assert archive.recorder.max_notification_id() == events + 2  # opened, excluded; once
    # A later request matching every one of them joins the candidate, not the one taken out.
    later = feed.register(date(2026, 3, 1), description=same, applicant_key="a9")
    feed.answer_and_serve(later, Outcome.R1, date(2026, 3, 20))
    [after] = caught_up(archive).list_candidates(HEAD, "HZMZJ")
    assert after.candidate_id == candidate.candidate_id
    assert [r.applicant_key for r in after.requests] == ["a0", "a2", "a3", "a9"]
    assert [(x.what, x.by) for x in after.excluded] == [(taken_out, "head")]
    numbers = {r.dossier_id for r in after.requests}
    assert all({link.dossier_id, link.other_id} <= numbers for link in after.evidence)


def test_a_decision_stays_on_its_candidate_when_a_request_joins_two_groups(
    archive: Archive,
) -> None:
    feed = HandlingFeed(archive.apply_handling_event)
    by_number = ["申请公开菏民发〔2025〕12号"] * 3
    by_title = ["请提供《关于调整城乡低保标准的通知》"] * 3
    feed.disclose_each(by_number, date(2026, 1, 5), date(2026, 2, 1))
    feed.disclose_each(by_title, date(2026, 2, 5), date(2026, 3, 1), applicants="b")
    first, second = caught_up(archive).list_candidates(HEAD, "HZMZJ")
    archive.decide_candidate(
        HEAD,
        "HZMZJ",
        second.candidate_id,
        lambda c: c.convert("https://x.gov.cn/dibao", date(2026, 3, 2), by="head"),
    )
    both = feed.register(
        date(2026, 3, 5), description="菏民发〔2025〕12号《关于调整城乡低保标准的通知》"
    )
    feed.answer_and_serve(both, Outcome.R1, date(2026, 3, 20))
    [merged] = caught_up(archive).list_candidates(HEAD, "HZMZJ")
    assert merged.candidate_id == second.candidate_id
    assert (merged.decision, merged.link) == (Decision.CONVERTED, "https://x.gov.cn/dibao")
    assert len(merged.requests) == 7
    assert first.candidate_id != second.candidate_id


def test_the_register_links_a_bare_document_number_to_its_title(archive: Archive) -> None:
    title = "菏泽市民政局关于调整城乡低保标准的通知"
    recorded = archive.record_documents(HEAD, "HZMZJ", [RegisterEntry("菏民发〔2025〕12号", title)])
    assert recorded == 1
    assert archive.record_documents(HEAD, "HZMZJ", [RegisterEntry("菏民发[2025]12号", title)]) == 0
    feed = HandlingFeed(archive.apply_handling_event)
    texts = [
        "申请公开菏民发〔2025〕12号",
        "请提供《关于调整城乡低保标准的通知》",
        "市民政局调整城乡低保标准的通知",
    ]
    feed.disclose_each(texts, date(2026, 1, 5), date(2026, 2, 1))
    [candidate] = caught_up(archive).list_candidates(HEAD, "HZMZJ")
    assert [r.applicant_key for r in candidate.requests] == ["a0", "a1", "a2"]
    assert any(link.signal == "title" for link in candidate.evidence)


def test_registering_a_number_later_groups_the_requests_that_named_it(archive: Archive) -> None:
    feed = HandlingFeed(archive.apply_handling_event)
    texts = [
        "申请公开菏民发〔2025〕12号",
        "菏民发[2025]12号文件",
        "请提供《关于调整城乡低保标准的通知》",
        "市民政局调整城乡低保标准的通知",
    ]
    feed.disclose_each(texts, date(2026, 1, 5), date(2026, 2, 1))
    assert caught_up(archive).list_candidates(HEAD, "HZMZJ") == []
    archive.record_documents(HEAD, "HZMZJ", [RegisterEntry("菏民发〔2025〕99号", "另一份通知")])
    assert caught_up(archive).list_candidates(HEAD, "HZMZJ") == []
    title = "菏泽市民政局关于调整城乡低保标准的通知"
    archive.record_documents(HEAD, "HZMZJ", [RegisterEntry("菏民发〔2025〕12号", title)])
    [candidate] = caught_up(archive).list_candidates(HEAD, "HZMZJ")
    assert [r.applicant_key for r in candidate.requests] == ["a0", "a1", "a2", "a3"]
    assert any(link.signal == "title" for link in candidate.evidence)


def test_a_register_entry_without_a_number_or_title_records_nothing(archive: Archive) -> None:
    entries = [RegisterEntry("菏民发〔2025〕12号", "通知"), RegisterEntry("第12号", " ")]
    with pytest.raises(InvalidArgument) as refused:
        archive.record_documents(HEAD, "HZMZJ", entries)
    assert [v.field for v in refused.value.violations] == [
        "documents[1].number",
        "documents[1].title",
    ]
    assert archive.recorder.max_notification_id() in (None, 0)
