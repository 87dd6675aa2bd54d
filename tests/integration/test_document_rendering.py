"""Every kind of document, and a reply for every outcome R1-R14, rendered for real: the PDF read
back with pdftotext (poppler-utils) and the DOCX with python-docx hold what the law asks
(domain.md §9), the page is laid out after GB/T 9704, and page 1 of each is kept as a PNG in
test-artifacts/documents/ for a person to look at. An agency's templates, prefixes and seal
reach that agency only."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typst
from docx import Document

from ogi.agencies import Agency
from ogi.documents.compose import zh_date
from ogi.documents.config import NOTO_CJK, DocumentsConfig
from ogi.documents.kinds import DocumentContent, DocumentKind, Issue
from ogi.documents.numbering import document_number
from ogi.documents.render import DocumentEngine, RenderedDocument
from ogi.taxonomy import Outcome
from tests.document_samples import (
    AGENCY,
    DATED,
    HOSTILE,
    OTHER_AGENCY,
    REPLIES,
    SAMPLES,
    must_show,
)

ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts" / "documents"
MM = 72 / 25.4  # points


@pytest.fixture(scope="module")
def engine() -> DocumentEngine:
    return DocumentEngine()


def issue(engine: DocumentEngine, agency: Agency, content: DocumentContent, serial: int) -> Issue:
    return Issue(
        number=document_number(engine.prefix(agency, content.kind), 2026, serial), dated=DATED
    )


def pdf_text(pdf: bytes, *options: str) -> str:
    return subprocess.run(
        ["pdftotext", *options, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def docx_text(docx: bytes) -> str:
    document = Document(io.BytesIO(docx))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def flat(text: str) -> str:
    """Text as pages give it back: without the line breaks, spaces and page numbers."""
    return re.sub(r"\s+", "", re.sub(r"—\s*\d+\s*—", "", text))


def holds(text: str, element: str) -> bool:
    return flat(element) in flat(text)


def page_one_png(pdf: bytes, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", "-", str(target)],
        input=pdf,
        check=True,
    )
    return target.with_suffix(".png")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_pdf_and_the_docx_hold_what_the_law_asks(engine: DocumentEngine, name: str) -> None:
    content = SAMPLES[name].content
    issued = issue(engine, AGENCY, content, 12)
    document = engine.render(content, issued, AGENCY)
    in_pdf, in_docx = pdf_text(document.pdf), docx_text(document.docx)
    for element in must_show(name, issued):
        assert holds(in_pdf, element), f"PDF of {name} lacks {element}"
        assert holds(in_docx, element), f"DOCX of {name} lacks {element}"
    for line in document.text.splitlines():  # the same words in both
        assert holds(in_pdf, line), line
        assert holds(in_docx, line), line
    assert page_one_png(document.pdf, name).stat().st_size > 1000


@pytest.mark.parametrize("outcome", [Outcome.R3, Outcome.R8])
def test_a_refusal_tells_of_reconsideration_first(engine: DocumentEngine, outcome: Outcome) -> None:
    content = REPLIES[outcome].content
    text = pdf_text(engine.render(content, issue(engine, AGENCY, content, 1), AGENCY).pdf)
    assert holds(text, "应当依照《中华人民共和国行政复议法》第二十三条的规定")
    assert not holds(text, "也可以依照《中华人民共和国行政诉讼法》第四十六条")


def test_the_page_is_laid_out_after_gb_t_9704(engine: DocumentEngine) -> None:
    content = REPLIES[Outcome.R8].content
    pdf = engine.render(content, issue(engine, AGENCY, content, 1), AGENCY).pdf
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    assert b"(A4)" in info
    words = [
        (float(m["x0"]), float(m["y0"]), float(m["x1"]), float(m["y1"]), m["w"])
        for m in re.finditer(
            r'<word xMin="(?P<x0>[\d.]+)" yMin="(?P<y0>[\d.]+)" xMax="(?P<x1>[\d.]+)" '
            r'yMax="(?P<y1>[\d.]+)">(?P<w>[^<]*)</word>',
            pdf_text(pdf, "-bbox", "-f", "1", "-l", "1"),
        )
    ]
    body = [w for w in words if w[3] < (37 + 225) * MM]
    assert min(w[0] for w in body) == pytest.approx(28 * MM, abs=1 * MM)  # binding margin
    # A full stop or comma closing a line is set half wide: its em box reaches past the block.
    inked = [w for w in body if not re.fullmatch(r"[，。、；：）》”]", w[4])]
    assert max(w[2] for w in inked) == pytest.approx((28 + 156) * MM, abs=1 * MM)  # 156 mm wide
    assert min(w[1] for w in body) == pytest.approx(37 * MM, abs=1 * MM)  # top margin
    footer = [w for w in words if w[1] > (37 + 225) * MM]
    assert "".join(w[4] for w in footer) == "—1—"  # page number, odd page: on the right
    assert min(w[0] for w in footer) > 105 * MM
    title = next(w for w in words if w[4] == "政府信息公开申请答复书")
    assert (title[0] + title[2]) / 2 == pytest.approx(105 * MM + 1 * MM, abs=1 * MM)  # centred
    assert title[3] - title[1] == pytest.approx(22, abs=0.5)  # 2号
    opening = next(w for w in words if w[4].startswith("本机关于"))
    assert opening[3] - opening[1] == pytest.approx(16, abs=0.5)  # 3号


def test_text_from_applicants_is_printed_as_typed(engine: DocumentEngine) -> None:
    content = REPLIES[Outcome.R3].content
    hostile = content.__class__(
        **{**content.__dict__, "recipient": HOSTILE, "requested": HOSTILE, "reasons": HOSTILE}
    )
    document = engine.render(hostile, issue(engine, AGENCY, content, 1), AGENCY)
    in_pdf = pdf_text(document.pdf)
    assert flat(in_pdf).count(flat(HOSTILE)) == 3
    assert flat(docx_text(document.docx)).count(flat(HOSTILE)) == 3
    info = subprocess.run(["pdfinfo", "-"], input=document.pdf, capture_output=True, check=True)
    assert b"(A4)" in info.stdout  # #set page(width: 1cm) did not set anything
    assert flat(in_pdf).count("伪造") == 3  # only inside the typed text, never a title of its own


def test_the_same_document_renders_to_the_same_bytes(engine: DocumentEngine) -> None:
    """A retried issue renders the bytes already stored: no clock gets into either file."""
    content = REPLIES[Outcome.R2].content
    issued = issue(engine, AGENCY, content, 5)
    first, second = (engine.render(content, issued, AGENCY) for _ in range(2))
    assert (first.pdf_sha256, first.docx_sha256) == (second.pdf_sha256, second.docx_sha256)
    draft = zipfile.ZipFile(io.BytesIO(first.docx))
    assert {entry.date_time for entry in draft.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    properties = Document(io.BytesIO(first.docx)).core_properties
    assert properties.created == properties.modified == datetime(2026, 3, 20, tzinfo=UTC)
    assert b"CreationDate(D:20260320000000Z)" in first.pdf


def seal_png(path: Path) -> None:
    """A red round seal, drawn by Typst (no image library needed)."""
    source = path.with_suffix(".typ")
    source.write_text(
        "#set page(width: 42mm, height: 42mm, margin: 0pt, fill: none)\n"
        "#circle(radius: 20mm, stroke: 1.2mm + rgb(230, 0, 18), "
        "align(center + horizon, text(fill: rgb(230, 0, 18), size: 12pt)[★]))",
        encoding="utf-8",
    )
    path.write_bytes(typst.compile(source, format="png", ppi=150, font_paths=[NOTO_CJK]))


@pytest.fixture(scope="module")
def own_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """$OGI_DOCUMENTS_DIR where HZMZJ has its own prefix, reply template, seal and contact."""
    root = tmp_path_factory.mktemp("documents")
    own = root / "agencies" / "HZMZJ"
    (own / "templates").mkdir(parents=True)
    (own / "documents.toml").write_text(
        'abbreviation = "菏民政"\n[numbers]\nreply = "{abbreviation}信复"\n'
        '[seal]\nimage = "seal.png"\n[contact]\nphone = "0530-1234567"\n',
        encoding="utf-8",
    )
    (own / "templates" / "reply.xml.j2").write_text(
        '{% include "_head.xml.j2" %}\n<p>本答复书由法制科审核。{{ remedies }}</p>\n'
        '{% include "_end.xml.j2" %}\n',
        encoding="utf-8",
    )
    seal_png(own / "seal.png")
    return root


def test_an_agencys_template_and_prefix_apply_to_that_agency_only(own_folder: Path) -> None:
    engine = DocumentEngine(DocumentsConfig(own_folder))
    content = REPLIES[Outcome.R4].content
    own = engine.render(content, issue(engine, AGENCY, content, 1), AGENCY)
    other = engine.render(content, issue(engine, OTHER_AGENCY, content, 1), OTHER_AGENCY)
    own_text, other_text = pdf_text(own.pdf), pdf_text(other.pdf)
    assert holds(own_text, "菏民政信复〔2026〕1号")
    assert holds(own_text, "本答复书由法制科审核")
    assert holds(docx_text(own.docx), "本答复书由法制科审核")
    assert holds(own_text, "联系电话：0530-1234567")
    assert holds(other_text, "菏泽市人民政府办公室公复〔2026〕1号")
    assert not holds(other_text, "法制科")
    assert not holds(other_text, "0530-1234567")
    assert holds(other_text, "信息不存在")  # the default template
    assert engine.prefix(OTHER_AGENCY, DocumentKind.CORRECTION_NOTICE) == "菏泽市人民政府办公室公补"


def images(pdf: bytes) -> int:
    listing = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True).stdout
    return len(listing.decode().splitlines()[2:])


def test_the_seal_is_over_the_date_in_the_pdf_and_never_in_the_draft(own_folder: Path) -> None:
    engine = DocumentEngine(DocumentsConfig(own_folder))
    content = REPLIES[Outcome.R2].content
    sealed = engine.render(content, issue(engine, AGENCY, content, 2), AGENCY)
    unsealed = engine.render(content, issue(engine, OTHER_AGENCY, content, 2), OTHER_AGENCY)
    assert images(sealed.pdf) >= 1
    assert images(unsealed.pdf) == 0
    assert not [n for n in zipfile.ZipFile(io.BytesIO(sealed.docx)).namelist() if "media" in n]
    page_one_png(sealed.pdf, "reply_R2_sealed")


def test_a_document_that_lacks_what_the_law_asks_is_not_rendered(engine: DocumentEngine) -> None:
    content = REPLIES[Outcome.R5].content
    incomplete = content.__class__(**{**content.__dict__, "reasons": ""})
    with pytest.raises(Exception, match="reasons") as refused:
        engine.render(incomplete, issue(engine, AGENCY, content, 1), AGENCY)
    assert type(refused.value).__name__ == "InvalidArgument"


def test_the_date_is_the_issue_date_in_chinese_form(engine: DocumentEngine) -> None:
    content = REPLIES[Outcome.R2].content
    document: RenderedDocument = engine.render(content, issue(engine, AGENCY, content, 3), AGENCY)
    assert holds(pdf_text(document.pdf), zh_date(DATED))
    assert "2026年3月20日" in document.text
