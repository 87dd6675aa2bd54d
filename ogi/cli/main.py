"""`ogi`: the command line of the platform. `ogi apply` and `ogi status` for applicants,
`ogi cases …` and `ogi candidates …` for handlers, `ogi report` and `ogi register import` for the
office, `ogi token` to mint a token for local use, `ogi deadletters` for the operator."""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc

from ogi.agencies import AgencyDirectory
from ogi.auth import Principal, Role, mint_token
from ogi.cli import (
    candidates,
    cases,
    deadletters,
    deliveries,
    documents,
    positions,
    register,
    report,
    users,
)
from ogi.cli.calls import bearer, field_violations
from ogi.cli.cases import enum_choices
from ogi.cli.shown import (
    application_state,
    china_time,
    day,
    option_for,
    parsed,
    term_of,
    wire_outcome,
)
from ogi.clock import system_clock
from ogi.config import load_settings
from ogi.taxonomy import CATEGORY_TERMS, CHANNEL_TERMS, ApplicantCategory, Channel
from ogi.v1 import common_pb2 as pb
from ogi.v1 import intake_pb2, intake_pb2_grpc
from ogi.wire import CATEGORIES, CATEGORY_CODES, CHANNEL_CODES, CHANNELS

NOTIFY = {
    "email": pb.NOTIFICATION_CHANNEL_EMAIL,
    "邮件": pb.NOTIFICATION_CHANNEL_EMAIL,
    "sms": pb.NOTIFICATION_CHANNEL_SMS,
    "短信": pb.NOTIFICATION_CHANNEL_SMS,
}
DEFAULT_INTAKE = os.environ.get("OGI_INTAKE_ADDR", "127.0.0.1:50051")
RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED}
DOCUMENTS = enum_choices("IDENTITY_DOCUMENT_TYPE_", pb.IdentityDocumentType)
FORMS = enum_choices("DELIVERY_FORM_", pb.DeliveryForm)
ROUTES = enum_choices("DELIVERY_ROUTE_", pb.DeliveryRoute)


class CommandError(Exception):
    """The command cannot go on as given; the message (Chinese, then English) says why."""


def label(zh: str, en: str) -> str:
    return f"{zh} {en}"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if local := getattr(args, "local", None):
            local(args)
            return 0
        if hasattr(args, "handling"):
            cases.run(args)
            return 0
        if archive_command := getattr(args, "archive_command", None):
            archive_command(args)
            return 0
        with grpc.insecure_channel(args.server) as channel:
            command: Callable[[Any, argparse.Namespace], None] = args.command
            command(intake_pb2_grpc.IntakeServiceStub(channel), args)
    except grpc.RpcError as error:
        _print_error(error, parser)
        return 1
    except (CommandError, documents.DocumentError) as error:
        print(f"错误 error: {error}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ogi", description="政府信息公开申请 / OGI applications")
    parser.add_argument("--server", default=DEFAULT_INTAKE, help="intake address host:port")
    sub = parser.add_subparsers(required=True)

    token_help = "registrar's bearer token, or OGI_TOKEN: needed for every channel but online"  # noqa: S105
    apply = sub.add_parser("apply", help="提交申请 submit an application")
    apply.set_defaults(command=_apply)
    apply.add_argument("--agency", required=True, help="agency code, see `ogi agencies`")
    apply.add_argument("--token", default=os.environ.get("OGI_TOKEN", ""), help=token_help)
    apply.add_argument(
        "--category",
        type=parsed(CATEGORY_TERMS, "申请人类别"),
        default=ApplicantCategory.NATURAL_PERSON,
        help=_names(CATEGORY_TERMS),
    )
    apply.add_argument("--name", required=True, help="姓名或名称")
    apply.add_argument("--id-type", choices=DOCUMENTS, default="resident_identity_card")
    apply.add_argument("--id-number", default="", help="证件号码 / 统一社会信用代码")
    apply.add_argument("--contact-person", default="", help="联系人 (organisations)")
    apply.add_argument("--phone", default="")
    apply.add_argument("--email", default="")
    apply.add_argument("--address", default="", help="通信地址")
    apply.add_argument("--postal-code", default="")
    _description_options(apply)
    apply.add_argument("--title", default="", help="文件标题")
    apply.add_argument("--document-number", default="", help="文号")
    apply.add_argument("--form", choices=FORMS, default="electronic")
    apply.add_argument("--route", choices=ROUTES, default="online_download")
    apply.add_argument(
        "--channel",
        type=parsed(CHANNEL_TERMS, "渠道"),
        default=Channel.ONLINE,
        help=_names(CHANNEL_TERMS),
    )
    apply.add_argument("--receipt-date", type=day, help="offline channels")
    apply.add_argument("--transcribed-by", default="", help="oral applications: staff name")
    apply.add_argument(
        "--notify",
        action="append",
        choices=sorted(NOTIFY),
        help="tell me of notices by e-mail (needs --email) and/or SMS (a mobile --phone)",
    )
    apply.add_argument("--request-id", default=None, help="reuse to retry safely")

    status = sub.add_parser("status", help="查询进度 check an application")
    status.set_defaults(command=_status)
    status.add_argument("number")
    status.add_argument("--code", required=True, help="查询码 query code")
    documents.add_download_option(status)

    correct = sub.add_parser("correct", help="补正 supply a correction")
    correct.set_defaults(command=_correct)
    correct.add_argument("number")
    correct.add_argument("--code", required=True)
    _description_options(correct)
    correct.add_argument("--title", default="")
    correct.add_argument("--document-number", default="")
    correct.add_argument("--note", default="")

    withdraw = sub.add_parser("withdraw", help="撤回 withdraw an application")
    withdraw.set_defaults(command=_withdraw)
    withdraw.add_argument("number")
    withdraw.add_argument("--code", required=True)
    withdraw.add_argument("--reason", default="")

    agencies = sub.add_parser("agencies", help="机关目录 list agencies")
    agencies.set_defaults(command=_agencies)

    token = sub.add_parser("token", help="签发令牌 mint a bearer token for local use")
    token.set_defaults(local=_token)
    token.add_argument("--agency", required=True)
    token.add_argument("--role", action="append", choices=[r.value for r in Role], required=True)
    token.add_argument("--subject", required=True, help="who: the staff member's name or id")
    token.add_argument("--hours", type=float, default=8.0, help="validity")
    cases.add_parser(sub)
    report.add_parser(sub, os.environ.get("OGI_TOKEN", ""))
    register.add_parser(sub, os.environ.get("OGI_TOKEN", ""))
    candidates.add_parser(sub)
    deadletters.add_parser(sub)
    users.add_parser(sub)
    deliveries.add_parser(sub)
    return parser


def _names(terms: Any) -> str:
    return "; ".join(f"{t.en} {t.zh}" for t in terms.values()) + " (either name)"


def _description_options(parser: argparse.ArgumentParser) -> None:
    """The description on the command line, or from a file or standard input (-) when it is
    long or has several lines."""
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--description", help="所需信息的描述")
    given.add_argument(
        "--description-file", metavar="PATH", help="所需信息的描述, read from PATH (- for stdin)"
    )


def _description(args: argparse.Namespace) -> str:
    if args.description is not None:
        return str(args.description)
    path = args.description_file
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CommandError(f"无法读取描述文件（cannot read {path}: {e}）") from e
    return text.strip()


def _token(args: argparse.Namespace) -> None:
    """Signed with the key the services use (OGI_TOKEN_KEY, …_FILE, or data/token.key), for an
    agency of the directory the services use (OGI_AGENCIES_FILE)."""
    settings = load_settings("cli")
    if AgencyDirectory.from_file(settings.agencies_file).get(args.agency) is None:
        raise CommandError(
            f"机关目录中没有 {args.agency}（{args.agency} is not in the agency directory: "
            "see `ogi agencies`）"
        )
    principal = Principal(args.subject, args.agency, frozenset(Role(r) for r in args.role))
    print(mint_token(settings.token_key, principal, system_clock(), timedelta(hours=args.hours)))


def _apply(stub: intake_pb2_grpc.IntakeServiceStub, args: argparse.Namespace) -> None:
    """Online, anyone may apply; a registrar enters every other channel with a token."""
    if args.channel is not Channel.ONLINE and not args.token:
        raise CommandError(
            "线下渠道的申请由登记人员录入，须提供登记人员令牌（an application by "
            f"{args.channel.value} is entered by a registrar: give a registrar's token with "
            "--token or OGI_TOKEN, e.g. from `ogi token --role registrar`）"
        )
    request = intake_pb2.SubmitApplicationRequest(
        request_id=args.request_id or str(uuid.uuid4()),
        agency_code=args.agency,
        channel=CHANNEL_CODES[args.channel],
        applicant=pb.Applicant(
            category=CATEGORY_CODES[args.category],
            name=args.name,
            contact=pb.Contact(
                phone=args.phone,
                email=args.email,
                postal_address=args.address,
                postal_code=args.postal_code,
            ),
            contact_person=args.contact_person,
        ),
        information=pb.InformationDescription(
            description=_description(args),
            document_title=args.title,
            document_number=args.document_number,
        ),
        delivery=pb.Delivery(form=FORMS[args.form], route=ROUTES[args.route]),
        transcribed_by=args.transcribed_by,
        notify_by=[NOTIFY[n] for n in args.notify or ()],
    )
    if args.id_number:
        request.applicant.identity_document.CopyFrom(
            pb.IdentityDocument(type=DOCUMENTS[args.id_type], number=args.id_number)
        )
    if args.receipt_date:
        d = args.receipt_date
        request.receipt_date.CopyFrom(pb.CalendarDate(year=d.year, month=d.month, day=d.day))
    metadata = bearer(args.token)
    reply = _with_retries(lambda: stub.SubmitApplication(request, metadata=metadata, timeout=10))
    positions.remember(reply.position, args.server)
    print(f"{label('申请编号', 'Application number')}: {reply.application_number}")
    print(f"{label('查询码', 'Query code')}: {reply.query_code}")
    print(f"{label('收到申请日期', 'Receipt date')}: {_date(reply.receipt_date)}")
    print("请妥善保存查询码。Keep the query code: it is needed to check the application.")


def _with_retries(call: Callable[[], Any], attempts: int = 4) -> Any:
    """The same request (same request_id) is safe to send again: the server answers it once."""
    for attempt in range(attempts):
        try:
            return call()
        except grpc.RpcError as error:
            if error.code() not in RETRYABLE or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _status(stub: intake_pb2_grpc.IntakeServiceStub, args: argparse.Namespace) -> None:
    reply = stub.GetApplicationStatus(
        intake_pb2.GetApplicationStatusRequest(
            application_number=args.number,
            query_code=args.code,
            min_position=positions.recent(args.server),
        ),
        timeout=10,
    )
    state = intake_pb2.ApplicationState.Name(reply.state).removeprefix("APPLICATION_STATE_")
    print(f"{label('申请编号', 'Application number')}: {reply.application_number}")
    print(f"{label('状态', 'State')}: {application_state(state.lower())}")
    print(f"{label('受理机关', 'Agency')}: {reply.agency.name} ({reply.agency.code})")
    if channel := CHANNELS.get(reply.channel):
        print(f"{label('提交方式', 'Channel')}: {term_of(CHANNEL_TERMS, channel)}")
    if category := CATEGORIES.get(reply.applicant_category):
        print(f"{label('申请人类别', 'Applicant')}: {term_of(CATEGORY_TERMS, category)}")
    print(f"{label('收到申请日期', 'Receipt date')}: {_date(reply.receipt_date)}")
    print(f"{label('所需信息', 'Information sought')}: {reply.information.description}")
    print(f"{label('办理记录', 'History')}:")
    for entry in reply.history:
        print(f"  {china_time(entry.at)}  {entry.summary_zh} / {entry.summary_en}")
        for line in _notice_lines(entry):
            print(f"      {line}")
    documents.download(stub, args, reply)


def _notice_lines(entry: intake_pb2.StatusEntry) -> list[str]:
    lines = [f"- {item}" for item in entry.items]
    if entry.due.year:
        lines.append(f"{label('期限', 'Due')}: {_date(entry.due)}")
    if entry.amount:
        lines.append(f"{label('金额', 'Amount')}: {entry.amount} 元")
    if entry.outcome:
        lines.append(f"{label('结果', 'Outcome')}: {wire_outcome(entry.outcome, with_row=False)}")
    if entry.details:
        lines.append(entry.details)
    return lines


def _correct(stub: intake_pb2_grpc.IntakeServiceStub, args: argparse.Namespace) -> None:
    reply = stub.SupplyCorrection(
        intake_pb2.SupplyCorrectionRequest(
            application_number=args.number,
            query_code=args.code,
            note=args.note,
            information=pb.InformationDescription(
                description=_description(args),
                document_title=args.title,
                document_number=args.document_number,
            ),
        ),
        timeout=10,
    )
    positions.remember(reply.position, args.server)
    print(f"{label('补正收到日期', 'Correction received')}: {_date(reply.receipt_date)}")


def _withdraw(stub: intake_pb2_grpc.IntakeServiceStub, args: argparse.Namespace) -> None:
    reply = stub.WithdrawApplication(
        intake_pb2.WithdrawApplicationRequest(
            application_number=args.number, query_code=args.code, reason=args.reason
        ),
        timeout=10,
    )
    positions.remember(reply.position, args.server)
    print(f"{label('撤回日期', 'Withdrawn on')}: {_date(reply.withdrawal_date)}")


def _agencies(stub: intake_pb2_grpc.IntakeServiceStub, _args: argparse.Namespace) -> None:
    for agency in stub.ListAgencies(intake_pb2.ListAgenciesRequest(), timeout=10).agencies:
        print(f"{agency.code:<12} {agency.name}  {agency.parent_code}")


def _date(value: pb.CalendarDate) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _print_error(error: grpc.RpcError, parser: argparse.ArgumentParser) -> None:
    """The service's refusal, each refused field named by the option that filled it."""
    print(f"错误 error: {error.code().name}: {error.details()}", file=sys.stderr)
    for field, description in field_violations(error):
        option = option_for(field, parser)
        named = f"{option}（{field}）" if option != field else field
        print(f"  {named}: {description}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
