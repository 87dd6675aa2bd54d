"""From content to the document's blocks: an agency's wording template (Jinja, one per kind,
`templates/<kind>.xml.j2`) writes a few plain XML elements, one per block of the letter:

    <number/> <title/> <to/> <p/> <h1/> <h2/> <note/> <blank/>
    <field label="…" lines="3"/>  (a row of a form)   <signature name="…" date="…" seal="no"/>

Every value the template prints is XML-escaped (autoescape), so text from applicants and staff
stays text: it can never open an element, and it never reaches Typst markup either (the PDF
layout reads the blocks as JSON). Both the PDF and the DOCX are laid out from these blocks, so
they hold the same words."""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ogi.documents.config import AgencyDocuments, DocumentConfigError
from ogi.documents.kinds import (
    KIND_TERMS,
    REVIEW_CONCLUSION_TERMS,
    DocumentContent,
    FeeNotice,
    Issue,
    RegistrationReceipt,
)
from ogi.documents.law import FEE_STANDARDS, RECEIPT_RULES, REGULATION
from ogi.taxonomy import Term, term_for

BLOCK_TYPES = frozenset(
    {"number", "title", "to", "p", "h1", "h2", "note", "blank", "field", "signature"}
)
# Characters XML 1.0 cannot carry even escaped; the edge refuses them in requests already.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ENDS_SENTENCE = tuple("。！？；…”’）)」』.!?")


@dataclass(frozen=True)
class Block:
    """One block of a document as both layouts set it."""

    type: str
    text: str = ""
    label: str = ""  # field
    lines: int = 1  # field: the lines of space it takes (for a handwritten opinion)
    date: str = ""  # signature
    seal: bool = True  # signature: the seal goes over it (PDF only)


@dataclass(frozen=True)
class Composed:
    title: str
    blocks: tuple[Block, ...]

    @property
    def text(self) -> str:
        """The words of the document, a line per block (what both files must hold)."""
        return "\n".join(t for b in self.blocks for t in _words(b) if t)


def _words(block: Block) -> tuple[str, ...]:
    if block.type == "field":
        return (block.label, block.text)
    if block.type == "signature":
        return (block.text, block.date)
    return (block.text,)


def zh_date(day: date) -> str:
    """2026年12月3日: full Arabic numerals, not padded (GB/T 9704 7.3.5)."""
    return f"{day.year}年{day.month}月{day.day}日"


def yuan(amount: Decimal) -> str:
    """83460元, 12.50元."""
    whole = amount == amount.to_integral_value()
    return f"{amount:.0f}元" if whole else f"{amount:.2f}元"


def sentence(text: str) -> str:
    """`text` ending as a sentence: 。 added unless it already ends with a stop."""
    text = text.strip()
    return text if not text or text.endswith(_ENDS_SENTENCE) else text + "。"


def clause(text: str) -> str:
    """`text` without its final stop, to go on inside a sentence."""
    return text.strip().rstrip("。；;，,.")


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of `text`: each becomes a paragraph."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def grouped(text: str, size: int = 8) -> str:
    """A checksum in groups of `size`, as fingerprints are printed: readable, and the line may
    break between the groups."""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


class Composer:
    """Fills an agency's templates; one template environment per folder list, kept."""

    def __init__(self) -> None:
        self._environments: dict[tuple[Path, ...], SandboxedEnvironment] = {}
        self._lock = threading.Lock()

    def compose(self, content: DocumentContent, issue: Issue, agency: AgencyDocuments) -> Composed:
        name = f"{content.kind.value}.xml.j2"
        context = _context(content, issue, agency)
        try:
            template = self._environment(agency.template_dirs).get_template(name)
            markup = template.render(context)
        except TemplateError as error:
            raise DocumentConfigError(f"template {name} ({agency.code}): {error}") from error
        blocks = _blocks(markup, name)
        composed = Composed(context["title"], blocks)
        for required in (issue.number, zh_date(issue.dated)):
            if required not in composed.text:
                raise DocumentConfigError(f"template {name} ({agency.code}) omits {required}")
        return composed

    def check(self, agency: AgencyDocuments) -> None:
        """Every kind's template of `agency` loads (its syntax is right): DocumentConfigError
        naming the template otherwise."""
        environment = self._environment(agency.template_dirs)
        for kind in KIND_TERMS:
            name = f"{kind.value}.xml.j2"
            try:
                environment.get_template(name)
            except TemplateError as error:
                raise DocumentConfigError(f"template {name} ({agency.code}): {error}") from error

    def _environment(self, folders: tuple[Path, ...]) -> SandboxedEnvironment:
        with self._lock:
            if (env := self._environments.get(folders)) is None:
                env = SandboxedEnvironment(
                    loader=FileSystemLoader([str(f) for f in folders]),
                    autoescape=True,
                    undefined=StrictUndefined,
                    finalize=_finalize,
                    # Line breaks stay: _flow drops them with the indentation around them.
                    lstrip_blocks=True,
                    keep_trailing_newline=False,
                )
                env.filters.update(
                    zh_date=zh_date,
                    yuan=yuan,
                    sentence=sentence,
                    clause=clause,
                    paragraphs=paragraphs,
                    grouped=grouped,
                )
                self._environments[folders] = env
            return env


def _context(content: DocumentContent, issue: Issue, agency: AgencyDocuments) -> dict[str, Any]:
    context: dict[str, Any] = {f.name: getattr(content, f.name) for f in fields(content)}
    for f in fields(content):
        value = getattr(content, f.name)
        if isinstance(value, Enum) and (term := _term(value)) is not None:
            context[f"{f.name}_term"] = term
    kind = KIND_TERMS[content.kind]
    context |= {
        "kind": content.kind,
        "title": kind.zh,
        "number": issue.number,
        "dated": issue.dated,
        "replaces": issue.replaces,
        "law": REGULATION,
        "agency": agency,
        "remedies": agency.remedies.clause(getattr(content, "outcome", None)),
    }
    if isinstance(content, RegistrationReceipt):
        context["receipt_rule"] = RECEIPT_RULES[content.channel]
    if isinstance(content, FeeNotice):
        context["fee_standard"] = FEE_STANDARDS.get(content.method, "")
        context["payment"] = content.payment or agency.payment
    return context


def _term(value: Enum) -> Term | None:
    found = term_for(value)
    if found is None:
        found = REVIEW_CONCLUSION_TERMS.get(value)  # type: ignore[call-overload]
    return found


def _blocks(markup: str, name: str) -> tuple[Block, ...]:
    try:
        # The markup is our template's output with every value escaped: no entities or
        # doctype of anyone else's can be in it.
        root = ET.fromstring(f"<document>{markup}</document>")  # noqa: S314
    except ET.ParseError as error:
        raise DocumentConfigError(f"template {name}: not well-formed: {error}") from error
    if any((part or "").strip() for part in (root.text, *(e.tail for e in root))):
        raise DocumentConfigError(f"template {name}: text outside the elements")
    return tuple(_block(element, name) for element in root)


def _block(element: ET.Element, name: str) -> Block:
    if element.tag not in BLOCK_TYPES:
        raise DocumentConfigError(f"template {name}: unknown element <{element.tag}>")
    if len(element):
        raise DocumentConfigError(f"template {name}: <{element.tag}> holds only text")
    attributes: Mapping[str, str] = element.attrib
    text = _flow(element.text or "")
    if element.tag == "field":
        return Block(
            "field",
            text,
            label=_flow(attributes.get("label", "")),
            lines=_lines(attributes.get("lines", "1"), name),
        )
    if element.tag == "signature":
        return Block(
            "signature",
            _flow(attributes.get("name", "")),
            date=_flow(attributes.get("date", "")),
            seal=attributes.get("seal", "yes") != "no",
        )
    return Block(element.tag, text)


def _lines(text: str, name: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 20:
        raise DocumentConfigError(f"template {name}: lines must be 1-20")
    return int(text)


def _flow(text: str) -> str:
    """The text of an element as one line: the template's line breaks and indentation go, and
    lines are joined without a space unless two Latin words or numbers meet."""
    pieces: Iterable[str] = (line.strip() for line in text.splitlines())
    joined = ""
    for piece in pieces:
        if not piece:
            continue
        if joined and _latin(joined[-1]) and _latin(piece[0]):
            joined += " "
        joined += piece
    return joined


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()
