"""Valid applications to start from; tests change one thing at a time."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from typing import Any

from ogi.taxonomy import ApplicantCategory, Channel, Outcome
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2, intake_pb2
from ogi.wire import OUTCOMES
from services.handling.disclosure import (
    RELEASING,
    ConfidentialityReview,
    ReleasedItem,
    ReleaseForm,
    ReviewConclusion,
)
from services.intake.domain import (
    Applicant,
    Contact,
    Delivery,
    DeliveryForm,
    DeliveryRoute,
    IdentityDocument,
    IdentityDocumentType,
    InformationDescription,
    SubmitApplication,
)

RESIDENT_ID = "11010519491231002X"
CREDIT_CODE = "91350100M000100Y43"
PHONE = "13800138000"
APPLICANT_NAME = "张三丰"
POSTAL_ADDRESS = "山东省菏泽市牡丹区中华路1001号"


def person() -> Applicant:
    return Applicant(
        category=ApplicantCategory.NATURAL_PERSON,
        name=APPLICANT_NAME,
        identity_document=IdentityDocument(
            IdentityDocumentType.RESIDENT_IDENTITY_CARD, RESIDENT_ID
        ),
        contact=Contact(phone=PHONE, postal_address=POSTAL_ADDRESS),
    )


def command(**changes: Any) -> SubmitApplication:
    base = SubmitApplication(
        request_id=str(uuid.uuid4()),
        agency_code="HZMZJ",
        channel=Channel.ONLINE,
        receipt_date=None,
        applicant=person(),
        information=InformationDescription("2025年城乡低保资金发放明细", "", "菏民发〔2025〕3号"),
        delivery=Delivery(DeliveryForm.ELECTRONIC, DeliveryRoute.ONLINE_DOWNLOAD),
    )
    return replace(base, **changes)


def request(**changes: Any) -> intake_pb2.SubmitApplicationRequest:
    message = intake_pb2.SubmitApplicationRequest(
        request_id=str(uuid.uuid4()),
        agency_code="HZMZJ",
        channel=pb.CHANNEL_ONLINE,
        applicant=pb.Applicant(
            category=pb.APPLICANT_CATEGORY_NATURAL_PERSON,
            name=APPLICANT_NAME,
            identity_document=pb.IdentityDocument(
                type=pb.IDENTITY_DOCUMENT_TYPE_RESIDENT_IDENTITY_CARD, number=RESIDENT_ID
            ),
            contact=pb.Contact(phone=PHONE, postal_address=POSTAL_ADDRESS),
        ),
        information=pb.InformationDescription(description="2025年城乡低保资金发放明细"),
        delivery=pb.Delivery(
            form=pb.DELIVERY_FORM_ELECTRONIC, route=pb.DELIVERY_ROUTE_ONLINE_DOWNLOAD
        ),
    )
    for path, value in changes.items():
        _set(message, path.split("__"), value)
    return message


def _set(message: Any, path: list[str], value: Any) -> None:
    for name in path[:-1]:
        message = getattr(message, name)
    if hasattr(value, "SerializeToString"):
        getattr(message, path[-1]).CopyFrom(value)
    else:
        setattr(message, path[-1], value)


# --- replies that release information (Art 17 review first, then the items) ------------------

RELEASED_TITLE = "2025年城乡低保资金发放明细"
PUBLISHED_AT = "https://www.heze.gov.cn/art/2025/3/1/art_1.html"
RELEASED_NUMBER = "菏民发〔2025〕3号"
WITHHELD = "涉及个人隐私的身份证号码"


def released_items(outcome: Outcome) -> list[pb.ReleasedItem]:
    """What a reply of `outcome` provides: a link for R1, a paper copy for R2 and R8."""
    if outcome is Outcome.R1:
        return [
            pb.ReleasedItem(
                title=RELEASED_TITLE, form=pb.RELEASE_FORM_PUBLISHED_LINK, link=PUBLISHED_AT
            )
        ]
    if outcome in (Outcome.R2, Outcome.R8):
        return [
            pb.ReleasedItem(
                title=RELEASED_TITLE,
                document_number="菏民发〔2025〕3号",
                form=pb.RELEASE_FORM_PAPER,
            )
        ]
    return []


def review_request(case: str, outcome: Outcome, on: date | None = None) -> Any:
    """保密审查 that lets a reply of `outcome` go out (部分公开 for R8)."""
    partly = outcome is Outcome.R8
    return handling_pb2.ReviewConfidentialityRequest(
        case=case,
        conclusion=handling_pb2.REVIEW_CONCLUSION_PARTLY_DISCLOSABLE
        if partly
        else handling_pb2.REVIEW_CONCLUSION_DISCLOSABLE,
        basis="《中华人民共和国保守国家秘密法》及本机关保密审查规定",
        withheld=WITHHELD if partly else "",
        reviewed_on=pb.CalendarDate(year=on.year, month=on.month, day=on.day) if on else None,
    )


def reviewed_reply(
    api: Any, case: str, reply: Any, metadata: Any, outcome: Outcome | None = None
) -> Any:
    """Answer through HandlingService as an agency does: a release reply is reviewed first
    (by the caller, who must be a reviewer or the office head) and lists what it provides."""
    outcome = outcome or OUTCOMES[reply.outcome]
    if outcome in RELEASING:
        on = (
            date(reply.replied_on.year, reply.replied_on.month, reply.replied_on.day)
            if (reply.replied_on.year)
            else None
        )
        api.ReviewConfidentiality(review_request(case, outcome, on), metadata=metadata)
        if not reply.released:
            reply.released.extend(released_items(outcome))
    if outcome is Outcome.R8 and not reply.ground:  # the part withheld is refused on a ground
        reply.ground = pb.NON_DISCLOSURE_GROUND_THIRD_PARTY
    return api.ReplyToApplication(
        handling_pb2.ReplyToApplicationRequest(case=case, reply=reply), metadata=metadata
    )


def review(on: date, conclusion: ReviewConclusion = ReviewConclusion.DISCLOSABLE) -> Any:
    """The domain's review, for unit tests of the case."""
    withheld = (
        "涉及个人隐私的身份证号码" if conclusion is ReviewConclusion.PARTLY_DISCLOSABLE else ""
    )
    return ConfidentialityReview("审查员", conclusion, "保密审查规定", on, withheld)


def released(outcome: Outcome) -> tuple[ReleasedItem, ...]:
    """The domain's released items for a reply of `outcome`, for unit tests of the case."""
    if outcome is Outcome.R1:
        return (ReleasedItem(RELEASED_TITLE, ReleaseForm.PUBLISHED_LINK, link=PUBLISHED_AT),)
    if outcome in RELEASING:
        return (ReleasedItem(RELEASED_TITLE, ReleaseForm.PAPER, RELEASED_NUMBER),)
    return ()
