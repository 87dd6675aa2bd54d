"""How a request joins the groups it matches (services.archive.grouping), and the policy that
chooses (OGI_POLICY_CONVERSION_GROUPING)."""

from __future__ import annotations

import pytest

from services.archive.conversion import ConversionPolicy
from services.archive.grouping import Grouping, joined

TEXT_MATCHES = [("g1", "text"), ("g2", "text"), ("g2", "text")]


def test_every_match_brings_in_every_group_and_best_match_joins_the_one_matched_most() -> None:
    assert joined(TEXT_MATCHES, set(), set()) == ("g1", ["g2"])
    assert joined(TEXT_MATCHES, set(), set(), Grouping.BEST_MATCH) == ("g2", [])


def test_best_match_merges_groups_only_on_a_document_number_or_title() -> None:
    matches = [("g1", "text"), ("g2", "title"), ("g3", "document_number"), ("g4", "text")]
    assert joined(matches, set(), set(), Grouping.BEST_MATCH) == ("g2", ["g3"])


def test_a_decided_group_keeps_its_decision_and_apart_groups_stay_apart() -> None:
    assert joined(TEXT_MATCHES, {"g2"}, set()) == ("g2", ["g1"])
    assert joined(TEXT_MATCHES, {"g1", "g2"}, set()) == ("g1", [])
    assert joined(TEXT_MATCHES, set(), {frozenset({"g1", "g2"})}) == ("g1", [])


def test_the_policy_is_read_from_the_environment_and_refuses_an_unknown_value() -> None:
    assert ConversionPolicy.from_env({}).grouping is Grouping.EVERY_MATCH
    chosen = ConversionPolicy.from_env({"OGI_POLICY_CONVERSION_GROUPING": "best-match"})
    assert chosen.grouping is Grouping.BEST_MATCH
    with pytest.raises(ValueError, match="closest"):
        ConversionPolicy.from_env({"OGI_POLICY_CONVERSION_GROUPING": "closest"})
