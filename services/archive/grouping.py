"""How a disclosed request joins the groups of the requests it matches (Art 44 detector): which
group it joins and which groups it brings into that one. A choice the law leaves to the agency,
so a named policy: joining every matched group finds more (recall), joining one unless a
document number or title says otherwise keeps candidates purer (precision). No I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence, Set
from enum import StrEnum


class Grouping(StrEnum):
    """[policy] OGI_POLICY_CONVERSION_GROUPING; default every-match."""

    EVERY_MATCH = "every-match"  # the groups it matches become one
    BEST_MATCH = "best-match"  # only a document number or a title merges groups


# Signals that say which document, not only that the words are alike.
_DECISIVE = frozenset({"document_number", "title"})


def joined(
    matches: Sequence[tuple[str, str]],
    decided: Set[str],
    apart: Set[frozenset[str]],
    grouping: Grouping = Grouping.EVERY_MATCH,
) -> tuple[str, list[str]]:
    """The group a request joins and the groups it brings in, given (group, signal) for each
    request it matches, in order. It joins a decided group if it matches one (its decision
    stays on it), else, with best-match, one it matched decisively or the one it matched most,
    else the first. Decided groups, and groups holding an application a handler took out of
    one already taken (`apart`), are never brought in."""
    distinct = list(dict.fromkeys(g for g, _ in matches))
    decisive = list(dict.fromkeys(g for g, signal in matches if signal in _DECISIVE))
    if grouping is Grouping.BEST_MATCH:
        counts = Counter(g for g, _ in matches)
        preferred = decisive[:1] or [max(distinct, key=lambda g: counts[g])]
        mergeable = decisive
    else:
        preferred, mergeable = distinct[:1], distinct
    group = next((g for g in distinct if g in decided), preferred[0])
    absorbed: list[str] = []
    for g in mergeable:
        together = all(frozenset((g, h)) not in apart for h in [group, *absorbed])
        if g != group and g not in decided and together:
            absorbed.append(g)
    return group, absorbed
