"""What a reply released, and to whom (依申请公开的登记): the record the Art 44 candidates are made
of. Each reply that gave information (R1, R2, R8) with the items it listed (title, 文号, form,
an electronic file's SHA-256, the link where it is published) is recorded once, with the
application's number, its applicant's pseudonym and when it was received, so that requests
whose replies released the same item are the same information — no reading of their words.

Two items are the same when they share a key: the document number (in any way it is written,
ogi.textmatch.similarity.document_number), the link (scheme and host in lower case, without a
trailing slash or fragment), or the file's digest. An item without a number whose title is in
the agency's register (发文目录) has that entry's number. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit, urlunsplit
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ogi.taxonomy import Outcome
from ogi.textmatch.similarity import document_number
from ogi.textmatch.wording import normalized, plain


@dataclass(frozen=True)
class ReleasedItem:
    """One item a reply released, as handling recorded it."""

    title: str
    document_number: str = ""
    form: str = ""  # electronic_file, paper, published_link
    sha256: str = ""
    link: str = ""


class Release(Aggregate):
    """公开登记: the items one reply released."""

    @event("Recorded")
    def __init__(
        self,
        dossier_id: UUID,
        agency_code: str,
        application_number: str,
        applicant_key: str,
        receipt_date: date,
        replied_on: date,
        outcome: Outcome,
        items: tuple[ReleasedItem, ...],
    ) -> None:
        self.dossier_id = dossier_id
        self.agency_code = agency_code
        self.application_number = application_number
        self.applicant_key = applicant_key
        self.receipt_date = receipt_date
        self.replied_on = replied_on
        self.outcome = Outcome(outcome)
        self.items = tuple(items)

    @staticmethod
    def create_id(dossier_id: UUID, **_: object) -> UUID:
        return release_id(dossier_id)


def release_id(dossier_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"ogi:release:{dossier_id}")


def number_key(written: str) -> str:
    """A 文号 as one spelling: 甘办发[2019]18号 and 甘办发（2019）第18号 are 甘办发〔2019〕18号; a
    number of another form, its normalised characters."""
    if not written.strip():
        return ""
    number = document_number(written)
    return str(number) if number else plain(normalized(written))


def link_key(link: str) -> str:
    """A link as one spelling: scheme and host in lower case, no fragment, no trailing slash."""
    if not link.strip():
        return ""
    parts = urlsplit(link.strip())
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def title_key(title: str) -> str:
    """A title as the register is looked up by: normalised, without punctuation or 《》."""
    return plain(normalized(title))
