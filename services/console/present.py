"""How the console shows what the services answer: dates, times in China time, and every
outcome, ground, channel, category, state and deadline by its name in the law's words
(ogi.taxonomy's terms), never a code."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from ogi.auth import Role
from ogi.clock import china_time_text
from ogi.notice_words import DELIVERY_STATE_WORDS, NOTIFICATION_CHANNEL_WORDS
from ogi.taxonomy import (
    CASE_STATE_TERMS,
    CATEGORY_TERMS,
    CHANNEL_TERMS,
    GROUND_TERMS,
    OUTCOME_TERMS,
    outcome_label,
)
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.wire import CATEGORIES, CHANNELS, GROUNDS, OUTCOMES

CASE_STATES: dict[int, str] = {
    number: name.removeprefix("CASE_STATE_").lower()
    for name, number in h.CaseState.items()
    if number
}
DEADLINE_NAMES = {
    h.DEADLINE_KIND_REPLY: "答复期限",
    h.DEADLINE_KIND_CORRECTION_NOTICE: "补正告知期限",
    h.DEADLINE_KIND_CORRECTION: "补正期限",
    h.DEADLINE_KIND_CONSULTATION: "征求意见期限",
    h.DEADLINE_KIND_FEE_PAYMENT: "缴费期限",
}
ROLE_NAMES = {
    "registrar": "登记人员",
    "handler": "承办人",
    "office_head": "工作机构负责人",
    "auditor": "监督人员",
    "reviewer": "保密审查人员",
    "operator": "系统运维",
}
# The documents issue's vocabulary (issue 17), shown where the contracts have it.
RELEASE_FORMS = {
    getattr(pb, name): label
    for name, label in (
        ("RELEASE_FORM_PAPER", "纸质"),
        ("RELEASE_FORM_ELECTRONIC_FILE", "电子文件"),
        ("RELEASE_FORM_PUBLISHED_LINK", "已公开的网址"),
    )
    if hasattr(pb, name)
}
REVIEW_CONCLUSIONS = {
    getattr(h, name): label
    for name, label in (
        ("REVIEW_CONCLUSION_DISCLOSABLE", "可以公开"),
        ("REVIEW_CONCLUSION_PARTLY_DISCLOSABLE", "部分公开"),
        ("REVIEW_CONCLUSION_NOT_DISCLOSABLE", "不得公开"),
    )
    if hasattr(h, name)
}
NOTIFICATION_CHANNELS = NOTIFICATION_CHANNEL_WORDS
DELIVERY_STATES = DELIVERY_STATE_WORDS
SERVICE_METHODS = {
    pb.SERVICE_METHOD_DIRECT: "直接送达",
    pb.SERVICE_METHOD_ENTRUSTED: "委托送达",
    pb.SERVICE_METHOD_POST: "邮寄送达",
    pb.SERVICE_METHOD_ELECTRONIC: "电子送达",
}
DELIVERY_FORMS = {
    pb.DELIVERY_FORM_PAPER: "纸质",
    pb.DELIVERY_FORM_ELECTRONIC: "电子",
    pb.DELIVERY_FORM_INSPECTION: "查阅",
}
DELIVERY_ROUTES = {
    pb.DELIVERY_ROUTE_POST: "邮寄",
    pb.DELIVERY_ROUTE_PICKUP: "自行领取 / 当场查阅",
    pb.DELIVERY_ROUTE_EMAIL: "电子邮件",
    pb.DELIVERY_ROUTE_ONLINE_DOWNLOAD: "网上下载",
}
# Offline channels a registrar enters, by their wire value, in the Regulation's words.
OFFLINE_CHANNELS = {
    code: CHANNEL_TERMS[channel] for code, channel in CHANNELS.items() if code != pb.CHANNEL_ONLINE
}
CATEGORY_CHOICES = {code: CATEGORY_TERMS[category] for code, category in CATEGORIES.items()}
# Outcomes a reply gives (the three that conclude a case without one are not offered).
REPLY_OUTCOMES = {
    code: OUTCOME_TERMS[outcome] for code, outcome in OUTCOMES.items() if outcome.is_reply
}
GROUND_CHOICES = {code: GROUND_TERMS[ground] for code, ground in GROUNDS.items()}


def calendar_date(value: pb.CalendarDate | None) -> str:
    if value is None or not value.year:
        return "—"
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def china_time(at: Timestamp) -> str:
    return china_time_text(at.ToDatetime(tzinfo=UTC))


def state_name(state: Any) -> str:
    value = CASE_STATES.get(state, "")
    term = CASE_STATE_TERMS.get(value)
    return term.zh if term else value


def state_value(state: Any) -> str:
    return CASE_STATES.get(state, "")


def outcome_name(outcome: Any, ground: Any = 0) -> str:
    if not outcome:
        return "—"
    return outcome_label(OUTCOMES[outcome], GROUNDS.get(ground))


def category_name(category: Any) -> str:
    found = CATEGORIES.get(category)
    return CATEGORY_TERMS[found].zh if found else "—"


def channel_name(channel: Any) -> str:
    found = CHANNELS.get(channel)
    return CHANNEL_TERMS[found].zh if found else "—"


def role_names(roles: Any) -> str:
    return "、".join(ROLE_NAMES.get(str(r), str(r)) for r in sorted(roles))


def who_acts_next(item: Any) -> str:
    """Who the line waits on: the applicant, a third party, the handler, or service (送达)."""
    state = CASE_STATES.get(item.state, "")
    return {
        "registered": "承办人：审核",
        "awaiting_correction": "申请人：补正",
        "awaiting_reasons": "申请人：说明理由",
        "in_progress": "承办人：办理",
        "consulting": "第三方：提出意见",
        "awaiting_fee": "申请人：缴费",
        "replied": "承办人：送达",
    }.get(state, "—")


FILTERS = {
    "day": calendar_date,
    "china_time": china_time,
    "state_name": state_name,
    "state_value": state_value,
    "outcome_name": outcome_name,
    "category_name": category_name,
    "channel_name": channel_name,
    "role_names": role_names,
    "who_acts_next": who_acts_next,
}
GLOBALS = {
    "DEADLINE_NAMES": DEADLINE_NAMES,
    "SERVICE_METHODS": SERVICE_METHODS,
    "DELIVERY_FORMS": DELIVERY_FORMS,
    "DELIVERY_ROUTES": DELIVERY_ROUTES,
    "OFFLINE_CHANNELS": OFFLINE_CHANNELS,
    "CATEGORY_CHOICES": CATEGORY_CHOICES,
    "REPLY_OUTCOMES": REPLY_OUTCOMES,
    "GROUND_CHOICES": GROUND_CHOICES,
    "RELEASE_FORMS": RELEASE_FORMS,
    "REVIEW_CONCLUSIONS": REVIEW_CONCLUSIONS,
    "NOTIFICATION_CHANNELS": NOTIFICATION_CHANNELS,
    "DELIVERY_STATES": DELIVERY_STATES,
    "RELEASE_ROWS": 3,
    "CASE_STATE_TERMS": CASE_STATE_TERMS,
    "Role": Role,
}
