"""The frequently-requested detector (Art 44) as a projection of the archive's events: each request
is remembered when its dossier opens; when it ends disclosed, it is compared with the agency's
other disclosed requests of the window (a document number read with its title from the
agency's register) and joins the group of those it matches, keeping why (the evidence).
Groups with enough distinct applicants are candidates; decisions on candidates and
applicants' suggestions are kept beside them. Incremental, and rebuildable by replay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking

from ogi.views import Statement, tracked_tables
from services.archive.conversion import Candidate, ConversionPolicy, Decision, Origin, candidate_id
from services.archive.domain import Dossier
from services.archive.register import DocumentRegister
from services.archive.similarity import (
    CataloguedDocument,
    Features,
    MatchPolicy,
    document_number,
    features,
    match,
)

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


class Art44Detector:
    """Processes one event per transaction (ProjectionWorker batch_size=1): each comparison
    must see the groups as the previous event left them."""

    def __init__(
        self, app: Application[Any], policy: ConversionPolicy, similarity: MatchPolicy
    ) -> None:
        self.tables = tracked_tables(app, SOURCE, _TABLES)
        self.policy = policy
        self.similarity = similarity
        # Each archived request is compared with the whole window: keep what the words say.
        self._features: dict[tuple[str, int], Features] = {}

    def position(self) -> int:
        return self.tables.position()

    def project(self, domain_events: list[Any], after: int, last_notification_id: int) -> None:
        statements = [s for e in domain_events for s in self._statements(e)]
        self.tables.write(statements, Tracking(SOURCE, last_notification_id), after)

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
                )
            ]
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
        window = timedelta(days=self.policy.window_days)
        start = date.fromisoformat(received) - window
        others = self.tables.read(
            "SELECT dossier_id, description, grp FROM {art44_requests} "
            "WHERE agency_code = ? AND grp IS NOT NULL AND receipt_date >= ? AND dossier_id != ? "
            "ORDER BY receipt_date, application_number",
            [agency, start.isoformat(), dossier_id],
        )
        catalogue = self._register(agency)
        version = hash(catalogue)
        mine = self._features_of(description, catalogue, version)
        links, groups = [], []
        for other_id, other_description, group in others:
            theirs = self._features_of(other_description, catalogue, version)
            found_match = match(mine, theirs, self.similarity)
            if found_match:
                links.append((dossier_id, other_id, found_match.signal, found_match.evidence))
                groups.append(group)
        group = groups[0] if groups else dossier_id
        statements: list[Statement] = [
            (
                "UPDATE {art44_requests} SET outcome = ?, grp = ? WHERE dossier_id = ?",
                (outcome, group, dossier_id),
            ),
            *(
                (
                    "INSERT INTO {art44_links} VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (dossier_id, other_id) DO NOTHING",
                    link,
                )
                for link in links
            ),
        ]
        for absorbed in sorted(set(groups) - {group}):
            statements.append(
                (
                    "UPDATE {art44_requests} SET grp = ? WHERE agency_code = ? AND grp = ?",
                    (group, agency, absorbed),
                )
            )
        return statements

    def _features_of(
        self, description: str, catalogue: tuple[CataloguedDocument, ...], version: int
    ) -> Features:
        """`features`, kept per description and contents of the register (`version`)."""
        key = (description, version)
        if key not in self._features:
            if len(self._features) >= _FEATURES_KEPT:
                self._features.clear()
            self._features[key] = features(description, catalogue)
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
        links = self.tables.read(
            "SELECT dossier_id, other_id, signal, evidence FROM {art44_links} "
            f"WHERE dossier_id IN ({marks}) ORDER BY dossier_id, other_id",
            [r.dossier_id for r in requests],
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
        )
