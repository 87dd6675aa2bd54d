"""Stores of a given size for the replay and report benchmarks, made with the domain's own
aggregates (the events are the ones the services write) and saved in large batches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

from eventsourcing.domain import Aggregate

from ogi.agencies import Agency, AgencyDirectory
from ogi.taxonomy import ApplicantCategory, NonDisclosureGround, Outcome
from services.archive.application import Archive
from services.archive.domain import Dossier, RetentionPolicy
from services.archive.filing import MESSAGES, open_dossier, put_on_file
from services.handling.application import Handling
from services.handling.disclosure import (
    ConfidentialityReview,
    ReleasedItem,
    ReleaseForm,
    ReviewConclusion,
)
from services.handling.domain import Case, Reply, ServiceMethod
from tests.handling_feed import HandlingFeed

PARENT = "BENCH"
BIG = "B0000"  # the agency with 100,000 concluded cases
CATEGORIES = list(ApplicantCategory)
OUTCOMES = [Outcome.R1, Outcome.R2, Outcome.R2, Outcome.R8]
SAVE_BATCH = 400  # aggregates per transaction
RELEASED_PAPER = ReleasedItem("2025年城乡低保资金发放明细", ReleaseForm.PAPER, "菏民发〔2025〕3号")
RELEASED_LINK = ReleasedItem(
    "2025年城乡低保资金发放明细",
    ReleaseForm.PUBLISHED_LINK,
    link="https://www.example.gov.cn/1.html",
)


def directory(agencies: int) -> AgencyDirectory:
    """A parent with `agencies` departments under it: the roll-up of the benchmark."""
    children = [Agency(f"B{n:04d}", f"部门{n}", PARENT) for n in range(agencies)]
    return AgencyDirectory([Agency(PARENT, "基准测试市人民政府", ""), *children])


def agency_of(n: int, agencies: int, big_cases: int) -> str:
    """The first `big_cases` cases belong to BIG, the rest go round the other departments."""
    return BIG if n < big_cases else f"B{1 + n % (agencies - 1):04d}"


def _received(n: int) -> date:
    return date(2025, 1, 2) + timedelta(days=n % 300)


def save_until(app: Any, events: int, make: Callable[[int], Aggregate]) -> int:
    """Save aggregates make(0), make(1), … in batches until they hold `events` events."""
    made, n, batch = 0, 0, []
    while made < events:
        aggregate = make(n)
        made += aggregate.version
        batch.append(aggregate)
        n += 1
        if len(batch) == SAVE_BATCH or made >= events:
            app.save(*batch)
            batch = []
    return made


def seed_handling(app: Handling, events: int, agencies: int, big_cases: int) -> int:
    """Cases registered, accepted, assigned, reviewed (保密审查), answered and served: six events
    each; each reply releases what it says, as the law now asks of a release reply."""

    def make(n: int) -> Case:
        received = _received(n)
        case = Case(
            application_id=uuid4(),
            application_number=f"{agency_of(n, agencies, big_cases)}-2025-{n:07d}",
            agency_code=agency_of(n, agencies, big_cases),
            receipt_date=received,
            applicant_category=CATEGORIES[n % len(CATEGORIES)],
            description="2025年城乡低保资金发放明细",
            applicant_key=uuid4().hex,
        )
        case.accept(by="bench")
        case.assign("李四", by="bench")
        outcome = OUTCOMES[n % len(OUTCOMES)]
        partly = outcome is Outcome.R8
        conclusion = ReviewConclusion.PARTLY_DISCLOSABLE if partly else ReviewConclusion.DISCLOSABLE
        reviewed_on = received + timedelta(days=9)
        withheld = "身份证号码" if partly else ""
        review = ConfidentialityReview("bench", conclusion, "保密审查规定", reviewed_on, withheld)
        case.review_confidentiality(review, by="bench")
        reply = Reply(
            outcome,
            received + timedelta(days=10),
            reasons="依法答复",
            ground=NonDisclosureGround.THIRD_PARTY if partly else None,
            released=(RELEASED_LINK if outcome is Outcome.R1 else RELEASED_PAPER,),
            withheld=withheld,
        )
        case.answer(reply, by="bench")
        case.serve(ServiceMethod.POST, received + timedelta(days=12), by="bench")
        return case

    return save_until(app, events, make)


def _concluded_case(n: int, agencies: int, big_cases: int) -> list[Any]:
    """handling's messages for one case, registered and answered, parsed as archive parses them."""
    sent: list[tuple[str, bytes]] = []
    feed = HandlingFeed(lambda subject, data: sent.append((subject, data)))
    feed.agency_code = agency_of(n, agencies, big_cases)
    case = feed.register(_received(n), CATEGORIES[n % len(CATEGORIES)])
    feed.answer_and_serve(case, OUTCOMES[n % len(OUTCOMES)], _received(n) + timedelta(days=12))
    return [MESSAGES[subject.rsplit(".", 1)[-1]].FromString(data) for subject, data in sent]


def seed_archive(app: Archive, events: int, agencies: int, big_cases: int) -> int:
    """Dossiers opened, answered, served and archived, as archive files them."""
    policy = RetentionPolicy()

    def make(n: int) -> Dossier:
        registered, *later = _concluded_case(n, agencies, big_cases)
        dossier = open_dossier(registered)
        for message in later:
            put_on_file(dossier, message, policy)
        return dossier

    return save_until(app, events, make)
