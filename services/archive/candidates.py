"""The frequently-requested detector (Art 44) as a projection of the archive's events: each request
is remembered when its dossier opens; when it ends disclosed, it is compared with the agency's
other disclosed requests of the window (a document number read with its title from the
agency's register) and joins the group of those it matches, keeping why (the evidence).
Groups with enough distinct applicants are candidates; decisions on candidates and
applicants' suggestions are kept beside them. An application a handler took out of a
candidate is never grouped with that candidate's applications again: a later request that
matches both joins one of them. Incremental, and rebuildable by replay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking

from ogi.setaside import SetAsideLog, set_aside_tables
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
from ogi.views import Statement, tracked_tables
from services.archive.conversion import Candidate, ConversionPolicy, Decision, Origin, candidate_id
from services.archive.domain import Dossier
from services.archive.grouping import joined
from services.archive.register import DocumentRegister

SOURCE = "art44"
_TABLES = {
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
    "art44_excluded": [
        "CREATE TABLE IF NOT EXISTS {art44_excluded} (candidate_id TEXT NOT NULL, "
        "dossier_id TEXT NOT NULL, application_number TEXT NOT NULL, reason TEXT NOT NULL, "
        "excluded_on TEXT NOT NULL, excluded_by TEXT NOT NULL, "
        "PRIMARY KEY (candidate_id, dossier_id))"
    ],
    # The document numbers each archived request names, to find them when the register learns
    # what a number is.
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
    "art44_candidates": [
        "CREATE TABLE IF NOT EXISTS {art44_candidates} (candidate_id TEXT PRIMARY KEY, "
        "agency_code TEXT NOT NULL, grp TEXT NOT NULL, origin TEXT NOT NULL, "
        "subject TEXT NOT NULL, opened_on TEXT NOT NULL, decision TEXT NOT NULL, "
        "link TEXT NOT NULL, reason TEXT NOT NULL, decided_on TEXT, decided_by TEXT NOT NULL)"
    ],
}
_D: Any = Dossier
_C: Any = Candidate
_FEATURES_KEPT = 100_000
_R: Any = DocumentRegister


@dataclass(frozen=True)
class Request:
    dossier_id: str
    application_number: str
    applicant_key: str
    receipt_date: date
    description: str


@dataclass(frozen=True)
class Link:
    dossier_id: str
    other_id: str
    signal: str
    evidence: str


@dataclass(frozen=True)
class Exclusion:
    """An application a handler took out of the candidate (不是同一信息), and why."""

    application_number: str
    reason: str
    excluded_on: date
    excluded_by: str


@dataclass(frozen=True)
class CandidateView:
    candidate_id: UUID
    agency_code: str
    key: str  # the group (its first request's dossier id), or the suggestion's id
    origin: Origin
    subject: str
    requests: list[Request]  # the matching applications (none for a suggestion)
    evidence: list[Link]
    decision: Decision
    link: str
    reason: str
    decided_on: date | None
    decided_by: str
    excluded: list[Exclusion]


class Art44Detector:
    """Processes one event per transaction (ProjectionWorker batch_size=1): each comparison
    must see the groups as the previous event left them."""

    def __init__(
        self, app: Application[Any], policy: ConversionPolicy, similarity: MatchPolicy
    ) -> None:
        self.tables = tracked_tables(app, SOURCE, _TABLES | set_aside_tables(SOURCE))
        self.set_aside = SetAsideLog(self.tables, SOURCE)
        self.policy = policy
        self.similarity = similarity
        # Each archived request is compared with the whole window: keep what the words say.
        self._features: dict[tuple[str, int, int], Features] = {}

    def position(self) -> int:
        return self.tables.position()

    def project(self, domain_events: list[Any], after: int, last_notification_id: int) -> None:
        statements = [s for e in domain_events for s in self._statements(e)]
        self.tables.write(statements, Tracking(SOURCE, last_notification_id), after)

    def reapply(self, domain_event: Any, claim: Statement) -> None:
        """A set-aside event, compared with the groups as they stand now."""
        self.tables.write(self._statements(domain_event), None, claim=claim)

    def attention(self, _domain_event: Any, /) -> list[Statement]:
        return []  # the request is not in the groups until it applies; the list shows it

    def _statements(self, e: Any) -> list[Statement]:
        if isinstance(e, _D.Opened):
            return [
                (
                    "INSERT INTO {art44_requests} VALUES (?, ?, ?, ?, ?, ?, '', NULL) "
                    "ON CONFLICT (dossier_id) DO NOTHING",
                    (
                        str(e.originator_id),
                        e.agency_code,
                        e.application_number,
                        e.applicant_key,
                        e.receipt_date.isoformat(),
                        e.description,
                    ),
                )
            ]
        if isinstance(e, _D.Archived) and e.conclusion.outcome in self.policy.outcomes:
            return self._grouped(str(e.originator_id), e.conclusion.outcome.value)
        if isinstance(e, _C.Opened):
            return [
                (
                    "INSERT INTO {art44_candidates} VALUES (?, ?, ?, ?, ?, ?, ?, '', '', NULL, '') "
                    "ON CONFLICT (candidate_id) DO NOTHING",
                    (
                        str(e.originator_id),
                        e.agency_code,
                        e.key,
                        e.origin,
                        e.subject,
                        e.opened_on.isoformat(),
                        Decision.PENDING.value,
                    ),
                )
            ]
        if isinstance(e, _R.DocumentRecorded):
            return [
                (
                    "INSERT INTO {art44_documents} VALUES (?, ?, ?) "
                    "ON CONFLICT (agency_code, number) DO UPDATE SET title = excluded.title",
                    (e.agency_code, e.number, e.title),
                ),
                *self._regrouped(e.agency_code, e.number, e.title),
            ]
        if isinstance(e, _C.RequestExcluded):
            return self._excluded(e)
        if isinstance(e, _C.Decided):
            return [
                (
                    "UPDATE {art44_candidates} SET decision = ?, link = ?, reason = ?, "
                    "decided_on = ?, decided_by = ? WHERE candidate_id = ?",
                    (e.decision, e.link, e.reason, e.on.isoformat(), e.by, str(e.originator_id)),
                )
            ]
        return []

    def _grouped(self, dossier_id: str, outcome: str) -> list[Statement]:
        found = self.tables.read(
            "SELECT agency_code, receipt_date, description FROM {art44_requests} "
            "WHERE dossier_id = ?",
            [dossier_id],
        )
        if not found:
            return []
        agency, received, description = found[0]
        catalogue = self._register(agency)
        matched = self._matches(agency, dossier_id, received, description, catalogue)
        joins, absorbed = self._joined(agency, [(g, m.signal) for _, _, g, m in matched])
        group = joins or dossier_id
        return [
            (
                "UPDATE {art44_requests} SET outcome = ?, grp = ? WHERE dossier_id = ?",
                (outcome, group, dossier_id),
            ),
            *(
                (
                    "INSERT INTO {art44_numbers} VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (dossier_id, agency, n.prefix, n.year, n.serial),
                )
                # The features _matches just worked out: the register adds titles, not numbers.
                for n in self._features_of(
                    description, received, catalogue, hash(catalogue)
                ).document_numbers
            ),
            *self._merged(agency, group, absorbed, matched),
        ]

    def _regrouped(self, agency: str, written: str, title: str) -> list[Statement]:
        """The register has learnt what a number is: the archived requests that name it are
        compared again, now with its title, and join the groups they match."""
        number = document_number(written)
        if number is None:
            return []
        naming = [
            row
            for prefix, *row in self.tables.read(
                "SELECT n.prefix, r.dossier_id, r.receipt_date, r.description, r.grp "
                "FROM {art44_numbers} n JOIN {art44_requests} r ON r.dossier_id = n.dossier_id "
                "WHERE n.agency_code = ? AND n.year = ? AND n.serial = ?",
                [agency, number.year, number.serial],
            )
            if number.same_as(DocumentNumber(prefix, number.year, number.serial))
        ]
        if not naming:
            return []
        known = tuple(d for d in self._register(agency) if not d.number.same_as(number))
        catalogue = (*known, CataloguedDocument(number, title))
        matched = [
            found
            for dossier_id, received, description, _ in naming
            for found in self._matches(agency, dossier_id, received, description, catalogue)
        ]
        named = [(g, "document_number") for *_, g in naming]
        group, absorbed = self._joined(agency, named + [(g, m.signal) for _, _, g, m in matched])
        return [] if group is None else self._merged(agency, group, absorbed, matched)

    def _matches(
        self,
        agency: str,
        dossier_id: str,
        received: str,
        description: str,
        catalogue: tuple[CataloguedDocument, ...],
    ) -> list[tuple[str, str, str, Match]]:
        """(request, other request, its group, why) for each archived request of the window
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
        apart = {
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
        return joined(matches, sizes, decided, apart, self.policy.grouping)

    def _excluded(self, e: Any) -> list[Statement]:
        """The application leaves its group for one of its own (keyed apart from any dossier's,
        so that the group keeps its key and the candidate its id), and is kept apart from
        every application of the group."""
        found = self.tables.read(
            "SELECT agency_code, grp FROM {art44_requests} WHERE dossier_id = ?", [e.dossier_id]
        )
        if not found:
            return []
        agency, group = found[0]
        members = self.tables.read(
            "SELECT dossier_id FROM {art44_requests} WHERE agency_code = ? AND grp = ? "
            "AND dossier_id != ?",
            [agency, group, e.dossier_id],
        )
        return [
            (
                "UPDATE {art44_requests} SET grp = ? WHERE dossier_id = ?",
                (f"excluded:{e.dossier_id}", e.dossier_id),
            ),
            *(
                (
                    "INSERT INTO {art44_apart} VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (e.dossier_id, other_id),
                )
                for (other_id,) in members
            ),
            (
                "INSERT INTO {art44_excluded} VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    str(e.originator_id),
                    e.dossier_id,
                    e.application_number,
                    e.reason,
                    e.on.isoformat(),
                    e.by,
                ),
            ),
        ]

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

    def _register(self, agency_code: str) -> tuple[CataloguedDocument, ...]:
        rows = self.tables.read(
            "SELECT number, title FROM {art44_documents} WHERE agency_code = ?", [agency_code]
        )
        return tuple(
            CataloguedDocument(number, title)
            for written, title in sorted(rows)
            if (number := document_number(written))
        )

    # --- reading ----------------------------------------------------------------------------

    def candidates(self, agency_code: str) -> list[CandidateView]:
        """Detected groups that meet the policy, and the agency's suggestions, oldest first."""
        groups = self.tables.read(
            "SELECT grp FROM {art44_requests} WHERE agency_code = ? AND grp IS NOT NULL "
            "GROUP BY grp HAVING COUNT(DISTINCT applicant_key) >= ?",
            [agency_code, self.policy.applicants],
        )
        views = [v for (group,) in groups if (v := self._detected(agency_code, group))]
        suggestions = self.tables.read(
            "SELECT candidate_id, grp FROM {art44_candidates} WHERE agency_code = ? AND origin = ?",
            [agency_code, Origin.SUGGESTED.value],
        )
        views += [self._decision(UUID(c), agency_code, k, [], []) for c, k in suggestions]
        return sorted(views, key=lambda v: v.requests[0].receipt_date if v.requests else date.max)

    def _detected(self, agency_code: str, group: str) -> CandidateView | None:
        rows = self.tables.read(
            "SELECT dossier_id, application_number, applicant_key, receipt_date, description "
            "FROM {art44_requests} WHERE agency_code = ? AND grp = ? "
            "ORDER BY receipt_date, application_number",
            [agency_code, group],
        )
        requests = [Request(r[0], r[1], r[2], date.fromisoformat(r[3]), r[4]) for r in rows]
        if not self.policy.qualifies([(r.receipt_date, r.applicant_key) for r in requests]):
            return None
        marks = ", ".join("?" for _ in requests)
        members = [r.dossier_id for r in requests]
        links = self.tables.read(
            "SELECT dossier_id, other_id, signal, evidence FROM {art44_links} "
            f"WHERE dossier_id IN ({marks}) AND other_id IN ({marks}) "
            "ORDER BY dossier_id, other_id",
            [*members, *members],
        )
        cid = candidate_id(agency_code, group)
        return self._decision(cid, agency_code, group, requests, [Link(*r) for r in links])

    def _decision(
        self, cid: UUID, agency_code: str, key: str, requests: list[Request], links: list[Link]
    ) -> CandidateView:
        rows = self.tables.read(
            "SELECT origin, subject, decision, link, reason, decided_on, decided_by "
            "FROM {art44_candidates} WHERE candidate_id = ?",
            [str(cid)],
        )
        origin, subject, decision, link, reason, decided_on, decided_by = (
            rows[0]
            if rows
            else (
                Origin.DETECTED.value,
                requests[0].description if requests else "",
                Decision.PENDING.value,
                "",
                "",
                None,
                "",
            )
        )
        excluded = self.tables.read(
            "SELECT application_number, reason, excluded_on, excluded_by FROM {art44_excluded} "
            "WHERE candidate_id = ? ORDER BY excluded_on, application_number",
            [str(cid)],
        )
        return CandidateView(
            cid,
            agency_code,
            key,
            Origin(origin),
            subject,
            requests,
            links,
            Decision(decision),
            link,
            reason,
            date.fromisoformat(decided_on) if decided_on else None,
            decided_by,
            [Exclusion(n, why, date.fromisoformat(on), by) for n, why, on, by in excluded],
        )
