"""Check characters of Chinese identity numbers.

- 公民身份号码 (GB 11643-1999): 17 digits + an ISO 7064 MOD 11-2 check character (0-9 or X).
- 统一社会信用代码 (GB 32100-2015): 17 characters + a MOD 31 check character, over an alphabet of
  digits and the capitals without I, O, Z, S, V.
"""

from __future__ import annotations

import re
from datetime import date

_RESIDENT_ID = re.compile(r"^[1-9][0-9]{16}[0-9X]$")  # ASCII only: \d takes any script
_RESIDENT_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_RESIDENT_CHECK = "10X98765432"

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_CREDIT_CODE = re.compile(rf"^[{CREDIT_CODE_ALPHABET}]{{18}}$")


def resident_id_check_character(first17: str) -> str:
    """The 18th character of a 公民身份号码 whose first 17 digits are given."""
    total = sum(int(d) * w for d, w in zip(first17, _RESIDENT_WEIGHTS, strict=True))
    return _RESIDENT_CHECK[total % 11]


def resident_id_problem(number: str) -> str | None:
    """Why `number` is not a valid 18-character resident identity number, or None if it is."""
    if not _RESIDENT_ID.match(number):
        return "须为17位数字加1位数字或X（must be 17 digits followed by a digit or X）"
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "第7至14位不是有效的出生日期（characters 7-14 are not a valid date of birth）"
    if resident_id_check_character(number[:17]) != number[17]:
        return "校验码不符（GB 11643）（check character does not match (GB 11643)）"
    return None


def credit_code_check_character(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 whose first 17 characters are given."""
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why `code` is not a valid unified social credit code, or None if it is."""
    if not _CREDIT_CODE.match(code):
        return (
            "须为18位数字或大写字母，不含I、O、Z、S、V"
            "（must be 18 characters of 0-9 and A-Y without I, O, Z, S, V）"
        )
    if credit_code_check_character(code[:17]) != code[17]:
        return "校验码不符（GB 32100）（check character does not match (GB 32100)）"
    return None
