"""`ogi cases …`: the handler's client — the worklist, a case with its history and due dates,
and every step of handling. Authenticates with a bearer token (`--token` or OGI_TOKEN; mint one
with `ogi token`)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import date
from typing import Any

import grpc

from ogi.cli import documents, positions
from ogi.cli.calls import bearer
from ogi.cli.release import CONCLUSIONS, add_released_options, conclusion, released_items
from ogi.cli.shown import case_state, china_time, day, outcome_table, pad, parsed, wire_outcome
from ogi.taxonomy import GROUND_TERMS, OUTCOME_TERMS
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.v1 import handling_pb2_grpc
from ogi.wire import GROUND_CODES, OUTCOME_CODES

DEFAULT_HANDLING = os.environ.get("OGI_HANDLING_ADDR", "127.0.0.1:50052")


def enum_choices(prefix: str, enum: Any) -> dict[str, Any]:
    """A protobuf enum as command-line choices: CASE_STATE_IN_PROGRESS -> in_progress."""
    return {
        name.removeprefix(prefix).lower(): number
        for name, number in enum.items()
        if not name.endswith("_UNSPECIFIED")
    }


STATES = enum_choices("CASE_STATE_", h.CaseState)
METHODS = enum_choices("SERVICE_METHOD_", pb.ServiceMethod)
STATE_NAMES = {number: name for name, number in STATES.items()}
REPLY_OUTCOMES = {o: term for o, term in OUTCOME_TERMS.items() if o.is_reply}
DEADLINE_ZH = {
    h.DEADLINE_KIND_REPLY: "答复期限 reply",
    h.DEADLINE_KIND_CORRECTION_NOTICE: "补正告知期限 correction notice",
    h.DEADLINE_KIND_CORRECTION: "补正期限 correction",
    h.DEADLINE_KIND_CONSULTATION: "征求意见期限 consultation",
    h.DEADLINE_KIND_FEE_PAYMENT: "缴费期限 fee payment",
}

Build = Callable[[argparse.Namespace], Any]


def wire_date(value: date | None) -> pb.CalendarDate | None:
    return pb.CalendarDate(year=value.year, month=value.month, day=value.day) if value else None


def text(value: pb.CalendarDate) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if value.year else "—"


def add_parser(sub: Any) -> None:
    cases = sub.add_parser("cases", help="办理 handle cases (needs a token)")
    cases.add_argument("--handling", default=DEFAULT_HANDLING, help="handling host:port")
    cases.add_argument("--token", default=os.environ.get("OGI_TOKEN", ""), help="or OGI_TOKEN")
    steps = cases.add_subparsers(required=True)

    listing = steps.add_parser("list", help="待办 the worklist")
    listing.set_defaults(command=_list)
    listing.add_argument("--assignee", default="", help="a handler, or - for unassigned")
    listing.add_argument("--state", action="append", choices=STATES, default=[])
    listing.add_argument("--due-before", type=day)
    listing.add_argument("--as-of", type=day, help="count days left from")

    show = steps.add_parser("show", help="a case, its due dates and history")
    show.set_defaults(command=_show)
    show.add_argument("case", help="application number or case id")

    similar = steps.add_parser(
        "similar", help="类似申请曾答复: earlier requests like this one, and what was released"
    )
    similar.set_defaults(command=_similar)
    similar.add_argument("case", help="application number or case id")
    similar.add_argument("--limit", type=int, default=5, help="how many (1 to 20)")

    for name, help_, rpc, build, options in _STEPS:
        step = steps.add_parser(name, help=help_)
        step.set_defaults(command=_stepper(rpc, build))
        step.add_argument("case", help="application number or case id")
        step.add_argument("--expected-version", type=int, default=0, help="refuse if changed")
        options(step)
        documents.add_fact_options(name, step)
    documents.add_parsers(steps)


def run(args: argparse.Namespace) -> None:
    with grpc.insecure_channel(args.handling) as channel:
        args.command(handling_pb2_grpc.HandlingServiceStub(channel), args)


def _metadata(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    return bearer(args.token)


def _list(stub: Any, args: argparse.Namespace) -> None:
    reply = stub.ListWorklist(
        h.ListWorklistRequest(
            assignee=args.assignee,
            states=[STATES[s] for s in args.state],
            due_before=wire_date(args.due_before),
            as_of=wire_date(args.as_of),
            min_position=positions.recent(args.handling),
        ),
        metadata=_metadata(args),
        timeout=10,
    )
    to_serve = sum(i.state == h.CASE_STATE_REPLIED for i in reply.items)
    print(
        f"待办 worklist — {len(reply.items)} to do ({to_serve} 待送达 replied, to serve), "
        f"as of {text(reply.today)}"
    )
    print(
        f"{pad('申请编号 number', 22)}{pad('状态 state', 22)}{pad('承办人', 10)}"
        f"{pad('答复期限 due', 14)}{'剩余':>3}  flags  description"
    )
    for i in reply.items:
        state = STATE_NAMES[i.state]
        flags = "OVERDUE" if i.overdue else ("at risk" if i.at_risk else "")
        flags += " (provisional)" if i.reply_due_provisional else ""
        waiting = f" waiting until {text(i.waiting_until)}" if i.waiting_until.year else ""
        if i.state == h.CASE_STATE_REPLIED:
            waiting = " → 送达 serve the reply (ogi cases serve)"
        print(
            f"{i.application_number:<22}{pad(case_state(state), 22)}"
            f"{pad(i.assignee or '-', 10)}{text(i.reply_due):<14}"
            f"{i.working_days_left if i.reply_due.year else '':>5}  {flags:<6} "
            f"{i.description[:40]}{waiting}"
        )


def _show(stub: Any, args: argparse.Namespace) -> None:
    case = stub.GetCase(
        h.GetCaseRequest(case=args.case, min_position=positions.recent(args.handling)),
        metadata=_metadata(args),
        timeout=10,
    )
    _print_case(case.case)


def _similar(stub: Any, args: argparse.Namespace) -> None:
    reply = stub.SimilarAnsweredRequests(
        h.SimilarAnsweredRequestsRequest(case=args.case, limit=args.limit),
        metadata=_metadata(args),
        timeout=10,
    )
    print(f"类似申请曾答复 earlier requests like {args.case} — {len(reply.similar)}")
    for found in reply.similar:
        print(
            f"\n{found.application_number}  相似度 {found.similarity:.2f}  "
            f"{wire_outcome(found.outcome, with_row=False)}  答复 {text(found.replied_on)}"
        )
        print(f"  {found.description[:60]}")
        for item in found.released:
            number = f" {item.document_number}" if item.document_number else ""
            where = f" {item.link}" if item.link else ""
            digest = f" SHA-256 {item.sha256[:12]}…" if item.sha256 else ""
            print(f"  提供 released: {item.title}{number}{where}{digest}")


def _stepper(rpc: str, build: Build) -> Callable[[Any, argparse.Namespace], None]:
    def step(stub: Any, args: argparse.Namespace) -> None:
        request = build(args)
        documents.fill_facts(args, request)
        request.case = args.case
        request.expected_version = args.expected_version
        reply = getattr(stub, rpc)(request, metadata=_metadata(args), timeout=10)
        positions.remember(reply.case.position, args.handling)
        _print_case(reply.case)

    return step


def _print_case(case: h.Case) -> None:
    state = STATE_NAMES[case.state]
    print(f"{case.application_number}  {case_state(state)}  (version {case.version})")
    print(f"  机关 agency: {case.agency_code}   承办人 assignee: {case.assignee or '-'}")
    print(f"  收到 received: {text(case.receipt_date)}   信息 information: {case.description}")
    if case.fee_amount:
        print(f"  信息处理费 fee: {case.fee_amount} 元")
    if case.outcome:
        outcome = wire_outcome(case.outcome, case.reply.ground)
        print(f"  结果 outcome: {outcome}   办结 concluded: {text(case.concluded_on)}")
    for d in case.deadlines:
        flag = " PROVISIONAL" if d.provisional else ""
        print(f"  {DEADLINE_ZH[d.kind]}: {text(d.due)} ({d.working_days_left} WD left){flag}")
        for line in d.explanation:
            print(f"      {line}")
    print("  办理记录 history:")
    for e in case.history:
        at = china_time(e.at)
        print(f"    v{e.version:<3} {at}  {e.kind:<20} {e.actor or '(applicant)':<8} {e.summary}")


def _day(parser: Any, *names: str) -> None:
    for name in names:
        parser.add_argument(name, type=day, help="default: today")


def _nothing(_parser: Any) -> None:
    """A step with no options of its own."""


def _correction_options(p: Any) -> None:
    p.add_argument("--item", action="append", required=True, help="what to correct (repeat)")
    p.add_argument("--period", type=int, default=0, help="working days (default: policy)")
    _day(p, "--notice-date")


def _assess_options(p: Any) -> None:
    p.add_argument("--reasonable", action="store_true")
    p.add_argument("--later-due", type=day, help="Art 35 later reply date")


def _consult_options(p: Any) -> None:
    p.add_argument("--party", required=True, help="third party or agency consulted")
    _day(p, "--sent-on")


def _consulted_options(p: Any) -> None:
    p.add_argument("--opinion", default="")
    _day(p, "--received-on")


def _extend_options(p: Any) -> None:
    p.add_argument("--days", type=int, required=True, help="at most 20 working days")
    _day(p, "--on")


def _waiver_options(p: Any) -> None:
    p.add_argument("--reason", required=True, help="why nothing is charged")
    _day(p, "--waived-on")


def _fee_options(p: Any) -> None:
    method = p.add_mutually_exclusive_group(required=True)
    method.add_argument("--pages", type=int, help="按量: the pages to provide")
    method.add_argument("--nth-in-month", type=int, help="按件: the applicant's nth this month")
    _day(p, "--notified-on")


def _reply_options(p: Any) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter  # keep the tables' lines
    p.epilog = "\n\n".join(
        (
            outcome_table(list(REPLY_OUTCOMES)),
            _ground_table(),
            "已主动公开、予以公开、部分公开 list what they release (--released-…), after a "
            "保密审查 that lets them (`ogi cases review`, Art 17).",
        )
    )
    p.add_argument(
        "--outcome",
        type=parsed(REPLY_OUTCOMES, "答复结果"),
        required=True,
        help="the outcome by name (部分公开, partially_disclosed) or code (R8): see below",
    )
    p.add_argument(
        "--ground",
        type=parsed(GROUND_TERMS, "不予公开理由"),
        help="不予公开 (R3), and 部分公开 (R8) for the part withheld: the ground by name "
        "(保护第三方合法权益, third_party): see below",
    )
    p.add_argument("--reasons", default="")
    p.add_argument("--responsible-agency", default="", help="R5")
    add_released_options(p)
    _day(p, "--replied-on")


def _review_options(p: Any) -> None:
    p.add_argument("--conclusion", type=conclusion, required=True, help=CONCLUSIONS)
    p.add_argument("--basis", required=True, help="依据: the law, the guide, an opinion")
    p.add_argument("--withheld", default="", help="部分公开: what may not be released")
    _day(p, "--reviewed-on")


def _ground_table() -> str:
    lines = ["不予公开的理由 grounds (--ground: 不予公开, and 部分公开 for what it withholds):"]
    lines += [f"  {pad(t.zh, 30)}{pad(t.en, 22)}{t.basis or '—'}" for t in GROUND_TERMS.values()]
    return "\n".join(lines)


def _serve_options(p: Any) -> None:
    p.add_argument("--method", choices=METHODS, required=True)
    _day(p, "--served-on")


def _fee_request(a: argparse.Namespace) -> h.IssueFeeNoticeRequest:
    if a.pages is not None:
        method, extra = pb.FEE_METHOD_PER_PAGE, {"pages": a.pages}
    else:
        method, extra = pb.FEE_METHOD_PER_APPLICATION, {"ordinal_in_month": a.nth_in_month}
    return h.IssueFeeNoticeRequest(method=method, notified_on=wire_date(a.notified_on), **extra)


_STEPS: list[tuple[str, str, str, Build, Callable[[Any], None]]] = [
    ("accept", "受理 accept", "AcceptCase", lambda _a: h.AcceptCaseRequest(), _nothing),
    (
        "assign",
        "分办 assign",
        "AssignCase",
        lambda a: h.AssignCaseRequest(assignee=a.to),
        lambda p: p.add_argument("--to", required=True, help="the handler"),
    ),
    (
        "request-correction",
        "补正告知 ask for a correction",
        "RequestCorrection",
        lambda a: h.RequestCorrectionRequest(
            items=a.item, period_working_days=a.period, notice_date=wire_date(a.notice_date)
        ),
        _correction_options,
    ),
    (
        "lapse-correction",
        "逾期不补正 correction period ran out",
        "LapseCorrection",
        lambda a: h.LapseCorrectionRequest(on=wire_date(a.on)),
        lambda p: _day(p, "--on"),
    ),
    (
        "request-reasons",
        "要求说明理由 ask for reasons (Art 35)",
        "RequestReasons",
        lambda a: h.RequestReasonsRequest(notice_date=wire_date(a.notice_date)),
        lambda p: _day(p, "--notice-date"),
    ),
    (
        "assess-reasons",
        "审核理由 assess the reasons (Art 35)",
        "AssessReasons",
        lambda a: h.AssessReasonsRequest(reasonable=a.reasonable, later_due=wire_date(a.later_due)),
        _assess_options,
    ),
    (
        "consult",
        "征求意见 consult a third party or agency",
        "StartConsultation",
        lambda a: h.StartConsultationRequest(party=a.party, sent_on=wire_date(a.sent_on)),
        _consult_options,
    ),
    (
        "consulted",
        "意见已收到 the opinion arrived",
        "EndConsultation",
        lambda a: h.EndConsultationRequest(opinion=a.opinion, received_on=wire_date(a.received_on)),
        _consulted_options,
    ),
    (
        "extend",
        "延期 extend (office head)",
        "ExtendReplyPeriod",
        lambda a: h.ExtendReplyPeriodRequest(days=a.days, on=wire_date(a.on)),
        _extend_options,
    ),
    ("fee", "收费通知 issue a fee notice", "IssueFeeNotice", _fee_request, _fee_options),
    (
        "paid",
        "已缴费 record the payment",
        "RecordFeePayment",
        lambda a: h.RecordFeePaymentRequest(paid_on=wire_date(a.paid_on)),
        lambda p: _day(p, "--paid-on"),
    ),
    (
        "waive-fee",
        "减免 waive the fee of the notice, with the reason",
        "WaiveFee",
        lambda a: h.WaiveFeeRequest(waived_on=wire_date(a.waived_on), reason=a.reason),
        _waiver_options,
    ),
    (
        "lapse-fee",
        "逾期未缴费 payment period ran out",
        "LapseFee",
        lambda a: h.LapseFeeRequest(on=wire_date(a.on)),
        lambda p: _day(p, "--on"),
    ),
    (
        "review",
        "保密审查 review before information is released (Art 17; reviewer or office head)",
        "ReviewConfidentiality",
        lambda a: h.ReviewConfidentialityRequest(
            conclusion=a.conclusion,
            basis=a.basis,
            withheld=a.withheld,
            reviewed_on=wire_date(a.reviewed_on),
        ),
        _review_options,
    ),
    (
        "reply",
        "答复 reply",
        "ReplyToApplication",
        lambda a: h.ReplyToApplicationRequest(
            reply=h.Reply(
                outcome=OUTCOME_CODES[a.outcome],
                ground=GROUND_CODES[a.ground] if a.ground else pb.NON_DISCLOSURE_GROUND_UNSPECIFIED,
                reasons=a.reasons,
                responsible_agency=a.responsible_agency,
                replied_on=wire_date(a.replied_on),
                released=released_items(a),
            )
        ),
        _reply_options,
    ),
    (
        "serve",
        "送达 record service",
        "RecordService",
        lambda a: h.RecordServiceRequest(
            method=METHODS[a.method], served_on=wire_date(a.served_on)
        ),
        _serve_options,
    ),
]
