"""The editable DOCX draft of a document: the same blocks as the PDF, in Word's terms of the same
GB/T 9704 layout (A4, margins, 3号仿宋 on a 28.9 pt line, 2号小标宋 title, page numbers “— 1 —”
outside). The fonts are named, not embedded: the agency's Word has its 仿宋_GB2312. The draft
never carries the seal: an editable file with a seal image in it is what an agency must not
hand out. An agency may supply `templates/reference.docx` for its styles."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from ogi.documents.compose import Block, Composed
from ogi.documents.config import AgencyDocuments

REFERENCE = "reference.docx"
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
LINE_PITCH = Mm(225 / 22)
CHAR_PITCH = Mm(156 / 28)
RED = RGBColor(0xE6, 0x00, 0x12)
# What follows w:pBdr in w:pPr, and w:tblBorders in w:tblPr (ECMA-376): Word refuses a file whose
# properties are out of the schema's order.
_AFTER_PBDR = (
    *("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct"),
    *("w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd"),
    *("w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents"),
    *("w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap"),
    *("w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
)
_AFTER_TBLBORDERS = (
    *("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"),
    "w:tblPrChange",
)
# Fixed zip entry times: the same document makes the same bytes, so storing it again is a no-op.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def render_docx(composed: Composed, agency: AgencyDocuments, dated: date) -> bytes:
    document = _start(agency)
    _page(document)
    _styles(document, agency)
    _footers(document, agency)
    if agency.letterhead:
        _letterhead(document, agency)
    blocks = composed.blocks
    i = 0
    while i < len(blocks):
        if blocks[i].type == "field":
            rows = []
            while i < len(blocks) and blocks[i].type == "field":
                rows.append(blocks[i])
                i += 1
            _form(document, rows, agency)
            continue
        _block(document, blocks[i], agency)
        i += 1
    properties = document.core_properties
    properties.title = composed.title
    properties.author = properties.last_modified_by = agency.name
    properties.created = properties.modified = datetime.combine(dated, time())
    properties.revision = 1
    out = io.BytesIO()
    document.save(out)
    return _fixed_times(out.getvalue())


def _start(agency: AgencyDocuments) -> DocxDocument:
    for folder in agency.template_dirs:
        if (path := folder / REFERENCE).is_file():
            document = Document(str(path))
            body = document.element.body
            for child in list(body):
                if child.tag != qn("w:sectPr"):
                    body.remove(child)
            return document
    return Document()


def _page(document: DocxDocument) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(297 - 37 - 225)
    section.left_margin, section.right_margin = Mm(28), Mm(210 - 28 - 156)
    section.footer_distance = Mm(297 - 37 - 225 - 7 - 6)  # the number's line 7 mm below


def _styles(document: DocxDocument, agency: AgencyDocuments) -> None:
    normal = document.styles["Normal"]
    _fonts(normal.element, agency.fonts.body[0])
    normal.font.size = BODY_SIZE
    paragraph = normal.paragraph_format
    paragraph.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.line_spacing = LINE_PITCH
    paragraph.space_before = paragraph.space_after = Pt(0)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.widow_control = False


def _fonts(element: object, name: str) -> None:
    """Set `name` for Latin and East Asian text alike (Word keeps them apart)."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _run(paragraph: Paragraph, text: str, font: str | None = None, **style: object) -> None:
    run = paragraph.add_run(text)
    if font:
        _fonts(run._element, font)
    for key, value in style.items():
        setattr(run.font, key, value)


def _letterhead(document: DocxDocument, agency: AgencyDocuments) -> None:
    name = agency.letterhead
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    size = Pt(min(30.0, 156 / 25.4 * 72 / max(1, len(name)) * 0.9))
    _run(paragraph, name, agency.fonts.title[0], size=size, bold=True)
    paragraph.runs[0].font.color.rgb = RED
    # The red double line (thick over thin) under the letterhead.
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("val", "thickThinSmallGap"),
        ("sz", "24"),
        ("space", "4"),
        ("color", "E60012"),
    ):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)
    document.add_paragraph()


def _block(document: DocxDocument, block: Block, agency: AgencyDocuments) -> None:
    if block.type == "signature":
        _signature(document, block)
        return
    paragraph = document.add_paragraph()
    layout = paragraph.paragraph_format
    if block.type == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        layout.space_before = layout.space_after = LINE_PITCH
        layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _run(paragraph, block.text, agency.fonts.title[0], size=TITLE_SIZE, bold=True)
        return
    if block.type == "number":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif block.type in {"p", "note", "h1", "h2"}:
        layout.first_line_indent = CHAR_PITCH * 2
    font = {"h1": agency.fonts.heading[0], "h2": agency.fonts.kai[0]}.get(block.type)
    if block.text:
        _run(paragraph, block.text, font)


def _signature(document: DocxDocument, block: Block) -> None:
    """署名 centred over the date; the date 右空四字 when the document is sealed, else 二字."""
    right = 4 if block.seal else 2
    for _ in range(2 if block.seal else 1):
        document.add_paragraph()
    name_width, date_width = _width(block.text), _width(block.date)
    for text, width in ((block.text, name_width), (block.date, date_width)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = int(
            CHAR_PITCH * (right + (max(name_width, date_width) - width) / 2)
        )
        paragraph.paragraph_format.keep_with_next = True
        _run(paragraph, text)


def _width(text: str) -> float:
    """Characters of text as the page counts them: digits and Latin letters are half."""
    return sum(0.5 if c.isascii() else 1 for c in text)


def _form(document: DocxDocument, rows: Sequence[Block], agency: AgencyDocuments) -> None:
    table = document.add_table(rows=len(rows), cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _grid(table._tbl)
    for row, block in zip(table.rows, rows, strict=True):
        row.cells[0].width, row.cells[1].width = Mm(44), Mm(112)
        if not block.text:
            row.height = int(LINE_PITCH * block.lines)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        _cell(row.cells[0], block.label, agency.fonts.heading[0], WD_ALIGN_PARAGRAPH.CENTER)
        _cell(row.cells[1], block.text, None, WD_ALIGN_PARAGRAPH.LEFT)


def _cell(cell: _Cell, text: str, font: str | None, alignment: WD_ALIGN_PARAGRAPH) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = alignment
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if text:
        _run(paragraph, text, font, size=Pt(14))


def _grid(table: object) -> None:
    """Borders on every cell, without relying on a style the reference document may lack."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "6"), ("color", "000000")):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    table.tblPr.insert_element_before(borders, *_AFTER_TBLBORDERS)  # type: ignore[attr-defined]


def _footers(document: DocxDocument, agency: AgencyDocuments) -> None:
    """— 1 —: odd pages right, even pages left, one character in from the edge."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = alignment
        layout = paragraph.paragraph_format
        layout.first_line_indent = 0
        layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
        layout.left_indent = layout.right_indent = Pt(14)
        _page_number(paragraph, agency.fonts.page_number[0])


def _page_number(paragraph: Paragraph, font: str) -> None:
    _run(paragraph, "— ", font, size=Pt(14))
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    _run(paragraph, " —", font, size=Pt(14))


def _fixed_times(docx: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry))
    return out.getvalue()
