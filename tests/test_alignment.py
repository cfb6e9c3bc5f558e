"""Counterparts on the fixture graph: direct records, derived chains, and how concepts are named.

Every chain below exists in tests/data/alignment/mappings for the rule it exercises.
"""

from __future__ import annotations

import math

import pyoxigraph as ox
import pytest

from alignment_support import fixture_aligner, iri
from outcomes_graph.alignment import Aligner, counterpart_dict
from outcomes_graph.alignment_chains import NEGATED_REASON, derive
from outcomes_graph.alignment_index import AlignmentIndex, clear_cache, named_rows
from outcomes_graph.alignment_rules import Relation
from outcomes_graph.errors import UsageError
from outcomes_graph.remote_text import prepare


@pytest.fixture(scope="module")
def aligner(tmp_path_factory) -> Aligner:
    return fixture_aligner(tmp_path_factory)


def derived(aligner: Aligner, start: str, target: str, **options):
    result = aligner.counterparts(start, **options)
    found = {c.target: c for c in result.derived}
    return found.get(iri(target))


def path_of(counterpart) -> list[str]:
    return [step.target for step in counterpart.steps]


@pytest.mark.parametrize(
    ("start", "target", "relation", "confidence", "via"),
    [
        # exact then exact = exact: FHAB Learning = COF Learning = the LOF KS2 metric (fixture link)
        (
            "fhab:domain/learning",
            "lof:metric/ks2-reading-writing-maths",
            Relation.EXACT,
            0.95 * 0.8,
            "cof:domain/learning",
        ),
        # close then exact = close, and exact then close = close (read from the other end)
        ("sf:outcome/H02", "fhab:domain/healthy", Relation.CLOSE, 0.5 * 0.95, "cof:domain/healthy"),
        ("fhab:domain/healthy", "sf:outcome/H02", Relation.CLOSE, 0.95 * 0.5, "cof:domain/healthy"),
        # narrow then narrow = narrow, and broad then broad = broad
        (
            "lof:outcome/best-start-in-life",
            "phof:indicator/90632",
            Relation.NARROW,
            0.8 * 0.8,
            "bsil:measure/gld",
        ),
        (
            "phof:indicator/90632",
            "lof:outcome/best-start-in-life",
            Relation.BROAD,
            0.8 * 0.8,
            "bsil:measure/gld",
        ),
        # broad then narrow is downgraded to related: two outcomes under the same COF domain
        ("sf:outcome/H08", "sf:outcome/H06", Relation.RELATED, 0.5 * 0.5, "cof:domain/safe"),
        # close then close = close
        (
            "lof:outcome/best-start-in-life",
            "phof:indicator/90631",
            Relation.CLOSE,
            0.8 * 0.95,
            "bsil:target/gld-75-by-2028",
        ),
    ],
    ids=[
        "exact+exact",
        "close+exact",
        "exact+close",
        "narrow+narrow",
        "broad+broad",
        "broad+narrow",
        "close+close",
    ],
)
def test_composition_rules_on_real_chains(aligner, start, target, relation, confidence, via):
    found = derived(aligner, start, target)
    assert found is not None, f"{target} is not a derived counterpart of {start}"
    assert found.relation is relation
    assert math.isclose(found.confidence, confidence)
    assert path_of(found) == [iri(via), iri(target)]
    assert found.kind == "derived"


@pytest.mark.parametrize(
    ("start", "target", "reason"),
    [
        ("fhab:example/gld", "sf:outcome/H02", "two topical links say nothing"),
        ("fhab:example/gld", "bsil:measure/gld", "a topical link and a change of level"),
        ("sf:outcome/H02", "lof:outcome/best-start-in-life", "related to, then broader than"),
    ],
    ids=["related+related", "related+narrow", "related+broad"],
)
def test_refused_chains_are_not_counterparts(aligner, start, target, reason):
    result = aligner.counterparts(start)
    assert iri(target) not in {c.target for c in result.all()}
    refused = {r.target: r for r in result.refused}
    assert reason in refused[iri(target)].reason


def test_a_negated_pair_is_never_derived(aligner):
    """LG Inform-style "must not match" record: phof B04 is NOT close to sf H06 (fixture)."""
    result = aligner.counterparts("phof:indicator/10401")
    negated = [c for c in result.direct if c.negated]
    assert [(c.target, c.label) for c in negated] == [(iri("sf:outcome/H06"), "not close to")]
    assert iri("sf:outcome/H06") not in {c.target for c in result.derived}
    assert {r.target: r.reason for r in result.refused}[iri("sf:outcome/H06")] == NEGATED_REASON


def test_confidence_never_rises(aligner):
    index = aligner.index
    for start in index.nodes:
        reached, _ = derive(index, start, depth=3)
        for found in reached.values():
            weights = [step.weight for step in found.steps]
            assert found.confidence <= min(weights) + 1e-12
            assert math.isclose(found.confidence, math.prod(weights))


def test_curated_and_candidate_chains_are_told_apart(aligner):
    assert derived(aligner, "lof:outcome/best-start-in-life", "phof:indicator/90631").basis == "curated"
    candidate = derived(aligner, "fhab:example/gld", "lof:outcome/best-start-in-life")
    assert candidate.basis == "candidate"
    assert [s.record.status_code for s in candidate.steps] == ["I", "V", "P"]
    # On curated records alone the same pair is only related (FHAB GLD -related- target -close- LOF).
    curated = derived(aligner, "fhab:example/gld", "lof:outcome/best-start-in-life", curated_only=True)
    assert (curated.relation, curated.basis) == (Relation.RELATED, "curated")


def test_direct_counterparts_carry_provenance(aligner):
    result = aligner.counterparts("phof:indicator/90631", depth=1)
    assert result.derived == ()
    direct = {c.target: c for c in result.direct}
    target = direct[iri("bsil:target/gld-75-by-2028")]
    assert (target.kind, target.label, target.confidence, target.basis) == (
        "direct",
        "close to",
        0.95,
        "curated",
    )
    record = target.steps[0].record
    assert record.crosswalk == "X5"
    assert record.sources == ("https://example.org/bsil",)
    data = counterpart_dict(aligner.index, target)
    assert data["steps"][0]["justification"] == "semapv:ManualMappingCuration"
    assert data["steps"][0]["direction"] == "inverse"


def test_depth_limits_chains(aligner):
    two = derived(aligner, "fhab:example/gld", "lof:outcome/best-start-in-life", depth=2)
    three = derived(aligner, "fhab:example/gld", "lof:outcome/best-start-in-life", depth=3)
    assert (two.relation, len(two.steps)) == (Relation.RELATED, 2)  # via the Best Start target
    assert (three.relation, len(three.steps)) == (Relation.CLOSE, 3)  # via PHOF 90631
    with pytest.raises(UsageError, match="depth must be at least 1"):
        aligner.counterparts("B04", depth=0)


def test_min_confidence_drops_weak_chains(aligner):
    result = aligner.counterparts("sf:outcome/H08", min_confidence=0.3)
    assert all(c.confidence >= 0.3 for c in result.all())
    assert iri("sf:outcome/H06") not in {c.target for c in result.all()}


def test_explicit_gap_records_are_listed_apart(aligner):
    result = aligner.counterparts("sf:outcome/H09")
    assert result.all() == ()
    assert [(g.missing_in, g.crosswalk) for g in result.gaps] == [("fhab", "X9")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B04", "phof:indicator/10401"),
        ("b04", "phof:indicator/10401"),
        ("90631", "phof:indicator/90631"),
        ("phof:indicator/90631", "phof:indicator/90631"),
        ("https://w3id.org/common-outcomes/id/sf/outcome/H02", "sf:outcome/H02"),
        ("1.02i", None),  # historical code shared by two indicators
    ],
)
def test_concepts_are_named_many_ways(aligner, text, expected):
    if expected is None:
        with pytest.raises(UsageError, match="matches 2 concepts: phof:indicator/90631"):
            aligner.resolve(text)
    else:
        assert aligner.resolve(text).iri == iri(expected)


def test_an_unknown_concept_suggests_near_misses(aligner):
    with pytest.raises(
        UsageError, match=r"no concept matches 'B05'; did you mean .*B04 \(phof:indicator/10401\)"
    ):
        aligner.resolve("B05")
    with pytest.raises(
        UsageError, match=r"no concept has the IRI <https://w3id\.org/common-outcomes/id/sf/outcome/H99>"
    ):
        aligner.resolve("sf:outcome/H99")


HOSTILE = [
    'B04" } UNION { ?node ?p ?o } #',
    "B04' . ?s ?p ?o",
    "<https://w3id.org/common-outcomes/id/phof/indicator/10401>",
    "?node",
    "}} DROP ALL ; SELECT * {",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_concepts_are_refused_not_run(aligner, text):
    with pytest.raises(UsageError):
        aligner.counterparts(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_binds_as_one_literal(aligner, text):
    assert named_rows(aligner.store, aligner.registry, "concept-lookup", text=text) == []


@pytest.mark.parametrize("value", ["https://w3id.org/x> } ; DROP ALL ; <y", "not an iri", "<b04>"])
def test_hostile_iris_are_refused(aligner, value):
    with pytest.raises(UsageError, match="is not an absolute IRI"):
        named_rows(aligner.store, aligner.registry, "concept-mappings", concept=value)


def test_the_index_is_cached_per_build(aligner):
    clear_cache()
    first = AlignmentIndex.load(aligner.store, aligner.registry)
    assert AlignmentIndex.load(aligner.store, aligner.registry) is first
    assert AlignmentIndex.load(aligner.store, aligner.registry, cached=False) is not first
    assert first.build_id == aligner.store.info.build_id


def test_results_are_read_on_the_calling_thread(aligner):
    """named_rows returns plain data, so no pyoxigraph result object escapes the query's thread."""
    rows = named_rows(aligner.store, aligner.registry, "concept-lookup", text="B04")
    assert rows
    assert all(isinstance(v, str) for row in rows for v in row.values())
    assert not any(isinstance(v, ox.QuerySolutions) for row in rows for v in row.values())


MY_PARAMETER_QUERIES = [
    ("concept-lookup", {"text": "B04"}),
    ("concept-lookup", {"text": "1.02i"}),
    ("concept-mappings", {"concept": iri("phof:indicator/90631")}),
    ("coverage-direct", {"scheme": iri("sf:").rstrip("/"), "against": iri("cof:").rstrip("/")}),
    ("coverage-direct", {"scheme": iri("fhab:").rstrip("/"), "against": iri("lof:").rstrip("/")}),
    ("known-gaps", {"scheme": iri("sf:").rstrip("/")}),
    ("not-found-records", {"scheme": iri("sf:").rstrip("/")}),
    ("edition-concepts", {"edition": iri("lgof:").rstrip("/")}),
    ("edition-mappings", {"edition": iri("lgof:").rstrip("/")}),
]


@pytest.mark.parametrize(
    ("name", "params"),
    MY_PARAMETER_QUERIES,
    ids=[f"{n}-{i}" for i, (n, _) in enumerate(MY_PARAMETER_QUERIES)],
)
def test_parameters_bind_the_same_as_the_remote_stores_values_blocks(aligner, name, params):
    """A remote store binds parameters with VALUES blocks (remote_text.prepare): the answers are the same."""
    query = aligner.registry.get(name)
    substitutions = query.substitutions(params)
    by_substitution = aligner.store.query(query.sparql, substitutions=substitutions)
    by_values = aligner.store.query(prepare(query.sparql, substitutions=substitutions))

    def rows(result) -> list[tuple[str, ...]]:
        names = [v.value for v in result.variables]
        return sorted(tuple(str(row[n]) for n in names) for row in result)

    expected = rows(by_substitution)
    assert expected, f"{name} found nothing for {params}"
    assert rows(by_values) == expected
