"""What people type and read on the command line: names for outcomes, grounds, channels,
categories and states (ogi.taxonomy's terms, never the wire codes), and times in China time."""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, date
from enum import StrEnum
from typing import Any, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from ogi.clock import china_time_text
from ogi.taxonomy import (
    APPLICATION_STATE_TERMS,
    CASE_STATE_TERMS,
    OUTCOME_TERMS,
    Outcome,
    Term,
    named,
    outcome_label,
    row_label,
)
from ogi.wire import GROUNDS, OUTCOMES

V = TypeVar("V", bound=StrEnum)


def parsed(terms: Mapping[V, Term], what: str) -> Callable[[str], V]:
    """An argparse type: the value a Chinese name, English name or code names."""

    def parse(text: str) -> V:
        if (value := named(terms, text)) is not None:
            return value
        names = ", ".join(t.en for t in terms.values())
        raise argparse.ArgumentTypeError(
            f"不认识的{what}（unknown {what} {text!r}; one of {names}）"
        )

    return parse


def pad(text: str, width: int) -> str:
    """`text` filled with spaces to `width` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 1)


def outcome_table(outcomes: list[Outcome]) -> str:
    """The outcomes with their names, article and report row, for --help."""
    lines = [
        "结果 outcomes (--outcome takes the Chinese name, the English name or the code):",
        f"  {pad('名称', 30)}{pad('name', 22)}{pad('code', 7)}{pad('依据 article', 22)}年报 row",
    ]
    for outcome in outcomes:
        term = OUTCOME_TERMS[outcome]
        row = "（三）1–8" if outcome.needs_ground else row_label(outcome.report_row())
        lines.append(
            f"  {pad(term.zh, 30)}{pad(term.en, 22)}{pad(outcome.value, 7)}"
            f"{pad(term.basis or '—', 22)}三{row}"
        )
    return "\n".join(lines)


def wire_outcome(outcome: int, ground: int = 0, *, with_row: bool = True) -> str:
    """A wire outcome (and ground) in words: 部分公开（第三十七条；年报三（二））."""
    if not outcome:
        return "—"
    return outcome_label(OUTCOMES[outcome], GROUNDS.get(ground), with_row=with_row)


def state_name(terms: Mapping[str, Term], value: str) -> str:
    """A state in words with its value: 待送达 replied."""
    term = terms.get(value)
    return f"{term.zh} {value}" if term else value


def case_state(value: str) -> str:
    return state_name(CASE_STATE_TERMS, value)


def application_state(value: str) -> str:
    return state_name(APPLICATION_STATE_TERMS, value)


def china_time(at: Timestamp) -> str:
    """A protobuf timestamp (UTC) as people in China read it."""
    return china_time_text(at.ToDatetime(tzinfo=UTC))


def term_of(terms: Mapping[Any, Term], value: Any) -> str:
    """A value's Chinese name, or the value itself if it has none."""
    term = terms.get(value)
    return term.zh if term else str(value)


def day(text: str) -> date:
    """An argparse type for a date as people type it (2026-12-03), refused in words."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"不是有效日期，应写作 2026-12-03（not a date: {text!r}; write YYYY-MM-DD）"
        ) from None


# The options of `ogi apply` / `ogi correct` that fill a request field of another name.
FIELD_OPTIONS = {
    "agency_code": "--agency",
    "applicant.name": "--name",
    "applicant.category": "--category",
    "applicant.contact_person": "--contact-person",
    "applicant.identity_document.type": "--id-type",
    "applicant.identity_document.number": "--id-number",
    "applicant.contact": "--phone / --email / --address",
    "applicant.contact.phone": "--phone",
    "applicant.contact.email": "--email",
    "applicant.contact.postal_address": "--address",
    "applicant.contact.postal_code": "--postal-code",
    "information.description": "--description",
    "information.document_title": "--title",
    "information.document_number": "--document-number",
    "delivery.form": "--form",
    "delivery.route": "--route",
    "items": "--item",
    "reply.released": "--released-file / --released-paper / --released-link",
}


def option_for(field: str, parser: argparse.ArgumentParser) -> str:
    """The command-line option a refused request field came from, so the person knows what to
    change; the field itself when no option fills it."""
    unindexed = re.sub(r"\[\d+\]", "", field)
    if unindexed in FIELD_OPTIONS:
        return FIELD_OPTIONS[unindexed]
    last = unindexed.rsplit(".", 1)[-1]
    option = "--" + last.replace("_", "-")
    return option if option in _options(parser) else field


def _options(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string of the parser and its subcommands."""
    found: set[str] = set()
    for action in parser._actions:
        found.update(s for s in action.option_strings if s.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _options(sub)
    return found
