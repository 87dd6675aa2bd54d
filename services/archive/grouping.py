"""How a disclosed request joins the groups of the requests it matches (Art 44 detector): which
group it joins and which groups it brings into that one. A choice the law leaves to the agency,
so a named policy. Joining every matched group finds the most (recall), but one chance
resemblance then merges two whole groups; joining the groups whose members it matches in a fair
share, or only the one it matches most, keeps candidates purer (precision). No I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from enum import StrEnum


class Grouping(StrEnum):
    """[policy] OGI_POLICY_CONVERSION_GROUPING; default share."""

    EVERY_MATCH = "every-match"  # the groups it matches become one
    SHARE = "share"  # the groups it matches in a share of their members become one
    BEST_MATCH = "best-match"  # only a document number or a title merges groups


@dataclass(frozen=True)
class GroupingPolicy:
    """How requests join groups. `share` [policy] OGI_POLICY_CONVERSION_GROUP_SHARE: the part of
    a group's requests a request must match to join it under Grouping.SHARE; default 0.3, the
    best of 0.2–0.5 on the labelled sets that have been read (README, "Frequently requested")."""

    grouping: Grouping = Grouping.SHARE
    share: float = 0.3


DEFAULT_GROUPING = GroupingPolicy()

# Signals that say which document, not only that the words are alike.
_DECISIVE = frozenset({"document_number", "title"})


def joined(
    matches: Sequence[tuple[str, str]],
    sizes: Mapping[str, int],
    decided: Set[str],
    apart: Set[frozenset[str]],
    policy: GroupingPolicy = DEFAULT_GROUPING,
) -> tuple[str | None, list[str]]:
    """The group a request joins (None: a group of its own) and the groups it brings in, given
    (group, signal) for each request it matches, in order, and how many requests each group
    has. A document number or a title always counts. It joins a decided group if it may join
    one (its decision stays on it), else the first it may join (under share, the one it matches
    the largest part of; under best-match, one it matched decisively or the one it matched
    most). Decided groups, and groups holding an application a handler took out of one already
    taken (`apart`), are never brought in."""
    if not matches:
        return None, []
    counts = Counter(g for g, _ in matches)
    distinct = list(counts)
    decisive = list(dict.fromkeys(g for g, signal in matches if signal in _DECISIVE))
    if policy.grouping is Grouping.BEST_MATCH:
        joinable = distinct
        preferred = decisive[:1] or [max(distinct, key=counts.__getitem__)]
        mergeable = decisive
    elif policy.grouping is Grouping.SHARE:
        part = {g: counts[g] / max(sizes.get(g, 1), 1) for g in distinct}
        joinable = [g for g in distinct if g in decisive or part[g] >= policy.share]
        preferred = sorted(joinable, key=lambda g: (g not in decisive, -part[g]))[:1]
        mergeable = joinable
    else:
        joinable, preferred, mergeable = distinct, distinct[:1], distinct
    if not joinable:
        return None, []
    group = next((g for g in joinable if g in decided), preferred[0])
    absorbed: list[str] = []
    for g in mergeable:
        together = all(frozenset((g, h)) not in apart for h in [group, *absorbed])
        if g != group and g not in decided and together:
            absorbed.append(g)
    return group, absorbed
