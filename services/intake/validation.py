"""Is a submitted application complete and well-formed (Art 29, Art 31)? Pure rules, every
violation named by its field path in the request, all reported at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from uuid import UUID

from ogi.agencies import AgencyDirectory
from ogi.bounds import (
    NO_VISIBLE_CHARACTER,
    DateWindow,
    EdgePolicy,
    check_date,
    check_text,
    has_visible_character,
)
from ogi.errors import FieldViolation
from ogi.identity import credit_code_problem, resident_id_problem
from ogi.taxonomy import Channel
from services.intake.domain import (
    Applicant,
    Contact,
    Delivery,
    DeliveryForm,
    DeliveryRoute,
    IdentityDocumentType,
    InformationDescription,
    NotificationChannel,
    SubmitApplication,
)

MAX_NAME = 100
MAX_DESCRIPTION = 5000
MAX_SHORT_TEXT = 200
MAX_DOCUMENT_NUMBER = 40
MAX_EMAIL = 254  # RFC 5321's longest path
MAX_NOTE = 500  # a correction's note, a withdrawal's reason, Art 35 reasons, 用途
REQUIRED = "必填（required）"
ORAL_ONLY = "仅口头申请填写（only for oral applications）"
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,22}[0-9]$")
# A mainland mobile number, with or without +86: what an SMS can reach.
_MOBILE = re.compile(r"^(\+?86[ \-]?)?1[3-9][0-9]{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_POSTAL_CODE = re.compile(r"^[0-9]{6}$")
_OTHER_DOCUMENT = re.compile(r"^[A-Za-z0-9\-()（）]{4,40}$")

_ROUTES_FOR_FORM = {
    DeliveryForm.PAPER: {DeliveryRoute.POST, DeliveryRoute.PICKUP},
    DeliveryForm.ELECTRONIC: {
        DeliveryRoute.EMAIL,
        DeliveryRoute.ONLINE_DOWNLOAD,
        DeliveryRoute.PICKUP,
        DeliveryRoute.POST,
    },
    DeliveryForm.INSPECTION: {DeliveryRoute.PICKUP},
}


def submission_violations(
    command: SubmitApplication,
    agencies: AgencyDirectory,
    today: date,
    edges: EdgePolicy | None = None,
) -> list[FieldViolation]:
    """Every reason the submission cannot be accepted; empty when it can."""
    return [
        *_request(command, agencies, today, edges or EdgePolicy()),
        *_applicant(command.applicant),
        *_information(command.information, "information"),
        *_delivery(command.delivery, command.applicant.contact),
        *_notification(command.notify_by, command.applicant.contact),
        *note_violations(command.purpose, "purpose"),
    ]


def information_violations(information: InformationDescription, field: str) -> list[FieldViolation]:
    return list(_information(information, field))


def note_violations(note: str, field: str) -> list[FieldViolation]:
    """A correction's note or a withdrawal's reason: optional free text."""
    violations: list[FieldViolation] = []
    check_text(note, field, MAX_NOTE, violations)
    return violations


def _request(
    command: SubmitApplication, agencies: AgencyDirectory, today: date, edges: EdgePolicy
) -> Iterator[FieldViolation]:
    try:
        UUID(command.request_id)
    except ValueError:
        yield FieldViolation(
            "request_id",
            "须为客户端生成、重试时沿用的UUID"
            "（must be a UUID the client makes once and reuses on retry）",
        )
    agency = agencies.get(command.agency_code)
    if not command.agency_code:
        yield FieldViolation("agency_code", REQUIRED)
    elif agency is None:
        yield FieldViolation(
            "agency_code", "不是目录中的行政机关（not an agency in the directory）"
        )
    if command.channel is Channel.ONLINE:
        if command.receipt_date is not None:
            yield FieldViolation(
                "receipt_date",
                "网上申请不填，以确认收到之日为准（第三十一条）"
                "（must be empty online: the acknowledgement sets it (Art 31)）",
            )
        if command.transcribed_by:
            yield FieldViolation("transcribed_by", ORAL_ONLY)
        return
    window = edges.receipt_dates(today, agency.go_live if agency else None)
    yield from offline_receipt_violations(
        command.channel, command.receipt_date, command.transcribed_by, window, ""
    )


def offline_receipt_violations(
    channel: Channel | None,
    receipt_date: date | None,
    transcribed_by: str,
    window: DateWindow,
    prefix: str,
) -> list[FieldViolation]:
    """What a registrar enters for anything that arrived offline (an application, a correction,
    a withdrawal): the channel, the day it was received by that channel's Art 31 rule, within
    `window`, and who wrote down an oral one (代为填写). `prefix` places the fields."""
    violations: list[FieldViolation] = []
    if channel is None:
        violations.append(FieldViolation(f"{prefix}channel", REQUIRED))
    elif channel is Channel.ONLINE:
        violations.append(
            FieldViolation(f"{prefix}channel", "须为线下渠道（an offline channel: not online）")
        )
    if receipt_date is None:
        violations.append(
            FieldViolation(
                f"{prefix}receipt_date",
                "线下渠道须填写收到之日（第三十一条）（required for offline channels (Art 31)）",
            )
        )
    check_date(receipt_date, f"{prefix}receipt_date", window, violations)
    if channel is Channel.ORAL and not transcribed_by.strip():
        violations.append(
            FieldViolation(
                f"{prefix}transcribed_by",
                "口头申请须填写代为填写的工作人员（required for an oral application）",
            )
        )
    if channel is not Channel.ORAL and transcribed_by:
        violations.append(FieldViolation(f"{prefix}transcribed_by", ORAL_ONLY))
    check_text(transcribed_by, f"{prefix}transcribed_by", MAX_NAME, violations, single_line=True)
    return violations


def _one_line(text: str, field: str, limit: int, *, required: bool = False) -> list[FieldViolation]:
    violations: list[FieldViolation] = []
    check_text(text, field, limit, violations, required=required, single_line=True)
    return violations


def _applicant(applicant: Applicant) -> Iterator[FieldViolation]:
    yield from _one_line(applicant.name, "applicant.name", MAX_NAME, required=True)
    yield from _one_line(applicant.contact_person, "applicant.contact_person", MAX_NAME)
    yield from _identity(applicant)
    yield from _contact(applicant.contact)


def _identity(applicant: Applicant) -> Iterator[FieldViolation]:
    category, document = applicant.category, applicant.identity_document
    if category is None:
        yield FieldViolation("applicant.category", REQUIRED)
        return
    if not category.is_organization and document is None:
        yield FieldViolation(
            "applicant.identity_document", "自然人须填写身份证件（required for a natural person）"
        )
    if category.is_organization and not applicant.contact_person.strip():
        yield FieldViolation(
            "applicant.contact_person", "法人或其他组织须填写联系人（required for an organisation）"
        )
    if document is None:
        return
    field = "applicant.identity_document"
    if document.type is None:
        yield FieldViolation(f"{field}.type", REQUIRED)
        return
    if document.type is IdentityDocumentType.UNIFIED_SOCIAL_CREDIT_CODE:
        if not category.is_organization:
            yield FieldViolation(
                f"{field}.type", "自然人没有统一社会信用代码（a natural person has no credit code）"
            )
        elif problem := credit_code_problem(document.number):
            yield FieldViolation(f"{field}.number", problem)
    elif document.type is IdentityDocumentType.RESIDENT_IDENTITY_CARD:
        if category.is_organization:
            yield FieldViolation(
                f"{field}.type",
                "法人或其他组织以统一社会信用代码证明身份"
                "（an organisation is identified by its code）",
            )
        elif problem := resident_id_problem(document.number):
            yield FieldViolation(f"{field}.number", problem)
    elif not _OTHER_DOCUMENT.match(document.number):
        yield FieldViolation(
            f"{field}.number", "须为4至40位字母、数字或连字符（4-40 letters, digits or hyphens）"
        )


def _contact(contact: Contact) -> Iterator[FieldViolation]:
    field = "applicant.contact"
    if not (contact.phone or contact.email or contact.postal_address):
        yield FieldViolation(
            field,
            "电话、电子邮箱、通信地址至少填写一项（at least one of phone, email, postal_address）",
        )
    if contact.phone and not _PHONE.match(contact.phone):
        yield FieldViolation(f"{field}.phone", "不是有效的电话号码（not a telephone number）")
    if contact.email and (len(contact.email) > MAX_EMAIL or not _EMAIL.match(contact.email)):
        yield FieldViolation(f"{field}.email", "不是有效的电子邮箱（not an e-mail address）")
    yield from _one_line(contact.postal_address, f"{field}.postal_address", MAX_SHORT_TEXT)
    if contact.postal_code and not _POSTAL_CODE.match(contact.postal_code):
        yield FieldViolation(f"{field}.postal_code", "须为6位数字（six digits）")


def _information(information: InformationDescription, field: str) -> Iterator[FieldViolation]:
    violations: list[FieldViolation] = []
    if not information.description.strip():
        violations.append(
            FieldViolation(
                f"{field}.description",
                "请描述所需的政府信息（required: describe the information sought）",
            )
        )
    elif not has_visible_character(information.description):
        violations.append(FieldViolation(f"{field}.description", NO_VISIBLE_CHARACTER))
    check_text(information.description, f"{field}.description", MAX_DESCRIPTION, violations)
    yield from violations
    yield from _one_line(information.document_title, f"{field}.document_title", MAX_SHORT_TEXT)
    yield from _one_line(
        information.document_number, f"{field}.document_number", MAX_DOCUMENT_NUMBER
    )


def _delivery(delivery: Delivery, contact: Contact) -> Iterator[FieldViolation]:
    if delivery.form is None:
        yield FieldViolation("delivery.form", REQUIRED)
    if delivery.route is None:
        yield FieldViolation("delivery.route", REQUIRED)
    if delivery.form is None or delivery.route is None:
        return
    if delivery.route not in _ROUTES_FOR_FORM[delivery.form]:
        yield FieldViolation(
            "delivery.route",
            f"所选提供形式不能以此方式获取（not possible for form {delivery.form.value}）",
        )
    if delivery.route is DeliveryRoute.POST and not contact.postal_address:
        yield FieldViolation(
            "applicant.contact.postal_address",
            "邮寄须填写通信地址（required for delivery by post）",
        )
    if delivery.route is DeliveryRoute.EMAIL and not contact.email:
        yield FieldViolation(
            "applicant.contact.email",
            "以电子邮件获取须填写电子邮箱（required for delivery by e-mail）",
        )


def is_mobile(phone: str) -> bool:
    """A number an SMS reaches (a mainland mobile number)."""
    return bool(_MOBILE.match(phone.replace(" ", "").replace("-", "")))


def _notification(
    channels: tuple[NotificationChannel, ...], contact: Contact
) -> Iterator[FieldViolation]:
    if NotificationChannel.EMAIL in channels and not contact.email:
        yield FieldViolation(
            "applicant.contact.email", "选择邮件通知须填写电子邮箱（required for e-mail notices）"
        )
    if NotificationChannel.SMS in channels and not is_mobile(contact.phone):
        yield FieldViolation(
            "applicant.contact.phone",
            "选择短信通知须填写手机号码（a mobile number for SMS notices）",
        )
