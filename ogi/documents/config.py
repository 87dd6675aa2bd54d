"""Each agency's document settings: letterhead, number prefixes, seal, remedies clause, contact,
fonts and templates, read from a folder of files, never from code.

Three layers, each overriding the one before key by key: the defaults shipped in this package
(ogi/documents/defaults), the deployment's folder ($OGI_DOCUMENTS_DIR/documents.toml and
templates/), and one agency's (agencies/<CODE>/documents.toml and templates/)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ogi.agencies import Agency
from ogi.documents.kinds import DocumentKind
from ogi.documents.numbering import prefix_problem
from ogi.taxonomy import Outcome

DOCUMENTS_DIR_VARIABLE = "OGI_DOCUMENTS_DIR"
DEFAULTS = Path(str(resources.files("ogi.documents") / "defaults"))
SETTINGS_FILE = "documents.toml"
# Debian's fonts-noto-cjk: the fallback for the commercial fonts GB/T 9704 names.
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")


class DocumentConfigError(Exception):
    """A settings file or template is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Remedies:
    """救济途径: the texts with the reconsideration body and court already filled in."""

    text: str
    text_reconsideration_first: str
    reconsideration_first: frozenset[Outcome]

    def clause(self, outcome: Outcome | None = None) -> str:
        """The clause a document with `outcome` carries (None: not a reply)."""
        if outcome in self.reconsideration_first:
            return self.text_reconsideration_first
        return self.text


@dataclass(frozen=True)
class Fonts:
    """Font families by role, in order of preference (GB/T 9704: 小标宋, 仿宋, 黑体, 楷体)."""

    title: tuple[str, ...]
    body: tuple[str, ...]
    heading: tuple[str, ...]
    kai: tuple[str, ...]
    page_number: tuple[str, ...]


@dataclass(frozen=True)
class AgencyDocuments:
    """Everything about one agency that its documents show, and where its templates are."""

    code: str
    name: str
    letterhead: str  # empty: no letterhead
    signature: str
    prefixes: Mapping[DocumentKind, str]
    remedies: Remedies
    contact: str  # the 附注 line, e.g. 联系人：王某；联系电话：0530-1234567
    seal: Path | None
    seal_diameter_mm: float
    fonts: Fonts
    query: str
    payment: str
    template_dirs: tuple[Path, ...]  # searched in order: agency, deployment, defaults

    def prefix(self, kind: DocumentKind) -> str:
        """The number prefix of `kind` (菏民政公复): the sequence the number is taken from."""
        return self.prefixes[kind]


_CONTACT_LABELS = (
    ("office", "承办机构"),
    ("person", "联系人"),
    ("phone", "联系电话"),
    ("address", "通信地址"),
    ("postcode", "邮政编码"),
    ("email", "电子邮箱"),
)


class DocumentsConfig:
    """The document settings of every agency, from `folder` (None: the shipped defaults only).
    Each agency's are read once, on first use."""

    def __init__(self, folder: Path | None = None, *, system_fonts: Path = NOTO_CJK) -> None:
        self.folder = folder
        self.system_fonts = system_fonts
        self._defaults = _read(DEFAULTS / SETTINGS_FILE)
        self._deployment = self._layer(folder)
        self._agencies: dict[str, AgencyDocuments] = {}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> DocumentsConfig:
        """From $OGI_DOCUMENTS_DIR, or the shipped defaults when it is not set."""
        folder = environ.get(DOCUMENTS_DIR_VARIABLE)
        return cls(Path(folder) if folder else None)

    @property
    def font_dirs(self) -> list[Path]:
        """Where fonts are looked for: the deployment's fonts/ first, then Noto CJK."""
        candidates = [self.folder / "fonts"] if self.folder else []
        return [d for d in [*candidates, self.system_fonts] if d.is_dir()]

    def for_agency(self, agency: Agency) -> AgencyDocuments:
        if (found := self._agencies.get(agency.code)) is None:
            found = self._agencies[agency.code] = self._agency(agency)
        return found

    def _agency_folder(self, code: str) -> Path | None:
        return self.folder / "agencies" / code if self.folder else None

    def _layer(self, folder: Path | None) -> dict[str, Any]:
        if folder is None or not (folder / SETTINGS_FILE).is_file():
            return {}
        path = folder / SETTINGS_FILE
        layer = _read(path)
        _check_shape(layer, self._defaults, str(path))
        return layer

    def _agency(self, agency: Agency) -> AgencyDocuments:
        own = self._agency_folder(agency.code)
        merged = _merge(_merge(self._defaults, self._deployment), self._layer(own))
        where = str(own / SETTINGS_FILE) if own else SETTINGS_FILE
        names = {"agency": agency.name, "abbreviation": merged["abbreviation"] or agency.name}

        def fill(text: str, key: str, **more: str) -> str:
            try:
                return text.format_map(names | more)
            except (KeyError, IndexError, ValueError) as error:
                raise DocumentConfigError(f"{where}: {key}: unknown placeholder {error}") from error

        prefixes = {}
        for kind in DocumentKind:
            prefix = fill(merged["numbers"][kind.value], f"numbers.{kind.value}")
            if problem := prefix_problem(prefix):
                raise DocumentConfigError(f"{where}: numbers.{kind.value}: {problem}")
            prefixes[kind] = prefix
        remedies = merged["remedies"]
        bodies = {
            "reconsideration_body": remedies["reconsideration_body"],
            "court": remedies["court"],
        }
        try:
            first = frozenset(Outcome(code) for code in remedies["reconsideration_first"])
        except ValueError as error:
            raise DocumentConfigError(
                f"{where}: remedies.reconsideration_first: {error}"
            ) from error
        contact = merged["contact"]
        letterhead = merged["letterhead"]
        seal = merged["seal"]
        return AgencyDocuments(
            code=agency.code,
            name=agency.name,
            letterhead=(
                (fill(letterhead["name"], "letterhead.name") or agency.name)
                if letterhead["show"]
                else ""
            ),
            signature=fill(letterhead["signature"], "letterhead.signature") or agency.name,
            prefixes=prefixes,
            remedies=Remedies(
                fill(remedies["text"], "remedies.text", **bodies),
                fill(remedies["text_reconsideration_first"], "remedies.text_…", **bodies),
                first,
            ),
            contact="；".join(
                f"{label}：{value}"
                for key, label in _CONTACT_LABELS
                if (value := fill(contact[key], f"contact.{key}").strip())
            ),
            seal=self._seal(seal["image"], own, where),
            seal_diameter_mm=float(seal["diameter_mm"]),
            fonts=Fonts(**{role: tuple(names_) for role, names_ in merged["fonts"].items()}),
            query=fill(merged["texts"]["query"], "texts.query"),
            payment=fill(merged["texts"]["payment"], "texts.payment"),
            template_dirs=tuple(
                d / "templates"
                for d in (own, self.folder, DEFAULTS)
                if d is not None and (d / "templates").is_dir()
            ),
        )

    def _seal(self, image: str, own: Path | None, where: str) -> Path | None:
        """The seal image, in the agency's folder or else the deployment's."""
        if not image:
            return None
        for folder in (own, self.folder):
            if folder is not None and (folder / image).is_file():
                path = (folder / image).resolve()
                if not path.is_relative_to(folder.resolve()):
                    raise DocumentConfigError(f"{where}: seal.image must be inside {folder}")
                return path
        raise DocumentConfigError(f"{where}: seal.image {image!r} not found")


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as error:
        raise DocumentConfigError(f"{path}: {error}") from error


def _check_shape(layer: Mapping[str, Any], defaults: Mapping[str, Any], where: str) -> None:
    """Every key of `layer` is one of the defaults' with a value of the same type: a typo in a
    legal office's file is an error at start, not a document printed without its clause."""
    for key, value in layer.items():
        if key not in defaults:
            raise DocumentConfigError(f"{where}: unknown key {key!r}")
        expected = defaults[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise DocumentConfigError(f"{where}: {key} must be a table")
            _check_shape(value, expected, f"{where}: [{key}]")
        elif not _same_type(expected, value):
            raise DocumentConfigError(f"{where}: {key} must be {type(expected).__name__}")
        if isinstance(expected, list) and not all(isinstance(v, str) for v in value):
            raise DocumentConfigError(f"{where}: {key} must be a list of strings")


def _same_type(expected: object, value: object) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(expected, bool) and isinstance(value, bool)
    if isinstance(expected, int | float):
        return isinstance(value, int | float)
    return isinstance(value, type(expected))


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = (
            _merge(merged[key], value)
            if isinstance(value, dict) and isinstance(merged.get(key), dict)
            else value
        )
    return merged
