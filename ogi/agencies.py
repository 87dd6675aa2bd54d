"""The agency directory (行政机关): codes, names and the tree reports roll up over."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

_CODE = re.compile(r"^[A-Z0-9]{2,16}$")


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    parent_code: str
    go_live: date | None = None  # the first receipt date the agency records in ogi, if set
    asks_purpose: bool = False  # asks applicants what the information is for (用途), optionally


class AgencyDirectoryError(Exception):
    """The directory file is inconsistent; the message names the entry."""


class AgencyDirectory:
    """Agencies by code, read from a TOML file of ``[[agency]]`` tables."""

    def __init__(self, agencies: list[Agency]) -> None:
        self._by_code: dict[str, Agency] = {}
        for agency in agencies:
            if not _CODE.match(agency.code):
                raise AgencyDirectoryError(f"{agency.code!r}: code must be 2-16 of A-Z, 0-9")
            if agency.code in self._by_code:
                raise AgencyDirectoryError(f"{agency.code}: listed twice")
            self._by_code[agency.code] = agency
        for agency in agencies:
            if agency.parent_code and agency.parent_code not in self._by_code:
                raise AgencyDirectoryError(f"{agency.code}: unknown parent {agency.parent_code}")

    @classmethod
    def from_file(cls, path: Path) -> AgencyDirectory:
        with path.open("rb") as f:
            entries = tomllib.load(f).get("agency", [])
        return cls(
            [
                Agency(
                    e["code"],
                    e["name"],
                    e.get("parent", ""),
                    e.get("go_live"),
                    bool(e.get("asks_purpose", False)),
                )
                for e in entries
            ]
        )

    def get(self, code: str) -> Agency | None:
        return self._by_code.get(code)

    def __iter__(self) -> Iterator[Agency]:
        return iter(self._by_code.values())

    def subtree(self, code: str) -> list[str]:
        """`code` and every agency under it: what a roll-up report covers."""
        found, frontier = [code], [code]
        while frontier:
            parent = frontier.pop()
            children = [a.code for a in self._by_code.values() if a.parent_code == parent]
            found += children
            frontier += children
        return found

    def is_within(self, code: str, ancestor: str) -> bool:
        """`code` is `ancestor` or under it."""
        while code:
            if code == ancestor:
                return True
            agency = self._by_code.get(code)
            code = agency.parent_code if agency else ""
        return False
