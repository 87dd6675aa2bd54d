"""GB 11643 and GB 32100 check characters, by property."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ogi.identity import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_character,
    credit_code_problem,
    resident_id_check_character,
    resident_id_problem,
)

regions = st.integers(110000, 659999).map(str)
births = st.dates(date(1900, 1, 1), date(2025, 12, 31)).map(lambda d: d.strftime("%Y%m%d"))
sequences = st.integers(0, 999).map(lambda n: f"{n:03d}")
resident_first17 = st.builds(lambda r, b, s: r + b + s, regions, births, sequences)
credit_first17 = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17)


def test_published_examples_are_valid() -> None:
    assert resident_id_problem("11010519491231002X") is None
    assert credit_code_problem("91350100M000100Y43") is None


@given(resident_first17)
def test_resident_id_with_its_check_character_is_valid(first17: str) -> None:
    assert resident_id_problem(first17 + resident_id_check_character(first17)) is None


@given(resident_first17, st.integers(0, 16), st.integers(1, 9))
def test_resident_id_any_single_digit_change_is_caught(first17: str, pos: int, delta: int) -> None:
    valid = first17 + resident_id_check_character(first17)
    changed = valid[:pos] + str((int(valid[pos]) + delta) % 10) + valid[pos + 1 :]
    assert resident_id_problem(changed) is not None


@given(resident_first17, st.integers(0, 15))
def test_resident_id_adjacent_transposition_is_caught(first17: str, pos: int) -> None:
    valid = first17 + resident_id_check_character(first17)
    if valid[pos] == valid[pos + 1]:
        return
    swapped = valid[:pos] + valid[pos + 1] + valid[pos] + valid[pos + 2 :]
    assert resident_id_problem(swapped) is not None


@given(resident_first17)
def test_resident_id_wrong_check_character_is_refused(first17: str) -> None:
    right = resident_id_check_character(first17)
    for wrong in "0123456789X":
        if wrong != right:
            assert (
                resident_id_problem(first17 + wrong)
                == "校验码不符（GB 11643）（check character does not match (GB 11643)）"
            )


def test_resident_id_shape_and_birth_date() -> None:
    assert resident_id_problem("1101051949123100") is not None  # too short
    assert resident_id_problem("11010519491231002x") is not None  # lower-case x
    first17 = "11010519490231002"  # 31 February
    assert resident_id_problem(first17 + resident_id_check_character(first17)) == (
        "第7至14位不是有效的出生日期（characters 7-14 are not a valid date of birth）"
    )


@given(credit_first17)
def test_credit_code_with_its_check_character_is_valid(first17: str) -> None:
    assert credit_code_problem(first17 + credit_code_check_character(first17)) is None


@given(credit_first17, st.integers(0, 16), st.integers(1, 30))
def test_credit_code_any_single_change_is_caught(first17: str, pos: int, delta: int) -> None:
    valid = first17 + credit_code_check_character(first17)
    replaced = CREDIT_CODE_ALPHABET[(CREDIT_CODE_ALPHABET.index(valid[pos]) + delta) % 31]
    assert credit_code_problem(valid[:pos] + replaced + valid[pos + 1 :]) is not None


@given(credit_first17, st.sampled_from("IOZSV"), st.integers(0, 17))
def test_credit_code_letters_outside_the_alphabet_are_refused(
    first17: str, letter: str, pos: int
) -> None:
    valid = first17 + credit_code_check_character(first17)
    assert credit_code_problem(valid[:pos] + letter + valid[pos + 1 :]) is not None
