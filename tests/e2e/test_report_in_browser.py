"""The annual report's HTML opened in a real headless browser (Debian's chromium, installed by
`make browser`): the rendered page holds every official label and the numbers, and a screenshot
is kept in test-artifacts/ for a person to look at."""

from __future__ import annotations

import shutil
import struct
import subprocess
from datetime import date
from pathlib import Path

from ogi.annual_report import (
    CATEGORY_LABELS,
    LINE_LABELS,
    RESULT_GROUPS,
    SECTION_TITLES,
    THREE_NOTE,
)
from ogi.cli.report import render_html
from ogi.taxonomy import ApplicantCategory, NonDisclosureGround, Outcome
from services.archive.application import Archive
from services.archive.wire import report_to_wire
from tests.handling_feed import HandlingFeed
from tests.unit.test_archive_application import HEAD, archive, caught_up  # noqa: F401

ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def headless(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_the_html_report_renders_with_the_official_labels(archive: Archive, tmp_path: Path) -> None:  # noqa: F811
    feed = HandlingFeed(archive.apply_handling_event)
    for i, category in enumerate(ApplicantCategory):
        case = feed.register(date(2025, 3, 2 + i), category)
        feed.answer_and_serve(case, Outcome.R3, date(2025, 4, 1), NonDisclosureGround.THIRD_PARTY)
    feed.register(date(2025, 12, 30))
    report = caught_up(archive).annual_report(HEAD, "HZMZJ", 2025, False)
    page = tmp_path / "report.html"
    page.write_text(render_html(report_to_wire(report, archive.agencies)), encoding="utf-8")

    dom = headless("--dump-dom", page.as_uri()).stdout
    labels = [
        THREE_NOTE,
        *SECTION_TITLES.values(),
        *LINE_LABELS.values(),
        *CATEGORY_LABELS.values(),
        *(group.label for group in RESULT_GROUPS),
        *(item for group in RESULT_GROUPS for _, item in group.lines if item),
    ]
    missing = [label for label in labels if label not in dom]
    assert missing == []
    assert "菏泽市民政局2025年政府信息公开工作年度报告" in dom

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "annual-report-2025.png"
    shot.unlink(missing_ok=True)
    headless(f"--screenshot={shot}", "--window-size=1400,1900", page.as_uri())
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1400, 1900)
    assert shot.stat().st_size > 50_000  # a page of tables, not a blank one
