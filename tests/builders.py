"""Valid applications to start from; tests change one thing at a time."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from ogi.taxonomy import ApplicantCategory, Channel
from ogi.v1 import common_pb2 as pb
from ogi.v1 import intake_pb2
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
