"""What each kind of document must contain (domain.md §9): content checks, and the words the
default templates make of it, composed without rendering."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from ogi.documents.compose import Composer, zh_date
from ogi.documents.config import DocumentConfigError, DocumentsConfig
from ogi.documents.kinds import (
    DocumentContent,
    ExtensionNotice,
    Issue,
    ReleasedItem,
    ReplyLetter,
    ResponsibleAgency,
)
from ogi.documents.numbering import document_number
from ogi.errors import FieldViolation
from ogi.taxonomy import NonDisclosureGround, Outcome
from tests.document_samples import (
    AGENCY,
    DATED,
    EARLIER,
    HOSTILE,
    ITEM,
    REPLIES,
    SAMPLES,
    must_show,
)

CONFIG = DocumentsConfig()
SETTINGS = CONFIG.for_agency(AGENCY)


def issued(content: DocumentContent, serial: int = 12) -> Issue:
    return Issue(number=document_number(SETTINGS.prefix(content.kind), 2026, serial), dated=DATED)


def fields(violations: Sequence[FieldViolation]) -> set[str]:
    return {v.field for v in violations}


def test_dates_in_full_arabic_numerals_unpadded() -> None:
    assert zh_date(date(2026, 12, 3)) == "2026年12月3日"
    assert zh_date(date(2026, 1, 5)) == "2026年1月5日"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_is_complete(name: str) -> None:
    assert SAMPLES[name].content.violations() == []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_default_wording_shows_what_the_law_asks(name: str) -> None:
    content = SAMPLES[name].content
    issue = issued(content)
    text = Composer().compose(content, issue, SETTINGS).text
    for element in must_show(name, issue):
        assert element in text, f"{name}: {element}"


def reply(sample: Outcome, **changes: object) -> ReplyLetter:
    content = REPLIES[sample].content
    assert isinstance(content, ReplyLetter)
    return dataclasses.replace(content, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("outcome", "changes", "missing"),
    [
        (Outcome.R1, {"publication": None}, "publication.place"),
        (Outcome.R2, {"released": ()}, "released"),
        (Outcome.R2, {"ground": NonDisclosureGround.STATE_SECRET}, "ground"),
        (Outcome.R3, {"ground": None}, "ground"),
        (Outcome.R3, {"reasons": " "}, "reasons"),
        (Outcome.R3, {"released": (ITEM,)}, "released"),
        (Outcome.R5, {"reasons": ""}, "reasons"),
        (
            Outcome.R5,
            {"responsible": ResponsibleAgency(name="菏泽市医疗保障局", contact="")},
            "responsible.contact",
        ),
        (Outcome.R6, {"earlier": None}, "earlier"),
        (Outcome.R7, {"special_route": ""}, "special_route"),
        (Outcome.R8, {"withheld": ""}, "withheld"),
        (Outcome.R8, {"ground": None}, "ground"),
        (
            Outcome.R8,
            {"released": (ReleasedItem(title="表", form="", how="附送"),)},
            "released[0].form",
        ),
        (Outcome.R12, {"reasons": ""}, "reasons"),
        (Outcome.R14, {"reasons": ""}, "reasons"),
        (Outcome.R2, {"outcome": Outcome.WITHDRAWN}, "outcome"),
        (Outcome.R2, {"recipient": ""}, "recipient"),
    ],
)
def test_a_reply_missing_what_its_outcome_needs_is_refused(
    outcome: Outcome, changes: dict[str, object], missing: str
) -> None:
    violations = reply(outcome, **changes).violations()
    assert missing in fields(violations)
    assert all("（" in v.description for v in violations)  # Chinese first, English after


def test_an_extension_is_at_most_twenty_working_days_and_approved() -> None:
    content = SAMPLES["extension_notice"].content
    assert isinstance(content, ExtensionNotice)
    too_long = dataclasses.replace(content, extension_working_days=21, approved_by="")
    assert fields(too_long.violations()) == {"extension_working_days", "approved_by"}


def test_hostile_text_stays_text() -> None:
    content = reply(Outcome.R3, requested=HOSTILE, reasons=HOSTILE, recipient=HOSTILE)
    composed = Composer().compose(content, issued(content), SETTINGS)
    assert [b.text for b in composed.blocks if b.type == "title"] == ["政府信息公开申请答复书"]
    assert composed.blocks[2].text == f"{HOSTILE}："
    assert f"申请获取：{HOSTILE}。" in composed.text
    assert HOSTILE in [b.text for b in composed.blocks]  # the reasons, a paragraph of their own
    assert "49" not in composed.text  # {{ 7*7 }} was not evaluated


def test_control_characters_never_reach_the_document() -> None:
    content = reply(Outcome.R3, reasons="理由\x00\x1b正文")
    composed = Composer().compose(content, issued(content), SETTINGS)
    assert "理由正文" in composed.text


def test_a_correction_names_the_document_it_replaces() -> None:
    content = REPLIES[Outcome.R4].content
    earlier = issued(content, 7)
    correction = Issue(
        number=issued(content, 8).number,
        dated=DATED,
        replaces=dataclasses.replace(EARLIER, number=earlier.number),
    )
    text = Composer().compose(content, correction, SETTINGS).text
    assert f"{earlier.number}的更正，原文书同时作废" in text


def template_folder(tmp_path: Path, template: str) -> DocumentsConfig:
    own = tmp_path / "agencies" / "HZMZJ" / "templates"
    own.mkdir(parents=True)
    (own / "reply.xml.j2").write_text(template, encoding="utf-8")
    return DocumentsConfig(tmp_path)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("<p>{{ number }}</p><signature name='x' date='{{ dated|zh_date }}'/>", None),
        ("<title>{{ title }}</title><signature name='x' date='{{ dated|zh_date }}'/>", "omits"),
        ("<p>{{ number }} {{ dated|zh_date }}</p><img/>", "unknown element <img>"),
        ("<p>{{ number }} {{ dated|zh_date }}</p>loose", "text outside the elements"),
        ("<p>{{ number }} {{ dated|zh_date }}", "not well-formed"),
        ("<p>{{ number }} {{ dated|zh_date }} {{ nothing }}</p>", "nothing"),
        ("<p>{{ number }} {{ dated|zh_date }} {{ ''.__class__ }}</p>", "__class__"),
    ],
)
def test_an_agencys_template_is_checked(tmp_path: Path, template: str, message: str | None) -> None:
    settings = template_folder(tmp_path, template).for_agency(AGENCY)
    content = REPLIES[Outcome.R4].content
    if message is None:
        assert Composer().compose(content, issued(content), settings).blocks
        return
    with pytest.raises(DocumentConfigError, match=message):
        Composer().compose(content, issued(content), settings)
