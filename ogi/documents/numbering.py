"""发文字号: `<prefix>〔<year>〕<n>号` (GB/T 9704-2012 7.2.4: the year in 〔〕, no 第, no padding),
from a sequence per agency, prefix and year so that each number is issued once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid5(NAMESPACE_URL, "https://ogi.invalid/documents")
# A prefix is the 机关代字 and a type character (菏民政公复): visible characters, no brackets of
# the number itself, no digits at its end (they would run into the year's bracket unseen).
_PREFIX = re.compile(r"^[^\s〔〕\[\]()（）［］0-9]{1,20}$")
_NUMBER = re.compile(r"^(?P<prefix>.+)〔(?P<year>[0-9]{4})〕(?P<serial>[1-9][0-9]*)号$")


def prefix_problem(prefix: str) -> str | None:
    """Why `prefix` cannot start a document number, or None if it can."""
    if not _PREFIX.match(prefix):
        return (
            "发文字号前缀须为1至20个字符，不含空白、括号和数字"
            "（a number prefix is 1-20 characters without spaces, brackets or digits）"
        )
    return None


@dataclass(frozen=True, order=True)
class DocumentNumber:
    """A document's number: 菏民政公复〔2026〕12号."""

    prefix: str
    year: int
    serial: int

    def __post_init__(self) -> None:
        if problem := prefix_problem(self.prefix):
            raise ValueError(problem)
        if not 1000 <= self.year <= 9999 or self.serial < 1:
            raise ValueError(f"no document number for year {self.year}, serial {self.serial}")

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.serial}号"

    @classmethod
    def parse(cls, text: str) -> DocumentNumber:
        """The number `text` writes in the canonical form; ValueError for any other form
        (第, padding, [] or () for 〔〕)."""
        found = _NUMBER.match(text)
        if found is None:
            raise ValueError(f"not a document number: {text!r}")
        return cls(found["prefix"], int(found["year"]), int(found["serial"]))


def document_number(prefix: str, year: int, serial: int) -> str:
    """菏民政公复, 2026, 12 → 菏民政公复〔2026〕12号."""
    return str(DocumentNumber(prefix, year, serial))


class DocumentNumberSequence(Aggregate):
    """The document numbers one agency has issued under one prefix in one year.

    Keyed by the prefix, not the kind: an agency that numbers every notice under one prefix
    (菏民政公告) gets one run of numbers for them, never two documents with the same number; with
    a prefix per kind (the default) this is a sequence per kind. A number is issued only by
    saving `take`'s event together with the document's: render with `next_number`, store the
    bytes, then `take()` and save both; a concurrent issue makes the save fail, and the retry
    renders with the number after. So 50 concurrent issues get 50 consecutive numbers, and a
    failed issue leaves no gap and no number (its stored bytes are never referenced)."""

    @staticmethod
    def create_id(agency_code: str, prefix: str, year: int) -> UUID:
        return uuid5(_NAMESPACE, f"document-number-sequence:{agency_code}:{prefix}:{year}")

    @event("Started")
    def __init__(self, agency_code: str, prefix: str, year: int) -> None:
        self.agency_code = agency_code
        self.prefix = prefix
        self.year = year
        self.issued = 0

    @property
    def next_number(self) -> str:
        """The number the next document will carry if it is issued."""
        return document_number(self.prefix, self.year, self.issued + 1)

    def take(self) -> str:
        """Issue the next number; the event records it."""
        self._issue(self.issued + 1)
        return document_number(self.prefix, self.year, self.issued)

    @event("Issued")
    def _issue(self, serial: int) -> None:
        self.issued = serial
