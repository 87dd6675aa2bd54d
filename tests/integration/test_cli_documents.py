"""`ogi cases documents|issue|preview|document` and `ogi status … --download DIR` against real
intake and handling processes (a real nats-server, SQLite and PostgreSQL): a handler records a
reply with what its 答复书 must say, issues it and saves both files; the applicant saves the PDF
with the number and the query code."""

from __future__ import annotations

from pathlib import Path

from ogi.auth import Role
from tests.integration.conftest import wait_for
from tests.integration.test_cli import Ogi, ogi, token  # noqa: F401 - the fixture
from tests.integration.test_document_rendering import docx_text, holds, pdf_text

ROUTE = "持身份证明到菏泽市不动产登记中心查询"


def test_a_handler_issues_a_reply_and_the_applicant_downloads_it(
    ogi: Ogi,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    number, code = ogi.apply()
    ogi.registered(number)
    exit_code, _, err = ogi(
        "cases", "--handling", ogi.handling.listen, "--token", token("HZMZJ", Role.HANDLER),
        "reply", number, "--outcome", "R7",
    )  # fmt: skip
    assert exit_code == 1
    assert "--route" in err  # the 答复书 must name the special route: refused by the option
    ogi.cases("reply", number, "--outcome", "R7", "--route", ROUTE)
    listed = ogi.cases("documents", number)
    assert "可出具" in listed
    assert "政府信息公开申请答复书（reply）" in listed

    draft = tmp_path / "draft.pdf"
    ogi.cases("preview", number, "答复书", "--output", str(draft))
    assert holds(pdf_text(draft.read_bytes()), "草稿")

    issued = ogi.cases("issue", number, "reply")
    reply_number = next(w for w in issued.split() if w.endswith("号"))
    assert reply_number in ogi.cases("documents", number)
    docx = tmp_path / "reply.docx"
    ogi.cases("document", number, "reply", "--format", "docx", "--output", str(docx))
    assert holds(docx_text(docx.read_bytes()), ROUTE)

    exit_code, _, err = ogi(
        "cases", "--handling", ogi.handling.listen, "--token", token("HZMZJ", Role.HANDLER),
        "document", number, "收费通知书", "--output", str(tmp_path / "fee.pdf"),
    )  # fmt: skip
    assert exit_code == 2
    assert "尚未出具收费通知书" in err

    folder = tmp_path / "mine"
    wait_for(lambda: reply_number in ogi.status(number, code), what="the reply in the status")
    exit_code, out, err = ogi("status", number, "--code", code, "--download", str(folder))
    assert exit_code == 0, err
    saved = folder / f"{reply_number}.pdf"
    assert holds(pdf_text(saved.read_bytes()), ROUTE)
    assert str(saved) in out
