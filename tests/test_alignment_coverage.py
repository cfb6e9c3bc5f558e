"""Coverage, gaps and the matrix on the fixture graph: the arithmetic, case by case."""

from __future__ import annotations

import pytest

from alignment_support import fixture_aligner, iri
from outcomes_graph.alignment import Aligner
from outcomes_graph.alignment_index import named_rows
from outcomes_graph.alignment_rules import Relation, parse_strength
from outcomes_graph.coverage import Status
from outcomes_graph.errors import UsageError
from outcomes_graph.matrix import MATRIX_COLUMNS


@pytest.fixture(scope="module")
def aligner(tmp_path_factory) -> Aligner:
    return fixture_aligner(tmp_path_factory)


def statuses(result) -> dict[str, tuple[str, str, str]]:
    return {r.node.curie: (r.status.value, r.how, r.basis) for r in result.rows}


def test_supporting_families_coverage_by_fhab(aligner):
    result = aligner.coverage("sf")
    assert statuses(result) == {
        "sf:outcome/H02": ("covered", "derived", "candidate"),  # close to COF Healthy = FHAB Healthy
        "sf:outcome/H05": ("partial", "direct", "candidate"),  # only related to the FHAB children tier
        "sf:outcome/H06": ("covered", "derived", "candidate"),  # broader: COF Safe = FHAB Safe
        "sf:outcome/H08": ("covered", "derived", "candidate"),
        "sf:outcome/H09": ("not-found", "", ""),  # an explicit sssom:NoTermFound record
        "sf:outcome/H10": ("unmapped", "", ""),  # nobody has mapped it
    }
    summary = result.summary()
    assert {
        k: summary[k] for k in ("total", "covered", "partial", "not_found", "unmapped", "percent_covered")
    } == {
        "total": 6,
        "covered": 3,
        "partial": 1,
        "not_found": 1,
        "unmapped": 1,
        "percent_covered": 50.0,
    }
    assert (summary["covered_direct"], summary["covered_derived"], summary["covered_candidate"]) == (0, 3, 3)
    assert summary["against"] == ["fhab"]


@pytest.mark.parametrize(
    ("options", "covered", "partial", "not_found", "unmapped"),
    [
        ({"strength": parse_strength("all")}, 4, 0, 1, 1),  # related counts too
        ({"strength": parse_strength("exact")}, 0, 4, 1, 1),  # close and broad fall to partial
        ({"curated_only": True}, 0, 0, 1, 5),  # every SF link in the fixture is inferred
        ({"depth": 1}, 0, 1, 1, 4),  # direct links only: just H05's related one
    ],
    ids=["strength-all", "strength-exact", "curated-only", "direct-only"],
)
def test_coverage_options(aligner, options, covered, partial, not_found, unmapped):
    summary = aligner.coverage("sf", **options).summary()
    assert (summary["covered"], summary["partial"], summary["not_found"], summary["unmapped"]) == (
        covered,
        partial,
        not_found,
        unmapped,
    )


def test_a_parent_is_covered_through_its_narrower_concepts(aligner):
    result = aligner.coverage("lof")
    every_child = result.row(iri("lof:outcome/every-child-achieving-and-thriving"))
    assert (every_child.status, every_child.how, every_child.basis) == (
        Status.COVERED,
        "via narrower",
        "curated",
    )
    assert (every_child.narrower_covered, every_child.narrower_total) == (1, 1)
    homelessness = result.row(iri("lof:outcome/homelessness-and-rough-sleeping"))
    assert (homelessness.status, homelessness.how) == (Status.PARTIAL, "via narrower")
    assert (homelessness.narrower_covered, homelessness.narrower_total) == (1, 2)
    best_start = result.row(iri("lof:outcome/best-start-in-life"))
    assert (best_start.status, best_start.how, best_start.basis) == (Status.COVERED, "derived", "candidate")
    assert best_start.narrower_total == 3  # two skos:broader children and one og:candidateBroader child
    summary = result.summary()
    assert (summary["total"], summary["covered"], summary["covered_via_narrower"], summary["partial"]) == (
        12,
        5,
        1,
        1,
    )
    assert (summary["covered_curated"], summary["covered_candidate"], summary["unmapped"]) == (2, 3, 6)


def test_coverage_by_hierarchy(aligner):
    groups = {g.group: g for g in aligner.coverage("lof").groups(aligner.index, "hierarchy")}
    best_start = groups["lof:outcome/best-start-in-life"]
    assert (best_start.total, best_start.covered, best_start.unmapped) == (4, 2, 2)
    assert groups["lof:outcome/every-child-achieving-and-thriving"].percent == 100.0
    assert "lof:metric/gld-at-5" not in groups


def test_coverage_by_fhab_domain(aligner):
    groups = {g.group: g for g in aligner.coverage("sf").groups(aligner.index, "domain")}
    assert (groups["fhab:domain/safe"].covered, groups["fhab:domain/safe"].partial) == (2, 0)
    assert (groups["fhab:domain/healthy"].covered, groups["fhab:domain/healthy"].partial) == (1, 0)
    # H02 is covered through Healthy but only related to Learning: partial there
    assert (groups["fhab:domain/learning"].covered, groups["fhab:domain/learning"].partial) == (0, 1)
    assert (groups["(none)"].covered, groups["(none)"].partial) == (0, 1)  # H05 reaches a tier, not a domain
    assert (groups["fhab:domain/safe"].total, groups["fhab:domain/safe"].percent) == (6, 33.3)


def test_coverage_by_fhab_tier_the_other_way_round(aligner):
    result = aligner.coverage("fhab")
    assert result.against == ("lof", "phof", "bsil", "sf")
    assert statuses(result)["fhab:domain/safe"] == ("covered", "derived", "curated")  # phof B04 broader, P
    assert statuses(result)["fhab:tier/system"] == ("unmapped", "", "")
    groups = {g.group: g for g in result.groups(aligner.index, "tier")}
    assert (groups["fhab:tier/children"].total, groups["fhab:tier/children"].covered) == (4, 1)
    assert (groups["fhab:tier/system"].total, groups["fhab:tier/system"].covered) == (2, 1)


def test_coverage_against_a_chosen_framework(aligner):
    result = aligner.coverage("sf", against=("cof",), depth=1)
    assert statuses(result)["sf:outcome/H06"] == ("covered", "direct", "candidate")
    with pytest.raises(UsageError, match="unknown framework 'cofx'; did you mean 'cof'"):
        aligner.coverage("sf", against=("cofx",))


def test_unknown_framework_names_the_valid_ones(aligner):
    with pytest.raises(
        UsageError, match=r"unknown framework 'lofx'; did you mean 'lof'\? use one of: bsil, cof"
    ):
        aligner.coverage("lofx")
    with pytest.raises(UsageError, match="unknown framework"):
        aligner.coverage('lof" } UNION { ?s ?p ?o }')
    with pytest.raises(UsageError, match="cannot group coverage by 'borough'"):
        aligner.coverage("sf").groups(aligner.index, "borough")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("scheme", "against"), [("sf", "fhab"), ("sf", "cof"), ("lof", "fhab"), ("fhab", "lof")]
)
def test_the_direct_coverage_query_agrees_with_the_engine(aligner, scheme, against):
    """coverage-direct.rq (SPARQL only) and the engine at depth 1 count the same direct links."""
    index = aligner.index
    rows = named_rows(
        aligner.store,
        aligner.registry,
        "coverage-direct",
        scheme=index.scheme(scheme).iri,
        against=index.scheme(against).iri,
    )
    assert len(rows) == len(index.concepts_of(scheme))
    for row in rows:
        result = aligner.counterparts(row["concept"], depth=1)
        links = [c for c in result.direct if c.relation and not c.negated and index.slug(c.target) == against]
        for relation in Relation:
            assert int(row[relation.value]) == sum(c.relation is relation for c in links), (
                row["concept"],
                relation,
            )
        assert int(row["curatedLinks"]) == sum(c.curated for c in links)
        assert (row["notFound"] == "true") == any(g.missing_in == against for g in result.gaps)


def test_three_kinds_of_gap_are_kept_apart(aligner):
    found = aligner.gaps("sf")
    assert [n.curie for n in found.unmapped] == ["sf:outcome/H10"]
    assert [(n.curie, g.missing_in) for n, g in found.not_found] == [("sf:outcome/H09", "fhab")]
    assert [k["gap"] for k in found.known] == [iri("sf:gap/descriptors")]
    table = found.table()
    assert [row[:2] for row in table] == [
        ["unmapped", "sf:outcome/H10"],
        ["not-found", "sf:outcome/H09"],
        ["known-gap", "sf:gap/descriptors"],
    ]


def test_fhab_gaps_are_against_the_national_frameworks(aligner):
    found = aligner.gaps("fhab")
    assert [n.curie for n in found.unmapped] == [
        "fhab:tier/system",
        "fhab:example/reading-club",
        "fhab:example/role-play",
    ]
    assert found.not_found == ()
    assert [k["gap"] for k in found.known] == [iri("fhab:gap/official-item-list")]
    assert found.to_dict()["known_gaps"][0]["status"] == "og:NotFound"


def test_alignment_matrix(aligner):
    matrix = aligner.matrix()
    assert matrix.frameworks == ("lof", "phof", "bsil", "sf")
    assert [label for _, label in matrix.domains] == ["Safe", "Healthy", "Learning"]
    safe_sf = matrix.cell(iri("fhab:domain/safe"), "sf")
    assert (safe_sf.count(Relation.BROAD), safe_sf.concepts, safe_sf.curated) == (2, 2, 0)
    learning_lof = matrix.cell(iri("fhab:domain/learning"), "lof")
    assert (
        learning_lof.count(Relation.EXACT),
        learning_lof.count(Relation.CLOSE),
        learning_lof.concepts,
    ) == (1, 2, 3)
    records = matrix.records()
    assert len(records) == 3 * 4
    assert list(records[0]) == MATRIX_COLUMNS
    assert matrix.csv().splitlines()[0] == ",".join(MATRIX_COLUMNS)


def test_matrix_as_a_dataframe(aligner):
    frame = aligner.matrix().frame()
    assert list(frame.columns) == MATRIX_COLUMNS
    grid = frame.pivot(index="domain_label", columns="framework", values="concepts")
    assert grid.loc["Safe", "sf"] == 2
    assert grid.loc["Learning", "lof"] == 3
