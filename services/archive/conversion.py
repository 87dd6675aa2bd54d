"""From application to proactive disclosure (依申请公开转主动公开, Art 44): when enough distinct
applicants have asked for the same disclosable information, it becomes a candidate; a person
converts it (with the publication's link) or declines it (with a reason), and the decision is
kept. An applicant may also suggest it (Art 44(2)); the suggestion is recorded and answered the
same way. A handler who finds that one of a candidate's applications asks for other information
takes it out, and it is not joined to that candidate again; one who finds that an application
nothing joined asks for the same adds it, and two candidates that are one are merged. Every
correction is kept with who made it and why. No I/O here."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from urllib.parse import urlparse
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ogi.errors import FieldViolation, InvalidArgument, PreconditionFailed
from ogi.taxonomy import Outcome
from services.archive.grouping import DEFAULT_GROUPING, Grouping, GroupingPolicy


@dataclass(frozen=True)
class ConversionPolicy:
    """The conversion threshold and window [policy] (domain.md §7, §8). Default: 3 distinct
    applicants within 12 months whose requests ended disclosed (R1, R2) or partly (R8); a
    request joins the groups whose requests it matches in a fair share
    (services.archive.grouping)."""

    applicants: int = 3
    window_days: int = 365
    outcomes: frozenset[Outcome] = frozenset({Outcome.R1, Outcome.R2, Outcome.R8})
    grouping: GroupingPolicy = DEFAULT_GROUPING

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> ConversionPolicy:
        outcomes = environ.get("OGI_POLICY_CONVERSION_OUTCOMES")
        return cls(
            applicants=int(environ.get("OGI_POLICY_CONVERSION_APPLICANTS", cls.applicants)),
            window_days=int(environ.get("OGI_POLICY_CONVERSION_WINDOW_DAYS", cls.window_days)),
            outcomes=(
                frozenset(Outcome(o.strip()) for o in outcomes.split(","))
                if outcomes
                else cls.outcomes
            ),
            grouping=GroupingPolicy(
                Grouping(environ.get("OGI_POLICY_CONVERSION_GROUPING", DEFAULT_GROUPING.grouping)),
                float(environ.get("OGI_POLICY_CONVERSION_GROUP_SHARE", DEFAULT_GROUPING.share)),
            ),
        )

    def qualifies(self, requests: Sequence[tuple[date, str]]) -> bool:
        """Whether some window of `window_days` holds `applicants` distinct applicants, given
        (receipt date, applicant key) of the matching disclosable requests."""
        ordered = sorted(requests)
        for i, (start, _) in enumerate(ordered):
            end = start + timedelta(days=self.window_days - 1)
            if len({key for day, key in ordered[i:] if day <= end}) >= self.applicants:
                return True
        return False


class Origin(StrEnum):
    RELEASED = "released"  # replies released the same item to several applicants (Art 44(1))
    DETECTED = "detected"  # likely: several applicants' requests read alike (lower confidence)
    SUGGESTED = "suggested"  # an applicant suggested it (Art 44(2))


class Decision(StrEnum):
    PENDING = "pending"
    CONVERTED = "converted"  # 转为主动公开
    DECLINED = "declined"  # 不予转为主动公开


_SAY_WHY_SAME = "写明为何属于同一信息（say why it is the same information）"


def candidate_id(agency_code: str, key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"ogi:candidate:{agency_code}:{key}")


class Candidate(Aggregate):
    """转为主动公开的候选: a piece of information the agency must decide on."""

    @event("Opened")
    def __init__(
        self, agency_code: str, key: str, origin: Origin, subject: str, opened_on: date, by: str
    ) -> None:
        self.agency_code = agency_code
        self.key = key  # the detected group, or the suggestion's own id
        self.origin = Origin(origin)
        self.subject = subject  # what information: the suggestion, or the group's first request
        self.opened_on = opened_on
        self.opened_by = by
        self.decision = Decision.PENDING
        self.link = ""
        self.reason = ""
        self.decided_on: date | None = None
        self.decided_by = ""
        self.excluded: tuple[str, ...] = ()  # dossier ids taken out
        self.added: tuple[str, ...] = ()  # dossier ids a handler added
        self.merged: tuple[str, ...] = ()  # candidates that became part of this one
        self.merged_into: UUID | None = None  # the candidate this one became part of

    @staticmethod
    def create_id(agency_code: str, key: str, **_: object) -> UUID:
        return candidate_id(agency_code, key)

    def convert(self, link: str, on: date, *, by: str) -> None:
        """Published proactively; `link` is where (Art 26: within 20 working days)."""
        self._undecided()
        parts = urlparse(link.strip())
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise InvalidArgument(
                [FieldViolation("link", "填写公开的网址（the publication's http(s) address）")]
            )
        self._decided(Decision.CONVERTED, link.strip(), "", on, by)

    def decline(self, reason: str, on: date, *, by: str) -> None:
        self._undecided()
        if not reason.strip():
            raise InvalidArgument(
                [
                    FieldViolation(
                        "reason", "写明不转为主动公开的理由（say why it is not converted）"
                    )
                ]
            )
        self._decided(Decision.DECLINED, "", reason.strip(), on, by)

    def exclude(
        self, dossier_id: str, application_number: str, reason: str, on: date, *, by: str
    ) -> None:
        """不是同一信息: the application asks for other information than the rest; taking it out
        again changes nothing."""
        self._undecided()
        if not reason.strip():
            raise InvalidArgument(
                [
                    FieldViolation(
                        "reason", "写明为何属于其他信息（say why it is other information）"
                    )
                ]
            )
        if dossier_id not in self.excluded:
            self._excluded(dossier_id, application_number, reason.strip(), on, by)

    def add(
        self, dossier_id: str, application_number: str, reason: str, on: date, *, by: str
    ) -> None:
        """同一信息: the application asks for this information too, though nothing found it
        (its reply released the item under another record, or its words differ); adding it
        again changes nothing."""
        self._undecided()
        if not reason.strip():
            raise InvalidArgument(
                [
                    FieldViolation(
                        "reason", "写明为何属于同一信息（say why it is the same information）"
                    )
                ]
            )
        if dossier_id not in self.added:
            self._added(dossier_id, application_number, reason.strip(), on, by)

    def merge(self, other: Candidate, reason: str, on: date, *, by: str) -> None:
        """Two candidates are the same information: `other` becomes part of this one, which
        keeps its id and its decision. `other` must be undecided (its decision would be lost)."""
        if not reason.strip():
            raise InvalidArgument(
                [
                    FieldViolation(
                        "reason", "写明为何属于同一信息（say why it is the same information）"
                    )
                ]
            )
        if other.id == self.id:
            raise InvalidArgument(
                [FieldViolation("other_candidate_id", "不能与自身合并（a candidate is itself）")]
            )
        self._not_merged()
        other._undecided()  # the two candidates of one decision
        other._merged_into(self.id, on, by)
        self._merged(str(other.id), other.key, reason.strip(), on, by)

    @event("RequestAdded")
    def _added(
        self,
        dossier_id: str,
        application_number: str,  # noqa: ARG002
        reason: str,  # noqa: ARG002
        on: date,  # noqa: ARG002
        by: str,  # noqa: ARG002
    ) -> None:
        self.added += (dossier_id,)
        self.excluded = tuple(d for d in self.excluded if d != dossier_id)

    @event("Merged")
    def _merged(
        self,
        other_id: str,
        other_key: str,  # noqa: ARG002
        reason: str,  # noqa: ARG002
        on: date,  # noqa: ARG002
        by: str,  # noqa: ARG002
    ) -> None:
        self.merged += (other_id,)

    @event("MergedInto")
    def _merged_into(self, candidate_id: UUID, on: date, by: str) -> None:  # noqa: ARG002
        self.merged_into = candidate_id

    @event("RequestExcluded")
    def _excluded(
        self,
        dossier_id: str,
        application_number: str,  # noqa: ARG002
        reason: str,  # noqa: ARG002
        on: date,  # noqa: ARG002
        by: str,  # noqa: ARG002
    ) -> None:
        self.excluded += (dossier_id,)
        self.added = tuple(d for d in self.added if d != dossier_id)

    def _not_merged(self) -> None:
        if self.merged_into is not None:
            raise PreconditionFailed(
                f"已并入候选项{self.merged_into}（merged into {self.merged_into} already）"
            )

    def _undecided(self) -> None:
        self._not_merged()
        if self.decision is not Decision.PENDING:
            raise PreconditionFailed(
                f"已于{self.decided_on}作出决定"
                f"（decided already ({self.decision}) on {self.decided_on}）"
            )

    @event("Decided")
    def _decided(self, decision: Decision, link: str, reason: str, on: date, by: str) -> None:
        self.decision = Decision(decision)
        self.link = link
        self.reason = reason
        self.decided_on = on
        self.decided_by = by
