"""What a reply discloses, and the review before it (保密审查, Art 17; 答复, Art 36).

- A confidentiality review records who reviewed, the conclusion (可以公开 / 部分公开, with what is
  withheld / 不得公开), its basis and date. A reply that releases information needs one that
  lets it (Art 17: 依照法律法规和国家有关规定对拟公开的政府信息进行审查).
- A release reply lists each item provided: its title, its document number (文号) where it has
  one, the form it is given in, and for a file its SHA-256, so what was released is a fact of
  the record and not a memory of the handler's.
No I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ogi.bounds import check_text
from ogi.errors import FieldViolation
from ogi.taxonomy import Outcome

MAX_TITLE = 500
MAX_DOCUMENT_NUMBER = 100
MAX_LINK = 2000
MAX_BASIS = 2000
MAX_ITEMS = 200
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LINK = re.compile(r"^https?://\S+$")

# Outcomes that give the applicant information: R1 points to where it is published, R2 gives
# it, R8 gives part of it (Art 36(一)(二), Art 37).
RELEASING = frozenset({Outcome.R1, Outcome.R2, Outcome.R8})


class ReviewConclusion(StrEnum):
    """保密审查的结论."""

    DISCLOSABLE = "disclosable"  # 可以公开
    PARTLY_DISCLOSABLE = "partly_disclosable"  # 部分公开: what is withheld is stated
    NOT_DISCLOSABLE = "not_disclosable"  # 不得公开

    @property
    def zh(self) -> str:
        return _CONCLUSION_ZH[self]


_CONCLUSION_ZH = {
    ReviewConclusion.DISCLOSABLE: "可以公开",
    ReviewConclusion.PARTLY_DISCLOSABLE: "部分公开",
    ReviewConclusion.NOT_DISCLOSABLE: "不得公开",
}


@dataclass(frozen=True)
class ConfidentialityReview:
    """保密审查 (Art 17): who reviewed, what they concluded, on what basis, when."""

    reviewer: str
    conclusion: ReviewConclusion
    basis: str
    reviewed_on: date
    withheld: str = ""  # 部分公开: what may not be released

    def allows(self, outcome: Outcome) -> str | None:
        """Why this review does not let a reply of `outcome` go out, or None if it does."""
        if self.conclusion is ReviewConclusion.NOT_DISCLOSABLE:
            return "保密审查结论为不得公开（the review concluded: not disclosable）"
        if outcome is Outcome.R2 and self.conclusion is ReviewConclusion.PARTLY_DISCLOSABLE:
            return (
                "保密审查结论为部分公开，应作部分公开答复"
                "（the review concluded partly disclosable: reply R8, not R2）"
            )
        return None


class ReleaseForm(StrEnum):
    """The form an item is given in (Art 40: 按照申请人要求的形式)."""

    ELECTRONIC_FILE = "electronic_file"  # 电子文件: its SHA-256 is recorded
    PAPER = "paper"  # 纸质
    PUBLISHED_LINK = "published_link"  # 已公开的网址 (R1: 告知获取的方式和途径)


@dataclass(frozen=True)
class ReleasedItem:
    """One piece of information a reply provides."""

    title: str
    form: ReleaseForm
    document_number: str = ""  # 文号, where the information has one
    sha256: str = ""  # an electronic file's digest, lower-case hex
    link: str = ""  # where it is published


def review_violations(review: ConfidentialityReview) -> list[FieldViolation]:
    violations: list[FieldViolation] = []
    check_text(review.reviewer, "reviewer", 100, violations, required=True, single_line=True)
    check_text(review.basis, "basis", MAX_BASIS, violations, required=True)
    check_text(review.withheld, "withheld", MAX_BASIS, violations)
    partly = review.conclusion is ReviewConclusion.PARTLY_DISCLOSABLE
    if partly and not review.withheld.strip():
        violations.append(
            FieldViolation("withheld", "部分公开须写明不公开的内容（say what is withheld）")
        )
    if not partly and review.withheld.strip():
        violations.append(FieldViolation("withheld", "仅部分公开时填写（only for 部分公开）"))
    return violations


def released_violations(
    outcome: Outcome, items: tuple[ReleasedItem, ...], field: str
) -> list[FieldViolation]:
    """A release reply lists what it provides; any other reply provides nothing."""
    violations: list[FieldViolation] = []
    if outcome in RELEASING and not items:
        violations.append(
            FieldViolation(field, "须列明提供的政府信息（list the information provided）")
        )
    if outcome not in RELEASING and items:
        violations.append(
            FieldViolation(field, "此答复不提供信息（this outcome provides no information）")
        )
    if len(items) > MAX_ITEMS:
        violations.append(FieldViolation(field, f"最多{MAX_ITEMS}项（at most {MAX_ITEMS} items）"))
        return violations
    for n, item in enumerate(items):
        violations += _item_violations(outcome, item, f"{field}[{n}]")
    return violations


def _item_violations(outcome: Outcome, item: ReleasedItem, at: str) -> list[FieldViolation]:
    violations: list[FieldViolation] = []
    check_text(item.title, f"{at}.title", MAX_TITLE, violations, required=True, single_line=True)
    check_text(
        item.document_number,
        f"{at}.document_number",
        MAX_DOCUMENT_NUMBER,
        violations,
        single_line=True,
    )
    if item.form is ReleaseForm.ELECTRONIC_FILE and not _SHA256.match(item.sha256):
        violations.append(
            FieldViolation(f"{at}.sha256", "电子文件须有SHA-256（64 hex digits for a file）")
        )
    if item.form is not ReleaseForm.ELECTRONIC_FILE and item.sha256:
        violations.append(FieldViolation(f"{at}.sha256", "仅电子文件填写（only for a file）"))
    if item.link and (len(item.link) > MAX_LINK or not _LINK.match(item.link)):
        violations.append(FieldViolation(f"{at}.link", "须为http(s)网址（an http(s) address）"))
    if item.form is ReleaseForm.PUBLISHED_LINK and not item.link:
        violations.append(FieldViolation(f"{at}.link", "须写明公开的网址（where it is published）"))
    if outcome is Outcome.R1 and item.form is not ReleaseForm.PUBLISHED_LINK:
        violations.append(
            FieldViolation(
                f"{at}.form",
                "已主动公开的信息告知获取途径（R1 names where it is published）",
            )
        )
    return violations
