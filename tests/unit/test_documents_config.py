"""Each agency's document settings come from files, layered defaults → deployment → agency, and
one agency's change reaches no other agency."""

from __future__ import annotations

from pathlib import Path

import pytest

from ogi.documents.config import DocumentConfigError, DocumentsConfig
from ogi.documents.kinds import DocumentKind
from ogi.taxonomy import Outcome
from tests.document_samples import AGENCY, OTHER_AGENCY


def folder(tmp_path: Path, deployment: str = "", **agencies: str) -> Path:
    """An $OGI_DOCUMENTS_DIR with a deployment file and agencies' files (by code)."""
    if deployment:
        (tmp_path / "documents.toml").write_text(deployment, encoding="utf-8")
    for code, text in agencies.items():
        (tmp_path / "agencies" / code).mkdir(parents=True)
        (tmp_path / "agencies" / code / "documents.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_shipped_defaults_name_the_agency() -> None:
    settings = DocumentsConfig().for_agency(AGENCY)
    assert settings.prefix(DocumentKind.REPLY) == "菏泽市民政局公复"
    assert settings.letterhead == settings.signature == "菏泽市民政局"
    assert "本机关的本级人民政府" in settings.remedies.clause(Outcome.R2)
    assert settings.seal is None


def test_every_kind_has_a_default_prefix_and_template() -> None:
    settings = DocumentsConfig().for_agency(AGENCY)
    templates = settings.template_dirs[-1]
    for kind in DocumentKind:
        assert settings.prefix(kind)
        assert (templates / f"{kind.value}.xml.j2").is_file()


def test_an_agencys_own_settings_reach_that_agency_only(tmp_path: Path) -> None:
    config = DocumentsConfig(
        folder(
            tmp_path,
            HZMZJ="""
abbreviation = "菏民政"
[numbers]
reply = "{abbreviation}信复"
[remedies]
reconsideration_body = "菏泽市人民政府"
court = "菏泽市牡丹区人民法院"
[contact]
phone = "0530-1234567"
""",
        )
    )
    own, other = config.for_agency(AGENCY), config.for_agency(OTHER_AGENCY)
    assert own.prefix(DocumentKind.REPLY) == "菏民政信复"
    assert own.prefix(DocumentKind.CORRECTION_NOTICE) == "菏民政公补"
    assert "菏泽市人民政府" in own.remedies.text
    assert "菏泽市牡丹区人民法院" in own.remedies.text
    assert "联系电话：0530-1234567" in own.contact
    assert other.prefix(DocumentKind.REPLY) == "菏泽市人民政府办公室公复"
    assert "本机关的本级人民政府" in other.remedies.text
    assert "0530" not in other.contact


def test_the_deployment_file_sits_between_defaults_and_agency(tmp_path: Path) -> None:
    config = DocumentsConfig(
        folder(
            tmp_path,
            '[remedies]\ncourt = "菏泽市中级人民法院"\n[letterhead]\nshow = false\n',
            HZMZJ='[remedies]\ncourt = "菏泽市牡丹区人民法院"\n',
        )
    )
    assert "菏泽市牡丹区人民法院" in config.for_agency(AGENCY).remedies.text
    assert "菏泽市中级人民法院" in config.for_agency(OTHER_AGENCY).remedies.text
    assert config.for_agency(AGENCY).letterhead == ""


def test_a_refusal_gets_the_reconsideration_first_clause() -> None:
    remedies = DocumentsConfig().for_agency(AGENCY).remedies
    assert remedies.clause(Outcome.R3) == remedies.text_reconsideration_first
    assert remedies.clause(Outcome.R8) == remedies.text_reconsideration_first
    assert remedies.clause(Outcome.R4) == remedies.text
    assert "先向" in remedies.text_reconsideration_first
    assert "第二十三条" in remedies.clause(Outcome.R3)


def test_the_legal_office_chooses_which_outcomes_go_to_reconsideration_first(
    tmp_path: Path,
) -> None:
    config = DocumentsConfig(
        folder(tmp_path, HZMZJ='[remedies]\nreconsideration_first = ["R3", "R8", "R4", "R5"]\n')
    )
    remedies = config.for_agency(AGENCY).remedies
    assert remedies.clause(Outcome.R4) == remedies.text_reconsideration_first


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('abbreviaton = "菏民政"\n', "unknown key 'abbreviaton'"),
        ("[remedies]\ncourt = 3\n", "court must be str"),
        ('[letterhead]\nshow = "yes"\n', "show must be bool"),
        ('[numbers]\nreply = "菏民政 公复"\n', "numbers.reply"),
        ('[numbers]\nreply = "{abbr}公复"\n', "unknown placeholder"),
        ('[remedies]\nreconsideration_first = ["R99"]\n', "reconsideration_first"),
        ('[seal]\nimage = "seal.png"\n', "not found"),
        ("[remedies\n", "documents.toml"),
    ],
)
def test_a_wrong_file_is_an_error_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    config = DocumentsConfig(folder(tmp_path, HZMZJ=text))
    with pytest.raises(DocumentConfigError, match=message):
        config.for_agency(AGENCY)


def test_the_seal_is_found_in_the_agencys_folder(tmp_path: Path) -> None:
    config = DocumentsConfig(folder(tmp_path, HZMZJ='[seal]\nimage = "seal.png"\n'))
    (tmp_path / "agencies" / "HZMZJ" / "seal.png").write_bytes(b"\x89PNG")
    assert config.for_agency(AGENCY).seal == (tmp_path / "agencies/HZMZJ/seal.png").resolve()


def test_templates_are_searched_agency_then_deployment_then_defaults(tmp_path: Path) -> None:
    root = folder(tmp_path, "", HZMZJ="")
    for where in (root, root / "agencies" / "HZMZJ"):
        (where / "templates").mkdir()
    dirs = DocumentsConfig(root).for_agency(AGENCY).template_dirs
    assert dirs[:2] == (root / "agencies/HZMZJ/templates", root / "templates")
    assert DocumentsConfig(root).for_agency(OTHER_AGENCY).template_dirs[0] == root / "templates"


def test_licensed_fonts_in_the_fonts_folder_come_first(tmp_path: Path) -> None:
    (tmp_path / "fonts").mkdir()
    assert DocumentsConfig(tmp_path).font_dirs[0] == tmp_path / "fonts"
