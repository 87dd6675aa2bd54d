"""Notifications (issue 19, item 4) against real servers: intake, handling and the notifier as
processes, a real nats-server, a real SMTP server on loopback (aiosmtpd) and a local HTTP server
standing for the agency's SMS gateway. Each notice sends exactly one message per chosen channel
with the right content; SMTP down for 30 s is waited out and the message sent once; a notifier
killed after the server took a message and before it recorded it sends that message again with
the same Message-ID (idempotency key), and nothing else twice."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import grpc
import pytest

from ogi.auth import Role
from ogi.cli.main import main
from ogi.messaging.nats_server import LocalNatsServer
from ogi.v1 import common_pb2 as pb
from ogi.v1 import events_pb2, intake_pb2, notifier_pb2, notifier_pb2_grpc
from ogi.v1 import handling_pb2 as h
from tests.builders import APPLICANT_NAME, PHONE, RESIDENT_ID, request
from tests.integration.conftest import (
    Database,
    ServiceProcess,
    StartService,
    _database,
    _starter,
    bearer,
    wait_for,
)
from tests.integration.notification_servers import SmsGatewayServer, SmtpServer
from tests.integration.test_handling_service import HANDLER, OFFICE_HEAD

EMAIL = "zhangsanfeng@example.cn"
PORTAL = "https://ysqgk.hz.example.cn"
AGENCY_STAFF = bearer("HZMZJ", Role.HANDLER, subject="李四")
OTHER_AGENCY = bearer("HZZRZYJ", Role.HANDLER, subject="赵六")


@pytest.fixture
def notifier_database(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    yield from _database("notifier", backend, request, tmp_path)


@pytest.fixture
def start_notifier(
    notifier_database: Database, nats_server: LocalNatsServer, tmp_path: Path
) -> Iterator[StartService]:
    yield from _starter("notifier", notifier_database, nats_server, tmp_path)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def gateway() -> Iterator[SmsGatewayServer]:
    server = SmsGatewayServer().start()
    yield server
    server.stop()


@dataclass
class Setting:
    intake: ServiceProcess
    handling: ServiceProcess
    start_notifier: StartService
    smtp: SmtpServer
    gateway: SmsGatewayServer
    notifier: ServiceProcess | None = None

    def run_notifier(self, wait: bool = True, **env: str) -> ServiceProcess:
        self.notifier = self.start_notifier(
            wait,
            OGI_SMTP_HOST="127.0.0.1",
            OGI_SMTP_PORT=str(self.smtp.port),
            OGI_SMTP_SECURITY="none",
            OGI_SMTP_FROM="ysqgk@hz.example.cn",
            OGI_SMS_URL=self.gateway.url,
            OGI_SMS_SIGN_NAME="菏泽市民政局",
            OGI_PORTAL_URL=PORTAL,
            OGI_NOTIFIER_MAX_BACKOFF_SECONDS="1",
            **env,
        )
        return self.notifier

    def apply(self, *channels: Any, email: str = EMAIL) -> Any:
        """An application choosing `channels`, once registered at handling: its receipt."""
        submission = request(applicant__contact__email=email)
        submission.notify_by.extend(channels)
        receipt = self.intake.stub.SubmitApplication(submission)
        number = receipt.application_number
        wait_for(
            lambda: [
                i
                for i in self.handling.handling.ListWorklist(
                    h.ListWorklistRequest(), metadata=HANDLER
                ).items
                if i.application_number == number
            ],
            what=f"{number} registered",
        )
        return receipt

    def correct(self, receipt: Any) -> None:
        """The applicant, once told, supplies the correction; waits until handling has it."""
        wait_for(
            lambda: (
                self.intake.stub.GetApplicationStatus(
                    intake_pb2.GetApplicationStatusRequest(
                        application_number=receipt.application_number, query_code=receipt.query_code
                    )
                ).state
                == intake_pb2.APPLICATION_STATE_CORRECTION_REQUESTED
            ),
            what="the correction notice at intake",
        )
        self.intake.stub.SupplyCorrection(
            intake_pb2.SupplyCorrectionRequest(
                application_number=receipt.application_number,
                query_code=receipt.query_code,
                information=pb.InformationDescription(description="2025年第四季度低保发放明细"),
            )
        )
        wait_for(
            lambda: (
                self.handling.handling.GetCase(
                    h.GetCaseRequest(case=receipt.application_number), metadata=HANDLER
                ).case.state
                == h.CASE_STATE_REGISTERED
            ),
            what="the correction at handling",
        )

    def deliveries(self, number: str, metadata: Any = AGENCY_STAFF) -> Any:
        assert self.notifier is not None
        assert self.notifier.channel is not None
        stub = notifier_pb2_grpc.NotifierServiceStub(self.notifier.channel)
        return stub.ListDeliveries(
            notifier_pb2.ListDeliveriesRequest(application_number=number), metadata=metadata
        )

    def settled(self, number: str, count: int) -> Any:
        def done() -> Any:
            found = self.deliveries(number)
            states = [d.state for d in found.deliveries]
            return found if states == [notifier_pb2.DELIVERY_STATE_ACCEPTED] * count else None

        return wait_for(done, timeout=60, what=f"{count} messages about {number} accepted")


@pytest.fixture
def setting(
    start_intake: StartService,
    start_handling: StartService,
    start_notifier: StartService,
    nats_server: LocalNatsServer,
    smtp: SmtpServer,
    gateway: SmsGatewayServer,
) -> Setting:
    nats_server.start()
    return Setting(start_intake(), start_handling(), start_notifier, smtp, gateway)


CORRECTION_ITEMS = ["写明文件名称或文号", "写明年度"]


def request_correction(api: Any, number: str) -> None:
    api.RequestCorrection(
        h.RequestCorrectionRequest(case=number, items=CORRECTION_ITEMS), metadata=HANDLER
    )


def after_correction(api: Any, number: str) -> None:
    """受理 → 征求意见 → 延期 → 收费 → 缴费 → 答复 (不予公开) → 送达."""
    api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=HANDLER)
    api.StartConsultation(
        h.StartConsultationRequest(case=number, party="某公司（第三方）"), metadata=HANDLER
    )
    api.EndConsultation(
        h.EndConsultationRequest(case=number, opinion="不同意公开"), metadata=HANDLER
    )
    api.ExtendReplyPeriod(h.ExtendReplyPeriodRequest(case=number, days=15), metadata=OFFICE_HEAD)
    api.IssueFeeNotice(
        h.IssueFeeNoticeRequest(case=number, method=pb.FEE_METHOD_PER_PAGE, pages=2219),
        metadata=HANDLER,
    )
    api.RecordFeePayment(h.RecordFeePaymentRequest(case=number), metadata=HANDLER)
    api.ReplyToApplication(
        h.ReplyToApplicationRequest(
            case=number,
            reply=h.Reply(
                outcome=pb.OUTCOME_R3,
                reasons="涉及第三方商业秘密",
                ground=pb.NON_DISCLOSURE_GROUND_THIRD_PARTY,
            ),
        ),
        metadata=HANDLER,
    )
    api.RecordService(
        h.RecordServiceRequest(case=number, method=pb.SERVICE_METHOD_POST), metadata=HANDLER
    )


TOLD = ["补正告知", "征求意见告知", "延期答复告知", "收费通知", "答复"]


def subjects(mails: list[EmailMessage], number: str) -> list[str]:
    return [str(m["Subject"]) for m in mails if number in str(m["Subject"])]


def test_each_notice_sends_exactly_one_message_per_chosen_channel_with_the_right_content(
    setting: Setting, capsys: pytest.CaptureFixture[str]
) -> None:
    setting.smtp.start()
    setting.run_notifier()
    both = setting.apply(pb.NOTIFICATION_CHANNEL_EMAIL, pb.NOTIFICATION_CHANNEL_SMS)
    asked = setting.apply(pb.NOTIFICATION_CHANNEL_EMAIL, email="other@example.cn")
    untold = setting.apply()
    number = both.application_number
    api = setting.handling.handling
    request_correction(api, number)
    request_correction(api, untold.application_number)
    api.RequestReasons(h.RequestReasonsRequest(case=asked.application_number), metadata=HANDLER)
    setting.correct(both)
    after_correction(api, number)

    told = setting.settled(number, 2 * len(TOLD))
    setting.settled(asked.application_number, 1)
    mails = setting.smtp.messages()
    sms = setting.gateway.messages()
    # Exactly one message per notice and channel; nothing about the untold application.
    assert sorted(subjects(mails, number)) == sorted(f"【政府信息公开】{number} {k}" for k in TOLD)
    assert subjects(mails, asked.application_number) == [
        f"【政府信息公开】{asked.application_number} 说明理由告知"
    ]
    assert not subjects(mails, untold.application_number)
    assert len(mails) == len(TOLD) + 1
    assert len(sms) == len(TOLD)
    assert len({m["Message-ID"] for m in mails}) == len(mails)
    assert len({r.headers["Idempotency-Key"] for r in sms}) == len(sms)

    mail = {str(m["Subject"]).rsplit(" ", 1)[-1]: m for m in mails if number in str(m["Subject"])}
    correction = mail["补正告知"].get_content()
    assert mail["补正告知"]["To"] == EMAIL
    assert "需要补正的事项：写明文件名称或文号；写明年度。" in correction
    assert "前补正。" in correction
    assert "菏泽市民政局" in correction
    assert f"请凭申请编号和查询码登录 {PORTAL} 查看详情" in correction
    assert "信息处理费83460元" in mail["收费通知"].get_content()
    reply = mail["答复"].get_content()
    assert "不予公开（依据《政府信息公开条例》第三十六条第（三）项）" in reply
    assert "不予公开理由：保护第三方合法权益（第十五条）" in reply
    assert "R3" not in reply
    assert "OUTCOME" not in reply
    assert "延长15个工作日" in mail["延期答复告知"].get_content()
    assert "不计算在答复期限内" in mail["征求意见告知"].get_content()

    texts = [r.body["content"] for r in sms]
    assert all(r.body["mobile"] == PHONE for r in sms)
    assert all(t.startswith(f"【菏泽市民政局】您的政府信息公开申请{number}：") for t in texts)
    assert any("信息处理费83460元" in t for t in texts)
    assert all(r.headers["Idempotency-Key"] == r.body["requestId"] for r in sms)

    # The handler sees what was sent, on which channel, with each attempt; addresses masked.
    accepted = [d for d in told.deliveries if d.channel == pb.NOTIFICATION_CHANNEL_EMAIL]
    assert [d.notice_zh for d in accepted] == TOLD
    assert {d.recipient for d in told.deliveries} == {"z***@example.cn", "138****8000"}
    assert all([a.result for a in d.attempts] == ["accepted"] for d in told.deliveries)
    assert {d.message_id for d in accepted} == {m["Message-ID"] for m in mail.values()}
    with pytest.raises(grpc.RpcError) as other:
        setting.deliveries(number, OTHER_AGENCY)
    assert other.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert setting.deliveries(untold.application_number).deliveries == []
    # … on the command line too: `ogi deliveries <number>`.
    assert setting.notifier is not None
    token = dict(AGENCY_STAFF)["authorization"].removeprefix("Bearer ")
    shown = ["deliveries", number, "--notifier", setting.notifier.listen, "--token", token]
    capsys.readouterr()
    assert main(shown) == 0
    printed = capsys.readouterr().out
    assert "通知方式 channels: 电子邮件、短信" in printed
    assert printed.count("已发送 accepted") == 2 * len(TOLD)
    assert "z***@example.cn" in printed
    assert EMAIL not in printed

    assert setting.notifier is not None
    log = setting.notifier.log()
    for personal in (EMAIL, PHONE, APPLICANT_NAME, RESIDENT_ID, "other@example.cn"):
        assert personal not in log


OUTAGE_SECONDS = 30


@pytest.fixture
def sqlite_only(backend: str) -> None:
    """Long waits, run once: the notifier's store is the same code on both backends, tested on
    both above."""
    if backend != "sqlite":
        pytest.skip("run on SQLite only")


@pytest.mark.usefixtures("sqlite_only")
def test_smtp_down_for_30_seconds_the_message_is_sent_once_after_it_returns(
    setting: Setting,
) -> None:
    setting.run_notifier()  # the SMTP server is not running
    receipt = setting.apply(pb.NOTIFICATION_CHANNEL_EMAIL, pb.NOTIFICATION_CHANNEL_SMS)
    number = receipt.application_number
    request_correction(setting.handling.handling, number)
    down_since = time.monotonic()

    def failing() -> Any:
        found = setting.deliveries(number).deliveries
        email = [d for d in found if d.channel == pb.NOTIFICATION_CHANNEL_EMAIL]
        return email if email and len(email[0].attempts) >= 2 else None

    email = wait_for(failing, what="failed attempts recorded")[0]
    assert email.state == notifier_pb2.DELIVERY_STATE_PENDING  # visible, not silent
    assert {a.result for a in email.attempts} == {"failed"}
    assert len(setting.gateway.messages()) == 1  # the SMS is not held up by the mail server
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_since)))
    assert setting.smtp.messages() == []

    setting.smtp.start()
    told = setting.settled(number, 2)
    mails = setting.smtp.messages()
    assert len(mails) == 1
    assert str(mails[0]["Subject"]) == f"【政府信息公开】{number} 补正告知"
    email = next(d for d in told.deliveries if d.channel == pb.NOTIFICATION_CHANNEL_EMAIL)
    results = [a.result for a in email.attempts]
    assert results[-1] == "accepted"
    assert set(results[:-1]) == {"failed"}
    assert len(results) >= 10  # retried all along the outage (back-off capped at 1 s here)
    assert email.message_id == mails[0]["Message-ID"]
    time.sleep(2)  # a second send would come within the back-off
    assert len(setting.smtp.messages()) == 1


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_notifier_killed_after_the_server_took_a_message_resends_it_with_the_same_id(
    setting: Setting, channel: str
) -> None:
    """SIGKILL after the server accepted the second message and before the notifier recorded
    it: after the restart that message goes again with the same Message-ID (SMS: the same
    idempotency key, which the gateway uses to drop it), and no other message goes twice."""
    setting.smtp.start()
    wanted = pb.NOTIFICATION_CHANNEL_EMAIL if channel == "email" else pb.NOTIFICATION_CHANNEL_SMS
    receipt = setting.apply(wanted)
    number = receipt.application_number
    api = setting.handling.handling
    request_correction(api, number)
    setting.correct(receipt)
    api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=HANDLER)
    api.StartConsultation(
        h.StartConsultationRequest(case=number, party="某公司（第三方）"), metadata=HANDLER
    )
    api.ExtendReplyPeriod(h.ExtendReplyPeriodRequest(case=number, days=15), metadata=OFFICE_HEAD)

    crashing = setting.run_notifier(
        wait=False, OGI_FAULT_INJECTION=f"notifier-{channel}-crash-after-accepted:2"
    )
    assert crashing.wait_exit(60) == -9  # SIGKILL, by its own hand, at the fault point

    def ids() -> list[str]:
        if channel == "email":
            return [str(m["Message-ID"]) for m in setting.smtp.messages()]
        return [r.headers["Idempotency-Key"] for r in setting.gateway.messages()]

    assert len(ids()) == 2  # the server has taken two; the notifier recorded one
    setting.run_notifier()
    told = setting.settled(number, 3)
    sent = Counter(ids())
    assert sorted(sent.values()) == [1, 1, 2]
    twice = next(i for i, n in sent.items() if n == 2)
    assert twice == ids()[1]  # the second message, resent under its own id
    assert [d.message_id for d in told.deliveries] == list(dict.fromkeys(ids()))
    if channel == "sms":
        bodies = [r.body for r in setting.gateway.messages()]
        assert bodies[1] == bodies[2]  # the same message, word for word


@pytest.mark.usefixtures("sqlite_only")
def test_without_smtp_or_a_gateway_embedded_mode_writes_each_message_to_the_outbox(
    setting: Setting, tmp_path: Path
) -> None:
    assert setting.notifier is None
    setting.notifier = setting.start_notifier(OGI_PORTAL_URL=PORTAL)  # nothing configured
    receipt = setting.apply(pb.NOTIFICATION_CHANNEL_EMAIL, pb.NOTIFICATION_CHANNEL_SMS)
    request_correction(setting.handling.handling, receipt.application_number)
    told = setting.settled(receipt.application_number, 2)
    outbox = tmp_path / "data" / "outbox"
    eml = list(outbox.glob("*.eml"))
    sms = list(outbox.glob("*.sms.json"))
    assert (len(eml), len(sms)) == (1, 1)
    mail = message_from_bytes(eml[0].read_bytes(), policy=policy.default)
    assert str(mail["Subject"]) == f"【政府信息公开】{receipt.application_number} 补正告知"
    assert mail["Message-ID"] in {d.message_id for d in told.deliveries}
    assert "需要补正的事项" in mail.get_content()
    assert receipt.application_number in sms[0].read_text(encoding="utf-8")
    assert setting.smtp.messages() == []
    assert setting.gateway.messages() == []


@pytest.mark.skipif(
    not hasattr(events_pb2, "DocumentIssued"), reason="no DocumentIssued event yet (issue 17)"
)
@pytest.mark.usefixtures("sqlite_only")
def test_a_document_ready_for_the_applicant_is_told_once(setting: Setting) -> None:
    setting.smtp.start()
    setting.run_notifier()
    receipt = setting.apply(pb.NOTIFICATION_CHANNEL_EMAIL)
    number = receipt.application_number
    handling: Any = setting.handling.handling  # the documents' calls: a newer contract
    issue: Any = getattr(h, "IssueDocumentRequest")  # noqa: B009
    kind = getattr(pb, "DOCUMENT_KIND_REGISTRATION_RECEIPT")  # noqa: B009
    issued = handling.IssueDocument(issue(case=number, kind=kind), metadata=HANDLER).document
    setting.settled(number, 1)
    (mail,) = setting.smtp.messages()
    assert str(mail["Subject"]) == f"【政府信息公开】{number} 文书已出具"
    body = mail.get_content()
    assert f"政府信息公开申请登记回执（{issued.number}）" in body
    assert "下载" in body
