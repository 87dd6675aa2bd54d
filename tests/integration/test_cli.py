"""What a new user hits first: `ogi` against real intake and handling processes (a real
nats-server, SQLite and PostgreSQL), as a registrar, a handler and an applicant use it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from ogi.auth import Principal, Role, mint_token
from ogi.cli.main import main
from ogi.clock import CHINA, china_date, system_clock
from ogi.messaging.nats_server import LocalNatsServer
from ogi.v1 import archive_pb2, intake_pb2
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from tests.builders import PHONE, RESIDENT_ID, request
from tests.integration.conftest import (
    CIPHER_KEY,
    TOKEN_KEY,
    ServiceProcess,
    StartService,
    bearer,
    wait_for,
)

HANDLER = bearer("HZMZJ", Role.HANDLER, subject="李四")
CHINA_TIME = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \(北京时间\)")


def token(agency: str, *roles: Role) -> str:
    principal = Principal("登记员", agency, frozenset(roles))
    return mint_token(TOKEN_KEY, principal, datetime.now(UTC), timedelta(hours=1))


@dataclass
class Ogi:
    """The command line, pointed at the test's services; returns (exit code, stdout, stderr)."""

    intake: ServiceProcess
    handling: ServiceProcess
    capsys: pytest.CaptureFixture[str]

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(["--server", self.intake.listen, *argv])
        out, err = self.capsys.readouterr()
        return code, out, err

    def cases(self, *argv: str, role: Role = Role.HANDLER) -> str:
        staff = token("HZMZJ", role)
        code, out, err = self("cases", "--handling", self.handling.listen, "--token", staff, *argv)
        assert code == 0, err
        return out

    def apply(self, *extra: str) -> tuple[str, str]:
        """An application online: its number and query code."""
        code, out, err = self(
            "apply",
            "--agency",
            "HZMZJ",
            "--name",
            "张三",
            "--id-number",
            RESIDENT_ID,
            "--phone",
            PHONE,
            *(extra or ("--description", "2025年城乡低保资金发放明细")),
        )
        assert code == 0, err
        return _field(out, "Application number"), _field(out, "Query code")

    def registered(self, number: str) -> None:
        wait_for(
            lambda: number in self.cases("list"),
            what=f"{number} on the worklist",
        )

    def status(self, number: str, code: str) -> str:
        exit_code, out, err = self("status", number, "--code", code)
        assert exit_code == 0, err
        return out


def _field(out: str, name: str) -> str:
    return next(line.split(": ", 1)[1] for line in out.splitlines() if name in line)


@pytest.fixture
def ogi(
    start_intake: StartService,
    start_handling: StartService,
    nats_server: LocalNatsServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Ogi:
    for name in ("OGI_TOKEN", "OGI_INTAKE_ADDR", "OGI_HANDLING_ADDR"):
        monkeypatch.delenv(name, raising=False)
    nats_server.start()
    return Ogi(start_intake(), start_handling(), capsys)


def test_a_registrar_enters_a_paper_application_with_a_token(
    ogi: Ogi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16.1: `ogi apply --channel post_signed` sends the registrar's token, from --token
    or OGI_TOKEN; without one it says what is missing before calling."""
    received = china_date(system_clock()) - timedelta(days=1)
    paper = ("--channel", "post_signed", "--receipt-date", received.isoformat())
    registrar = token("HZMZJ", Role.REGISTRAR)
    description = ("--description", "2025年城乡低保资金发放明细")

    code, _, err = ogi(
        "apply", "--agency", "HZMZJ", "--name", "张三", "--phone", PHONE, *description, *paper
    )
    assert code == 2
    assert "--token" in err
    assert "OGI_TOKEN" in err

    number, query_code = ogi.apply(*description, *paper, "--token", registrar)
    status = ogi.status(number, query_code)
    assert f"Receipt date: {received.isoformat()}" in status
    assert "邮寄（需签收）" in status

    monkeypatch.setenv("OGI_TOKEN", registrar)
    another, _ = ogi.apply(*description, "--channel", "当面提交", "--receipt-date", str(received))
    assert another != number


def test_a_token_for_an_agency_not_in_the_directory_is_refused(
    ogi: Ogi, start_archive: StartService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16.3: `ogi token` mints none for an unknown agency, and no service takes one
    signed with the services' key anyway: UNAUTHENTICATED, saying why."""
    monkeypatch.setenv("OGI_TOKEN_KEY", TOKEN_KEY)
    monkeypatch.setenv("OGI_CIPHER_KEY", CIPHER_KEY)
    code, out, err = ogi("token", "--agency", "NOPE", "--role", "registrar", "--subject", "某人")
    assert (code, out) == (2, "")
    assert "NOPE is not in the agency directory" in err
    code, out, _ = ogi("token", "--agency", "HZMZJ", "--role", "handler", "--subject", "李四")
    assert code == 0
    ogi.handling.handling.ListWorklist(
        h.ListWorklistRequest(), metadata=(("authorization", f"Bearer {out.strip()}"),)
    )

    archive = start_archive()
    nope = (("authorization", f"Bearer {token('NOPE', *Role)}"),)
    paper = request(
        agency_code="NOPE",
        channel=pb.CHANNEL_IN_PERSON,
        receipt_date=pb.CalendarDate(year=2026, month=3, day=2),
    )
    calls: dict[str, Callable[[], Any]] = {
        "intake": lambda: ogi.intake.stub.SubmitApplication(paper, metadata=nope),
        "handling": lambda: ogi.handling.handling.ListWorklist(
            h.ListWorklistRequest(), metadata=nope
        ),
        "archive": lambda: archive.archive.ListConversionCandidates(
            archive_pb2.ListConversionCandidatesRequest(agency_code="NOPE"), metadata=nope
        ),
    }
    for service, call in calls.items():
        with pytest.raises(grpc.RpcError) as refused:
            call()
        assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED, service
        assert "NOPE is not in the agency directory" in (refused.value.details() or ""), service


def test_outcomes_are_given_and_shown_by_name(ogi: Ogi) -> None:
    """Issue 16.4: --outcome takes the law's words; --help lists each with its article and
    report row; `ogi cases show` and `ogi status` show names, never R-codes, 三4 or WITHDRAWN."""
    with pytest.raises(SystemExit):
        ogi("cases", "reply", "--help")
    help_text = ogi.capsys.readouterr().out
    partly = next(line for line in help_text.splitlines() if line.strip().startswith("部分公开"))
    for part in ("partially_disclosed", "R8", "第三十七条", "三（二）"):
        assert part in partly

    partial, partial_code = ogi.apply()
    refused, refused_code = ogi.apply()
    withdrawn, withdrawn_code = ogi.apply()
    for number in (partial, refused, withdrawn):
        ogi.registered(number)
    ogi.cases("accept", partial)
    ogi.cases(
        "review",
        partial,
        *("--conclusion", "部分公开", "--basis", "保密审查规定", "--withheld", "身份证号码"),
        role=Role.REVIEWER,
    )
    replied = ogi.cases(
        "reply",
        partial,
        *("--outcome", "部分公开", "--reasons", "部分涉及个人隐私"),
        *("--ground", "保护第三方合法权益"),  # the part withheld is refused on a ground
        *("--released-paper", "2025年城乡低保资金发放明细（隐去身份证号码）"),
    )
    assert "部分公开（第三十七条；年报三（二））" in replied
    case = ogi.handling.handling.GetCase(h.GetCaseRequest(case=partial), metadata=HANDLER).case
    assert case.outcome == pb.OUTCOME_R8

    ogi.cases(
        "reply",
        refused,
        "--outcome",
        "withheld",
        "--ground",
        "保护第三方合法权益",
        "--reasons",
        "涉及商业秘密",
    )
    shown = ogi.cases("show", refused)
    assert "不予公开：保护第三方合法权益（第十五条；年报三（三）4）" in shown

    assert ogi("withdraw", withdrawn, "--code", withdrawn_code)[0] == 0
    shown_withdrawn = wait_for(
        lambda: out if "结果 outcome" in (out := ogi.cases("show", withdrawn)) else None,
        what="the withdrawal on the case",
    )
    assert "申请人撤回" in shown_withdrawn

    def applicant_sees(number: str, code: str) -> str:
        found: str = wait_for(
            lambda: out if "Outcome" in (out := ogi.status(number, code)) else None,
            what=f"the outcome of {number} in ogi status",
        )
        return found

    assert "部分公开" in applicant_sees(partial, partial_code)
    refusal = applicant_sees(refused, refused_code)
    assert "不予公开理由：保护第三方合法权益（第十五条）" in refusal
    for out in (shown, shown_withdrawn, replied, refusal):
        assert not re.search(r"\bR\d+\b|三4|WITHDRAWN|OUTCOME_", out), out


def test_times_are_shown_in_china_time(ogi: Ogi) -> None:
    """Issue 16.5: the history in `ogi status` and `ogi cases show` is in China time, marked
    as such, with no UTC 'Z'."""
    before = datetime.now(CHINA).replace(microsecond=0)
    number, code = ogi.apply()
    ogi.registered(number)
    after = datetime.now(CHINA)
    for out in (ogi.status(number, code), ogi.cases("show", number)):
        times = [datetime.fromisoformat(t).replace(tzinfo=CHINA) for t in CHINA_TIME.findall(out)]
        assert times, out
        assert all(before <= t <= after for t in times), (times, before, after)
        assert not re.search(r"\d\d:\d\dZ", out), out


def test_a_replied_case_is_listed_to_be_served(ogi: Ogi) -> None:
    """Issue 16.6: a case replied to but not yet served stays on the worklist as 待送达 until
    the service is recorded; its reply due date still runs (timeliness is judged on the
    service date), so a reply not served by then is overdue."""
    paper = request(
        channel=pb.CHANNEL_IN_PERSON, receipt_date=pb.CalendarDate(year=2026, month=3, day=2)
    )
    receipt = ogi.intake.stub.SubmitApplication(
        paper, metadata=(("authorization", f"Bearer {token('HZMZJ', Role.REGISTRAR)}"),)
    )
    number = receipt.application_number
    ogi.registered(number)
    ogi.cases("reply", number, "--outcome", "信息不存在", "--replied-on", "2026-03-20")

    listed = wait_for(
        lambda: out if "1 to do (1 待送达" in (out := ogi.cases("list")) else None,
        what="the reply on the worklist",
    )
    [line] = [line for line in listed.splitlines() if number in line]
    assert "待送达" in line
    assert "送达 serve" in line
    [item] = ogi.handling.handling.ListWorklist(h.ListWorklistRequest(), metadata=HANDLER).items
    assert (item.state, item.reply_due, item.overdue) == (
        h.CASE_STATE_REPLIED,
        pb.CalendarDate(year=2026, month=3, day=30),
        True,
    )

    ogi.cases("serve", number, "--method", "post", "--served-on", "2026-03-23")
    wait_for(lambda: number not in ogi.cases("list"), what="the served case off the worklist")


def test_a_long_description_is_read_from_a_file_or_standard_input(
    ogi: Ogi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16.13: `--description-file PATH`, and `-` for standard input."""
    paragraph = "请公开2025年度本市城乡居民最低生活保障资金的发放明细，包括各街道的发放人数与金额。"
    text = "\n".join(f"{n}. {paragraph}" for n in range(1, 60))
    assert len(text) > 2000
    path = tmp_path / "description.txt"
    path.write_text(text + "\n", encoding="utf-8")
    from_file, code = ogi.apply("--description-file", str(path))

    monkeypatch.setattr("sys.stdin", io.StringIO("第二份：" + text))
    from_stdin, stdin_code = ogi.apply("--description-file", "-")

    for number, query_code, expected in (
        (from_file, code, text),
        (from_stdin, stdin_code, "第二份：" + text),
    ):
        status = ogi.intake.stub.GetApplicationStatus(
            intake_pb2.GetApplicationStatusRequest(application_number=number, query_code=query_code)
        )
        assert status.information.description == expected

    exit_code, _, err = ogi(
        "apply",
        "--agency",
        "HZMZJ",
        "--name",
        "张三",
        "--phone",
        PHONE,
        "--description-file",
        str(tmp_path / "missing.txt"),
    )
    assert exit_code == 2
    assert "missing.txt" in err
