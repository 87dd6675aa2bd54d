"""The documents addressed to the applicant (登记回执, notices, the 答复书), to download from
the status page: a seam for the documents work (issue 17), which adds them to intake's status
answer and a download call. Until intake's contract carries them, there are none to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ogi.v1 import intake_pb2


@dataclass(frozen=True)
class DocumentLink:
    title: str
    number: str
    reference: str  # what the download call takes


def documents_of(status: Any) -> list[DocumentLink]:
    """The documents listed in a GetApplicationStatusResponse, once it lists any."""
    if "documents" not in intake_pb2.GetApplicationStatusResponse.DESCRIPTOR.fields_by_name:
        return []
    return [
        DocumentLink(
            str(getattr(d, "title", "")),
            str(getattr(d, "number", "")),
            str(getattr(d, "id", "") or getattr(d, "reference", "")),
        )
        for d in status.documents
    ]
