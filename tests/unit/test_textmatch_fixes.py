"""What a held-out set showed in the matcher (issue 20, item 4): a placeholder name (某某, 某公司)
is no person or firm, and a kind of document written with 的 inside it is the same kind."""

from __future__ import annotations

import pytest

from ogi.textmatch.similarity import features, match


@pytest.mark.parametrize(
    "text",
    [
        "申请公开某某公司的行政处罚决定书",
        "关于某某公司行政处罚决定书",
        "请提供对某某的行政处罚决定书",
        "某某村2023年低保名单",
        "某公司违法排污的处罚决定",
    ],
)
def test_a_placeholder_is_no_person_or_firm(text: str) -> None:
    assert {n.name for n in features(text).places if "某" in n.name} == set()


def test_a_surname_before_the_placeholder_is_a_person() -> None:
    assert {n.name for n in features("申请公开张某某的宅基地审批材料").places} == {"张某某"}
    assert {n.name for n in features("请公开于某某的工伤认定决定书").places} == {"于某某"}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("申请公开某某公司的行政处罚决定书", "关于某某公司行政处罚决定书"),
        ("请公开对某某作出的行政处罚决定书", "申请公开某某的行政处罚决定书"),
    ],
)
def test_requests_with_the_same_placeholder_are_not_split(a: str, b: str) -> None:
    assert match(features(a), features(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("申请公开县政府关于滨江路东延段房屋征收的决定", "滨江路东延段房屋征收决定书"),
        ("火车站北广场片区国有土地上房屋征收的决定", "火车站北广场片区房屋征收决定"),
        ("纺织厂片区房屋征收补偿的方案", "纺织厂片区房屋征收补偿方案"),
    ],
)
def test_a_kind_of_document_with_de_inside_is_the_same_kind(a: str, b: str) -> None:
    assert features(a).kinds == features(b).kinds
    assert match(features(a), features(b))


def test_placeholder_people_of_other_surnames_stay_apart() -> None:
    assert match(features("张某某家宅基地审批材料"), features("李某某家宅基地审批材料")) is None


def test_a_document_number_with_its_year_in_chinese_numerals_is_read() -> None:
    assert match(features("琮环罚（二〇二三）十一号"), features("申请公开琮环罚〔2023〕11号"))
