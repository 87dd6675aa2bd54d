"""`ogi candidates …`: information several applicants asked for (Art 44) — list the candidates
(released: replies released the same item, exact; likely: requests read alike, a hint) with
their applications and why they are one, convert one to proactive disclosure (with the
publication's link), decline it (with a reason), take out an application that asks for other
information, add one that asks for the same, or merge two candidates that are one.
Authenticates with a bearer token (`--token` or OGI_TOKEN)."""

from __future__ import annotations

import argparse
import os
from typing import Any

import grpc

from ogi.cli import positions
from ogi.cli.calls import bearer
from ogi.cli.cases import text
from ogi.cli.report import DEFAULT_ARCHIVE
from ogi.v1 import archive_pb2 as a
from ogi.v1 import archive_pb2_grpc

ORIGINS = {
    a.CANDIDATE_ORIGIN_RELEASED: "已公开同一信息 released",
    a.CANDIDATE_ORIGIN_DETECTED: "文字相近 likely",
    a.CANDIDATE_ORIGIN_SUGGESTED: "申请人建议 suggested",
}
DECISIONS = {
    a.CANDIDATE_DECISION_PENDING: "待决定 pending",
    a.CANDIDATE_DECISION_CONVERTED: "已转为主动公开 converted",
    a.CANDIDATE_DECISION_DECLINED: "不予转为主动公开 declined",
}


def add_parser(sub: Any) -> None:
    candidates = sub.add_parser("candidates", help="转主动公开 Art 44 candidates (needs a token)")
    candidates.add_argument("--archive", default=DEFAULT_ARCHIVE, help="archive host:port")
    candidates.add_argument("--token", default=os.environ.get("OGI_TOKEN", ""), help="or OGI_TOKEN")
    candidates.add_argument("--agency", required=True, help="agency code")
    actions = candidates.add_subparsers(required=True)
    actions.add_parser("list", help="the candidates, with evidence").set_defaults(
        archive_command=_list
    )
    convert = actions.add_parser("convert", help="转为主动公开, with where it was published")
    convert.set_defaults(archive_command=_convert)
    convert.add_argument("candidate")
    convert.add_argument("--link", required=True, help="the publication's http(s) address")
    decline = actions.add_parser("decline", help="不予转为主动公开, with why")
    decline.set_defaults(archive_command=_decline)
    decline.add_argument("candidate")
    decline.add_argument("--reason", required=True)
    exclude = actions.add_parser("exclude", help="不是同一信息: take an application out")
    exclude.set_defaults(archive_command=_exclude)
    exclude.add_argument("candidate")
    exclude.add_argument("--application", required=True, help="its application number")
    exclude.add_argument("--reason", required=True)
    add = actions.add_parser("add", help="同一信息: add an application nothing put there")
    add.set_defaults(archive_command=_add)
    add.add_argument("candidate")
    add.add_argument("--application", required=True, help="its application number")
    add.add_argument("--reason", required=True)
    merge = actions.add_parser("merge", help="同一信息: merge OTHER into CANDIDATE")
    merge.set_defaults(archive_command=_merge)
    merge.add_argument("candidate", help="the candidate that stays")
    merge.add_argument("other", help="the candidate that becomes part of it (undecided)")
    merge.add_argument("--reason", required=True)


def _call(args: argparse.Namespace, rpc: str, request: Any) -> Any:
    with grpc.insecure_channel(args.archive) as channel:
        stub = archive_pb2_grpc.ArchiveServiceStub(channel)
        return getattr(stub, rpc)(request, metadata=bearer(args.token), timeout=30)


def _list(args: argparse.Namespace) -> None:
    reply = _call(
        args,
        "ListConversionCandidates",
        a.ListConversionCandidatesRequest(
            agency_code=args.agency, min_position=positions.recent(args.archive)
        ),
    )
    print(f"转主动公开候选 candidates — {len(reply.candidates)}")
    for c in reply.candidates:
        print(
            f"\n{c.candidate_id}  {ORIGINS.get(c.origin, '')}  {DECISIONS[c.decision]}  "
            f"{c.distinct_applicants} applicants"
        )
        print(f"  {c.subject[:60]}")
        if c.link or c.reason:
            print(f"  {c.link or c.reason} ({c.decided_by}, {text(c.decided_on)})")
        for r in c.requests:
            state = "  未答复 open" if r.open else ""
            print(f"  {r.application_number}  {text(r.receipt_date)}  {r.description[:40]}{state}")
        for item in c.released:
            number = f" {item.document_number}" if item.document_number else ""
            print(
                f"    {item.application_number} 答复 {text(item.replied_on)} 提供 "
                f"{item.title[:30]}{number}" + (f"（{item.same_by}）" if item.same_by else "")
            )
        for e in c.evidence:
            print(f"    {e.application_number} ~ {e.matches_application_number}: {e.evidence}")
        for r in c.likely:
            print(f"  likely 相近未答复 {r.application_number}  {r.description[:40]}")
        for x in c.excluded:
            print(f"  taken out {x.application_number}: {x.reason} ({x.excluded_by})")
        for added in c.added:
            print(f"  added {added.application_number}: {added.reason} ({added.added_by})")
        for m in c.merged:
            print(f"  merged {m.candidate_id}: {m.reason} ({m.merged_by})")


def _convert(args: argparse.Namespace) -> None:
    request = a.DecideConversionCandidateRequest(
        agency_code=args.agency, candidate_id=args.candidate, publication_link=args.link
    )
    print(DECISIONS[_call(args, "DecideConversionCandidate", request).decision])


def _decline(args: argparse.Namespace) -> None:
    request = a.DecideConversionCandidateRequest(
        agency_code=args.agency, candidate_id=args.candidate, decline_reason=args.reason
    )
    print(DECISIONS[_call(args, "DecideConversionCandidate", request).decision])


def _exclude(args: argparse.Namespace) -> None:
    request = a.ExcludeFromConversionCandidateRequest(
        agency_code=args.agency,
        candidate_id=args.candidate,
        application_number=args.application,
        reason=args.reason,
    )
    reply = _call(args, "ExcludeFromConversionCandidate", request)
    print(f"taken out {reply.application_number}")


def _add(args: argparse.Namespace) -> None:
    request = a.AddToConversionCandidateRequest(
        agency_code=args.agency,
        candidate_id=args.candidate,
        application_number=args.application,
        reason=args.reason,
    )
    reply = _call(args, "AddToConversionCandidate", request)
    print(f"added {reply.application_number}")


def _merge(args: argparse.Namespace) -> None:
    request = a.MergeConversionCandidatesRequest(
        agency_code=args.agency,
        candidate_id=args.candidate,
        other_candidate_id=args.other,
        reason=args.reason,
    )
    reply = _call(args, "MergeConversionCandidates", request)
    print(f"merged {args.other} into {reply.candidate_id}")
