"""类似申请曾答复: the earlier answered requests most like a new one, so that a handler replying to
it sees what was released before and releases the same item again. A ranking, best first, not
a decision: the handler chooses what to release.

An earlier request is read with what its reply released: its own words, and with them each
released item's title and document number (文号). A new request is compared with both, and the
closer counts (a short request is not drowned by the titles beside it). Strongest first: the
same 文号, the same title, a match of the matcher (ogi.textmatch.similarity) — then how much of
the words the two share, lowered where the matcher sees different information (another number,
year, kind of record, place or person). No I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ogi.textmatch.similarity import (
    Features,
    details_apart,
    features,
    match,
    mentions,
    records_apart,
)

# What a match of the matcher adds to the words shared: the same 文号 tells the most.
_SIGNAL = {"document_number": 3.0, "title": 2.0, "text": 1.0}
# Both name a document number and none is the same: another document, whatever the words.
_OTHER_NUMBER = 0.2
# A word found only in part counts for this much of its weight.
_PARTLY = 0.5
# The same year and serial under another prefix, or as plain numbers.
_SERIAL = 1.0
# The matcher sees another record or other details: the words alone are not enough.
_APART = 0.5


@dataclass(frozen=True)
class ReleasedDocument:
    """An item an earlier reply released, as the ranking reads it."""

    title: str
    document_number: str = ""


@dataclass(frozen=True)
class AnsweredRequest:
    """An earlier request and what its reply released; `year` received (for 今年, 去年)."""

    key: str
    description: str
    released: tuple[ReleasedDocument, ...] = ()
    year: int | None = None


@dataclass(frozen=True)
class Reading:
    """An answered request read once: its words, and its words with the items'."""

    key: str
    views: tuple[Features, ...]


def read(answered: AnsweredRequest) -> Reading:
    views = [features(answered.description, year=answered.year)]
    if items := [_item_text(d) for d in answered.released]:
        views.append(features(" ".join([answered.description, *items]), year=answered.year))
    return Reading(answered.key, tuple(views))


def resemblance(query: Features, reading: Reading) -> float:
    """How much `query` looks like the answered request, the closest of its views."""
    return max(_score(query, view) for view in reading.views)


def _item_text(document: ReleasedDocument) -> str:
    title = document.title.strip()
    wrapped = title if "《" in title else f"《{title}》"
    return f"{wrapped}{document.document_number}"


def _score(query: Features, other: Features) -> float:
    shared = _shared_both_ways(query, other)
    found = match(query, other)
    if found:
        return _SIGNAL.get(found.signal, 1.0) + shared
    if _same_serial(query, other) or _same_serial(other, query):
        return _SERIAL + shared
    if query.document_numbers and other.document_numbers:
        return shared * _OTHER_NUMBER
    if records_apart(query, other) or details_apart(query, other):
        return shared * _APART
    return shared


def _same_serial(a: Features, b: Features) -> bool:
    """`a` names a document by a number whose year and serial `b` has under another issuer's
    prefix (芷教办2024年第6号 for 芷教办〔2024〕6号), or as plain numbers beside most of the
    prefix's characters (县政府常务会议纪要〔2023〕13号 for the 2023年第13次常务会议纪要): the
    prefix is the part of a number applicants write most freely."""
    return any(
        n.year in b.numbers
        and (n.serial in b.serials or (n.serial in b.numbers and _spelt_in(n.prefix, b.text)))
        for n in a.document_numbers
    )


def _spelt_in(prefix: str, text: str) -> bool:
    return sum(c in text for c in prefix) >= max(2, len(prefix) // 2)


def _shared_both_ways(a: Features, b: Features) -> float:
    """The share of each one's words (by weight) that the other has, the two multiplied and
    the square root taken: a long story around a short request does not drown it, and a
    short request does not match everything that mentions one of its words."""
    return math.sqrt(_share(a, b) * _share(b, a))


def _share(a: Features, b: Features) -> float:
    """The part of `a`'s words (by weight) that `b` has; a word `b` does not have whole counts
    for the part of its pairs of characters it has (停车费 in 停车收费, 采砂 of a word the
    segmenter cut wrong), at half weight."""
    if not a.weight:
        return 0.0
    text, found = b.text, 0.0
    for word, weight, pairs in a.weighted:
        if word in text or mentions(text, word):
            found += weight
        elif pairs:
            found += weight * _PARTLY * sum(p in text for p in pairs) / len(pairs)
    return found / a.weight
