"""An agency's register of the documents it issued (发文目录): document number and title. Applicants
often name a document only by its number (申请公开临发改价格〔2022〕3号); with the register, the
Art 44 detector compares such a request by the document's title too. No I/O here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ogi.errors import FieldViolation, InvalidArgument
from ogi.textmatch.similarity import document_number


@dataclass(frozen=True)
class RegisterEntry:
    number: str  # as the agency writes it; compared in any bracket style
    title: str


def register_id(agency_code: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"ogi:document-register:{agency_code}")


class DocumentRegister(Aggregate):
    """发文目录 of one agency: each document number with its title (the latest recorded)."""

    @event("Opened")
    def __init__(self, agency_code: str) -> None:
        self.agency_code = agency_code
        self.titles: dict[str, str] = {}

    @staticmethod
    def create_id(agency_code: str, **_: object) -> UUID:
        return register_id(agency_code)

    def record(self, entries: Sequence[RegisterEntry], on: date, *, by: str) -> int:
        """Record `entries` (all or none: each needs a document number and a title); returns how
        many were new or changed."""
        violations = [
            violation for i, entry in enumerate(entries) for violation in _violations(i, entry)
        ]
        if not entries:
            violations.append(FieldViolation("documents", "至少一份文件（at least one document）"))
        if violations:
            raise InvalidArgument(violations)
        recorded = 0
        for entry in entries:
            number = str(document_number(entry.number))
            if self.titles.get(number) != entry.title.strip():
                self._recorded(self.agency_code, number, entry.title.strip(), on, by)
                recorded += 1
        return recorded

    # The event keeps who recorded what when, and the agency for the detector's projection,
    # which sees only events; the register itself needs only the titles.
    @event("DocumentRecorded")
    def _recorded(
        self,
        agency_code: str,  # noqa: ARG002
        number: str,
        title: str,
        on: date,  # noqa: ARG002
        by: str,  # noqa: ARG002
    ) -> None:
        self.titles[number] = title


def _violations(i: int, entry: RegisterEntry) -> list[FieldViolation]:
    found = []
    if document_number(entry.number) is None:
        found.append(
            FieldViolation(f"documents[{i}].number", "a document number: 甘办发〔2019〕18号")
        )
    if not entry.title.strip():
        found.append(
            FieldViolation(f"documents[{i}].title", "填写文件标题（the document's title）")
        )
    return found
