"""A report for an agency with 100,000 concluded cases reads the statistics projection — a few
hundred counters — never the cases."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from uuid import uuid4

from ogi.annual_report import RESULTS_TOTAL, TOTAL
from ogi.taxonomy import ApplicantCategory, NonDisclosureGround, Outcome
from services.archive.application import Archive
from services.archive.domain import Dossier, EntryKind, IndexEntry, RetentionPolicy
from tests.unit.test_archive_application import HEAD, archive  # noqa: F401

CASES = 100_000
OUTCOMES = [o for o in Outcome if o is not Outcome.R3] + [Outcome.R3]


def concluded_dossiers(n: int) -> list[object]:
    """The events of `n` dossiers, opened and archived, as the archive would record them."""
    events: list[object] = []
    categories = itertools.cycle(ApplicantCategory)
    outcomes = itertools.cycle(OUTCOMES)
    for i in range(n):
        received = date(2025, 1, 1) + timedelta(days=i % 360)
        dossier = Dossier(
            uuid4(), f"HZMZJ-2025-{i:06d}", "HZMZJ", received, next(categories), "", ""
        )
        outcome = next(outcomes)
        if outcome is Outcome.R3:
            dossier.record_answer(outcome, NonDisclosureGround.THIRD_PARTY, received, "")
        concluded = received + timedelta(days=20)
        dossier.close(
            concluded, IndexEntry(EntryKind.CONCLUSION, concluded, ""), RetentionPolicy(), outcome
        )
        events += dossier.collect_events()
    return events


def test_a_report_over_100000_cases_reads_only_the_counters(archive: Archive) -> None:  # noqa: F811
    events = concluded_dossiers(CASES)
    for start in range(0, len(events), 5000):
        archive.statistics.project(events[start : start + 5000], start // 5000, start // 5000 + 1)
    assert archive.statistics.counter_rows() < 500  # independent of the number of cases
    this = archive.annual_report(HEAD, "HZMZJ", 2025, False)
    following = archive.annual_report(HEAD, "HZMZJ", 2026, False)
    concluded = this.table.three(RESULTS_TOTAL, TOTAL) + following.table.three(RESULTS_TOTAL, TOTAL)
    assert concluded == CASES
    assert this.violations == following.violations == []
