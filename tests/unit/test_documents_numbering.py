"""发文字号 (GB/T 9704 7.2.4): the form, and a sequence that issues each number once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import cast
from uuid import UUID

import pytest
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from ogi.documents.numbering import (
    DocumentNumber,
    DocumentNumberSequence,
    document_number,
    prefix_problem,
)


def test_the_year_in_brackets_no_di_no_padding() -> None:
    assert document_number("菏民政公复", 2026, 12) == "菏民政公复〔2026〕12号"
    assert document_number("菏民政公复", 2026, 1) == "菏民政公复〔2026〕1号"


@pytest.mark.parametrize(
    "text",
    [
        "菏民政公复〔2026〕第12号",  # no 第
        "菏民政公复〔2026〕012号",  # no padding
        "菏民政公复[2026]12号",  # 〔〕, not []
        "菏民政公复（2026）12号",
        "菏民政公复〔26〕12号",
        "〔2026〕12号",
        "菏民政公复〔2026〕12",
    ],
)
def test_only_the_canonical_form_reads_as_a_number(text: str) -> None:
    with pytest.raises(ValueError, match="not a document number"):
        DocumentNumber.parse(text)


def test_a_number_reads_back() -> None:
    assert DocumentNumber.parse("菏民政公复〔2026〕12号") == DocumentNumber("菏民政公复", 2026, 12)


@pytest.mark.parametrize("prefix", ["", "菏民政 公复", "菏民政公复1", "菏〔民〕", "a" * 21])
def test_a_prefix_that_would_garble_the_number_is_refused(prefix: str) -> None:
    assert prefix_problem(prefix) is not None


def test_a_sequence_per_agency_prefix_and_year() -> None:
    ids = {
        DocumentNumberSequence.create_id("HZMZJ", "菏民政公复", 2026),
        DocumentNumberSequence.create_id("HZMZJ", "菏民政公补", 2026),
        DocumentNumberSequence.create_id("HZMZJ", "菏民政公复", 2027),
        DocumentNumberSequence.create_id("HZBGS", "菏民政公复", 2026),
    }
    assert len(ids) == 4


def test_the_event_records_the_number_it_issues() -> None:
    sequence = DocumentNumberSequence("HZMZJ", "菏民政公复", 2026)
    assert sequence.next_number == "菏民政公复〔2026〕1号"
    assert [sequence.take(), sequence.take()] == ["菏民政公复〔2026〕1号", "菏民政公复〔2026〕2号"]
    issued = [e for e in sequence.collect_events() if type(e).__name__ == "Issued"]
    assert [e.serial for e in issued] == [1, 2]  # type: ignore[attr-defined]


class Numbering(Application[UUID]):
    """What handling does: take a number and save it, again on a concurrent change."""

    def issue(self) -> str:
        sequence_id = DocumentNumberSequence.create_id("HZMZJ", "菏民政公复", 2026)
        while True:
            try:
                sequence = cast(DocumentNumberSequence, self.repository.get(sequence_id))
            except AggregateNotFoundError:
                sequence = DocumentNumberSequence("HZMZJ", "菏民政公复", 2026)
            number = sequence.take()
            try:
                self.save(sequence)
            except IntegrityError:
                continue
            return number


def test_fifty_concurrent_issues_get_fifty_consecutive_numbers() -> None:
    app = Numbering()
    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(lambda _: app.issue(), range(50)))
    serials = sorted(DocumentNumber.parse(n).serial for n in numbers)
    assert serials == list(range(1, 51))
