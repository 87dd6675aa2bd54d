"""Conversions between the shared protobuf types (common.proto) and the kernel's types."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from ogi.errors import FieldViolation, InvalidArgument
from ogi.taxonomy import ApplicantCategory, Channel, NonDisclosureGround, Outcome
from ogi.v1 import common_pb2 as pb

K = TypeVar("K")
V = TypeVar("V")

CATEGORIES = {
    pb.APPLICANT_CATEGORY_NATURAL_PERSON: ApplicantCategory.NATURAL_PERSON,
    pb.APPLICANT_CATEGORY_COMMERCIAL_ENTERPRISE: ApplicantCategory.COMMERCIAL_ENTERPRISE,
    pb.APPLICANT_CATEGORY_RESEARCH_INSTITUTION: ApplicantCategory.RESEARCH_INSTITUTION,
    pb.APPLICANT_CATEGORY_PUBLIC_INTEREST_ORGANIZATION: (
        ApplicantCategory.PUBLIC_INTEREST_ORGANIZATION
    ),
    pb.APPLICANT_CATEGORY_LEGAL_SERVICE_ORGANIZATION: ApplicantCategory.LEGAL_SERVICE_ORGANIZATION,
    pb.APPLICANT_CATEGORY_OTHER_ORGANIZATION: ApplicantCategory.OTHER_ORGANIZATION,
}
CHANNELS = {
    pb.CHANNEL_ONLINE: Channel.ONLINE,
    pb.CHANNEL_IN_PERSON: Channel.IN_PERSON,
    pb.CHANNEL_POST_SIGNED: Channel.POST_SIGNED,
    pb.CHANNEL_POST_ORDINARY: Channel.POST_ORDINARY,
    pb.CHANNEL_FAX: Channel.FAX,
    pb.CHANNEL_EMAIL: Channel.EMAIL,
    pb.CHANNEL_ORAL: Channel.ORAL,
}

OUTCOMES = {getattr(pb, f"OUTCOME_{o.name}"): o for o in Outcome}
GROUNDS = {getattr(pb, f"NON_DISCLOSURE_GROUND_{g.name}"): g for g in NonDisclosureGround}


def inverse(mapping: dict[K, V]) -> dict[V, K]:
    return {v: k for k, v in mapping.items()}


CATEGORY_CODES = inverse(CATEGORIES)
CHANNEL_CODES = inverse(CHANNELS)
OUTCOME_CODES = inverse(OUTCOMES)
GROUND_CODES = inverse(GROUNDS)


def date_from_wire(
    value: pb.CalendarDate, field: str, violations: list[FieldViolation]
) -> date | None:
    """None for an unset date; a violation for an impossible one."""
    if value.year == value.month == value.day == 0:
        return None
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        violations.append(FieldViolation(field, "不是有效日期（not a valid calendar date）"))
        return None


def event_date(value: pb.CalendarDate) -> date:
    """A date in another service's event, which that service has validated."""
    return date(value.year, value.month, value.day)


def date_to_wire(value: date | None) -> pb.CalendarDate:
    if value is None:
        return pb.CalendarDate()
    return pb.CalendarDate(year=value.year, month=value.month, day=value.day)


def timestamp(moment: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(moment)
    return ts


def required(
    value: Any, mapping: dict[Any, Any], field: str, violations: list[FieldViolation]
) -> Any:
    """The domain value of a wire enum, or a violation when unset or unknown."""
    if value not in mapping:
        violations.append(FieldViolation(field, "必填（required）"))
        return None
    return mapping[value]


def raise_if(violations: list[FieldViolation]) -> None:
    if violations:
        raise InvalidArgument(violations)
