"""What a reply releases, on the command line: the conclusion of `ogi cases review` (保密审查,
Art 17), which must let information go out first, and the items a reply provides (R1 where it
is published, R2 and R8 what is given: files, whose SHA-256 is taken here, or paper)."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import Any

from ogi.taxonomy import REVIEW_CONCLUSION_TERMS
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h

CONCLUSIONS = "; ".join(f"{t.zh} {t.en}" for t in REVIEW_CONCLUSION_TERMS.values())


def conclusion(text: str) -> Any:
    """A review's conclusion by its Chinese or English name: 部分公开, partly_disclosable."""
    for value, term in REVIEW_CONCLUSION_TERMS.items():
        if text.strip() in (term.zh, term.en):
            return h.ReviewConclusion.Value(f"REVIEW_CONCLUSION_{value.upper()}")
    raise argparse.ArgumentTypeError(
        f"不认识的审查结论（unknown conclusion {text!r}; one of {CONCLUSIONS}）"
    )


def add_released_options(p: Any) -> None:
    """Repeatable: a reply that releases information (R1, R2, R8) lists each item."""
    p.add_argument(
        "--released-file",
        type=_file,
        action="append",
        default=[],
        metavar="PATH",
        help="R2/R8: a file provided (its name is the title; its SHA-256 is recorded)",
    )
    p.add_argument(
        "--released-paper",
        type=lambda title: pb.ReleasedItem(title=title, form=pb.RELEASE_FORM_PAPER),
        action="append",
        default=[],
        metavar="TITLE",
        help="R2/R8: a document provided on paper",
    )
    p.add_argument(
        "--released-link",
        action="append",
        default=[],
        nargs=2,
        metavar=("TITLE", "URL"),
        help="R1 (also R2/R8): where it is published",
    )


def released_items(a: argparse.Namespace) -> list[pb.ReleasedItem]:
    links = [
        pb.ReleasedItem(title=title, form=pb.RELEASE_FORM_PUBLISHED_LINK, link=url)
        for title, url in a.released_link
    ]
    return [*a.released_file, *a.released_paper, *links]


def _file(path: str) -> pb.ReleasedItem:
    try:
        with Path(path).open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as e:
        raise argparse.ArgumentTypeError(f"无法读取文件（cannot read {path}: {e.strerror}）") from e
    return pb.ReleasedItem(
        title=Path(path).stem, form=pb.RELEASE_FORM_ELECTRONIC_FILE, sha256=digest
    )
