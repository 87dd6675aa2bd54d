"""The documents addressed to the applicant (登记回执, 告知书, the 答复书), to download from the
status page: intake lists them in its status answer and serves each one's PDF (DownloadDocument)
by its number, with the application number and the query code. Against an intake whose contract
has neither yet, there are none to show and nothing to download."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ogi.notice_words import chinese_date
from ogi.v1 import intake_pb2
from services.portal.words import wire_date


@dataclass(frozen=True)
class DocumentLink:
    name: str  # 政府信息公开申请答复书
    number: str  # 菏民政公复〔2026〕12号: what DownloadDocument takes
    issued_on: str  # 2026年12月3日


def documents_of(status: Any) -> list[DocumentLink]:
    """The documents listed in a GetApplicationStatusResponse, oldest first."""
    if "documents" not in intake_pb2.GetApplicationStatusResponse.DESCRIPTOR.fields_by_name:
        return []
    return [
        DocumentLink(d.kind_name, d.number, chinese_date(wire_date(d.issued_on)))
        for d in status.documents
    ]
