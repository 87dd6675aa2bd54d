"""`ogi candidates …`: information several applicants asked for (Art 44) — list the candidates
with their applications and why they match, convert one to proactive disclosure (with the
publication's link), decline it (with a reason), or take out an application that asks for other
information. Authenticates with a bearer token (`--token` or OGI_TOKEN)."""

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
        print(f"\n{c.candidate_id}  {DECISIONS[c.decision]}  {c.distinct_applicants} applicants")
        print(f"  {c.subject[:60]}")
        if c.link or c.reason:
            print(f"  {c.link or c.reason} ({c.decided_by}, {text(c.decided_on)})")
        for r in c.requests:
            print(f"  {r.application_number}  {text(r.receipt_date)}  {r.description[:40]}")
        for e in c.evidence:
            print(f"    {e.application_number} ~ {e.matches_application_number}: {e.evidence}")
        for x in c.excluded:
            print(f"  taken out {x.application_number}: {x.reason} ({x.excluded_by})")


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
