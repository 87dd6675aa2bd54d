"""Handling's integration events as archive receives them, for tests and benchmarks that feed the
archive without running handling: each message gets the next notification id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

from ogi.taxonomy import ApplicantCategory, NonDisclosureGround, Outcome
from ogi.v1 import common_pb2, events_pb2
from ogi.wire import CATEGORY_CODES, GROUND_CODES, OUTCOME_CODES, date_to_wire

Apply = Any  # Archive.apply_handling_event


@dataclass
class HandlingFeed:
    apply: Apply
    agency_code: str = "HZMZJ"
    position: int = 0
    numbers: dict[UUID, str] = field(default_factory=dict)

    def send(self, case_id: UUID, message: Any) -> None:
        self.position += 1
        message.metadata.notification_id = self.position
        message.metadata.aggregate_id = str(case_id)
        message.metadata.occurred_at.GetCurrentTime()
        message.case.application_number = self.numbers[case_id]
        message.case.agency_code = self.agency_code
        self.apply(f"ogi.handling.{type(message).__name__}", message.SerializeToString())

    def register(
        self,
        received: date,
        category: ApplicantCategory = ApplicantCategory.NATURAL_PERSON,
        *,
        description: str = "申请公开某文件",
        applicant_key: str = "",
    ) -> UUID:
        case_id = uuid4()
        self.numbers[case_id] = f"{self.agency_code}-{received.year}-{len(self.numbers) + 1:06d}"
        self.send(
            case_id,
            events_pb2.CaseRegistered(
                receipt_date=date_to_wire(received),
                applicant_category=CATEGORY_CODES[category],
                description=description,
                applicant_key=applicant_key or case_id.hex,
            ),
        )
        return case_id

    def answer_and_serve(
        self,
        case_id: UUID,
        outcome: Outcome,
        served_on: date,
        ground: NonDisclosureGround | None = None,
        released: list[common_pb2.ReleasedItem] | None = None,
    ) -> None:
        self.answer(case_id, outcome, served_on, ground, released)
        self.serve(case_id, served_on)

    def answer(
        self,
        case_id: UUID,
        outcome: Outcome,
        replied_on: date,
        ground: NonDisclosureGround | None = None,
        released: list[common_pb2.ReleasedItem] | None = None,
    ) -> None:
        """答复, with the items it released (R1, R2, R8)."""
        self.send(
            case_id,
            events_pb2.ApplicationAnswered(
                outcome=OUTCOME_CODES[outcome],
                replied_on=date_to_wire(replied_on),
                ground=GROUND_CODES[ground]
                if ground
                else common_pb2.NON_DISCLOSURE_GROUND_UNSPECIFIED,
                released=released or [],
            ),
        )

    def serve(self, case_id: UUID, served_on: date) -> None:
        self.send(
            case_id,
            events_pb2.ReplyServed(
                method=common_pb2.SERVICE_METHOD_POST, served_on=date_to_wire(served_on)
            ),
        )

    def disclose_each(
        self,
        descriptions: list[str],
        first_received: date,
        served_on: date,
        applicants: str = "a",
    ) -> list[UUID]:
        """One applicant per description (keys a0, a1, … for applicants "a"), received a day
        apart, each answered R1 (disclosed) and served: requests for the Art 44 detector."""
        cases = []
        for n, text in enumerate(descriptions):
            received = first_received + timedelta(days=n)
            key = f"{applicants}{n}"
            cases.append(self.register(received, description=text, applicant_key=key))
            self.answer_and_serve(cases[-1], Outcome.R1, served_on)
        return cases

    def conclude(self, case_id: UUID, outcome: Outcome, on: date) -> None:
        self.send(
            case_id,
            events_pb2.CaseConcluded(outcome=OUTCOME_CODES[outcome], concluded_on=date_to_wire(on)),
        )

    def pay(self, case_id: UUID, amount: str, on: date) -> None:
        self.send(case_id, events_pb2.FeePaid(amount=amount, paid_on=date_to_wire(on)))
