"""Bounds at the edge (ogi.bounds): what no request may carry, and the per-field checks."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ogi.agencies import Agency, AgencyDirectory
from ogi.bounds import (
    CONTROL_CHARACTERS,
    MAX_TEXT,
    EdgePolicy,
    ascii_digits,
    request_violations,
    text_problem,
)
from ogi.identity import resident_id_problem
from ogi.taxonomy import Channel
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2, intake_pb2
from ogi.workdays import WorkingDayCalendar, provisional_holidays
from services.intake.validation import submission_violations
from tests.builders import command


def test_control_characters_anywhere_in_a_request_are_named_by_field() -> None:
    message = intake_pb2.SubmitApplicationRequest()
    message.information.description = "低保\x00明细"
    message.applicant.contact.email = "a\x1b@b.cn"
    request_ = handling_pb2.RequestCorrectionRequest(items=["文号", "年度\x07"])
    assert [v.field for v in request_violations(message)] == [
        "applicant.contact.email",
        "information.description",
    ]
    assert [(v.field, v.description) for v in request_violations(request_)] == [
        ("items[1]", CONTROL_CHARACTERS)
    ]


def test_bidi_overrides_are_taken_out_in_place() -> None:
    message = intake_pb2.SubmitApplicationRequest()
    message.applicant.name = "张\u202e三\u2066"
    correction = handling_pb2.RequestCorrectionRequest(items=["a\u202db"])
    assert request_violations(message) == request_violations(correction) == []
    assert (message.applicant.name, list(correction.items)) == ("张三", ["ab"])


def test_line_breaks_and_tabs_are_text_not_control() -> None:
    message = intake_pb2.SubmitApplicationRequest()
    message.information.description = "第一行\n第二行\r\n\t缩进"
    assert request_violations(message) == []


def test_dates_outside_the_calendar_and_impossible_dates_are_refused() -> None:
    for year, month, day_ in ((1, 1, 1), (1899, 12, 31), (2100, 1, 4), (2026, 2, 30)):
        message = handling_pb2.ListWorklistRequest(
            as_of=pb.CalendarDate(year=year, month=month, day=day_)
        )
        assert [v.field for v in request_violations(message)] == ["as_of"]
    unset = handling_pb2.ListWorklistRequest()
    assert request_violations(unset) == []


def test_overlong_strings_are_refused() -> None:
    message = intake_pb2.SubmitApplicationRequest(request_id="x" * (MAX_TEXT + 1))
    assert [v.field for v in request_violations(message)] == ["request_id"]


@given(st.text())
def test_no_string_passes_with_a_control_character(text: str) -> None:
    message = intake_pb2.SubmitApplicationRequest(agency_code=text)
    found = request_violations(message)
    has_control = any(
        (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F or c in "\ufffe\uffff"
        for c in text
    )
    assert any(v.description == CONTROL_CHARACTERS for v in found) == has_control


def test_names_need_a_visible_character_on_one_line() -> None:
    assert text_problem("\u200b\u200c", 100, required=True, single_line=True)
    assert text_problem("  ", 100, required=True, single_line=True)
    assert text_problem("张三\n李四", 100, single_line=True)
    assert text_problem("张三", 100, required=True, single_line=True) is None
    assert text_problem("", 100) is None


def test_identity_numbers_in_any_digits_become_ascii() -> None:
    assert ascii_digits("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
    assert ascii_digits("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X") == "11010519491231002X"
    # Unconverted, they no longer pass the check as if they were digits.
    assert resident_id_problem("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X") is not None


def test_the_receipt_date_window_is_a_policy_narrowed_by_go_live() -> None:
    policy = EdgePolicy.from_env({"OGI_POLICY_EARLIEST_RECEIPT_DATE": "2024-01-01"})
    today = date(2026, 12, 3)
    window = policy.receipt_dates(today)
    assert window.problem(date(2023, 12, 31)) is not None
    assert window.problem(date(2024, 1, 1)) is None
    assert window.problem(today) is None
    assert window.problem(date(2026, 12, 4)) is not None
    assert policy.receipt_dates(today, date(2025, 6, 1)).problem(date(2025, 5, 31)) is not None
    default = EdgePolicy.from_env({})
    assert default.earliest_receipt == date(2019, 5, 15)
    assert default.step_dates(today).latest == date(2026, 12, 4)  # one day of clock skew
    assert default.planning_dates(date(2028, 2, 29)).latest == date(2031, 2, 28)


def test_an_agency_going_live_later_refuses_earlier_receipt_dates() -> None:
    agencies = AgencyDirectory([Agency("HZMZJ", "菏泽市民政局", "", date(2026, 1, 1))])
    paper = command(channel=Channel.IN_PERSON, receipt_date=date(2025, 12, 31))
    found = submission_violations(paper, agencies, date(2026, 12, 3))
    assert [v.field for v in found] == ["receipt_date"]
    later = command(channel=Channel.IN_PERSON, receipt_date=date(2026, 1, 1))
    assert submission_violations(later, agencies, date(2026, 12, 3)) == []


def test_years_beyond_the_lunar_tables_still_have_working_days() -> None:
    """A date stored before the bounds existed never stops a reader of the calendar."""
    assert date(2100, 1, 1) in provisional_holidays(2100)
    assert WorkingDayCalendar().is_workday(date(2100, 1, 4))
    assert not WorkingDayCalendar().is_workday(date(1800, 6, 1))  # a Sunday
