"""Likely candidates (Art 44): requests whose words ask for the same information, grouped by the
text matcher (ogi.textmatch.similarity) from the day they are registered — before any reply,
when nothing was released yet that would say it exactly. Each request is compared with the
agency's other requests of the window (a document number read with its title from the
agency's register) and joins the groups of those it matches (services.archive.grouping),
keeping why. A request that ends without releasing anything leaves the groups; one a handler
took out of a candidate is never grouped with that candidate's applications again.

Part of the Art 44 projection (services.archive.candidates): its statements are written there,
in the transaction that moves the projection's position."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ogi.textmatch.similarity import (
    CataloguedDocument,
    DocumentNumber,
    Features,
    Match,
    MatchPolicy,
    document_number,
    features,
    match,
)
from ogi.views import Statement, TrackedTables
from services.archive.conversion import ConversionPolicy, Decision
from services.archive.grouping import joined

TABLES = {
    "art44_requests": [
        "CREATE TABLE IF NOT EXISTS {art44_requests} (dossier_id TEXT PRIMARY KEY, "
        "agency_code TEXT NOT NULL, application_number TEXT NOT NULL, "
        "applicant_key TEXT NOT NULL, receipt_date TEXT NOT NULL, description TEXT NOT NULL, "
        "outcome TEXT NOT NULL, grp TEXT)",
        "CREATE INDEX IF NOT EXISTS art44_requests_grp ON {art44_requests} (agency_code, grp)",
    ],
    "art44_links": [
        "CREATE TABLE IF NOT EXISTS {art44_links} (dossier_id TEXT NOT NULL, "
        "other_id TEXT NOT NULL, signal TEXT NOT NULL, evidence TEXT NOT NULL, "
        "PRIMARY KEY (dossier_id, other_id))"
    ],
    # Applications a handler said ask for other information than each other.
    "art44_apart": [
        "CREATE TABLE IF NOT EXISTS {art44_apart} (dossier_id TEXT NOT NULL, "
        "other_id TEXT NOT NULL, PRIMARY KEY (dossier_id, other_id))"
    ],
    # The document numbers each request names, to find them when the register learns what a
    # number is.
    "art44_numbers": [
        "CREATE TABLE IF NOT EXISTS {art44_numbers} (dossier_id TEXT NOT NULL, "
        "agency_code TEXT NOT NULL, prefix TEXT NOT NULL, year TEXT NOT NULL, "
        "serial TEXT NOT NULL, PRIMARY KEY (dossier_id, prefix, year, serial))",
        "CREATE INDEX IF NOT EXISTS art44_numbers_serial ON {art44_numbers} "
        "(agency_code, year, serial)",
    ],
    "art44_documents": [
        "CREATE TABLE IF NOT EXISTS {art44_documents} (agency_code TEXT NOT NULL, "
        "number TEXT NOT NULL, title TEXT NOT NULL, PRIMARY KEY (agency_code, number))"
    ],
}
_FEATURES_KEPT = 100_000


class TextGroups:
    """The statements that keep the requests' groups."""

    def __init__(
        self, tables: TrackedTables, policy: ConversionPolicy, similarity: MatchPolicy
    ) -> None:
        self.tables = tables
        self.policy = policy
        self.similarity = similarity
        # Each request is compared with the whole window: keep what the words say.
        self._features: dict[tuple[str, int, int], Features] = {}

    def opened(self, e: Any) -> list[Statement]:
        """A request registered: it joins the groups of the requests it matches."""
        dossier_id = str(e.originator_id)
        known = self.tables.read(
            "SELECT 1 FROM {art44_requests} WHERE dossier_id = ?", [dossier_id]
        )
        if known:
            return []
        row: Statement = (
            "INSERT INTO {art44_requests} VALUES (?, ?, ?, ?, ?, ?, '', ?)",
            (
                dossier_id,
                e.agency_code,
                e.application_number,
                e.applicant_key,
                e.receipt_date.isoformat(),
                e.description,
                dossier_id,  # its own group until it joins others'
            ),
        )
        received = e.receipt_date.isoformat()
        catalogue = self.register(e.agency_code)
        matched = self._matches(e.agency_code, dossier_id, received, e.description, catalogue)
        group, absorbed = self._joined(e.agency_code, [(g, m.signal) for _, _, g, m in matched])
        numbers = self._features_of(
            e.description, received, catalogue, hash(catalogue)
        ).document_numbers
        return [
            row,
            *(
                (
                    "INSERT INTO {art44_numbers} VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (dossier_id, e.agency_code, n.prefix, n.year, n.serial),
                )
                for n in numbers
            ),
            *(
                [("UPDATE {art44_requests} SET grp = ? WHERE dossier_id = ?", (group, dossier_id))]
                if group
                else []
            ),
            *self._merged(e.agency_code, group or dossier_id, absorbed, matched),
        ]

    def archived(self, dossier_id: str, outcome: str) -> list[Statement]:
        """The case ended: a request that released nothing leaves the groups (it is no longer
        information several applicants obtained); one that did keeps its group."""
        if outcome in self.policy.outcomes:
            return [
                (
                    "UPDATE {art44_requests} SET outcome = ? WHERE dossier_id = ?",
                    (outcome, dossier_id),
                )
            ]
        return [
            (
                "UPDATE {art44_requests} SET outcome = ?, grp = NULL WHERE dossier_id = ?",
                (outcome, dossier_id),
            )
        ]

    def registered(self, agency: str, written: str, title: str) -> list[Statement]:
        """The register has learnt what a number is: the requests that name it are compared
        again, now with its title, and join the groups they match."""
        number = document_number(written)
        if number is None:
            return []
        naming = [
            row
            for prefix, *row in self.tables.read(
                "SELECT n.prefix, r.dossier_id, r.receipt_date, r.description, r.grp "
                "FROM {art44_numbers} n JOIN {art44_requests} r ON r.dossier_id = n.dossier_id "
                "WHERE n.agency_code = ? AND n.year = ? AND n.serial = ? AND r.grp IS NOT NULL",
                [agency, number.year, number.serial],
            )
            if number.same_as(DocumentNumber(prefix, number.year, number.serial))
        ]
        if not naming:
            return []
        known = tuple(d for d in self.register(agency) if not d.number.same_as(number))
        catalogue = (*known, CataloguedDocument(number, title))
        matched = [
            found
            for dossier_id, received, description, _ in naming
            for found in self._matches(agency, dossier_id, received, description, catalogue)
        ]
        named = [(g, "document_number") for *_, g in naming]
        group, absorbed = self._joined(agency, named + [(g, m.signal) for _, _, g, m in matched])
        return [] if group is None else self._merged(agency, group, absorbed, matched)

    def excluded(self, dossier_id: str, candidate_groups: set[str]) -> list[Statement]:
        """The application leaves its group, if that group is (part of) the candidate, for one
        of its own (keyed apart from any dossier's, so that the group keeps its key and the
        candidate its id), and is kept apart from every application of the group."""
        found = self.tables.read(
            "SELECT agency_code, grp FROM {art44_requests} WHERE dossier_id = ?", [dossier_id]
        )
        if not found or found[0][1] not in candidate_groups:
            return []
        agency, group = found[0]
        members = self.tables.read(
            "SELECT dossier_id FROM {art44_requests} WHERE agency_code = ? AND grp = ? "
            "AND dossier_id != ?",
            [agency, group, dossier_id],
        )
        return [
            (
                "UPDATE {art44_requests} SET grp = ? WHERE dossier_id = ?",
                (f"excluded:{dossier_id}", dossier_id),
            ),
            *apart(dossier_id, [other for (other,) in members]),
        ]

    def register(self, agency_code: str) -> tuple[CataloguedDocument, ...]:
        rows = self.tables.read(
            "SELECT number, title FROM {art44_documents} WHERE agency_code = ?", [agency_code]
        )
        return tuple(
            CataloguedDocument(number, title)
            for written, title in sorted(rows)
            if (number := document_number(written))
        )

    def _matches(
        self,
        agency: str,
        dossier_id: str,
        received: str,
        description: str,
        catalogue: tuple[CataloguedDocument, ...],
    ) -> list[tuple[str, str, str, Match]]:
        """(request, other request, its group, why) for each grouped request of the window
        that asks for the same information."""
        start = date.fromisoformat(received) - timedelta(days=self.policy.window_days)
        others = self.tables.read(
            "SELECT dossier_id, description, grp, receipt_date FROM {art44_requests} "
            "WHERE agency_code = ? AND grp IS NOT NULL AND receipt_date >= ? AND dossier_id != ? "
            "ORDER BY receipt_date, application_number",
            [agency, start.isoformat(), dossier_id],
        )
        version = hash(catalogue)
        mine = self._features_of(description, received, catalogue, version)
        return [
            (dossier_id, other_id, group, found)
            for other_id, other_description, group, other_received in others
            if (
                found := match(
                    mine,
                    self._features_of(other_description, other_received, catalogue, version),
                    self.similarity,
                )
            )
        ]

    def _merged(
        self,
        agency: str,
        group: str,
        absorbed: list[str],
        matched: list[tuple[str, str, str, Match]],
    ) -> list[Statement]:
        """The evidence of the matches that hold within the group, and the groups it takes in."""
        statements: list[Statement] = [
            (
                "INSERT INTO {art44_links} VALUES (?, ?, ?, ?) "
                "ON CONFLICT (dossier_id, other_id) DO NOTHING",
                (dossier_id, other_id, m.signal, m.evidence),
            )
            for dossier_id, other_id, g, m in matched
            if g == group or g in absorbed
        ]
        statements += [
            (
                "UPDATE {art44_requests} SET grp = ? WHERE agency_code = ? AND grp = ?",
                (group, agency, g),
            )
            for g in absorbed
        ]
        return statements

    def _joined(
        self, agency_code: str, matches: list[tuple[str, str]]
    ) -> tuple[str | None, list[str]]:
        """`grouping.joined` for (group, signal) of each match, with the agency's decided
        candidates and the applications handlers took out of them."""
        if not matches:
            return None, []
        distinct = list(dict.fromkeys(g for g, _ in matches))
        marks = ", ".join("?" for _ in distinct)
        apart_groups = {
            frozenset(pair)
            for pair in self.tables.read(
                "SELECT mine.grp, theirs.grp FROM {art44_apart} a "
                "JOIN {art44_requests} mine ON mine.dossier_id = a.dossier_id "
                "JOIN {art44_requests} theirs ON theirs.dossier_id = a.other_id "
                f"WHERE mine.agency_code = ? AND mine.grp IN ({marks}) AND theirs.grp IN ({marks})",
                [agency_code, *distinct, *distinct],
            )
        }
        decided = {
            g
            for (g,) in self.tables.read(
                "SELECT grp FROM {art44_candidates} WHERE agency_code = ? AND decision != ? "
                f"AND grp IN ({marks})",
                [agency_code, Decision.PENDING.value, *distinct],
            )
        }
        sizes = dict(
            self.tables.read(
                "SELECT grp, COUNT(*) FROM {art44_requests} "
                f"WHERE agency_code = ? AND grp IN ({marks}) GROUP BY grp",
                [agency_code, *distinct],
            )
        )
        return joined(matches, sizes, decided, apart_groups, self.policy.grouping)

    def _features_of(
        self,
        description: str,
        received: str,
        catalogue: tuple[CataloguedDocument, ...],
        version: int,
    ) -> Features:
        """`features` of a request received on `received` (ISO date), kept per description,
        year received and contents of the register (`version`)."""
        year = int(received[:4])
        key = (description, year, version)
        if key not in self._features:
            if len(self._features) >= _FEATURES_KEPT:
                self._features.clear()
            self._features[key] = features(description, catalogue, year)
        return self._features[key]


def apart(dossier_id: str, others: list[str]) -> list[Statement]:
    """`dossier_id` asks for other information than each of `others` (a handler said so)."""
    return [
        ("INSERT INTO {art44_apart} VALUES (?, ?) ON CONFLICT DO NOTHING", (dossier_id, other))
        for other in others
    ]
