"""The archive service as a process: refused input changes nothing, and a crash mid-stream files
every dossier exactly once. Handling's events are published to the stream by the test, as
handling's relay publishes them (message id handling:<notification id>)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import grpc
import nats
import openpyxl
import pytest

from ogi.annual_report import THREE, TOTAL, result_line
from ogi.auth import Role
from ogi.cli.main import main
from ogi.messaging.consumer import BATCHED
from ogi.messaging.nats_server import LocalNatsServer
from ogi.messaging.stream import STREAM, ensure_stream
from ogi.taxonomy import ApplicantCategory, Outcome
from ogi.taxonomy import ReportRow as Row
from ogi.v1 import archive_pb2 as a
from ogi.v1 import common_pb2, events_pb2
from tests.handling_feed import HandlingFeed
from tests.integration.conftest import (
    Database,
    ServiceProcess,
    StartService,
    bearer,
    violations,
    wait_for,
)

AGENCY = "HZMZJ"
HEAD = bearer(AGENCY, Role.OFFICE_HEAD, Role.HANDLER, subject="王主任")


def publish(nats_url: str, messages: list[tuple[str, bytes]]) -> None:
    """Put handling's messages on the stream in order, each with its relay message id."""

    async def send() -> None:
        nc = await nats.connect(nats_url)
        try:
            js = nc.jetstream()
            await ensure_stream(js, 1, 86400.0)
            for position, (subject, data) in enumerate(messages, start=1):
                await js.publish(
                    subject, data, stream=STREAM, headers={"Nats-Msg-Id": f"handling:{position}"}
                )
        finally:
            await nc.close()

    asyncio.run(send())


def concluded_cases(count: int) -> tuple[list[tuple[str, bytes]], list[str]]:
    """`count` cases registered in 2025 and answered R2 (disclosed): three messages each."""
    sent: list[tuple[str, bytes]] = []
    feed = HandlingFeed(lambda subject, data: sent.append((subject, data)), agency_code=AGENCY)
    for n in range(count):
        case = feed.register(date(2025, 3, 1 + n % 28), ApplicantCategory.NATURAL_PERSON)
        feed.answer_and_serve(case, Outcome.R2, date(2025, 4, 1 + n % 28))
    return sent, list(feed.numbers.values())


def four_applicants_disclosed_one_document(nats_url: str) -> list[str]:
    """Four applicants' requests for one document, each disclosed (a conversion candidate),
    published as handling's relay would; their application numbers."""
    sent: list[tuple[str, bytes]] = []
    feed = HandlingFeed(lambda subject, data: sent.append((subject, data)), agency_code=AGENCY)
    cases = feed.disclose_each(
        ["申请公开菏民发〔2025〕12号"] * 4, date(2025, 3, 1), date(2025, 4, 1)
    )
    publish(nats_url, sent)
    return [feed.numbers[c] for c in cases]


def disclosed_in_2025(archive: ServiceProcess) -> int:
    report = archive.archive.GetAnnualReport(
        a.GetAnnualReportRequest(agency_code=AGENCY, year=2025), metadata=HEAD
    ).report
    line = result_line(Row.DISCLOSED)
    return sum(
        c.value for c in report.cells if (c.section, c.line, c.column) == (THREE, line, TOTAL)
    )


def test_bad_input_is_refused_by_field_and_changes_nothing(
    start_archive: StartService, nats_server: LocalNatsServer, archive_database: Database
) -> None:
    nats_server.start()
    archive = start_archive()
    messages, numbers = concluded_cases(1)
    publish(nats_server.url, messages)
    wait_for(lambda: disclosed_in_2025(archive) == 1, what="the dossier to be counted")
    dossier = numbers[0]
    before = archive_database.event_rows()
    version = archive.archive.GetDossier(
        a.GetDossierRequest(dossier=dossier), metadata=HEAD
    ).dossier.version
    filed = common_pb2.CalendarDate(year=2025, month=5, day=6)
    refused: list[tuple[Callable[[], object], grpc.StatusCode, str]] = [
        (
            lambda: archive.archive.RecordRemedy(
                a.RecordRemedyRequest(dossier=dossier, filed_on=filed), metadata=HEAD
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "kind",
        ),
        (
            lambda: archive.archive.RecordRemedy(
                a.RecordRemedyRequest(dossier=dossier, kind=a.REMEDY_KIND_RECONSIDERATION),
                metadata=HEAD,
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "filed_on",
        ),
        (
            lambda: archive.archive.RecordRemedy(
                a.RecordRemedyRequest(
                    dossier=dossier,
                    kind=a.REMEDY_KIND_RECONSIDERATION,
                    filed_on=common_pb2.CalendarDate(year=2025, month=2, day=30),
                ),
                metadata=HEAD,
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "filed_on",
        ),
        (
            lambda: archive.archive.DecideRemedy(
                a.DecideRemedyRequest(
                    dossier=dossier, number=1, result=a.REMEDY_RESULT_UNSPECIFIED, decided_on=filed
                ),
                metadata=HEAD,
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "result",
        ),
        (
            lambda: archive.archive.GetAnnualReport(
                a.GetAnnualReportRequest(agency_code=AGENCY, year=2007), metadata=HEAD
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "year",
        ),
        (
            lambda: archive.archive.RecordDocuments(
                a.RecordDocumentsRequest(
                    agency_code=AGENCY,
                    documents=[
                        a.RegisteredDocument(number="菏民发〔2025〕12号", title="低保标准"),
                        a.RegisteredDocument(number="12号文", title="低保标准"),
                    ],
                ),
                metadata=HEAD,
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "documents[1].number",
        ),
    ]
    for call, code, field in refused:
        with pytest.raises(grpc.RpcError) as refusal:
            call()
        assert refusal.value.code() is code, field
        assert field in violations(refusal.value), refusal.value.details()
    with pytest.raises(grpc.RpcError) as missing:
        archive.archive.RecordRemedy(
            a.RecordRemedyRequest(
                dossier="HZMZJ-2025-999999", kind=a.REMEDY_KIND_RECONSIDERATION, filed_on=filed
            ),
            metadata=HEAD,
        )
    assert missing.value.code() is grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as stranger:
        archive.archive.RecordRemedy(
            a.RecordRemedyRequest(
                dossier=dossier, kind=a.REMEDY_KIND_RECONSIDERATION, filed_on=filed
            ),
            metadata=bearer("HZZRZYJ", Role.OFFICE_HEAD),  # another agency of the directory
        )
    assert stranger.value.code() is grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as anonymous:
        archive.archive.RecordRemedy(
            a.RecordRemedyRequest(
                dossier=dossier, kind=a.REMEDY_KIND_RECONSIDERATION, filed_on=filed
            )
        )
    assert anonymous.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert archive_database.event_rows() == before
    after = archive.archive.GetDossier(a.GetDossierRequest(dossier=dossier), metadata=HEAD)
    assert (after.dossier.version, list(after.dossier.remedies)) == (version, [])


def test_a_registered_number_groups_with_the_title_into_a_candidate(
    start_archive: StartService, nats_server: LocalNatsServer
) -> None:
    nats_server.start()
    archive = start_archive()
    register = a.RecordDocumentsRequest(
        agency_code=AGENCY,
        documents=[
            a.RegisteredDocument(number="菏民发[2025]12号", title="关于调整城乡低保标准的通知"),
            a.RegisteredDocument(number="菏民发〔2025〕13号", title="关于临时救助资金的通知"),
        ],
    )
    assert archive.archive.RecordDocuments(register, metadata=HEAD).recorded == 2
    assert archive.archive.RecordDocuments(register, metadata=HEAD).recorded == 0
    sent: list[tuple[str, bytes]] = []
    feed = HandlingFeed(lambda subject, data: sent.append((subject, data)), agency_code=AGENCY)
    texts = [
        "申请公开菏民发〔2025〕12号",
        "《关于调整城乡低保标准的通知》",
        "城乡低保标准调整的通知",
        "菏民发〔2025〕13号",
    ]
    cases = feed.disclose_each(texts, date(2025, 3, 1), date(2025, 4, 1))
    publish(nats_server.url, sent)

    def candidates() -> list[a.ConversionCandidate]:
        listed = archive.archive.ListConversionCandidates(
            a.ListConversionCandidatesRequest(agency_code=AGENCY), metadata=HEAD
        )
        return list(listed.candidates)

    wait_for(lambda: len(candidates()) == 1, what="the candidate")
    [candidate] = candidates()
    assert sorted(r.application_number for r in candidate.requests) == sorted(
        feed.numbers[c] for c in cases[:3]
    )


def test_a_handler_takes_an_application_out_of_a_candidate(
    start_archive: StartService, nats_server: LocalNatsServer, archive_database: Database
) -> None:
    """Refused with the field at fault and nothing recorded; then taken out, with who and why
    shown on the candidate and no evidence left pointing at it."""
    nats_server.start()
    archive = start_archive()
    numbers = four_applicants_disclosed_one_document(nats_server.url)

    def candidates() -> list[a.ConversionCandidate]:
        listed = archive.archive.ListConversionCandidates(
            a.ListConversionCandidatesRequest(agency_code=AGENCY), metadata=HEAD
        )
        return list(listed.candidates)

    wait_for(lambda: [len(c.requests) for c in candidates()] == [4], what="the candidate")
    [candidate] = candidates()
    number = numbers[2]
    before = archive_database.event_rows()

    def exclude(**fields: str) -> object:
        request = {
            "agency_code": AGENCY,
            "candidate_id": candidate.candidate_id,
            "application_number": number,
            "reason": "问的是另一份文件",
        }
        request.update(fields)
        return archive.archive.ExcludeFromConversionCandidate(
            a.ExcludeFromConversionCandidateRequest(**request), metadata=HEAD
        )

    for fields, field in [
        ({"candidate_id": "nope"}, "candidate_id"),
        ({"application_number": ""}, "application_number"),
        ({"application_number": "HZMZJ-2025-999999"}, "application_number"),
        ({"reason": " "}, "reason"),
    ]:
        with pytest.raises(grpc.RpcError) as refusal:
            exclude(**fields)
        assert refusal.value.code() is grpc.StatusCode.INVALID_ARGUMENT, field
        assert field in violations(refusal.value), refusal.value.details()
    with pytest.raises(grpc.RpcError) as stranger:
        archive.archive.ExcludeFromConversionCandidate(
            a.ExcludeFromConversionCandidateRequest(
                agency_code=AGENCY,
                candidate_id=candidate.candidate_id,
                application_number=number,
                reason="x",
            ),
            metadata=bearer(AGENCY, Role.REGISTRAR),
        )
    assert stranger.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert archive_database.event_rows() == before

    exclude()
    wait_for(lambda: [len(c.requests) for c in candidates()] == [3], what="the exclusion")
    [after] = candidates()
    assert [(x.application_number, x.reason, x.excluded_by) for x in after.excluded] == [
        (number, "问的是另一份文件", "王主任")
    ]
    assert number not in {r.application_number for r in after.requests}
    assert all(
        number not in (e.application_number, e.matches_application_number) for e in after.evidence
    )


def test_a_handler_works_the_candidates_from_the_command_line(
    start_archive: StartService,
    nats_server: LocalNatsServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`ogi candidates list|exclude|convert`, against a real archive process."""
    nats_server.start()
    archive = start_archive()
    numbers = four_applicants_disclosed_one_document(nats_server.url)
    token = HEAD[0][1].removeprefix("Bearer ")
    ogi = ["candidates", "--archive", archive.listen, "--token", token, "--agency", AGENCY]

    def listed() -> str:
        assert main([*ogi, "list"]) == 0
        return capsys.readouterr().out

    wait_for(lambda: all(n in listed() for n in numbers), what="the candidate")
    [line] = [line for line in listed().splitlines() if "pending" in line]
    candidate = line.split()[0]
    assert main([*ogi, "exclude", candidate, "--application", "HZMZJ-2025-999999", "--reason", "x"])
    assert "application_number" in capsys.readouterr().err
    assert (
        main([*ogi, "exclude", candidate, "--application", numbers[3], "--reason", "另一份"]) == 0
    )
    wait_for(lambda: f"taken out {numbers[3]}: 另一份" in listed(), what="the exclusion")
    link = "https://www.gov.cn/zwgk/12.html"
    assert main([*ogi, "convert", candidate, "--link", link]) == 0
    wait_for(lambda: link in listed(), what="the conversion")


def test_the_register_is_imported_from_a_spreadsheet(
    start_archive: StartService,
    nats_server: LocalNatsServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`ogi register import`: the agency's 发文目录 as it keeps it in Excel, header below a
    title row; a refused row is named by its line and records nothing; importing again records
    only what is new."""
    nats_server.start()
    archive = start_archive()
    token = HEAD[0][1].removeprefix("Bearer ")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["菏泽市民政局2025年发文目录"])
    sheet.append(["序号", "发文字号", "文件标题", "发文日期"])
    sheet.append([1, "菏民发〔2025〕12号", "关于调整城乡低保标准的通知", "2025-01-08"])
    sheet.append([])
    sheet.append([2, "菏民发[2025]13号", "关于临时救助资金的通知", "2025-02-11"])
    sheet.append([3, "第十四号", "关于养老服务补贴的通知", "2025-03-02"])
    path = tmp_path / "发文目录.xlsx"
    book.save(path)
    command = ["register", "import", str(path), "--agency", AGENCY]
    command += ["--archive", archive.listen, "--token", token]

    with pytest.raises(SystemExit):
        main(command)
    assert "第6行 row 6 number" in capsys.readouterr().err

    # Both good rows are new after the refusal: the refused import recorded none of them.
    sheet.delete_rows(6)
    book.save(path)
    assert main(command) == 0
    assert "2 documents read, 2 recorded" in capsys.readouterr().out
    assert main(command) == 0
    assert "2 documents read, 0 recorded" in capsys.readouterr().out


def test_killing_archive_mid_stream_files_every_dossier_once(
    start_archive: StartService, nats_server: LocalNatsServer, archive_database: Database
) -> None:
    nats_server.start()
    count = 40
    messages, numbers = concluded_cases(count)
    publish(nats_server.url, messages)
    # SIGKILL on the 50th message: its effect is committed, the message not yet acked.
    crashing = start_archive(wait=False, OGI_FAULT_INJECTION="consumer-crash-before-ack:50")
    assert crashing.wait_exit(30) == -9
    rows_at_kill = archive_database.event_rows()
    assert rows_at_kill > 0
    archive = start_archive()
    wait_for(lambda: disclosed_in_2025(archive) >= count, timeout=60, what="every dossier")
    assert disclosed_in_2025(archive) == count
    for number in numbers:
        dossier = archive.archive.GetDossier(
            a.GetDossierRequest(dossier=number), metadata=HEAD
        ).dossier
        # Opened, put on file (answer, service), archived: once each.
        assert dossier.archived, number
        kinds = [e.kind for e in dossier.entries]
        assert len(kinds) == len(set(kinds)), (number, kinds)


def test_an_applicants_suggestion_relayed_by_intake_is_kept_to_be_answered(
    start_archive: StartService, nats_server: LocalNatsServer
) -> None:
    """Art 44(2): what an applicant suggests through intake (SuggestProactiveDisclosure) reaches
    archive as a suggested candidate, once, however often the stream delivers it."""
    nats_server.start()
    archive = start_archive()
    suggested = events_pb2.ProactiveDisclosureSuggested(
        metadata=events_pb2.EventMetadata(
            notification_id=7, aggregate_id=str(uuid.uuid4()), aggregate_version=3
        ),
        agency_code=AGENCY,
        subject="建议主动公开各街道低保资金发放明细",
        suggested_on=common_pb2.CalendarDate(year=2026, month=3, day=2),
    )
    subject = "ogi.intake.ProactiveDisclosureSuggested"

    async def send() -> None:
        nc = await nats.connect(nats_server.url)
        try:
            js = nc.jetstream()
            await ensure_stream(js, 1, 86400.0)
            for copy in ("intake:7", "replayed-7"):  # a second copy, as after a replay
                await js.publish(
                    subject,
                    suggested.SerializeToString(),
                    stream=STREAM,
                    headers={"Nats-Msg-Id": copy},
                )
        finally:
            await nc.close()

    asyncio.run(send())

    def suggestions() -> list[Any]:
        listed = archive.archive.ListConversionCandidates(
            a.ListConversionCandidatesRequest(agency_code=AGENCY), metadata=HEAD
        ).candidates
        return [c for c in listed if c.origin == a.CANDIDATE_ORIGIN_SUGGESTED]

    wait_for(suggestions, what="the suggestion among the candidates")

    async def consumed() -> bool:
        nc = await nats.connect(nats_server.url)
        try:
            info = await nc.jetstream().consumer_info(STREAM, "archive-intake" + BATCHED)
            return bool(info.num_pending == 0 and info.num_ack_pending == 0)
        finally:
            await nc.close()

    wait_for(lambda: asyncio.run(consumed()), what="both copies taken by archive")
    assert [c.subject for c in suggestions()] == ["建议主动公开各街道低保资金发放明细"]
