"""An agency's answered requests, kept in memory for 类似申请曾答复: the few most like a new
request, found among thousands in a few milliseconds.

Reading a request (ogi.textmatch.similarity.features) takes about a quarter of a millisecond,
too long to do for every earlier request at every question. So each request is first cut into
pairs of characters and numbers, and the requests that share the most of the new one's rarer
pairs are read (once, then kept) and ranked (ogi.textmatch.ranking). No I/O."""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from heapq import nlargest

from ogi.textmatch.ranking import AnsweredRequest, Reading, ReleasedDocument, read, resemblance
from ogi.textmatch.similarity import CataloguedDocument, Features, document_number, features

# How many of those sharing the most pairs are read and ranked.
SHORTLIST = 20
# Pairs fewer requests than this have always count, however common among a few requests.
COMMON = 50
# Readings kept in memory (about 20 KB each).
READINGS_KEPT = 50_000
_CHINESE = re.compile(r"[\u4e00-\u9fff]+")
_DIGITS = re.compile(r"\d+")
# 2023 and 18 of 甘办发〔2023〕18号: a document number's year and serial, to look its title up.
_YEAR_SERIAL = re.compile(r"((?:19|20)\d\d)\D{1,4}?0*(\d{1,5})\s*号")


@dataclass(frozen=True)
class Alike:
    request: AnsweredRequest
    similarity: float


def tokens(text: str) -> set[str]:
    """The pairs of Chinese characters and the numbers (without leading zeros) in `text`."""
    text = unicodedata.normalize("NFKC", text).lower()
    found = {run[i : i + 2] for run in _CHINESE.findall(text) for i in range(len(run) - 1)}
    found.update(f"#{int(n)}" for n in _DIGITS.findall(text) if len(n) <= 8)
    return found


class AnsweredIndex:
    """One agency's answered requests. `add` as they are answered; `most_alike` at any time,
    from any thread."""

    def __init__(self, shortlist: int = SHORTLIST, kept: int = READINGS_KEPT) -> None:
        self.shortlist = shortlist
        self.kept = kept
        self._requests: dict[str, AnsweredRequest] = {}
        self._postings: dict[str, set[str]] = {}
        self._numbered: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (year, serial)
        self._readings: OrderedDict[str, Reading] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._requests)

    def add(self, requests: Iterable[AnsweredRequest], readings: Iterable[Reading] = ()) -> None:
        """Answered requests (a request again replaces it), with those of their readings
        already made (ogi.textmatch.stored); the others are read when first shortlisted."""
        with self._lock:
            for request in requests:
                self._add(request)
            for reading in readings:
                if reading.key in self._requests:
                    self._keep(reading)

    def most_alike(
        self, description: str, year: int | None = None, n: int = 5, leave_out: str = ""
    ) -> list[Alike]:
        """The `n` answered requests most like `description` (received in `year`), best first;
        `leave_out`: the request's own key."""
        with self._lock:
            query = self._query(description, year)
            keys = [k for k in self._shortlist(description) if k != leave_out]
            scored = [(k, resemblance(query, self._reading(k))) for k in keys]
            best = nlargest(n, (pair for pair in scored if pair[1] > 0), key=lambda p: p[1])
            return [Alike(self._requests[k], score) for k, score in best]

    def _add(self, request: AnsweredRequest) -> None:
        if request.key in self._requests:
            self._forget(request.key)
        self._requests[request.key] = request
        text = " ".join([request.description, *(_item(d) for d in request.released)])
        for token in tokens(text):
            self._postings.setdefault(token, set()).add(request.key)
        for document in request.released:
            written = unicodedata.normalize("NFKC", document.document_number)
            if found := _YEAR_SERIAL.search(written):
                entry = (document.document_number, document.title)
                self._numbered.setdefault((found[1], found[2]), []).append(entry)

    def _forget(self, key: str) -> None:
        old = self._requests.pop(key)
        text = " ".join([old.description, *(_item(d) for d in old.released)])
        for token in tokens(text):
            self._postings.get(token, set()).discard(key)
        self._readings.pop(key, None)

    def _shortlist(self, description: str) -> list[str]:
        """Those sharing the most of the description's pairs, each pair weighted by how rare
        it is among the agency's requests."""
        total = len(self._requests) or 1
        common = max(COMMON, total // 10)  # a pair this many have says little about which
        score: dict[str, float] = {}
        for token in tokens(description):
            having = self._postings.get(token)
            if not having or len(having) > common:
                continue
            idf = math.log(1 + total / len(having))
            for key in having:
                score[key] = score.get(key, 0.0) + idf
        return nlargest(self.shortlist, score, key=score.__getitem__)

    def _query(self, description: str, year: int | None) -> Features:
        """The request read with the titles the agency released under the numbers it names."""
        plain = features(description, year=year)
        catalogue = [
            CataloguedDocument(number, title)
            for n in plain.document_numbers
            for written, title in self._numbered.get((n.year, n.serial), [])
            if (number := document_number(written)) and number.same_as(n)
        ]
        return features(description, catalogue, year) if catalogue else plain

    def _reading(self, key: str) -> Reading:
        if key in self._readings:
            self._readings.move_to_end(key)
            return self._readings[key]
        return self._keep(read(self._requests[key]))

    def _keep(self, reading: Reading) -> Reading:
        self._readings[reading.key] = reading
        self._readings.move_to_end(reading.key)
        if len(self._readings) > self.kept:
            self._readings.popitem(last=False)
        return reading


def _item(document: ReleasedDocument) -> str:
    return f"{document.title} {document.document_number}"
