"""The frequently-requested candidates (Art 44) as a projection of the archive's events, in two
lists of different confidence:

- released (exact): replies that released the same item (services.archive.released); an item
  released to enough distinct applicants within the window is a candidate, with the replies as
  its evidence;
- likely (a hint): requests whose words ask for the same information, grouped from the day they
  are registered (services.archive.likely), so that before any reply a handler sees what many
  ask for; each released candidate also shows the open requests that read like its own.

A handler corrects both ways: takes an application out (it is never put back by later
requests), adds one that nothing found, merges two candidates into one; each decision is kept
with who made it and why, and applies to every later request. Decisions on candidates and
applicants' suggestions are kept beside them. Incremental, and rebuilt identically by replay."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking

from ogi.setaside import SetAsideLog, set_aside_tables
from ogi.textmatch.similarity import MatchPolicy
from ogi.views import Statement, tracked_tables
from services.archive.conversion import Candidate, ConversionPolicy, Decision, Origin, candidate_id
from services.archive.domain import Dossier
from services.archive.likely import TABLES as TEXT_TABLES
from services.archive.likely import TextGroups
from services.archive.register import DocumentRegister
from services.archive.released import PREFIX, ReleasedClusters
from services.archive.released import TABLES as RELEASED_TABLES
from services.archive.releases import Release

SOURCE = "art44"
_TABLES = {
    "art44_excluded": [
        "CREATE TABLE IF NOT EXISTS {art44_excluded} (candidate_id TEXT NOT NULL, "
        "dossier_id TEXT NOT NULL, application_number TEXT NOT NULL, reason TEXT NOT NULL, "
        "excluded_on TEXT NOT NULL, excluded_by TEXT NOT NULL, "
        "PRIMARY KEY (candidate_id, dossier_id))"
    ],
    "art44_added": [
        "CREATE TABLE IF NOT EXISTS {art44_added} (candidate_id TEXT NOT NULL, "
        "dossier_id TEXT NOT NULL, application_number TEXT NOT NULL, reason TEXT NOT NULL, "
        "added_on TEXT NOT NULL, added_by TEXT NOT NULL, "
        "PRIMARY KEY (candidate_id, dossier_id))"
    ],
    # A group or cluster a handler merged into a candidate: what it holds, now and later, is
    # the candidate's.
    "art44_merged": [
        "CREATE TABLE IF NOT EXISTS {art44_merged} (agency_code TEXT NOT NULL, "
        "from_key TEXT NOT NULL, into_key TEXT NOT NULL, from_candidate TEXT NOT NULL, "
        "reason TEXT NOT NULL, merged_on TEXT NOT NULL, merged_by TEXT NOT NULL, "
        "PRIMARY KEY (agency_code, from_key))"
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
_R: Any = DocumentRegister
_L: Any = Release


@dataclass(frozen=True)
class Request:
    dossier_id: str
    application_number: str
    applicant_key: str
    receipt_date: date
    description: str
    open: bool = False  # not replied yet (未答复)


@dataclass(frozen=True)
class Link:
    dossier_id: str
    other_id: str
    signal: str
    evidence: str


@dataclass(frozen=True)
class ReleasedEvidence:
    """A reply that released the candidate's item, and the keys it shares with the others."""

    dossier_id: str
    application_number: str
    replied_on: date
    title: str
    document_number: str
    form: str
    sha256: str
    link: str
    same_by: str  # 文号 …, 链接 …, 文件 SHA-256 …: what makes it the same item


@dataclass(frozen=True)
class Correction:
    """An application a handler took out of the candidate (不是同一信息) or added to it (同一
    信息), or a candidate merged into it."""

    what: str  # the application's number, or the merged candidate's id
    reason: str
    on: date
    by: str


@dataclass(frozen=True)
class CandidateView:
    candidate_id: UUID
    agency_code: str
    key: str  # the cluster or group (its first member's), or the suggestion's id
    origin: Origin
    subject: str
    requests: list[Request]  # the applications (none for a suggestion)
    evidence: list[Link]  # likely: why the words match
    decision: Decision
    link: str
    reason: str
    decided_on: date | None
    decided_by: str
    excluded: list[Correction]
    released: list[ReleasedEvidence]  # released: the replies that released the item
    likely: list[Request]  # released: open requests that read like the candidate's
    added: list[Correction]
    merged: list[Correction]


class Art44Detector:
    """Processes one event per transaction (ProjectionWorker batch_size=1): each comparison
    must see the groups as the previous event left them."""

    def __init__(
        self, app: Application[Any], policy: ConversionPolicy, similarity: MatchPolicy
    ) -> None:
        tables = _TABLES | TEXT_TABLES | RELEASED_TABLES | set_aside_tables(SOURCE)
        self.tables = tracked_tables(app, SOURCE, tables)
        self.set_aside = SetAsideLog(self.tables, SOURCE)
        self.policy = policy
        self.text = TextGroups(self.tables, policy, similarity)
        self.items = ReleasedClusters(self.tables)

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
            return self.text.opened(e)
        if isinstance(e, _D.Archived):
            return self.text.archived(str(e.originator_id), e.conclusion.outcome.value)
        if isinstance(e, _L.Recorded):
            return self.items.recorded(e)
        if isinstance(e, _R.DocumentRecorded):
            return [
                (
                    "INSERT INTO {art44_documents} VALUES (?, ?, ?) "
                    "ON CONFLICT (agency_code, number) DO UPDATE SET title = excluded.title",
                    (e.agency_code, e.number, e.title),
                ),
                *self.text.registered(e.agency_code, e.number, e.title),
                *self.items.registered(e.agency_code, e.number, e.title),
            ]
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
        if isinstance(e, _C.RequestExcluded):
            return self._excluded(e)
        if isinstance(e, _C.RequestAdded):
            return self._added(e)
        if isinstance(e, _C.Merged):
            return self._merged(e)
        if isinstance(e, _C.Decided):
            return [
                (
                    "UPDATE {art44_candidates} SET decision = ?, link = ?, reason = ?, "
                    "decided_on = ?, decided_by = ? WHERE candidate_id = ?",
                    (e.decision, e.link, e.reason, e.on.isoformat(), e.by, str(e.originator_id)),
                )
            ]
        return []

    def _excluded(self, e: Any) -> list[Statement]:
        """Out of every group and cluster that is part of the candidate, and kept apart from
        their applications; no longer added, if it was."""
        cid = str(e.originator_id)
        keys = self._keys_of(cid)
        return [
            *self.text.excluded(e.dossier_id, keys),
            *self.items.excluded(e.dossier_id, keys),
            (
                "DELETE FROM {art44_added} WHERE candidate_id = ? AND dossier_id = ?",
                (cid, e.dossier_id),
            ),
            (
                "INSERT INTO {art44_excluded} VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (cid, e.dossier_id, e.application_number, e.reason, e.on.isoformat(), e.by),
            ),
        ]

    def _added(self, e: Any) -> list[Statement]:
        cid = str(e.originator_id)
        return [
            (
                "DELETE FROM {art44_excluded} WHERE candidate_id = ? AND dossier_id = ?",
                (cid, e.dossier_id),
            ),
            (
                "INSERT INTO {art44_added} VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (cid, e.dossier_id, e.application_number, e.reason, e.on.isoformat(), e.by),
            ),
        ]

    def _merged(self, e: Any) -> list[Statement]:
        found = self.tables.read(
            "SELECT agency_code, grp FROM {art44_candidates} WHERE candidate_id = ?",
            [str(e.originator_id)],
        )
        if not found:
            return []
        agency, into = found[0]
        return [
            (
                "INSERT INTO {art44_merged} VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (agency, e.other_key, into, e.other_id, e.reason, e.on.isoformat(), e.by),
            ),
            # What the other candidate had added is this one's now.
            (
                "INSERT INTO {art44_added} SELECT ?, dossier_id, application_number, reason, "
                "added_on, added_by FROM {art44_added} WHERE candidate_id = ? "
                "ON CONFLICT DO NOTHING",
                (str(e.originator_id), e.other_id),
            ),
            ("DELETE FROM {art44_added} WHERE candidate_id = ?", (e.other_id,)),
        ]

    def _keys_of(self, cid: str) -> set[str]:
        """The group or cluster of the candidate and those merged into it."""
        found = self.tables.read(
            "SELECT agency_code, grp FROM {art44_candidates} WHERE candidate_id = ?", [cid]
        )
        if not found:
            return set()
        agency, key = found[0]
        into = dict(
            self.tables.read(
                "SELECT from_key, into_key FROM {art44_merged} WHERE agency_code = ?", [agency]
            )
        )
        return {k for k in [key, *into] if _final(k, into) == key}

    # --- reading ----------------------------------------------------------------------------

    def candidates(self, agency_code: str) -> list[CandidateView]:
        """Released and likely candidates that meet the policy, and the agency's suggestions,
        oldest first."""
        return _Reading(self, agency_code).views()


# The groups and clusters worth reading: those asked for by enough applicants, those a handler
# worked on (merged, added to, decided), and the groups of the released ones' requests (for the
# open requests that read alike).
_WORTH = """
    SELECT grp FROM {art44_requests} WHERE agency_code = :agency AND grp IS NOT NULL
    GROUP BY grp HAVING COUNT(DISTINCT applicant_key) >= :applicants
    UNION SELECT cluster FROM {art44_released} WHERE agency_code = :agency
    GROUP BY cluster HAVING COUNT(DISTINCT applicant_key) >= :applicants
    UNION SELECT from_key FROM {art44_merged} WHERE agency_code = :agency
    UNION SELECT into_key FROM {art44_merged} WHERE agency_code = :agency
    UNION SELECT grp FROM {art44_candidates} WHERE agency_code = :agency
"""
_REQUESTS = f"""
    SELECT dossier_id, application_number, applicant_key, receipt_date, description, outcome,
    grp FROM {{art44_requests}} WHERE agency_code = :agency AND (grp IN ({_WORTH})
    OR dossier_id IN (SELECT dossier_id FROM {{art44_released}}
        WHERE agency_code = :agency AND cluster IN ({_WORTH}))
    OR dossier_id IN (SELECT a.dossier_id FROM {{art44_added}} a
        JOIN {{art44_candidates}} c ON c.candidate_id = a.candidate_id
        WHERE c.agency_code = :agency)
    OR (outcome = '' AND grp IN (SELECT r.grp FROM {{art44_requests}} r
        JOIN {{art44_released}} x ON x.dossier_id = r.dossier_id
        WHERE x.agency_code = :agency AND x.cluster IN ({_WORTH}))))
    ORDER BY receipt_date, application_number
"""
_ITEMS = f"""
    SELECT dossier_id, application_number, replied_on, title, document_number, form, sha256,
    link, number_key, link_key, cluster, outcome FROM {{art44_released}}
    WHERE agency_code = :agency AND cluster IN ({_WORTH})
    ORDER BY replied_on, application_number, item
"""

_SETTLED = f"""
    SELECT DISTINCT x.dossier_id FROM {{art44_released}} x
    JOIN {{art44_requests}} r ON r.dossier_id = x.dossier_id
    WHERE x.agency_code = :agency AND r.grp IN ({_WORTH})
"""


class _Reading:
    """One agency's candidates, read from the projection's tables at once."""

    def __init__(self, detector: Art44Detector, agency: str) -> None:
        self.agency = agency
        self.policy = detector.policy
        self.read = detector.tables.read
        named = {"agency": agency, "applicants": self.policy.applicants}
        self.into = dict(
            self.read(
                "SELECT from_key, into_key FROM {art44_merged} WHERE agency_code = ?", [agency]
            )
        )
        self.requests = {r[0]: r for r in self.read(*_named(_REQUESTS, named))}
        self.numbers = {r[1]: r[0] for r in self.requests.values()}
        self.items = [
            row[:11] for row in self.read(*_named(_ITEMS, named)) if row[11] in self.policy.outcomes
        ]
        # Requests of the groups worth reading whose replies released items, in a candidate
        # or not (one taken out of a candidate is still answered exactly).
        self.settled = {d for (d,) in self.read(*_named(_SETTLED, named))}
        self.rows = {
            r[0]: r
            for r in self.read(
                "SELECT candidate_id, grp, origin, subject, decision, link, reason, decided_on, "
                "decided_by FROM {art44_candidates} WHERE agency_code = ?",
                [agency],
            )
        }
        self.corrections = {
            table: self._corrections(table) for table in ("art44_excluded", "art44_added")
        }
        self.merges = self.read(
            "SELECT into_key, from_candidate, reason, merged_on, merged_by FROM {art44_merged} "
            "WHERE agency_code = ? ORDER BY merged_on, from_candidate",
            [agency],
        )

    def views(self) -> list[CandidateView]:
        clusters: dict[str, dict[str, None]] = {}
        for row in self.items:
            clusters.setdefault(_final(row[10], self.into), {})[row[0]] = None
        groups: dict[str, dict[str, None]] = {}
        for dossier_id, *_, grp in self.requests.values():
            if grp is not None:
                groups.setdefault(_final(grp, self.into), {})[dossier_id] = None
        views = []
        for key in dict.fromkeys([*clusters, *groups]):
            members = [*clusters.get(key, {}), *groups.get(key, {})]
            origin = Origin.RELEASED if key.startswith(PREFIX) else Origin.DETECTED
            if view := self._view(key, origin, members, groups):
                views.append(view)
        suggestions = [
            (UUID(cid), row[1])
            for cid, row in self.rows.items()
            if row[2] == Origin.SUGGESTED.value and row[1] not in self.into
        ]
        views += [self._decided(cid, key, Origin.SUGGESTED, []) for cid, key in suggestions]
        return sorted(views, key=lambda v: v.requests[0].receipt_date if v.requests else date.max)

    def _view(
        self, key: str, origin: Origin, members: list[str], groups: dict[str, dict[str, None]]
    ) -> CandidateView | None:
        cid = candidate_id(self.agency, key)
        out = {c.what for c in self.corrections["art44_excluded"].get(cid, [])}
        added = [
            self.numbers[c.what]
            for c in self.corrections["art44_added"].get(cid, [])
            if c.what in self.numbers
        ]
        chosen = [d for d in dict.fromkeys([*members, *added]) if d in self.requests]
        requests = sorted(
            (self._request(d) for d in chosen if self._number(d) not in out),
            key=lambda r: (r.receipt_date, r.application_number),
        )
        if not self.policy.qualifies([(r.receipt_date, r.applicant_key) for r in requests]):
            return None
        shown = {r.dossier_id for r in requests}
        worked_on = str(cid) in self.rows
        if origin is Origin.DETECTED and shown <= self.settled and not worked_on:
            return None  # what was released says it exactly: the released list shows it
        view = self._decided(cid, key, origin, requests)
        likely: list[Request] = []
        if origin is Origin.RELEASED:
            near = {_final(g, self.into) for d in shown if (g := self.requests[d][6])}
            likely = [
                self._request(d)
                for g in sorted(near)
                for d in groups.get(g, {})
                if d not in shown and not self.requests[d][5] and self._number(d) not in out
            ]
        return replace(
            view,
            evidence=self._links(shown),
            released=self._released(shown),
            likely=likely,
        )

    def _decided(
        self, cid: UUID, key: str, origin: Origin, requests: list[Request]
    ) -> CandidateView:
        row = self.rows.get(str(cid))
        subject = row[3] if row else self._subject(origin, requests)
        decision, link, reason, decided_on, decided_by = (
            row[4:] if row else (Decision.PENDING.value, "", "", None, "")
        )
        return CandidateView(
            cid,
            self.agency,
            key,
            Origin(row[2]) if row else origin,
            subject,
            requests,
            [],
            Decision(decision),
            link,
            reason,
            date.fromisoformat(decided_on) if decided_on else None,
            decided_by,
            self.corrections["art44_excluded"].get(cid, []),
            [],
            [],
            self.corrections["art44_added"].get(cid, []),
            [
                Correction(other, why, date.fromisoformat(on), by)
                for into, other, why, on, by in self.merges
                if _final(into, self.into) == key
            ],
        )

    def _subject(self, origin: Origin, requests: list[Request]) -> str:
        """What information: the item released first, or the first request's words."""
        if origin is Origin.RELEASED:
            shown = {r.dossier_id for r in requests}
            first = next((row for row in self.items if row[0] in shown), None)
            if first:
                return f"{first[3]}（{first[4]}）" if first[4] else first[3]
        return requests[0].description if requests else ""

    def _released(self, shown: set[str]) -> list[ReleasedEvidence]:
        """Each item the candidate's replies released, with the keys it shares with another."""
        rows = [row for row in self.items if row[0] in shown]
        counts = Counter(k for row in rows for k in (row[8], row[9], row[6]) if k)
        found = []
        for dossier_id, number, replied, title, written, form, sha256, link, nk, lk, _ in rows:
            same = [
                label
                for key, label in (
                    (nk, f"文号 {nk}"),
                    (lk, f"链接 {link}"),
                    (sha256, f"文件 SHA-256 {sha256[:12]}…"),
                )
                if key and counts[key] > 1
            ]
            found.append(
                ReleasedEvidence(
                    dossier_id,
                    number,
                    date.fromisoformat(replied),
                    title,
                    written,
                    form,
                    sha256,
                    link,
                    "；".join(same),
                )
            )
        return found

    def _links(self, shown: set[str]) -> list[Link]:
        if not shown:
            return []
        marks = ", ".join("?" for _ in shown)
        members = sorted(shown)
        rows = self.read(
            "SELECT dossier_id, other_id, signal, evidence FROM {art44_links} "
            f"WHERE dossier_id IN ({marks}) AND other_id IN ({marks}) "
            "ORDER BY dossier_id, other_id",
            [*members, *members],
        )
        return [Link(*r) for r in rows]

    def _request(self, dossier_id: str) -> Request:
        _, number, key, received, description, outcome, _ = self.requests[dossier_id]
        return Request(
            dossier_id, number, key, date.fromisoformat(received), description, not outcome
        )

    def _number(self, dossier_id: str) -> str:
        return str(self.requests[dossier_id][1])

    def _corrections(self, table: str) -> dict[UUID, list[Correction]]:
        on, by = _CORRECTED[table]
        found: dict[UUID, list[Correction]] = {}
        for cid, number, reason, day, who in self.read(
            f"SELECT t.candidate_id, t.application_number, t.reason, t.{on}, t.{by} "
            f"FROM {{{table}}} t JOIN {{art44_candidates}} c ON c.candidate_id = t.candidate_id "
            f"WHERE c.agency_code = ? ORDER BY t.{on}, t.application_number",
            [self.agency],
        ):
            found.setdefault(UUID(cid), []).append(
                Correction(number, reason, date.fromisoformat(day), who)
            )
        return found


_CORRECTED = {
    "art44_excluded": ("excluded_on", "excluded_by"),
    "art44_added": ("added_on", "added_by"),
}


def _named(sql: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
    """`sql` with its :names as ? placeholders, and their values in order (the dialect both
    databases accept)."""
    found: list[Any] = []

    def placeholder(m: re.Match[str]) -> str:
        found.append(values[m[1]])
        return "?"

    return _NAME.sub(placeholder, sql), found


_NAME = re.compile(r":([a-z]+)")


def _final(key: str, into: dict[str, str]) -> str:
    """The key a group or cluster was merged into, following merges of merges."""
    seen = {key}
    while key in into and into[key] not in seen:
        key = into[key]
        seen.add(key)
    return key
