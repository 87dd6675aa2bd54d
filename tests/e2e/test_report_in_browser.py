"""The annual report's HTML opened in a real headless browser (Debian's chromium, installed by
`make browser`): the rendered page holds all six sections with every official label, the
agency's texts and figures and the counted numbers, and a screenshot is kept in test-artifacts/
for a person to look at."""

from __future__ import annotations

import shutil
import struct
import subprocess
from datetime import date
from pathlib import Path

from ogi.annual_report import (
    AMOUNT_YUAN,
    CATEGORY_LABELS,
    CHARGES,
    CONTENT_LABEL,
    DECISIONS,
    FIVE,
    LINE_LABELS,
    ONE,
    PENALTY,
    PROACTIVE_GROUPS,
    RESULT_GROUPS,
    SECTION_TITLES,
    THREE_NOTE,
    TWO,
    TWO_COLUMN_LABELS,
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


OVERVIEW = "2025年，本机关认真贯彻落实《条例》。\n一是加强组织领导；二是规范依申请公开办理。"
PROBLEMS = "主要问题：部分答复说理不够充分。改进措施：加强培训。"


def test_the_html_report_renders_with_the_official_labels(archive: Archive, tmp_path: Path) -> None:  # noqa: F811
    feed = HandlingFeed(archive.apply_handling_event)
    for i, category in enumerate(ApplicantCategory):
        case = feed.register(date(2025, 3, 2 + i), category)
        feed.answer_and_serve(case, Outcome.R3, date(2025, 4, 1), NonDisclosureGround.THIRD_PARTY)
    feed.register(date(2025, 12, 30))
    archive.record_report_text(HEAD, "HZMZJ", 2025, ONE, OVERVIEW)
    archive.record_report_text(HEAD, "HZMZJ", 2025, FIVE, PROBLEMS)
    figures = {(TWO, PENALTY, DECISIONS): 1234, (TWO, CHARGES, AMOUNT_YUAN): 125_000}
    archive.record_proactive_figures(HEAD, "HZMZJ", 2025, figures)
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
        CONTENT_LABEL,
        *TWO_COLUMN_LABELS.values(),
        *(group.article for group in PROACTIVE_GROUPS),
        *(label for group in PROACTIVE_GROUPS for _, label in group.lines),
        *OVERVIEW.splitlines(),
        PROBLEMS,
    ]
    missing = [label for label in labels if label not in dom]
    assert missing == []
    assert '<td colspan="3">1234</td>' in dom
    assert '<td colspan="3">12.50</td>' in dom  # 125,000 元 in 万元
    assert "菏泽市民政局2025年政府信息公开工作年度报告" in dom

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "annual-report-2025.png"
    shot.unlink(missing_ok=True)
    headless(f"--screenshot={shot}", "--window-size=1400,2300", page.as_uri())
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1400, 2300)
    assert shot.stat().st_size > 50_000  # a page of tables, not a blank one
