"""The application form as the browser posts it, turned into intake's request. Inputs are named
by the request's field paths (applicant.contact.phone…), so intake's field errors land beside
the input they are about without a table of names."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ogi.v1 import common_pb2 as pb
from ogi.v1 import intake_pb2

APPLICATION_FIELDS = (
    "request_id",
    "agency_code",
    "applicant.category",
    "applicant.name",
    "applicant.identity_document.type",
    "applicant.identity_document.number",
    "applicant.contact_person",
    "applicant.contact.phone",
    "applicant.contact.email",
    "applicant.contact.postal_address",
    "applicant.contact.postal_code",
    "information.description",
    "information.document_title",
    "information.document_number",
    "purpose",
    "delivery.form",
    "delivery.route",
)
INFORMATION_FIELDS = (
    "information.description",
    "information.document_title",
    "information.document_number",
)
# Where an error about a group of fields is shown: beside the group's first input.
GROUPS = {
    "applicant.contact": "applicant.contact.phone",
    "applicant.identity_document": "applicant.identity_document.type",
    "information": "information.description",
    "delivery": "delivery.form",
}


@dataclass
class Filled:
    """What the person typed, and what is wrong with it, for showing the form again."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def place(self, fields: Mapping[str, str], known: tuple[str, ...]) -> None:
        """Each field error beside its input; those about no input of the form on top."""
        for path, message in fields.items():
            where = GROUPS.get(path, path)
            if where in known or where == "notify_by":
                self.errors.setdefault(where, message)
            else:
                self.general.append(message)


def read(form: Any, names: tuple[str, ...]) -> Filled:
    values = {name: str(form.get(name) or "") for name in names}
    return Filled(values=values, lists={"notify_by": [str(v) for v in form.getlist("notify_by")]})


def new_application(agency_code: str = "") -> Filled:
    """A blank form with its own request id: submitting it twice is one application."""
    return Filled(values={"request_id": str(uuid.uuid4()), "agency_code": agency_code})


def _enum(enum: Any, prefix: str, value: str) -> Any:
    """The wire value of a choice named as the enum's value without its prefix, lower case
    ('natural_person'); 0 (unspecified) for none or an unknown one, which intake refuses."""
    try:
        return int(enum.Value(f"{prefix}_{value.strip().upper()}")) if value else 0
    except ValueError:
        return 0


def submission(filled: Filled) -> intake_pb2.SubmitApplicationRequest:
    v = filled.values
    applicant = pb.Applicant(
        category=_enum(pb.ApplicantCategory, "APPLICANT_CATEGORY", v["applicant.category"]),
        name=v["applicant.name"],
        contact=pb.Contact(
            phone=v["applicant.contact.phone"],
            email=v["applicant.contact.email"],
            postal_address=v["applicant.contact.postal_address"],
            postal_code=v["applicant.contact.postal_code"],
        ),
        contact_person=v["applicant.contact_person"],
    )
    document_type, number = (
        v["applicant.identity_document.type"],
        v["applicant.identity_document.number"],
    )
    if document_type or number.strip():
        applicant.identity_document.CopyFrom(
            pb.IdentityDocument(
                type=_enum(pb.IdentityDocumentType, "IDENTITY_DOCUMENT_TYPE", document_type),
                number=number,
            )
        )
    return intake_pb2.SubmitApplicationRequest(
        request_id=v["request_id"],
        agency_code=v["agency_code"],
        channel=pb.CHANNEL_ONLINE,
        applicant=applicant,
        information=information(filled),
        delivery=pb.Delivery(
            form=_enum(pb.DeliveryForm, "DELIVERY_FORM", v["delivery.form"]),
            route=_enum(pb.DeliveryRoute, "DELIVERY_ROUTE", v["delivery.route"]),
        ),
        notify_by=[
            _enum(pb.NotificationChannel, "NOTIFICATION_CHANNEL", c)
            for c in filled.lists.get("notify_by", [])
        ],
        purpose=v["purpose"],
    )


def information(filled: Filled) -> pb.InformationDescription:
    v = filled.values
    return pb.InformationDescription(
        description=v["information.description"],
        document_title=v["information.document_title"],
        document_number=v["information.document_number"],
    )


def on_file(information: pb.InformationDescription) -> Filled:
    """The description on file, to start a correction from."""
    return Filled(
        values={
            "information.description": information.description,
            "information.document_title": information.document_title,
            "information.document_number": information.document_number,
        }
    )
