"""Composition rules for derived chains: each cell of the table is its own case."""

from __future__ import annotations

import pytest

from outcomes_graph.alignment_rules import (
    STRONG,
    Relation,
    compose,
    link_label,
    parse_strength,
    refusal_reason,
)
from outcomes_graph.errors import UsageError
from outcomes_graph.vocab import DCTERMS, PROV, SKOS

E, C, B, N, R = Relation.EXACT, Relation.CLOSE, Relation.BROAD, Relation.NARROW, Relation.RELATED

TABLE = [
    # the rules
    (E, E, E),
    (E, C, C),
    (C, E, C),
    (N, N, N),
    (B, N, R),
    (N, B, R),
    # exact is the identity
    (E, B, B),
    (E, N, N),
    (E, R, R),
    (B, E, B),
    (N, E, N),
    (R, E, R),
    # close behaves like a weaker exact
    (C, C, C),
    (C, B, B),
    (C, N, N),
    (C, R, R),
    (B, C, B),
    (N, C, N),
    (R, C, R),
    (B, B, B),
    # refused: a topical link with a change of level, or two topical links
    (B, R, None),
    (N, R, None),
    (R, B, None),
    (R, N, None),
    (R, R, None),
]


@pytest.mark.parametrize(("first", "second", "expected"), TABLE, ids=[f"{a}+{b}" for a, b, _ in TABLE])
def test_composition(first, second, expected):
    assert compose(first, second) is expected


def test_the_table_is_complete():
    assert {(a, b) for a, b, _ in TABLE} == {(a, b) for a in Relation for b in Relation}


@pytest.mark.parametrize(("first", "second"), [(a, b) for a, b, c in TABLE if c is not None])
def test_composition_never_strengthens(first, second):
    assert compose(first, second).rank >= max(first.rank, second.rank) or first is E or second is E


def test_composition_reads_the_same_from_both_ends():
    for a in Relation:
        for b in Relation:
            forward = compose(a, b)
            backward = compose(b.inverse, a.inverse)
            assert (forward.inverse if forward else None) is backward, (a, b)


@pytest.mark.parametrize(
    ("relation", "label", "inverse"),
    [
        (E, "same as", E),
        (C, "close to", C),
        (B, "broader than", N),
        (N, "narrower than", B),
        (R, "related to", R),
    ],
)
def test_plain_language_labels(relation, label, inverse):
    assert relation.label == label
    assert relation.inverse is inverse


def test_refusals_explain_themselves():
    assert "two topical links" in refusal_reason(R, R)
    assert "change of level" in refusal_reason(R, B)


@pytest.mark.parametrize(
    ("predicate", "forward", "negated", "label"),
    [
        (SKOS.broadMatch, True, False, "broader than"),
        (SKOS.broadMatch, False, False, "narrower than"),
        (SKOS.closeMatch, True, True, "not close to"),
        (DCTERMS.references, True, False, "refers to"),
        (DCTERMS.isReplacedBy, False, False, "replaces"),
        (PROV.wasInfluencedBy, True, False, "was influenced by"),
    ],
)
def test_link_labels(predicate, forward, negated, label):
    assert link_label(str(predicate), forward=forward, negated=negated) == label


def test_strength_choices():
    assert parse_strength("strong") == STRONG == frozenset({E, C, B, N})
    assert parse_strength("ALL") == frozenset(Relation)
    assert parse_strength("exact,close") == frozenset({E, C})
    with pytest.raises(UsageError, match="unknown strength 'strongest'; use one of: strong, all, exact"):
        parse_strength("strongest")
