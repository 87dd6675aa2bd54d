"""Conversions between intake's protobuf messages and its domain types."""

from __future__ import annotations

from ogi.bounds import ascii_digits
from ogi.errors import FieldViolation
from ogi.v1 import common_pb2 as pb
from ogi.v1 import intake_pb2
from ogi.wire import CATEGORIES, CATEGORY_CODES, CHANNELS, date_from_wire, inverse
from services.intake.domain import (
    Applicant,
    Contact,
    Delivery,
    DeliveryForm,
    DeliveryRoute,
    IdentityDocument,
    IdentityDocumentType,
    InformationDescription,
    NotificationChannel,
    OfflineReceipt,
    SubmitApplication,
)

DOCUMENT_TYPES = {
    pb.IDENTITY_DOCUMENT_TYPE_RESIDENT_IDENTITY_CARD: IdentityDocumentType.RESIDENT_IDENTITY_CARD,
    pb.IDENTITY_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE: (
        IdentityDocumentType.UNIFIED_SOCIAL_CREDIT_CODE
    ),
    pb.IDENTITY_DOCUMENT_TYPE_PASSPORT: IdentityDocumentType.PASSPORT,
    pb.IDENTITY_DOCUMENT_TYPE_OTHER: IdentityDocumentType.OTHER,
}
FORMS = {
    pb.DELIVERY_FORM_PAPER: DeliveryForm.PAPER,
    pb.DELIVERY_FORM_ELECTRONIC: DeliveryForm.ELECTRONIC,
    pb.DELIVERY_FORM_INSPECTION: DeliveryForm.INSPECTION,
}
ROUTES = {
    pb.DELIVERY_ROUTE_POST: DeliveryRoute.POST,
    pb.DELIVERY_ROUTE_PICKUP: DeliveryRoute.PICKUP,
    pb.DELIVERY_ROUTE_EMAIL: DeliveryRoute.EMAIL,
    pb.DELIVERY_ROUTE_ONLINE_DOWNLOAD: DeliveryRoute.ONLINE_DOWNLOAD,
}
NOTIFICATION_CHANNELS = {
    pb.NOTIFICATION_CHANNEL_EMAIL: NotificationChannel.EMAIL,
    pb.NOTIFICATION_CHANNEL_SMS: NotificationChannel.SMS,
}
DOCUMENT_TYPE_CODES = inverse(DOCUMENT_TYPES)
NOTIFICATION_CHANNEL_CODES = inverse(NOTIFICATION_CHANNELS)
FORM_CODES = inverse(FORMS)
ROUTE_CODES = inverse(ROUTES)


def submission_from_wire(
    request: intake_pb2.SubmitApplicationRequest, violations: list[FieldViolation]
) -> SubmitApplication:
    """The command in domain terms; an impossible date is added to `violations`."""
    return SubmitApplication(
        request_id=request.request_id.strip(),
        agency_code=request.agency_code.strip(),
        channel=CHANNELS.get(request.channel),
        receipt_date=date_from_wire(request.receipt_date, "receipt_date", violations),
        applicant=applicant_from_wire(request.applicant),
        information=information_from_wire(request.information),
        delivery=Delivery(FORMS.get(request.delivery.form), ROUTES.get(request.delivery.route)),
        transcribed_by=request.transcribed_by.strip(),
        # Each chosen once, in a fixed order, so that a retry in another order is the same
        # submission; unknown values are dropped (not a channel anyone can be told by).
        notify_by=tuple(
            c for c in NotificationChannel if NOTIFICATION_CHANNEL_CODES[c] in request.notify_by
        ),
        purpose=request.purpose.strip(),
    )


def offline_receipt_from_wire(received: intake_pb2.OfflineReceipt) -> OfflineReceipt:
    """How something handed in after applying arrived; an impossible date reads as missing
    (the generic bounds have refused it already)."""
    violations: list[FieldViolation] = []
    return OfflineReceipt(
        channel=CHANNELS.get(received.channel),
        receipt_date=date_from_wire(received.receipt_date, "received.receipt_date", violations),
        transcribed_by=received.transcribed_by.strip(),
    )


def applicant_from_wire(applicant: pb.Applicant) -> Applicant:
    document = None
    if applicant.HasField("identity_document"):
        document = IdentityDocument(
            DOCUMENT_TYPES.get(applicant.identity_document.type),
            ascii_digits(applicant.identity_document.number).strip().upper(),
        )
    contact = applicant.contact
    return Applicant(
        category=CATEGORIES.get(applicant.category),
        name=applicant.name.strip(),
        identity_document=document,
        contact=Contact(
            phone=contact.phone.strip(),
            email=contact.email.strip(),
            postal_address=contact.postal_address.strip(),
            postal_code=contact.postal_code.strip(),
        ),
        contact_person=applicant.contact_person.strip(),
    )


def applicant_to_wire(applicant: Applicant) -> pb.Applicant:
    message = pb.Applicant(
        category=(
            CATEGORY_CODES[applicant.category]
            if applicant.category
            else pb.APPLICANT_CATEGORY_UNSPECIFIED
        ),
        name=applicant.name,
        contact=pb.Contact(
            phone=applicant.contact.phone,
            email=applicant.contact.email,
            postal_address=applicant.contact.postal_address,
            postal_code=applicant.contact.postal_code,
        ),
        contact_person=applicant.contact_person,
    )
    if document := applicant.identity_document:
        message.identity_document.CopyFrom(
            pb.IdentityDocument(
                type=(
                    DOCUMENT_TYPE_CODES[document.type]
                    if document.type
                    else pb.IDENTITY_DOCUMENT_TYPE_UNSPECIFIED
                ),
                number=document.number,
            )
        )
    return message


def information_from_wire(information: pb.InformationDescription) -> InformationDescription:
    return InformationDescription(
        description=information.description.strip(),
        document_title=information.document_title.strip(),
        document_number=information.document_number.strip(),
    )


def information_to_wire(information: InformationDescription) -> pb.InformationDescription:
    return pb.InformationDescription(
        description=information.description,
        document_title=information.document_title,
        document_number=information.document_number,
    )


def delivery_to_wire(delivery: Delivery) -> pb.Delivery:
    return pb.Delivery(
        form=FORM_CODES[delivery.form] if delivery.form else pb.DELIVERY_FORM_UNSPECIFIED,
        route=ROUTE_CODES[delivery.route] if delivery.route else pb.DELIVERY_ROUTE_UNSPECIFIED,
    )
