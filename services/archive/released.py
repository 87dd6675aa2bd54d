"""Candidates from what was released (Art 44): replies that released the same item — the same
document number in any of its written forms, the same publication link, the same file, or a
title the agency's register (发文目录) gives a number — released the same information. Each
item recorded (services.archive.releases) joins the cluster of the items it shares a key with,
and the clusters it touches become one: exact, in the order the events came, so that a replay
rebuilds the same clusters. A cluster with a decided candidate keeps its key (its decision
stays on it); two decided ones, and clusters holding applications a handler took apart, are
never made one.

Part of the Art 44 projection (services.archive.candidates): its statements are written there,
in the transaction that moves the projection's position."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ogi.views import Statement, TrackedTables
from services.archive.conversion import Decision
from services.archive.likely import apart
from services.archive.releases import ReleasedItem, link_key, number_key, title_key

PREFIX = "released:"  # of a cluster's key, as of the candidate made of it
TABLES = {
    "art44_released": [
        "CREATE TABLE IF NOT EXISTS {art44_released} (dossier_id TEXT NOT NULL, "
        "item INTEGER NOT NULL, agency_code TEXT NOT NULL, application_number TEXT NOT NULL, "
        "applicant_key TEXT NOT NULL, receipt_date TEXT NOT NULL, replied_on TEXT NOT NULL, "
        "outcome TEXT NOT NULL, title TEXT NOT NULL, document_number TEXT NOT NULL, "
        "form TEXT NOT NULL, sha256 TEXT NOT NULL, link TEXT NOT NULL, "
        "number_key TEXT NOT NULL, link_key TEXT NOT NULL, title_key TEXT NOT NULL, "
        "cluster TEXT NOT NULL, PRIMARY KEY (dossier_id, item))",
        "CREATE INDEX IF NOT EXISTS art44_released_number ON {art44_released} "
        "(agency_code, number_key)",
        "CREATE INDEX IF NOT EXISTS art44_released_link ON {art44_released} "
        "(agency_code, link_key)",
        "CREATE INDEX IF NOT EXISTS art44_released_file ON {art44_released} (agency_code, sha256)",
        "CREATE INDEX IF NOT EXISTS art44_released_title ON {art44_released} "
        "(agency_code, title_key)",
        "CREATE INDEX IF NOT EXISTS art44_released_cluster ON {art44_released} "
        "(agency_code, cluster)",
    ],
}
# The keys an item is the same as another by, and the column each is in.
_KEYS = ("number_key", "link_key", "sha256")


class ReleasedClusters:
    """The statements that keep the released items' clusters."""

    def __init__(self, tables: TrackedTables) -> None:
        self.tables = tables

    def recorded(self, e: Any) -> list[Statement]:
        """A reply's items: each joins the clusters of the items it shares a key with."""
        dossier_id, agency = str(e.dossier_id), e.agency_code
        if self.tables.read("SELECT 1 FROM {art44_released} WHERE dossier_id = ?", [dossier_id]):
            return []
        numbers = self._register(agency)
        items: list[tuple[int, ReleasedItem, tuple[str, str, str]]] = []
        for n, item in enumerate(e.items):
            number = number_key(item.document_number) or numbers.get(title_key(item.title), "")
            items.append((n, item, (number, link_key(item.link), item.sha256.lower())))
        statements: list[Statement] = []
        renamed: dict[str, str] = {}  # clusters an earlier item of this reply took in
        for component in _components([keys for _, _, keys in items]):
            touched = self._touching(agency, {k for i in component for k in items[i][2]})
            touching = list(dict.fromkeys(renamed.get(c, c) for c in touched))
            target, absorbed = self._settled(agency, touching)
            renamed |= dict.fromkeys(absorbed, target or "")
            cluster = target or f"{PREFIX}{dossier_id}:{items[component[0]][0]}"
            statements += [
                _row(e, n, item, keys, cluster) for n, item, keys in (items[i] for i in component)
            ]
            statements += _absorbed(agency, cluster, absorbed)
        return statements

    def registered(self, agency: str, written: str, title: str) -> list[Statement]:
        """The register says which number a title has: items released under that title without
        a number now have it, and join the clusters of the items with that number."""
        number = number_key(written)
        rows = self.tables.read(
            "SELECT dossier_id, item, cluster FROM {art44_released} "
            "WHERE agency_code = ? AND number_key = '' AND title_key = ?",
            [agency, title_key(title)],
        )
        if not number or not rows:
            return []
        touching = list(dict.fromkeys([*self._touching(agency, {number}), *(c for *_, c in rows)]))
        target, absorbed = self._settled(agency, touching)
        assert target is not None  # noqa: S101 - the rows' own clusters are touched
        return [
            *(
                (
                    "UPDATE {art44_released} SET number_key = ?, cluster = ? "
                    "WHERE dossier_id = ? AND item = ?",
                    (number, target if cluster in [target, *absorbed] else cluster, d, n),
                )
                for d, n, cluster in rows
            ),
            *_absorbed(agency, target, absorbed),
        ]

    def excluded(self, dossier_id: str, candidate_clusters: set[str]) -> list[Statement]:
        """The application's items leave the candidate's clusters for clusters of their own,
        and it is kept apart from every other application of those clusters."""
        rows = self.tables.read(
            "SELECT agency_code, item, cluster FROM {art44_released} WHERE dossier_id = ?",
            [dossier_id],
        )
        statements: list[Statement] = []
        for agency, item, cluster in rows:
            if cluster not in candidate_clusters:
                continue
            members = self.tables.read(
                "SELECT DISTINCT dossier_id FROM {art44_released} "
                "WHERE agency_code = ? AND cluster = ? AND dossier_id != ?",
                [agency, cluster, dossier_id],
            )
            statements.append(
                (
                    "UPDATE {art44_released} SET cluster = ? WHERE dossier_id = ? AND item = ?",
                    (f"{PREFIX}out:{dossier_id}:{item}", dossier_id, item),
                )
            )
            statements += apart(dossier_id, [other for (other,) in members])
        return statements

    def _register(self, agency: str) -> dict[str, str]:
        """Title (as looked up) → number, from the agency's register."""
        rows = self.tables.read(
            "SELECT number, title FROM {art44_documents} WHERE agency_code = ?", [agency]
        )
        return {title_key(title): number_key(number) for number, title in sorted(rows)}

    def _touching(self, agency: str, keys: set[str]) -> list[str]:
        """The clusters with an item that has one of `keys`, the earliest released first."""
        keys.discard("")
        if not keys:
            return []
        marks = ", ".join("?" for _ in keys)
        where = " OR ".join(f"{column} IN ({marks})" for column in _KEYS)
        rows = self.tables.read(
            "SELECT cluster FROM {art44_released} "
            f"WHERE agency_code = ? AND ({where}) "
            "ORDER BY replied_on, application_number, item",
            [agency, *(k for _ in _KEYS for k in sorted(keys))],
        )
        return list(dict.fromkeys(c for (c,) in rows))

    def _settled(self, agency: str, touching: Sequence[str]) -> tuple[str | None, list[str]]:
        """The cluster the items join (a decided one if any, else the earliest) and those it
        takes in: not decided, and holding no application a handler took apart from one of
        the others."""
        if not touching:
            return None, []
        marks = ", ".join("?" for _ in touching)
        decided = {
            g
            for (g,) in self.tables.read(
                "SELECT grp FROM {art44_candidates} WHERE agency_code = ? AND decision != ? "
                f"AND grp IN ({marks})",
                [agency, Decision.PENDING.value, *touching],
            )
        }
        apart_clusters = {
            frozenset(pair)
            for pair in self.tables.read(
                "SELECT DISTINCT mine.cluster, theirs.cluster FROM {art44_apart} a "
                "JOIN {art44_released} mine ON mine.dossier_id = a.dossier_id "
                "JOIN {art44_released} theirs ON theirs.dossier_id = a.other_id "
                f"WHERE mine.agency_code = ? AND mine.cluster IN ({marks}) "
                f"AND theirs.cluster IN ({marks})",
                [agency, *touching, *touching],
            )
        }
        target = next((c for c in touching if c in decided), touching[0])
        absorbed: list[str] = []
        for c in touching:
            together = all(
                frozenset((c, other)) not in apart_clusters for other in [target, *absorbed]
            )
            if c != target and c not in decided and together:
                absorbed.append(c)
        return target, absorbed


def _components(keys: list[tuple[str, ...]]) -> list[list[int]]:
    """The items of one reply that share a key, together (indexes, in order)."""
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, item_keys in enumerate(keys):
        for key in filter(None, item_keys):
            if key in first:
                parent[root(i)] = root(first[key])
            else:
                first[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(keys)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values())


def _row(e: Any, n: int, item: ReleasedItem, keys: tuple[str, str, str], cluster: str) -> Statement:
    number, link, sha256 = keys
    return (
        "INSERT INTO {art44_released} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(e.dossier_id),
            n,
            e.agency_code,
            e.application_number,
            e.applicant_key,
            e.receipt_date.isoformat(),
            e.replied_on.isoformat(),
            str(e.outcome),
            item.title,
            item.document_number,
            item.form,
            sha256,
            item.link,
            number,
            link,
            title_key(item.title),
            cluster,
        ),
    )


def _absorbed(agency: str, cluster: str, absorbed: list[str]) -> list[Statement]:
    return [
        (
            "UPDATE {art44_released} SET cluster = ? WHERE agency_code = ? AND cluster = ?",
            (cluster, agency, c),
        )
        for c in absorbed
    ]
