"""类似申请曾答复 on the labelled sets (issue 20): in each group of a set the first request was
answered releasing the group's document (its title and 文号 taken from the group's note); every
later request of the group asks again. Is an earlier reply of its group among the five most
alike of all the set's replies (ogi.textmatch.ranking), and is it the first? The issue's target
is 0.95 for the top five on sets written for it (art44_released*.toml); the older sets are
reported for reference, those that were read for tuning apart from those never read."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from ogi.textmatch.answered import AnsweredIndex
from ogi.textmatch.ranking import AnsweredRequest, ReleasedDocument
from ogi.textmatch.similarity import features
from tests.unit.test_art44_labelled_set import SETS, UNREAD

DATA = Path(__file__).parent.parent / "data"
_REMARK = re.compile(r"\s*(\(sibling of|——).*$")
_TITLE = re.compile(r"《([^《》]+)》")
_NUMBER = re.compile(
    r"[（(]?[^，,（(）)]*?[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*第?\s*\d+\s*号[）)]?"
)
TOP = 5
RELEASED_SETS = sorted(p.name for p in DATA.glob("art44_released*.toml"))


def released_item(note: str) -> ReleasedDocument:
    """The document a group's note names: the title in 《》, else the note's first clause
    without its number; the 文号 if it has one."""
    note = _REMARK.sub("", note)
    numbers = features(note).document_numbers
    number = str(numbers[0]) if numbers else ""
    titled = _TITLE.search(note)
    if titled:
        return ReleasedDocument(titled[1], number)
    clause = re.split(r"[，；]", _NUMBER.sub("", note).strip())[0]
    return ReleasedDocument(clause.strip() or note, number)


@dataclass
class Found:
    asked: int = 0
    top: int = 0
    first: int = 0

    def add(self, other: Found) -> None:
        self.asked += other.asked
        self.top += other.top
        self.first += other.first

    def __str__(self) -> str:
        return (
            f"top-{TOP} {self.top / self.asked:.3f}, top-1 {self.first / self.asked:.3f} "
            f"({self.asked} requests)"
        )


def answered(name: str) -> list[AnsweredRequest]:
    """The first request of each group of a set, answered releasing the group's document."""
    groups = tomllib.loads((DATA / name).read_text())["group"]
    return [
        AnsweredRequest(f"{name}:{g['id']}", g["requests"][0], (released_item(g["note"]),))
        for g in groups
    ]


def asked_again(name: str) -> list[tuple[str, str]]:
    """(the group's answered request, a later request of the group) for every later one."""
    groups = tomllib.loads((DATA / name).read_text())["group"]
    return [(f"{name}:{g['id']}", text) for g in groups for text in g["requests"][1:]]


def suggested(
    name: str, index: AnsweredIndex | None = None, misses: list[str] | None = None
) -> Found:
    """Each later request of the set against the set's answered ones (or those of `index`)."""
    if index is None:
        index = AnsweredIndex()
        index.add(answered(name))
    found = Found()
    for key, text in asked_again(name):
        best = [alike.request.key for alike in index.most_alike(text, n=TOP)]
        found.asked += 1
        found.top += key in best
        found.first += best[:1] == [key]
        if misses is not None and key not in best:
            misses.append(f"{key}: {text[:60]} -> {best[:3]}")
    return found


def test_the_released_item_is_read_from_a_note() -> None:
    assert released_item(
        "省政府关于清河县2021年度第3批次城镇建设用地的批复（省政土批〔2021〕233号），涉及城关镇"
    ) == ReleasedDocument(
        "省政府关于清河县2021年度第3批次城镇建设用地的批复", "省政土批〔2021〕233号"
    )
    assert released_item(
        "甘办发〔2019〕19号《关于印发〈农村人居环境整治三年行动实施方案〉的通知》 (sibling of x)"
    ) == ReleasedDocument(
        "关于印发〈农村人居环境整治三年行动实施方案〉的通知", "甘办发〔2019〕19号"
    )


@pytest.mark.skipif(not RELEASED_SETS, reason="the sets written for issue 20 are not there")
def test_the_earlier_reply_is_among_the_five_most_alike_on_the_sets_written_for_it() -> None:
    total = Found()
    for name in RELEASED_SETS:
        found = suggested(name)
        print(f"{name}: {found}")
        total.add(found)
    print(f"released sets: {total}")
    assert total.top / total.asked >= 0.95


def test_the_earlier_reply_on_the_older_sets() -> None:
    """For reference: the older sets, read and unread. The floors are just under what the
    ranking reaches, so that it cannot get worse."""
    figures = {"read": Found(), "unread": Found()}
    misses: list[str] = []
    for name, *_ in SETS:
        # What the ranking missed is shown for the sets read before, never for the others.
        found = suggested(name, misses=None if name in UNREAD else misses)
        print(f"{name}: {found}")
        figures["unread" if name in UNREAD else "read"].add(found)
    for which, found in figures.items():
        print(f"{which}: {found}")
    print("\n".join(misses))
    assert figures["read"].top / figures["read"].asked >= 0.99
    assert figures["unread"].top / figures["unread"].asked >= 0.99


def test_the_earlier_reply_among_every_older_sets_replies() -> None:
    """The same, each request against the answered requests of all the older sets at once
    (about 760, most of them from other fields): what the shortlist of pairs of characters
    leaves out at a larger scale."""
    index = AnsweredIndex()
    index.add(r for name, *_ in SETS for r in answered(name))
    total = Found()
    for name, *_ in SETS:
        total.add(suggested(name, index))
    print(f"older sets against each other's replies too: {total}")
    assert total.top / total.asked >= 0.95
