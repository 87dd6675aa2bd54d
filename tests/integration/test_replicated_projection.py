"""Two replicas of archive project the same store at the same time: the annual statistics (counters
that add up) still count every dossier exactly once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from ogi.agencies import AgencyDirectory
from ogi.annual_report import RESULTS_TOTAL, TOTAL
from ogi.auth import Principal, Role
from ogi.config import load_settings
from ogi.persistence import event_store_env, prepare_database
from ogi.projection import ProjectionWorker
from ogi.taxonomy import ApplicantCategory, Outcome
from services.archive.application import Archive
from tests.handling_feed import HandlingFeed
from tests.integration.conftest import CIPHER_KEY, TOKEN_KEY, Database

HEAD = Principal("head", "HZMZJ", frozenset({Role.OFFICE_HEAD}))
CASES = 300


def replica(database: Database, tmp_path: Path) -> Archive:
    settings = load_settings(
        "archive",
        {
            "OGI_DATA_DIR": str(tmp_path),
            "OGI_DATABASE_URL": database.url,
            "OGI_DATABASE_SCHEMA": database.schema,
            "OGI_CIPHER_KEY": CIPHER_KEY,
            "OGI_TOKEN_KEY": TOKEN_KEY,
        },
    )
    prepare_database(settings)
    return Archive(event_store_env(settings), AgencyDirectory.from_file(settings.agencies_file))


def test_two_replicas_projecting_at_once_count_each_dossier_once(
    archive_database: Database, tmp_path: Path
) -> None:
    first, second = replica(archive_database, tmp_path), replica(archive_database, tmp_path)
    feed = HandlingFeed(first.apply_handling_event)
    for n in range(CASES):
        case = feed.register(date(2025, 1 + n % 12, 1), ApplicantCategory.NATURAL_PERSON)
        feed.answer_and_serve(case, Outcome.R2, date(2025, 1 + n % 12, 20))
    workers = [
        ProjectionWorker(app, app.statistics, batch_size=batch)
        for app, batch in ((first, 7), (second, 11))
    ]
    threads = [threading.Thread(target=w.catch_up) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for app in (first, second):
        report = app.annual_report(HEAD, "HZMZJ", 2025, False)
        assert report.table.three(RESULTS_TOTAL, TOTAL) == CASES
        assert report.violations == []
    first.close()
    second.close()
