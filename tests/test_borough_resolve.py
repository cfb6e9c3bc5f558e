"""How a cell names a concept: CURIE, notation, framework + code, identifier, exact title."""

from __future__ import annotations

import pytest

from outcomes_graph.borough_resolve import ResolveError
from outcomes_graph.boroughs import BoroughTools


@pytest.fixture(scope="module")
def resolver(real_settings):
    return BoroughTools.open(real_settings).resolver


@pytest.mark.parametrize(
    ("cell", "curie"),
    [
        ("phof:indicator/90631", "phof:indicator/90631"),
        ("https://w3id.org/common-outcomes/id/phof/indicator/10401", "phof:indicator/10401"),
        ("B04", "phof:indicator/10401"),
        ("PHOF B04", "phof:indicator/10401"),
        ("phof c08b", "phof:indicator/child-development-c08b"),
        ("90631", "phof:indicator/90631"),
        ("19346", "lgi:19346"),
        ("LG Inform 19346", "lgi:19346"),
        ("Good early years development", "sf:outcome/H02"),
        ("good EARLY years dévelopment", "sf:outcome/H02"),
        ("Protecting families from domestic abuse", "sf:outcome/H08"),
        ("Healthy", "fhab:domain/healthy"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_resolves(resolver, cell, curie):
    assert resolver.resolve(cell).curie == curie


def test_ambiguous_code_lists_the_candidates(resolver):
    with pytest.raises(ResolveError) as caught:
        resolver.resolve("B02a")
    message = str(caught.value)
    assert message.startswith("'B02a' is the code of 2 concepts: ")
    assert "phof:indicator/90631" in message
    assert "phof:indicator/90632" in message
    assert message.endswith("Write the CURIE of the one you mean")


def test_unknown_title_suggests(resolver):
    with pytest.raises(ResolveError, match=r"is not a known concept; did you mean .*phof:indicator/92517"):
        resolver.resolve("Breastfeeding prevalance at 6-8 weeks")


def test_known_gap_is_not_a_concept(resolver):
    gap = next(n for n in resolver.index.nodes.values() if n.is_gap)
    with pytest.raises(ResolveError, match="is a known gap"):
        resolver.resolve(gap.curie)


def test_domains_and_tiers(resolver):
    assert resolver.domain("learning").curie == "fhab:domain/learning"
    assert resolver.tier("parent and carer outcomes").curie == "fhab:tier/parents"
    with pytest.raises(ResolveError, match="is not an FHAB domain; did you mean 'safe'"):
        resolver.domain("Saf")
