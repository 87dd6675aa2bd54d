"""make bench, the documents (issue 17): issuing a 答复书 — the number taken, the PDF and the
DOCX rendered, both stored in the JetStream Object Store, the DocumentIssued event saved —
against a bare GetCase of the same cases, both from a client on the same machine.

python -m bench.documents [--cases 60]: intake and handling on SQLite as processes with a real
nats-server; each case answered R3 (a refusal: ground, reasons and the remedies clause), then
its 答复书 issued, one after another; p50 and p95 of IssueDocument and of GetCase, and their
ratio. Writes bench/results/documents.md (and a dated copy with the JSON)."""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import grpc

from bench.console import timed
from bench.measure import machine, percentile, save
from bench.services import Backend, running
from ogi.auth import Principal, Role, mint_token
from ogi.config import new_cipher_key
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.v1 import handling_pb2_grpc, intake_pb2_grpc
from tests.builders import request

RESULTS = Path(__file__).parent / "results"
TARGET_P95_MS = 300.0
HANDLER = Principal("李承办", "HZMZJ", frozenset({Role.HANDLER}))
REASONS = "该信息载有第三方的个人信息，公开会损害第三方合法权益，第三方不同意公开。"


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.documents")
    parser.add_argument("--cases", type=int, default=60)
    args = parser.parse_args()
    keys = {"OGI_CIPHER_KEY": new_cipher_key(), "OGI_TOKEN_KEY": new_cipher_key()}
    with TemporaryDirectory() as folder, running(Backend("sqlite"), Path(folder), keys) as places:
        token = mint_token(keys["OGI_TOKEN_KEY"], HANDLER, datetime.now(UTC), timedelta(hours=1))
        metadata = (("authorization", f"Bearer {token}"),)
        with grpc.insecure_channel(places["handling"]["listen"]) as channel:
            handling = handling_pb2_grpc.HandlingServiceStub(channel)
            numbers = answered(places["intake"]["listen"], handling, metadata, args.cases + 1)
            warm_up, *measured = numbers  # the first render reads the fonts: not counted

            def issue(number: str) -> Any:
                return handling.IssueDocument(
                    h.IssueDocumentRequest(case=number, kind=pb.DOCUMENT_KIND_REPLY),
                    metadata=metadata,
                    timeout=60,
                )

            issue(warm_up)
            issuing = [timed(lambda n=n: issue(n)) for n in measured]
            reading = [
                timed(
                    lambda n=n: handling.GetCase(
                        h.GetCaseRequest(case=n), metadata=metadata, timeout=30
                    )
                )
                for n in measured
            ]
    write(args, issuing, reading)


def answered(intake_address: str, handling: Any, metadata: Any, cases: int) -> list[str]:
    """`cases` online applications to HZMZJ, each answered R3 once on handling's worklist."""
    with grpc.insecure_channel(intake_address) as channel:
        intake = intake_pb2_grpc.IntakeServiceStub(channel)
        with ThreadPoolExecutor(8) as pool:
            numbers = list(
                pool.map(
                    lambda _: intake.SubmitApplication(request(), timeout=30).application_number,
                    range(cases),
                )
            )
    deadline = time.monotonic() + 120
    while len(handling.ListWorklist(h.ListWorklistRequest(), metadata=metadata).items) < cases:
        if time.monotonic() > deadline:
            raise SystemExit("the cases did not reach the worklist within 120 s")
        time.sleep(0.5)
    for number in numbers:
        handling.ReplyToApplication(
            h.ReplyToApplicationRequest(
                case=number,
                reply=h.Reply(
                    outcome=pb.OUTCOME_R3,
                    ground=pb.NON_DISCLOSURE_GROUND_THIRD_PARTY,
                    reasons=REASONS,
                ),
            ),
            metadata=metadata,
            timeout=30,
        )
    return numbers


def write(args: argparse.Namespace, issuing: list[float], reading: list[float]) -> None:
    figures = {
        "issue_p50_ms": percentile(issuing, 0.5),
        "issue_p95_ms": percentile(issuing, 0.95),
        "get_case_p50_ms": percentile(reading, 0.5),
        "get_case_p95_ms": percentile(reading, 0.95),
    }
    ratio = figures["issue_p95_ms"] / figures["get_case_p95_ms"]
    met = "met" if figures["issue_p95_ms"] < TARGET_P95_MS else "missed"
    m = machine()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": m,
        "settings": {k: str(v) for k, v in vars(args).items()},
        "figures": figures,
        "ratio_p95": ratio,
    }
    text = "\n".join(
        [
            f"# Documents benchmark {report['when']}",
            "",
            f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; Python {m['python']}.",
            f"{args.cases} cases of one agency on SQLite, each answered 不予公开 (R3); its "
            "答复书 issued once per case, one after another, from one client on the same "
            "machine (after one issue not counted: the first render reads the fonts).",
            "",
            "| measure | p50 | p95 |",
            "|---|---|---|",
            "| IssueDocument 答复书 (number, PDF + DOCX rendered, both stored, event saved) | "
            f"{figures['issue_p50_ms']:.1f} ms | **{figures['issue_p95_ms']:.1f} ms** |",
            f"| GetCase (the same cases) | {figures['get_case_p50_ms']:.1f} ms | "
            f"{figures['get_case_p95_ms']:.1f} ms |",
            "",
            f"Issuing p95 = **{ratio:.1f}×** a bare GetCase's p95; target p95 < "
            f"{TARGET_P95_MS:.0f} ms — {met}.",
        ]
    )
    save(report, text + "\n", RESULTS, "documents-")


if __name__ == "__main__":
    main()
