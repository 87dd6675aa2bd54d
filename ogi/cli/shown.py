"""What people type and read on the command line: names for outcomes, grounds, channels,
categories and states (ogi.taxonomy's terms, never the wire codes), and times in China time."""

from __future__ import annotations

import argparse
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC
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
