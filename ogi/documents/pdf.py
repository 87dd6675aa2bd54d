"""The canonical PDF (PDF/A-2b) of a document, set by Typst from the agency's layout
(`templates/letter.typ`); the blocks go in as JSON (sys.inputs), never as markup."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict
from datetime import date, datetime, time
from pathlib import Path

import structlog
import typst

from ogi.clock import CHINA
from ogi.documents.compose import Composed
from ogi.documents.config import AgencyDocuments, DocumentConfigError

LAYOUT = "letter.typ"
log = structlog.get_logger("documents")


class PdfRenderer:
    """One Typst compiler for the process: fonts are read once, layouts are kept compiled, so a
    document takes milliseconds. Typst's compiler is not shared between threads: one at a time."""

    def __init__(self, font_dirs: list[Path]) -> None:
        self._fonts = typst.Fonts(
            include_system_fonts=False,  # the same fonts on every machine: no stray 宋体
            include_embedded_fonts=True,
            font_paths=[str(d) for d in font_dirs],
        )
        self.families = frozenset(f.casefold() for f in self._fonts.families())
        self._compiler = typst.Compiler(font_paths=self._fonts, ignore_system_fonts=True)
        self._lock = threading.Lock()
        self._layouts: dict[Path, bytes] = {}

    def render(
        self, composed: Composed, agency: AgencyDocuments, dated: date, *, draft: bool = False
    ) -> bytes:
        layout = self._layout(agency.template_dirs)
        self._check_fonts(agency)
        document = {
            "title": composed.title,
            "author": agency.name,
            "date": [dated.year, dated.month, dated.day],
            "fonts": asdict(agency.fonts),
            "letterhead": agency.letterhead,
            "seal": f"/{agency.seal.name}" if agency.seal else None,
            "seal_diameter": agency.seal_diameter_mm,
            "blocks": [asdict(block) for block in composed.blocks],
            "draft": draft,  # the layout may mark every page (草稿)
        }
        # The seal is read from the folder it is in; nothing outside that folder is readable.
        root = agency.seal.parent if agency.seal else agency.template_dirs[-1]
        moment = datetime.combine(dated, time(), CHINA)
        try:
            with self._lock:
                pdf, warnings = self._compiler.compile_with_warnings(
                    input=layout,
                    format="pdf",
                    sys_inputs={"document": json.dumps(document, ensure_ascii=False)},
                    root=str(root),
                    pdf_standards="a-2b",
                    timestamp=moment,
                )
        except typst.TypstError as error:
            raise DocumentConfigError(f"{LAYOUT} ({agency.code}): {error.message}") from error
        for warning in warnings:
            if not warning.message.startswith("unknown font family"):  # the commercial fonts
                log.warning("typst warning", agency=agency.code, warning=warning.message)
        assert isinstance(pdf, bytes)  # noqa: S101 - no output path: Typst returns the bytes
        return pdf

    def check(self, agency: AgencyDocuments) -> None:
        """`agency` has its layout and a font for every role: DocumentConfigError otherwise."""
        self._layout(agency.template_dirs)
        self._check_fonts(agency)

    def _layout(self, folders: tuple[Path, ...]) -> bytes:
        for folder in folders:
            if (path := folder / LAYOUT).is_file():
                if path not in self._layouts:
                    self._layouts[path] = path.read_bytes()
                return self._layouts[path]
        raise DocumentConfigError(f"no {LAYOUT} in {', '.join(map(str, folders))}")

    def _check_fonts(self, agency: AgencyDocuments) -> None:
        """Every role has a font that holds Chinese: without one Typst would print empty boxes."""
        for role, names in asdict(agency.fonts).items():
            if not any(name.casefold() in self.families for name in names):
                raise DocumentConfigError(
                    f"未找到{role}字体（no font for {role} among {', '.join(names)}: "
                    "install fonts-noto-cjk or put the fonts in $OGI_DOCUMENTS_DIR/fonts）"
                )
