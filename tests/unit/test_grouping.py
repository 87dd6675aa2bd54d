"""How a request joins the groups it matches (services.archive.grouping), and the policy that
chooses (OGI_POLICY_CONVERSION_GROUPING)."""

from __future__ import annotations

import pytest

from services.archive.conversion import ConversionPolicy
from services.archive.grouping import Grouping, GroupingPolicy, joined

TEXT_MATCHES = [("g1", "text"), ("g2", "text"), ("g2", "text")]
SIZES = {"g1": 2, "g2": 2}
EVERY = GroupingPolicy(Grouping.EVERY_MATCH)
BEST = GroupingPolicy(Grouping.BEST_MATCH)


def test_every_match_brings_in_every_group_and_best_match_joins_the_one_matched_most() -> None:
    assert joined(TEXT_MATCHES, SIZES, set(), set(), EVERY) == ("g1", ["g2"])
    assert joined(TEXT_MATCHES, SIZES, set(), set(), BEST) == ("g2", [])


def test_share_joins_the_groups_it_matches_in_a_fair_part() -> None:
    """By default a request must match 0.3 of a group's requests to join it: one chance
    resemblance to one request of a large group does not merge the two."""
    assert joined(TEXT_MATCHES, {"g1": 4, "g2": 2}, set(), set()) == ("g2", [])
    assert joined(TEXT_MATCHES, {"g1": 3, "g2": 4}, set(), set()) == ("g2", ["g1"])
    assert joined([("g1", "text")], {"g1": 5}, set(), set()) == (None, [])
    assert joined([("g1", "title")], {"g1": 5}, set(), set()) == ("g1", [])  # a title counts
    assert joined([], {}, set(), set()) == (None, [])


def test_best_match_merges_groups_only_on_a_document_number_or_title() -> None:
    matches = [("g1", "text"), ("g2", "title"), ("g3", "document_number"), ("g4", "text")]
    assert joined(matches, {}, set(), set(), BEST) == ("g2", ["g3"])


def test_a_decided_group_keeps_its_decision_and_apart_groups_stay_apart() -> None:
    assert joined(TEXT_MATCHES, SIZES, {"g2"}, set(), EVERY) == ("g2", ["g1"])
    assert joined(TEXT_MATCHES, SIZES, {"g1", "g2"}, set(), EVERY) == ("g1", [])
    assert joined(TEXT_MATCHES, SIZES, set(), {frozenset({"g1", "g2"})}, EVERY) == ("g1", [])


def test_the_policy_is_read_from_the_environment_and_refuses_an_unknown_value() -> None:
    assert ConversionPolicy.from_env({}).grouping == GroupingPolicy(Grouping.SHARE, 0.3)
    chosen = ConversionPolicy.from_env(
        {"OGI_POLICY_CONVERSION_GROUPING": "share", "OGI_POLICY_CONVERSION_GROUP_SHARE": "0.5"}
    )
    assert chosen.grouping == GroupingPolicy(Grouping.SHARE, 0.5)
    chosen = ConversionPolicy.from_env({"OGI_POLICY_CONVERSION_GROUPING": "best-match"})
    assert chosen.grouping.grouping is Grouping.BEST_MATCH
    with pytest.raises(ValueError, match="closest"):
        ConversionPolicy.from_env({"OGI_POLICY_CONVERSION_GROUPING": "closest"})
