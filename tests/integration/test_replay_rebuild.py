"""A view rebuilt by replay in large batches holds what the same events give one at a time, read
the library's way: the worklist rows are those of each case as the store has it, and the annual
statistics' counters are those counted event by event from every event. The fast decoding path
(ogi.persistence.EventDecoder) gives the very objects the library's mapper gives. SQLite and
PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ogi.agencies import AgencyDirectory
from ogi.config import load_settings
from ogi.persistence import EventDecoder, event_store_env, prepare_database
from ogi.projection import ProjectionWorker
from ogi.taxonomy import ApplicantCategory, Outcome
from ogi.workdays import WorkingDayCalendar
from services.archive.application import Archive
from services.handling.application import Handling
from services.handling.domain import Case, Reply, ServiceMethod
from services.handling.worklist import row_for
from tests.builders import released, review
from tests.handling_feed import HandlingFeed
from tests.integration.conftest import CIPHER_KEY, TOKEN_KEY, Database

H = "张三"
CALENDAR = WorkingDayCalendar()


def _settings(service: str, database: Database, tmp_path: Path) -> Any:
    settings = load_settings(
        service,
        {
            "OGI_DATA_DIR": str(tmp_path / service),
            "OGI_DATABASE_URL": database.url,
            "OGI_DATABASE_SCHEMA": database.schema,
            "OGI_CIPHER_KEY": CIPHER_KEY,
            "OGI_TOKEN_KEY": TOKEN_KEY,
        },
    )
    prepare_database(settings)
    return settings


def _case(n: int) -> Case:
    receipt = date(2025, 1, 2) + timedelta(days=7 * n)
    return Case(
        application_id=uuid.uuid4(),
        application_number=f"HZMZJ-2025-{n + 1:06d}",
        agency_code="HZMZJ" if n % 3 else "HZCZJ",
        receipt_date=receipt,
        applicant_category=ApplicantCategory.NATURAL_PERSON,
        description=f"申请公开{n}号文件" * (1 + n % 40),  # past the row's 120 characters too
    )


def _lifecycle(n: int) -> Iterator[Case]:
    """One case through one of several courses, yielded after each step to be saved, so that
    the store interleaves the cases' events."""
    c = _case(n)
    yield c
    day = c.receipt_date
    kind = n % 6
    if kind == 1:
        c.request_correction(["文号"], day + timedelta(days=2), period=15, by=H)
        yield c
        if n % 12 == 1:
            return  # still awaiting the correction
        c.receive_correction(day + timedelta(days=9), "更正后的申请内容")
        yield c
    c.accept(by=H)
    yield c
    if n % 4:
        c.assign(f"办理人{n % 3}", by=H)
        yield c
    if kind == 2:
        c.start_consultation("某公司 (third party)", day + timedelta(days=4), by=H)
        yield c
        if n % 12 == 2:
            return  # still consulting
        c.end_consultation(day + timedelta(days=11), "不同意公开", by=H)
        yield c
    elif kind == 3:
        c.issue_fee_notice("200", "per_application", day + timedelta(days=3), pauses=True, by=H)
        yield c
        if n % 12 == 3:
            return  # the fee is awaited
        c.record_payment(day + timedelta(days=8), by=H)
        yield c
    elif kind == 4:
        c.extend(CALENDAR, 20, "王主任", day + timedelta(days=14), by=H)
        yield c
    if n % 5 == 0:
        return  # in progress
    replied = day + timedelta(days=15)
    c.review_confidentiality(review(replied), by=H)
    yield c
    c.answer(Reply(Outcome.R2, replied, released=released(Outcome.R2)), by=H)
    yield c
    if n % 5 != 1:  # else replied, not yet served
        c.serve(ServiceMethod.ELECTRONIC, replied + timedelta(days=1), by=H)
        yield c


def _interleaved(save: Callable[[Case], None], courses: list[Iterator[Case]]) -> None:
    while courses:
        for course in list(courses):
            step = next(course, None)
            if step is None:
                courses.remove(course)
            else:
                save(step)


def _same_decoding(app: Any) -> int:
    """Every stored event decodes to the same object by both paths; how many there are."""
    decoder = EventDecoder(app.mapper)
    stored = app.recorder.select_notifications(start=0, limit=100_000)
    for n in stored:
        fast, library = decoder(n), app.mapper.to_domain_event(n)
        assert type(fast) is type(library)
        assert vars(fast) == vars(library)
    return len(stored)


def test_the_worklist_rebuilt_in_batches_holds_each_case_as_stored(
    handling_database: Database, tmp_path: Path
) -> None:
    settings = _settings("handling", handling_database, tmp_path)
    handling = Handling(event_store_env(settings), CALENDAR)
    _interleaved(handling.save, [_lifecycle(n) for n in range(60)])
    assert _same_decoding(handling) > 300
    stored: list[Case] = [handling.repository.get(i) for i in _case_ids(handling)]
    cases = {c.id: row_for(c, CALENDAR) for c in stored}
    view = handling.worklist.view
    for batch in (1, 7, 1000):
        view.reset()
        ProjectionWorker(handling, handling.worklist, batch_size=batch).catch_up()
        assert {r.case_id: r for r in view.rows()} == cases, f"batch of {batch}"
    handling.close()


def _case_ids(handling: Handling) -> set[uuid.UUID]:
    return {
        uuid.UUID(str(n.originator_id))
        for n in handling.recorder.select_notifications(start=0, limit=100_000)
        if n.topic.endswith("Case.Registered")
    }


def test_the_statistics_rebuilt_in_batches_count_as_event_by_event(
    archive_database: Database, tmp_path: Path
) -> None:
    settings = _settings("archive", archive_database, tmp_path)
    archive = Archive(event_store_env(settings), AgencyDirectory.from_file(settings.agencies_file))
    feed = HandlingFeed(archive.apply_handling_event)
    for n in range(90):
        received = date(2024, 1, 1) + timedelta(days=9 * n)
        category = list(ApplicantCategory)[n % len(ApplicantCategory)]
        case = feed.register(received, category)
        if n % 4 == 0:
            feed.pay(case, "12.50", received + timedelta(days=5))
        if n % 7 == 3:
            continue  # carried over
        if n % 5 == 0:
            feed.conclude(case, Outcome.WITHDRAWN, received + timedelta(days=12))
        else:
            feed.answer_and_serve(case, Outcome.R2, received + timedelta(days=20))
    assert _same_decoding(archive) > 200
    tables = archive.statistics.tables
    every = "SELECT * FROM {report_counts} ORDER BY 1, 2, 3, 4, 5"
    owners = "SELECT * FROM {counted_dossiers} ORDER BY 1"

    # The reference: one event at a time, every event, decoded by the library's mapper.
    tables.reset()
    one_by_one = ProjectionWorker(archive, archive.statistics, batch_size=1)
    one_by_one.topics, one_by_one.decoder = None, archive.mapper.to_domain_event
    one_by_one.catch_up()
    expected = (tables.read(every), tables.read(owners))
    assert len(expected[0]) > 20
    assert len(expected[1]) == 90

    for batch in (7, 1000):
        tables.reset()
        ProjectionWorker(archive, archive.statistics, batch_size=batch).catch_up()
        assert (tables.read(every), tables.read(owners)) == expected, f"batch of {batch}"
    archive.close()
