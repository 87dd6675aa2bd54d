"""The names people type and read for the law's codes (ogi.taxonomy's terms): every value has
one, no two values share one, and the command line reads each back to its value."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import pytest

from ogi.taxonomy import (
    APPLICATION_STATE_TERMS,
    CASE_STATE_TERMS,
    CATEGORY_TERMS,
    CHANNEL_TERMS,
    GROUND_TERMS,
    OUTCOME_TERMS,
    ApplicantCategory,
    Channel,
    NonDisclosureGround,
    Outcome,
    ReportRow,
    Term,
    named,
    outcome_label,
    row_label,
    term_for,
)
from ogi.v1 import common_pb2 as pb
from services.handling.domain import CONCLUDING_OUTCOMES, CaseState
from services.intake.domain import ApplicationState

VOCABULARIES: list[tuple[type[StrEnum], Mapping[StrEnum, Term]]] = [
    (Outcome, OUTCOME_TERMS),  # type: ignore[list-item]
    (NonDisclosureGround, GROUND_TERMS),  # type: ignore[list-item]
    (Channel, CHANNEL_TERMS),  # type: ignore[list-item]
    (ApplicantCategory, CATEGORY_TERMS),  # type: ignore[list-item]
]


@pytest.mark.parametrize(("enum", "terms"), VOCABULARIES, ids=lambda v: getattr(v, "__name__", ""))
def test_every_value_has_its_own_names(enum: type[StrEnum], terms: Mapping[StrEnum, Term]) -> None:
    assert set(terms) == set(enum)
    spellings: dict[str, StrEnum] = {}
    for value, term in terms.items():  # a spelling names one value only
        for spelling in {term.zh, term.en, value.value, value.name}:
            assert spellings.setdefault(spelling.casefold(), value) is value, spelling
    for value, term in terms.items():
        for spelling in (term.zh, term.en, value.value, value.name, value.value.lower()):
            assert named(terms, spelling) is value
        assert term_for(value) is term


def test_channel_and_category_names_are_the_wire_names() -> None:
    """What `ogi apply --channel in_person` always meant stays valid."""
    for prefix, enum, terms in (
        ("CHANNEL_", pb.Channel, CHANNEL_TERMS),
        ("APPLICANT_CATEGORY_", pb.ApplicantCategory, CATEGORY_TERMS),
    ):
        wire = {
            n.removeprefix(prefix).lower() for n, _ in enum.items() if not n.endswith("UNSPECIFIED")
        }
        assert {t.en for t in terms.values()} == wire


def test_the_old_codes_and_the_laws_words_name_the_same_outcome() -> None:
    assert named(OUTCOME_TERMS, "部分公开") is Outcome.R8
    assert named(OUTCOME_TERMS, "partially_disclosed") is Outcome.R8
    assert named(OUTCOME_TERMS, "r8") is Outcome.R8
    assert named(OUTCOME_TERMS, "予以公开") is Outcome.R2
    assert named(OUTCOME_TERMS, "不予公开") is Outcome.R3
    assert named(GROUND_TERMS, "三4") is NonDisclosureGround.THIRD_PARTY
    assert named(OUTCOME_TERMS, "部分") is None


def test_an_outcome_is_shown_with_its_article_and_report_row() -> None:
    assert outcome_label(Outcome.R8) == "部分公开（第三十七条；年报三（二））"
    assert outcome_label(Outcome.R2) == "予以公开（第三十六条第（二）项；年报三（一））"
    assert (
        outcome_label(Outcome.R3, NonDisclosureGround.THIRD_PARTY)
        == "不予公开：保护第三方合法权益（第十五条；年报三（三）4）"
    )
    assert outcome_label(Outcome.WITHDRAWN) == "申请人撤回（年报三（六）3）"
    assert outcome_label(Outcome.R8, with_row=False) == "部分公开（第三十七条）"
    assert row_label(ReportRow.WITHHELD_THIRD_PARTY) == "（三）4"


def test_the_outcomes_a_reply_cannot_give_are_the_ones_that_conclude_a_case() -> None:
    assert {o for o in Outcome if not o.is_reply} == CONCLUDING_OUTCOMES


def test_every_state_has_a_name() -> None:
    assert set(CASE_STATE_TERMS) == {s.value for s in CaseState}
    assert set(APPLICATION_STATE_TERMS) == {s.value for s in ApplicationState}
    assert CASE_STATE_TERMS[CaseState.REPLIED.value].zh == "待送达"
