"""The agency's own parts of its annual report (一, 二, 五, 六): recorded as events, checked,
kept with the year when it is locked (a later change is a correction), summed for a roll-up
(二's figures; the texts are the parent's own), and written only by the agency's staff."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ogi.annual_report import (
    AMOUNT_YUAN,
    CHARGES,
    COERCION,
    DECISIONS,
    FIGURE_FIELDS,
    FIVE,
    ISSUED,
    ONE,
    PENALTY,
    RULES,
    SIX,
    TWO,
    TWO_CELLS,
    figure_field,
)
from ogi.auth import Principal, Role
from ogi.errors import FieldViolation, InvalidArgument, PermissionDenied
from ogi.v1 import archive_pb2 as a
from services.archive.application import Archive
from services.archive.report_entries import (
    MAX_COUNT,
    ReportEntries,
    entries_id,
    yuan_from_wan_yuan,
)
from services.archive.wire import figures_from_wire, figures_to_wire
from tests.handling_feed import HandlingFeed
from tests.unit.test_archive_application import CITY, HEAD, archive, caught_up  # noqa: F401

HANDLER = Principal("李四", "HZMZJ", frozenset({Role.HANDLER}))
AUDITOR = Principal("审计", "HZMZJ", frozenset({Role.AUDITOR}))
OTHER = Principal("办公室", "HZBGS", frozenset({Role.OFFICE_HEAD}))
CITY_HEAD = Principal("市政府办", "HZ", frozenset({Role.OFFICE_HEAD}))
RULES_ISSUED = (TWO, RULES, ISSUED)
PENALTIES = (TWO, PENALTY, DECISIONS)
CHARGED = (TWO, CHARGES, AMOUNT_YUAN)
COERCIONS = (TWO, COERCION, DECISIONS)


def fields(error: pytest.ExceptionInfo[InvalidArgument]) -> set[str]:
    return {v.field for v in error.value.violations}


# --- the domain ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "yuan"),
    [("12.5", 125_000), ("0", 0), ("0.0001", 1), ("3", 30_000), (" 1.2345 ", 12_345)],
)
def test_an_amount_in_wan_yuan_is_whole_yuan(text: str, yuan: int) -> None:
    assert yuan_from_wan_yuan(text) == yuan


@pytest.mark.parametrize("text", ["-1", "1.23456", "1e3", "NaN", "1,000", "", "１２", "+5", ".5"])
def test_what_is_not_an_amount_in_wan_yuan(text: str) -> None:
    assert yuan_from_wan_yuan(text) is None


def test_figures_out_of_bounds_are_refused_all_at_once_and_nothing_recorded() -> None:
    entries = ReportEntries("HZMZJ", 2025)
    with pytest.raises(InvalidArgument) as refused:
        entries.record_figures(
            {
                RULES_ISSUED: -1,
                PENALTIES: MAX_COUNT + 1,
                CHARGED: -5,
                (TWO, COERCION, DECISIONS): 3,
            },
            by="李四",
        )
    assert fields(refused) == {
        "figures.rules_issued",
        "figures.penalty_decisions",
        "figures.charges_amount",
    }
    assert "须在0至" in refused.value.violations[0].description  # Chinese first
    assert entries.figures == {}
    assert len(entries.collect_events()) == 1  # only its start


@pytest.mark.parametrize(
    ("section", "text", "field", "says"),
    [
        (ONE, "总体情况\x00", "text", "控制字符"),
        (ONE, "总" * 20_001, "text", "最多20000个字符"),
        (ONE, " \n ", "text", "必填"),
        ("三", "总体情况", "section", "须为一、五或六"),
    ],
)
def test_a_text_that_cannot_be_taken(section: str, text: str, field: str, says: str) -> None:
    entries = ReportEntries("HZMZJ", 2025)
    with pytest.raises(InvalidArgument) as refused:
        entries.record_text(section, text, by="李四")
    [violation] = refused.value.violations
    assert violation.field == field
    assert says in violation.description
    assert entries.texts == {}


def test_a_text_is_kept_with_its_line_breaks_and_recorded_once() -> None:
    entries = ReportEntries("HZMZJ", 2025)
    assert entries.record_text(ONE, "  第一段。\r\n第二段。\n", by="李四")
    assert not entries.record_text(ONE, "第一段。\n第二段。", by="王主任")  # the same text
    assert entries.texts == {ONE: "第一段。\n第二段。"}
    events = entries.collect_events()
    assert [type(e).__name__ for e in events] == ["Started", "TextRecorded"]
    assert events[1].by == "李四"  # type: ignore[attr-defined]


def test_the_wire_names_every_figure_of_section_two() -> None:
    assert set(FIGURE_FIELDS) == {f.name for f in a.ProactiveDisclosureFigures.DESCRIPTOR.fields}
    assert {figure_field(cell) for cell in TWO_CELLS} == set(FIGURE_FIELDS)


def test_figures_from_the_wire_only_those_set_with_the_amount_in_yuan() -> None:
    violations: list[FieldViolation] = []
    wire = a.ProactiveDisclosureFigures(rules_issued=0, charges_amount="1.5")
    assert figures_from_wire(wire, violations) == {RULES_ISSUED: 0, CHARGED: 15_000}
    assert violations == []
    figures_from_wire(a.ProactiveDisclosureFigures(charges_amount="1.23456"), violations)
    assert [v.field for v in violations] == ["figures.charges_amount"]
    back = figures_to_wire({RULES_ISSUED: 0, CHARGED: 15_000})
    assert [(f.name, v) for f, v in back.ListFields()] == [
        ("rules_issued", 0),
        ("charges_amount", "1.50"),
    ]


# --- the archive -----------------------------------------------------------------------------


def two(report: Any) -> dict[tuple[str, str, str], int]:
    return {cell: n for cell, n in report.table.cells.items() if cell[0] == TWO and n}


def test_entries_show_in_the_report_and_are_locked_with_the_year(archive: Archive) -> None:  # noqa: F811
    archive.record_report_text(HANDLER, "HZMZJ", 2025, ONE, "总体情况：依法公开。")
    archive.record_report_text(HANDLER, "HZMZJ", 2025, FIVE, "问题：不够及时。")
    _, locked = archive.record_proactive_figures(
        HANDLER, "HZMZJ", 2025, {RULES_ISSUED: 2, CHARGED: 125_000}
    )
    assert not locked
    figures, _ = archive.record_proactive_figures(HANDLER, "HZMZJ", 2025, {PENALTIES: 40})
    assert figures == {RULES_ISSUED: 2, CHARGED: 125_000, PENALTIES: 40}  # the others stay
    report = caught_up(archive).annual_report(AUDITOR, "HZMZJ", 2025, False)
    assert report.texts == {ONE: "总体情况：依法公开。", FIVE: "问题：不够及时。"}
    assert two(report) == {RULES_ISSUED: 2, CHARGED: 125_000, PENALTIES: 40}
    assert archive.annual_report(AUDITOR, "HZMZJ", 2026, False).texts == {}  # another year

    archive.lock_year(HEAD, "HZMZJ", 2025, False)
    with pytest.raises(PermissionDenied):  # a published report is corrected by the office head
        archive.record_report_text(HANDLER, "HZMZJ", 2025, FIVE, "问题：已整改。")
    _, correction = archive.record_report_text(HEAD, "HZMZJ", 2025, FIVE, "问题：已整改。")
    assert correction
    archive.record_report_text(HEAD, "HZMZJ", 2025, SIX, "无其他需要报告的事项。")
    archive.record_proactive_figures(HEAD, "HZMZJ", 2025, {PENALTIES: 41})

    report = caught_up(archive).annual_report(AUDITOR, "HZMZJ", 2025, False)
    assert report.texts == {ONE: "总体情况：依法公开。", FIVE: "问题：不够及时。"}  # as published
    assert two(report)[PENALTIES] == 40
    assert [(c.section, c.published, c.current) for c in report.text_corrections] == [
        (FIVE, "问题：不够及时。", "问题：已整改。"),
        (SIX, "", "无其他需要报告的事项。"),
    ]
    assert [(c.cell, c.published, c.current) for c in report.corrections] == [(PENALTIES, 40, 41)]
    assert report.violations == []
    entries: ReportEntries = archive.repository.get(entries_id("HZMZJ", 2025))
    assert entries.version == 8  # started, 4 changes before the lock, 3 after: all kept


def test_only_the_agencys_handler_or_office_head_writes_its_report(archive: Archive) -> None:  # noqa: F811
    for who in (AUDITOR, OTHER, CITY_HEAD):
        with pytest.raises(PermissionDenied):
            archive.record_report_text(who, "HZMZJ", 2025, ONE, "总体情况")
        with pytest.raises(PermissionDenied):
            archive.record_proactive_figures(who, "HZMZJ", 2025, {PENALTIES: 1})
    with pytest.raises(InvalidArgument):
        archive.record_report_text(HEAD, "NOPE", 2025, ONE, "总体情况")
    assert archive.annual_report(AUDITOR, "HZMZJ", 2025, False).texts == {}


def test_a_roll_up_sums_section_two_and_keeps_the_parents_texts(archive: Archive) -> None:  # noqa: F811
    city = Principal("市政府办", "HZ", frozenset({Role.OFFICE_HEAD}))
    bureau = Principal("局办公室", "HZBGS", frozenset({Role.HANDLER}))
    archive.record_proactive_figures(HEAD, "HZMZJ", 2025, {PENALTIES: 40, CHARGED: 10_000})
    archive.record_proactive_figures(bureau, "HZBGS", 2025, {PENALTIES: 2, CHARGED: 5})
    archive.record_proactive_figures(city, "HZ", 2025, {RULES_ISSUED: 1})
    archive.record_report_text(HEAD, "HZMZJ", 2025, ONE, "民政局的总体情况")
    archive.record_report_text(city, "HZ", 2025, ONE, "全市的总体情况")
    feed = HandlingFeed(archive.apply_handling_event)
    feed.register(date(2025, 5, 6))  # the counted sections come along
    rolled = caught_up(archive).annual_report(CITY, "HZ", 2025, True)
    assert two(rolled) == {PENALTIES: 42, CHARGED: 10_005, RULES_ISSUED: 1}
    assert rolled.texts == {ONE: "全市的总体情况"}
    assert two(archive.annual_report(CITY, "HZ", 2025, False)) == {RULES_ISSUED: 1}


def test_replay_rebuilds_section_two(archive: Archive) -> None:  # noqa: F811
    archive.record_proactive_figures(HEAD, "HZMZJ", 2025, {PENALTIES: 40})
    archive.record_proactive_figures(HEAD, "HZMZJ", 2025, {PENALTIES: 39})
    before = two(caught_up(archive).annual_report(AUDITOR, "HZMZJ", 2025, False))
    archive.statistics.tables.reset()
    after = two(caught_up(archive).annual_report(AUDITOR, "HZMZJ", 2025, False))
    assert before == after == {PENALTIES: 39}
