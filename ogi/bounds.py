"""Bounds at the edge (输入边界): what every value from outside must satisfy before it reaches a
command, so that nothing stored can later stop a reader (a projection, the relay, a report).

Two layers:
- `request_violations` walks any request message: no string may hold NUL or another control
  character (tab and line breaks aside), bidirectional overrides are taken out (they make a name
  read differently on screen than it is stored), no string is longer than MAX_TEXT, no list
  longer than MAX_ITEMS, and every CalendarDate is a real day the working-day calendar knows.
- Per field, the services add what only they know: shorter lengths, names with a visible
  character, date windows (`EdgePolicy`), integers within the domain.

Messages are Chinese first, English after. No I/O here."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from ogi.errors import FieldViolation
from ogi.workdays import FIRST_DAY, LAST_DAY

MAX_TEXT = 20_000  # characters in any one string of a request
MAX_ITEMS = 50_000  # elements of any one repeated field
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_BREAK = re.compile("[\t\n\r\u2028\u2029]")
# Bidirectional formatting characters (Unicode UAX #9): ALM, LRM, RLM, embeddings, overrides,
# isolates. Legitimate text in the languages ogi serves never needs them.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_VISIBLE_CATEGORIES = ("L", "N", "P", "S")
_CALENDAR_DATE = "ogi.v1.CalendarDate"

CONTROL_CHARACTERS = "不能含有控制字符（must not contain control characters such as NUL）"
LINE_BREAKS = "不能换行（must be a single line）"
NOT_A_DATE = "不是有效日期（not a valid calendar date）"
REQUIRED = "必填（required）"
NO_VISIBLE_CHARACTER = "须含有可见字符（must contain a visible character）"


def too_long(limit: int) -> str:
    return f"最多{limit}个字符（at most {limit} characters）"


def too_many(limit: int) -> str:
    return f"最多{limit}项（at most {limit} items）"


# --- the request as a whole ------------------------------------------------------------------


def request_violations(message: Message) -> list[FieldViolation]:
    """What no field of any request may be; takes bidi controls out of strings as it goes."""
    return list(_walk(message, ""))


def _walk(message: Message, prefix: str) -> Iterator[FieldViolation]:
    if message.DESCRIPTOR.full_name == _CALENDAR_DATE:
        yield from _calendar_date(message, prefix.rstrip("."))
        return
    for field, value in message.ListFields():
        path = f"{prefix}{field.name}"
        if field.is_repeated:
            yield from _repeated(field, value, path)
        elif field.type == FieldDescriptor.TYPE_STRING:
            cleaned = _without_bidi(value)
            if cleaned != value:
                setattr(message, field.name, cleaned)
            yield from _text(cleaned, path)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            yield from _walk(value, f"{path}.")


def _repeated(field: FieldDescriptor, values: Any, path: str) -> Iterator[FieldViolation]:
    if len(values) > MAX_ITEMS:
        yield FieldViolation(path, too_many(MAX_ITEMS))
    elif field.type == FieldDescriptor.TYPE_STRING:
        cleaned = [_without_bidi(v) for v in values]
        if cleaned != list(values):
            del values[:]
            values.extend(cleaned)
        for i, text in enumerate(cleaned):
            yield from _text(text, f"{path}[{i}]")
    elif field.type == FieldDescriptor.TYPE_MESSAGE and not _is_map(field):
        for i, item in enumerate(values):
            yield from _walk(item, f"{path}[{i}].")


def _is_map(field: FieldDescriptor) -> bool:
    return bool(field.message_type and field.message_type.GetOptions().map_entry)


def _text(value: str, field: str) -> Iterator[FieldViolation]:
    if _CONTROL.search(value):
        yield FieldViolation(field, CONTROL_CHARACTERS)
    if len(value) > MAX_TEXT:
        yield FieldViolation(field, too_long(MAX_TEXT))


def _calendar_date(value: Any, field: str) -> Iterator[FieldViolation]:
    if value.year == value.month == value.day == 0:
        return
    try:
        day = date(value.year, value.month, value.day)
    except ValueError:
        yield FieldViolation(field, NOT_A_DATE)
        return
    if not FIRST_DAY <= day <= LAST_DAY:
        yield FieldViolation(
            field,
            f"须在{FIRST_DAY}至{LAST_DAY}之间（outside the dates the working-day calendar knows）",
        )


def _without_bidi(value: str) -> str:
    return _BIDI.sub("", value) if _BIDI.search(value) else value


# --- one field -------------------------------------------------------------------------------


def has_visible_character(text: str) -> bool:
    """A letter, digit, punctuation mark or symbol: not only spaces or zero-width characters."""
    return any(unicodedata.category(c).startswith(_VISIBLE_CATEGORIES) for c in text)


def text_problem(
    text: str, limit: int, *, required: bool = False, single_line: bool = False
) -> str | None:
    """Why a free-text field cannot be taken, or None. `single_line` is for names, numbers
    and other one-line values, which must also show something."""
    if _CONTROL.search(text):
        return CONTROL_CHARACTERS
    if not text.strip():
        return REQUIRED if required else None
    if len(text) > limit:
        return too_long(limit)
    if single_line and _LINE_BREAK.search(text):
        return LINE_BREAKS
    if single_line and not has_visible_character(text):
        return NO_VISIBLE_CHARACTER
    return None


def check_text(
    text: str,
    field: str,
    limit: int,
    violations: list[FieldViolation],
    *,
    required: bool = False,
    single_line: bool = False,
) -> None:
    if problem := text_problem(text, limit, required=required, single_line=single_line):
        violations.append(FieldViolation(field, problem))


def ascii_digits(text: str) -> str:
    """NFKC, then every decimal digit of any script as its ASCII digit: 全角 １２３ and
    Arabic-Indic ١٢٣ are 123, so one identity number is checked and counted as one."""
    normalized = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.decimal(c))
        if not c.isascii() and unicodedata.decimal(c, None) is not None
        else c
        for c in normalized
    )


# --- dates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateWindow:
    earliest: date
    latest: date

    def problem(self, day: date) -> str | None:
        if day < self.earliest:
            return f"不能早于{self.earliest}（cannot be before {self.earliest}）"
        if day > self.latest:
            return f"不能晚于{self.latest}（cannot be after {self.latest}）"
        return None


REVISED_REGULATION_IN_FORCE = date(2019, 5, 15)


@dataclass(frozen=True)
class EdgePolicy:
    """[policy] The windows dates from outside must fall in; the law fixes neither.

    - OGI_POLICY_EARLIEST_RECEIPT_DATE (default 2019-05-15, the day the revised Regulation whose
      periods ogi counts took effect; an agency's `go_live` in the directory narrows it): no
      application is received, and no step taken, before it.
    - OGI_POLICY_CLOCK_SKEW_DAYS (default 1): how far after today (China time) a date typed
      by a person may be, for clocks on either side of midnight. Nothing is dated later.
    - OGI_POLICY_PLANNING_YEARS (default 3): how far ahead a worklist may be viewed (as_of) or
      a later reply date set (Art 35)."""

    earliest_receipt: date = REVISED_REGULATION_IN_FORCE
    clock_skew_days: int = 1
    planning_years: int = 3

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> EdgePolicy:
        default = cls()
        earliest = environ.get("OGI_POLICY_EARLIEST_RECEIPT_DATE")
        return cls(
            earliest_receipt=date.fromisoformat(earliest) if earliest else default.earliest_receipt,
            clock_skew_days=int(environ.get("OGI_POLICY_CLOCK_SKEW_DAYS", default.clock_skew_days)),
            planning_years=int(environ.get("OGI_POLICY_PLANNING_YEARS", default.planning_years)),
        )

    def receipt_dates(self, today: date, go_live: date | None = None) -> DateWindow:
        """收到申请之日 typed in by a registrar (Art 31): not before the system took such
        applications, not after today."""
        earliest = max(self.earliest_receipt, go_live) if go_live else self.earliest_receipt
        return DateWindow(earliest, today)

    def step_dates(self, today: date) -> DateWindow:
        """The date of a step (a notice, a reply, a service): in the past or today. Each step
        also checks it is not before what it follows (the receipt, the notice)."""
        return DateWindow(self.earliest_receipt, today + timedelta(days=self.clock_skew_days))

    def planning_dates(self, today: date) -> DateWindow:
        """A day to look at or plan for: `as_of`, a later reply date."""
        return DateWindow(self.earliest_receipt, _years_after(today, self.planning_years))


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_date(
    day: date | None, field: str, window: DateWindow, violations: list[FieldViolation]
) -> None:
    if day is not None and (problem := window.problem(day)):
        violations.append(FieldViolation(field, problem))


def check_range(
    value: int, field: str, low: int, high: int, violations: list[FieldViolation]
) -> None:
    if not low <= value <= high:
        violations.append(FieldViolation(field, f"须在{low}至{high}之间（from {low} to {high}）"))
