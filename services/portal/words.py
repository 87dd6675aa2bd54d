"""The portal's words: the choices of the official application form (政府信息公开申请表) and
each entry of the applicant's timeline in plain Chinese, in China time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ogi.clock import CHINA
from ogi.notice_words import NoticeFacts, chinese_date, headline, sentences
from ogi.taxonomy import APPLICATION_STATE_TERMS
from ogi.v1 import intake_pb2
from ogi.wire import OUTCOMES

Choices = list[tuple[str, str]]

CATEGORIES: Choices = [
    ("natural_person", "公民（自然人）"),
    ("commercial_enterprise", "法人或者其他组织：商业企业"),
    ("research_institution", "法人或者其他组织：科研机构"),
    ("public_interest_organization", "法人或者其他组织：社会公益组织"),
    ("legal_service_organization", "法人或者其他组织：法律服务机构"),
    ("other_organization", "法人或者其他组织：其他"),
]
DOCUMENT_TYPES: Choices = [
    ("resident_identity_card", "居民身份证"),
    ("passport", "护照"),
    ("other", "其他有效身份证件（港澳台居民居住证、外国人永久居留身份证等）"),
    ("unified_social_credit_code", "统一社会信用代码（法人或者其他组织）"),
]
DELIVERY_FORMS: Choices = [
    ("paper", "纸质"),
    ("electronic", "电子文档"),
    ("inspection", "当场阅读、抄录"),
]
DELIVERY_ROUTES: Choices = [
    ("post", "邮寄"),
    ("email", "电子邮件"),
    ("online_download", "网上下载"),
    ("pickup", "自行领取"),
]
NOTIFICATION_CHANNELS: Choices = [("email", "电子邮件"), ("sms", "手机短信")]

CORRECTION_REQUESTED = intake_pb2.APPLICATION_STATE_CORRECTION_REQUESTED
REASONS_REQUESTED = intake_pb2.APPLICATION_STATE_REASONS_REQUESTED
FINAL_STATES = frozenset(
    {
        intake_pb2.APPLICATION_STATE_ANSWERED,
        intake_pb2.APPLICATION_STATE_CONCLUDED,
        intake_pb2.APPLICATION_STATE_WITHDRAWN,
    }
)
_EXTENSION_DAYS = re.compile(r"延长(\d+)个工作日")


@dataclass(frozen=True)
class TimelineEntry:
    at: str  # in China time
    title: str
    sentences: list[str]
    due: str


def state_words(state: Any) -> str:
    name = intake_pb2.ApplicationState.Name(state).removeprefix("APPLICATION_STATE_").lower()
    term = APPLICATION_STATE_TERMS.get(name)
    return term.zh if term else "办理中"


def china_time(moment: datetime) -> str:
    """2026年3月2日 09:30（北京时间）."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(CHINA)
    return f"{chinese_date(local.date())} {local:%H:%M}（北京时间）"


def wire_date(value: Any) -> date | None:
    return date(value.year, value.month, value.day) if value.year else None


def timeline_entry(entry: intake_pb2.StatusEntry) -> TimelineEntry:
    """One entry of the status history as the applicant reads it; never a code."""
    facts = NoticeFacts(
        kind=entry.kind,
        issued_on=wire_date(entry.issued_on),
        due=wire_date(entry.due),
        items=tuple(entry.items),
        amount=entry.amount,
        outcome=OUTCOMES.get(entry.outcome),
        details=_document(entry) or _chinese_details(entry.details),
        days=int(m.group(1)) if (m := _EXTENSION_DAYS.search(entry.details)) else 0,
    )
    said = sentences(facts) or [entry.summary_zh]
    return TimelineEntry(
        at=china_time(entry.at.ToDatetime(tzinfo=UTC)),
        title=headline(entry.kind) if said != [entry.summary_zh] else entry.summary_zh,
        sentences=said,
        due=chinese_date(facts.due),
    )


def _document(entry: intake_pb2.StatusEntry) -> str:
    """A document's name and number, on an entry telling of one (the documents work)."""
    if "document" not in entry.DESCRIPTOR.fields_by_name or not entry.HasField("document"):
        return ""
    document: Any = getattr(entry, "document")  # noqa: B009 - a field newer contracts have
    return f"{document.kind_name}（{document.number}）"


def _chinese_details(details: str) -> str:
    """An extension's details read '延长15个工作日 / 15 working days': the Chinese half."""
    return details.split(" / ", 1)[0]
