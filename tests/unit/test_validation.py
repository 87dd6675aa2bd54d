"""Submission validation (Art 29, Art 31): valid applications pass, each defect is named."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ogi.agencies import AgencyDirectory
from ogi.config import load_settings
from ogi.identity import credit_code_check_character, resident_id_check_character
from ogi.taxonomy import ApplicantCategory, Channel
from services.intake.domain import (
    Contact,
    Delivery,
    DeliveryForm,
    DeliveryRoute,
    IdentityDocument,
    IdentityDocumentType,
    InformationDescription,
    SubmitApplication,
)
from services.intake.validation import submission_violations
from tests.builders import command, person

TODAY = date(2026, 11, 20)
AGENCIES = AgencyDirectory.from_file(load_settings("intake", {}).agencies_file)


def fields(cmd: SubmitApplication) -> set[str]:
    return {v.field for v in submission_violations(cmd, AGENCIES, TODAY)}


resident_ids = st.from_regex(
    r"\A[1-6][0-9]{5}(19[0-9]{2}|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}\Z"
).map(lambda s: s + resident_id_check_character(s))
credit_codes = st.from_regex(r"\A[0-9A-HJ-NPQRTUWXY]{17}\Z").map(
    lambda s: s + credit_code_check_character(s)
)
organizations = st.sampled_from([c for c in ApplicantCategory if c.is_organization])
offline = st.sampled_from([c for c in Channel if c is not Channel.ONLINE])
text = st.text(st.characters(categories=["Lo", "Nd", "Lu"]), min_size=1, max_size=60)


@st.composite
def valid_commands(draw: Any) -> SubmitApplication:
    if draw(st.booleans()):
        applicant = replace(
            person(),
            name=draw(text),
            identity_document=IdentityDocument(
                IdentityDocumentType.RESIDENT_IDENTITY_CARD, draw(resident_ids)
            ),
        )
    else:
        applicant = replace(
            person(),
            category=draw(organizations),
            name=draw(text),
            contact_person=draw(text),
            identity_document=draw(
                st.one_of(
                    st.none(),
                    credit_codes.map(
                        lambda c: IdentityDocument(
                            IdentityDocumentType.UNIFIED_SOCIAL_CREDIT_CODE, c
                        )
                    ),
                )
            ),
        )
    channel = draw(st.sampled_from(list(Channel)))
    receipt = None if channel is Channel.ONLINE else draw(st.dates(date(2019, 5, 15), TODAY))
    form, route = draw(
        st.sampled_from(
            [
                (DeliveryForm.PAPER, DeliveryRoute.POST),
                (DeliveryForm.PAPER, DeliveryRoute.PICKUP),
                (DeliveryForm.ELECTRONIC, DeliveryRoute.ONLINE_DOWNLOAD),
                (DeliveryForm.ELECTRONIC, DeliveryRoute.EMAIL),
                (DeliveryForm.INSPECTION, DeliveryRoute.PICKUP),
            ]
        )
    )
    return command(
        agency_code=draw(st.sampled_from([a.code for a in AGENCIES])),
        channel=channel,
        receipt_date=receipt,
        applicant=replace(
            applicant,
            contact=Contact(
                phone="0530-5310000", email="a@example.cn", postal_address="菏泽市中华路1号"
            ),
        ),
        information=InformationDescription(draw(text)),
        delivery=Delivery(form, route),
        transcribed_by=draw(text) if channel is Channel.ORAL else "",
    )


@given(valid_commands())
def test_valid_submissions_have_no_violations(cmd: SubmitApplication) -> None:
    assert submission_violations(cmd, AGENCIES, TODAY) == []


def _no_contact(c: SubmitApplication) -> SubmitApplication:
    return replace(c, applicant=replace(c.applicant, contact=Contact()))


def _doc(c: SubmitApplication, kind: IdentityDocumentType, number: str) -> SubmitApplication:
    return replace(
        c, applicant=replace(c.applicant, identity_document=IdentityDocument(kind, number))
    )


DEFECTS: list[tuple[str, Any, str]] = [
    ("request id not a UUID", lambda c: replace(c, request_id="retry-1"), "request_id"),
    ("unknown agency", lambda c: replace(c, agency_code="NOPE"), "agency_code"),
    ("no channel", lambda c: replace(c, channel=None), "channel"),
    ("online with a receipt date", lambda c: replace(c, receipt_date=TODAY), "receipt_date"),
    (
        "post without receipt date",
        lambda c: replace(c, channel=Channel.POST_SIGNED),
        "receipt_date",
    ),
    (
        "receipt date in the future",
        lambda c: replace(c, channel=Channel.IN_PERSON, receipt_date=TODAY + timedelta(days=1)),
        "receipt_date",
    ),
    (
        "oral without transcriber",
        lambda c: replace(c, channel=Channel.ORAL, receipt_date=TODAY),
        "transcribed_by",
    ),
    (
        "transcriber on a written application",
        lambda c: replace(c, transcribed_by="李四"),
        "transcribed_by",
    ),
    ("no name", lambda c: replace(c, applicant=replace(c.applicant, name="  ")), "applicant.name"),
    (
        "no category",
        lambda c: replace(c, applicant=replace(c.applicant, category=None)),
        "applicant.category",
    ),
    (
        "person without document",
        lambda c: replace(c, applicant=replace(c.applicant, identity_document=None)),
        "applicant.identity_document",
    ),
    (
        "bad resident id check character",
        lambda c: _doc(c, IdentityDocumentType.RESIDENT_IDENTITY_CARD, "110105194912310021"),
        "applicant.identity_document.number",
    ),
    (
        "person with a credit code",
        lambda c: _doc(c, IdentityDocumentType.UNIFIED_SOCIAL_CREDIT_CODE, "91350100M000100Y43"),
        "applicant.identity_document.type",
    ),
    (
        "passport number with spaces",
        lambda c: _doc(c, IdentityDocumentType.PASSPORT, "E 1234 567"),
        "applicant.identity_document.number",
    ),
    (
        "document without type",
        lambda c: _doc(c, None, "E12345678"),  # type: ignore[arg-type]
        "applicant.identity_document.type",
    ),
    ("no contact at all", _no_contact, "applicant.contact"),
    (
        "bad phone",
        lambda c: replace(c, applicant=replace(c.applicant, contact=Contact(phone="call me"))),
        "applicant.contact.phone",
    ),
    (
        "bad email",
        lambda c: replace(c, applicant=replace(c.applicant, contact=Contact(email="x@y"))),
        "applicant.contact.email",
    ),
    (
        "bad postal code",
        lambda c: replace(
            c,
            applicant=replace(
                c.applicant, contact=Contact(phone="13800138000", postal_code="27400")
            ),
        ),
        "applicant.contact.postal_code",
    ),
    (
        "no description",
        lambda c: replace(c, information=InformationDescription(" ")),
        "information.description",
    ),
    (
        "description too long",
        lambda c: replace(c, information=InformationDescription("字" * 5001)),
        "information.description",
    ),
    (
        "no form",
        lambda c: replace(c, delivery=Delivery(None, DeliveryRoute.PICKUP)),
        "delivery.form",
    ),
    (
        "inspection by post",
        lambda c: replace(c, delivery=Delivery(DeliveryForm.INSPECTION, DeliveryRoute.POST)),
        "delivery.route",
    ),
    (
        "e-mail delivery without e-mail",
        lambda c: replace(c, delivery=Delivery(DeliveryForm.ELECTRONIC, DeliveryRoute.EMAIL)),
        "applicant.contact.email",
    ),
]


@pytest.mark.parametrize(
    ("defect", "field"), [(d[1], d[2]) for d in DEFECTS], ids=[d[0] for d in DEFECTS]
)
def test_each_defect_is_named_by_its_field(defect: Any, field: str) -> None:
    assert field in fields(defect(command()))


def test_organisation_needs_a_contact_person_and_a_valid_code() -> None:
    org = replace(
        person(),
        category=ApplicantCategory.LEGAL_SERVICE_ORGANIZATION,
        identity_document=IdentityDocument(
            IdentityDocumentType.UNIFIED_SOCIAL_CREDIT_CODE, "91350100M000100Y44"
        ),
    )
    assert fields(command(applicant=org)) == {
        "applicant.contact_person",
        "applicant.identity_document.number",
    }


def test_all_violations_are_reported_at_once() -> None:
    broken = replace(_no_contact(command()), agency_code="", information=InformationDescription(""))
    assert fields(broken) == {"agency_code", "applicant.contact", "information.description"}
