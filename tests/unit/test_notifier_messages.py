"""The notifier's pieces without servers: what each notice says, the SMS gateway's body from its
template, which SMTP and gateway answers are tried again, and the addresses shown to staff."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ogi.notice_words import NoticeFacts, short_line
from ogi.taxonomy import Outcome
from ogi.v1 import common_pb2 as pb
from ogi.v1 import events_pb2
from services.notifier.api import masked
from services.notifier.domain import Channel
from services.notifier.notices import TOLD, content, incoming_notice
from services.notifier.transports import (
    Outgoing,
    Permanent,
    SmsSettings,
    Transient,
    _by_code,
    email_message,
)


def test_the_notices_told_are_the_ones_the_issue_names() -> None:
    assert {
        "CorrectionRequested",
        "ReasonsRequested",
        "ReplyPeriodExtended",
        "ConsultationStarted",
        "FeeNoticeIssued",
        "ApplicationAnswered",
    } <= TOLD
    registered = events_pb2.CaseRegistered().SerializeToString()
    assert incoming_notice("ogi.handling.CaseRegistered", registered) is None


def test_a_fee_notice_in_plain_chinese_with_amount_and_date() -> None:
    event = events_pb2.FeeNoticeIssued(
        metadata=events_pb2.EventMetadata(notification_id=7),
        case=events_pb2.CaseRef(application_number="HZMZJ-2026-000001", agency_code="HZMZJ"),
        amount="83460",
        notified_on=pb.CalendarDate(year=2026, month=3, day=5),
        payment_due=pb.CalendarDate(year=2026, month=4, day=2),
    )
    notice = incoming_notice("ogi.handling.FeeNoticeIssued", event.SerializeToString())
    assert notice is not None
    assert (notice.position, notice.facts.due) == (7, date(2026, 4, 2))
    said = content(notice, "菏泽市民政局", "https://ysqgk.example.gov.cn")
    assert said.subject == "【政府信息公开】HZMZJ-2026-000001 收费通知"
    assert "信息处理费83460元" in said.body
    assert "请于2026年4月2日前缴纳。" in said.body
    assert said.sms.startswith(
        "您的政府信息公开申请HZMZJ-2026-000001：收费通知：信息处理费83460元，请于2026年4月2日前缴纳。"
    )


def test_a_reply_is_told_by_the_outcomes_name_never_its_code() -> None:
    line = short_line(NoticeFacts("ApplicationAnswered", outcome=Outcome.R8))
    assert line == "答复：部分公开"


def test_the_gateway_body_fills_the_template_json_escaped() -> None:
    settings = SmsSettings(
        url="http://gateway.invalid/send",
        template=(
            '{"to": ["{phone}"], "text": "【{sign_name}】{text}", "id": "{message_id}", "n": 1}'
        ),
        sign_name="菏泽市民政局",
    )
    body = json.loads(settings.body(Outgoing("m-1", "13800138000", "", '说"明"\n第二行')))
    assert body == {
        "to": ["13800138000"],
        "text": '【菏泽市民政局】说"明"\n第二行',
        "id": "m-1",
        "n": 1,
    }


def test_a_template_that_is_not_json_stops_the_notifier_at_start() -> None:
    with pytest.raises(json.JSONDecodeError):
        SmsSettings.from_env({"OGI_SMS_URL": "http://g.invalid", "OGI_SMS_TEMPLATE": "{mobile"})


@pytest.mark.parametrize(
    ("code", "kind"), [(421, Transient), (451, Transient), (550, Permanent), (554, Permanent)]
)
def test_smtp_4xx_is_tried_again_and_5xx_is_a_refusal(code: int, kind: type) -> None:
    assert isinstance(_by_code(code, "reply"), kind)


def test_the_email_carries_its_stable_message_id() -> None:
    mail = email_message(
        Outgoing("<abc@hz.example.cn>", "a@example.cn", "【政府信息公开】X 补正告知", "您好"),
        "ysqgk@hz.example.cn",
    )
    assert (mail["Message-ID"], mail["Auto-Submitted"]) == ("<abc@hz.example.cn>", "auto-generated")


@pytest.mark.parametrize(
    ("recipient", "channel", "shown"),
    [
        ("zhangsan@example.cn", Channel.EMAIL, "z***@example.cn"),
        ("13800138000", Channel.SMS, "138****8000"),
        ("+86 138-0013-8000", Channel.SMS, "+86****8000"),
    ],
)
def test_staff_see_addresses_partly_hidden(recipient: str, channel: Channel, shown: str) -> None:
    assert masked(recipient, channel) == shown
