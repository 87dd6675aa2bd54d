"""信息处理费 (国办函〔2020〕109号): marginal (超额累进) brackets, one method per application."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class FeeMethod(StrEnum):
    PER_APPLICATION = "per_application"  # 按件计收
    PER_PAGE = "per_page"  # 按量计收


# (first page of the bracket, yuan per page); pages 1-30 are free.
_PAGE_BRACKETS = ((31, 10), (101, 20), (201, 40))


def per_page_fee(pages: int) -> Decimal:
    """按量: pages 1-30 free; 31-100 at 10 元; 101-200 at 20 元; 201 and on at 40 元 per page."""
    if pages < 0:
        raise ValueError("pages cannot be negative")
    total = 0
    for i, (first, rate) in enumerate(_PAGE_BRACKETS):
        last = _PAGE_BRACKETS[i + 1][0] - 1 if i + 1 < len(_PAGE_BRACKETS) else pages
        total += max(0, min(pages, last) - first + 1) * rate
    return Decimal(total)


def per_application_fee(ordinal_in_month: int) -> Decimal:
    """按件: the fee for the applicant's N-th application to the agency in a natural month:
    1-10 free; 11-30 100 元 each; from 31, each further band of 10 adds 100 元 (31-40: 200)."""
    if ordinal_in_month < 1:
        raise ValueError("the first application of a month is number 1")
    if ordinal_in_month <= 10:
        return Decimal(0)
    if ordinal_in_month <= 30:
        return Decimal(100)
    return Decimal(100 * (2 + (ordinal_in_month - 31) // 10))
