"""The GraphQL schema answers, in-process, over the alignment fixture graph (tests/data/alignment)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alignment_support import fixture_aligner, fixture_settings
from outcomes_graph.settings import Settings
from outcomes_graph.web import create_app

Run = Callable[..., dict[str, Any]]
ID = "https://w3id.org/common-outcomes/id/"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return fixture_settings(tmp_path_factory)


@pytest.fixture(scope="module")
def client(settings: Settings):
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def gql(client: TestClient) -> Run:
    """Run a query; return the whole body (``data`` and any ``errors``)."""

    def run(query: str, **variables: Any) -> dict[str, Any]:
        response = client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        return response.json()

    return run


def data(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    return body["data"]


def test_frameworks_and_editions(gql: Run):
    body = data(
        gql("""{ framework(slug: "lof") { uri slug title version issued
        revisionOf { slug } editions { slug } revisedBy { slug } publisher { name } } }""")
    )
    lof = body["framework"]
    assert lof["uri"] == ID + "lof"
    assert lof["slug"] == "lof"
    assert lof["revisionOf"] == {"slug": "lgof"}
    assert [e["slug"] for e in lof["editions"]] == ["lgof", "lof"]
    lgof = data(gql('{ framework(slug: "lgof") { revisedBy { slug } revisionOf { slug } } }'))["framework"]
    assert lgof == {"revisedBy": [{"slug": "lof"}], "revisionOf": None}


def test_unknown_framework_suggests(gql: Run):
    body = gql('{ framework(slug: "lofx") { slug } }')
    assert body["data"] == {"framework": None}
    error = body["errors"][0]
    assert error["message"].startswith("no framework 'lofx'; did you mean 'lof'")
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["suggestions"][0] == "lof"
    assert error["path"] == ["framework"]


def test_frameworks_connection(gql: Run):
    body = data(
        gql("{ frameworks(first: 3) { totalCount pageInfo { hasNextPage endCursor } nodes { slug } } }")
    )
    page = body["frameworks"]
    assert page["totalCount"] == 7
    assert page["pageInfo"]["hasNextPage"] is True
    assert [n["slug"] for n in page["nodes"]] == ["bsil", "cof", "fhab"]
    rest = data(
        gql(
            "query($c: String) { frameworks(after: $c) { nodes { slug } pageInfo { hasNextPage } } }",
            c=page["pageInfo"]["endCursor"],
        )
    )["frameworks"]
    assert [n["slug"] for n in rest["nodes"]] == ["lgof", "lof", "phof", "sf"]
    assert not rest["pageInfo"]["hasNextPage"]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ('uri: "https://w3id.org/common-outcomes/id/phof/indicator/90631"', "phof:indicator/90631"),
        ('uri: "phof:indicator/90631"', "phof:indicator/90631"),
        ('fingertipsId: "90631"', "phof:indicator/90631"),
        ('notation: "O5", framework: "lof"', "lof:outcome/best-start-in-life"),
    ],
    ids=["iri", "curie", "fingertips-id", "notation-in-framework"],
)
def test_concept_lookups(gql: Run, arguments: str, expected: str):
    assert data(gql(f"{{ concept({arguments}) {{ curie }} }}"))["concept"] == {"curie": expected}


def test_an_ambiguous_notation_lists_the_candidates(gql: Run):
    error = gql('{ concept(notation: "O5") { curie } }')["errors"][0]
    assert error["extensions"]["code"] == "AMBIGUOUS"
    assert set(error["extensions"]["suggestions"]) == {
        "lgof:outcome/best-start-in-life",
        "lof:outcome/best-start-in-life",
    }


def test_an_unknown_concept_suggests(gql: Run):
    error = gql('{ concept(uri: "phof:indicator/90361") { curie } }')["errors"][0]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "phof:indicator/90631" in error["extensions"]["suggestions"]
    assert "did you mean" in error["message"]


def test_concept_types_carry_their_own_fields(gql: Run):
    body = data(
        gql("""{ concept(fingertipsId: "90631") { __typename kind prefLabel status
        ... on Indicator { fingertipsId } candidateNotation historicalNotation
        framework { slug } sources { identifier } } }""")
    )
    concept = body["concept"]
    assert concept["__typename"] == "Indicator"
    assert concept["kind"] == "INDICATOR"
    assert concept["fingertipsId"] == "90631"
    assert (concept["candidateNotation"], concept["historicalNotation"]) == ("B02a", "1.02i")
    assert concept["framework"] == {"slug": "phof"}
    assert concept["status"] == "VERIFIED"
    target = data(gql('{ concept(uri: "bsil:target/gld-75-by-2028") { __typename kind } }'))["concept"]
    assert target == {"__typename": "Target", "kind": "TARGET"}


def test_hierarchy_both_ways(gql: Run):
    body = data(
        gql("""{ concept(uri: "phof:indicator/90631") { broader { curie }
        candidateBroader { curie } } domain: concept(uri: "phof:domain/B") {
        narrower { totalCount nodes { curie } } } }""")
    )
    assert body["concept"]["broader"] == [{"curie": "phof:domain/B"}]
    assert {"curie": "phof:indicator/90631"} in body["domain"]["narrower"]["nodes"]


def test_mappings_carry_sssom_metadata(gql: Run):
    body = data(
        gql("""{ concept(uri: "bsil:target/gld-75-by-2028") { mappings { totalCount nodes {
        uri predicate relation relationLabel justification confidence status crosswalkId curated negated
        subjectId objectId sources object { curie } mappingSet { uri title mappingCount } } } } }""")
    )
    records = body["concept"]["mappings"]["nodes"]
    to_phof = next(m for m in records if m["objectId"] == ID + "phof/indicator/90631")
    assert to_phof["predicate"] == "skos:closeMatch"
    assert to_phof["relation"] == "CLOSE"
    assert to_phof["justification"] == "semapv:ManualMappingCuration"
    assert to_phof["curated"] is True
    assert to_phof["object"] == {"curie": "phof:indicator/90631"}
    assert to_phof["mappingSet"]["mappingCount"] >= 1
    assert to_phof["sources"]


def test_counterparts_direct_and_derived(gql: Run):
    query = """query($min: Relation) { counterparts(concept: "90631", minStrength: $min) {
        totalCount nodes { curie kind relation relationLabel confidence basis path
        steps { from to relation label mapping { uri crosswalkId } } concept { prefLabel } } } }"""
    found = data(gql(query))["counterparts"]["nodes"]
    assert found, "90631 has counterparts"
    kinds = {c["kind"] for c in found}
    assert kinds == {"DIRECT", "DERIVED"}
    derived = next(c for c in found if c["kind"] == "DERIVED")
    assert len(derived["steps"]) >= 2
    assert derived["path"].startswith("phof:indicator/90631")
    strong = data(gql(query, min="CLOSE"))["counterparts"]["nodes"]
    assert strong
    assert all(c["relation"] in ("EXACT", "CLOSE") for c in strong)
    assert len(strong) <= len(found)


def test_counterparts_match_the_engine(gql: Run, tmp_path_factory: pytest.TempPathFactory):
    engine = fixture_aligner(tmp_path_factory).counterparts("phof:indicator/90631")
    body = data(
        gql('{ concept(uri: "phof:indicator/90631") { counterparts(first: 1000) { nodes { uri kind } } } }')
    )
    got = [(c["uri"], c["kind"].lower()) for c in body["concept"]["counterparts"]["nodes"]]
    assert got == [(c.target, c.kind) for c in engine.all()]


def test_coverage_matches_the_engine(gql: Run, tmp_path_factory: pytest.TempPathFactory):
    engine = fixture_aligner(tmp_path_factory).coverage("lof").summary()
    body = data(
        gql("""{ coverage(framework: "lof") { framework { slug } against { slug }
        summary { total covered partial notFound unmapped percentCovered }
        rows(first: 100) { totalCount nodes { concept { curie } status how basis relation } }
        groups(by: DOMAIN) { group label total covered } } }""")
    )
    coverage = body["coverage"]
    assert coverage["framework"] == {"slug": "lof"}
    assert coverage["against"] == [{"slug": "fhab"}]
    summary = coverage["summary"]
    assert (summary["total"], summary["covered"], summary["unmapped"]) == (
        engine["total"],
        engine["covered"],
        engine["unmapped"],
    )
    assert coverage["rows"]["totalCount"] == engine["total"]
    assert coverage["groups"]


def test_gaps_keep_the_three_kinds_apart(gql: Run):
    body = data(
        gql("""{ gaps(framework: "sf") { unmapped { totalCount nodes { curie } }
        notFound { missingIn concept { curie } mapping { uri noTermFound } }
        knownGaps { uri label status } } }""")
    )
    gaps = body["gaps"]
    assert any(
        g["concept"]["curie"] == "sf:outcome/H09" and g["mapping"]["noTermFound"] for g in gaps["notFound"]
    )
    assert [g["label"] for g in gaps["knownGaps"]] == [
        "Descriptor (family-need) titles under each headline outcome"
    ]
    assert gaps["knownGaps"][0]["status"] == "NOT_FOUND"


def test_matrix_has_a_cell_per_domain_and_framework(gql: Run):
    body = data(
        gql(
            "{ matrix { domains { curie } frameworks { slug } cells { framework domain { curie } "
            "exact close broad narrow related concepts curated } } }"
        )
    )
    matrix = body["matrix"]
    assert len(matrix["cells"]) == len(matrix["domains"]) * len(matrix["frameworks"]) > 0


def test_search_ranks_exact_codes_first(gql: Run):
    body = data(
        gql('{ search(text: "90631") { totalCount nodes { curie match field concept { prefLabel } } } }')
    )
    first = body["search"]["nodes"][0]
    assert (first["curie"], first["match"]) == ("phof:indicator/90631", "EXACT_NOTATION")


def test_known_gaps_of_a_framework(gql: Run):
    body = data(gql('{ framework(slug: "sf") { knownGaps { label framework { slug } } } }'))
    assert body["framework"]["knownGaps"][0]["framework"] == {"slug": "sf"}


def test_concepts_filter_by_kind(gql: Run):
    body = data(gql('{ concepts(framework: "phof", kind: DOMAIN) { totalCount nodes { __typename kind } } }'))
    assert body["concepts"]["totalCount"] >= 2
    assert {n["__typename"] for n in body["concepts"]["nodes"]} == {"Domain"}


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ('{ frameworks(after: "nope") { totalCount } }', "BAD_USER_INPUT", "not a cursor"),
        ("{ frameworks(first: 5000) { totalCount } }", "BAD_USER_INPUT", "between 0 and 1000"),
        ('{ concept(notation: "O5", uri: "lof:outcome/x") { curie } }', "BAD_USER_INPUT", "exactly one"),
        ('{ coverage(framework: "lof", depth: 9) { summary { total } } }', "BAD_USER_INPUT", "depth"),
        ('{ gaps(framework: "sff") { framework { slug } } }', "NOT_FOUND", "did you mean 'sf'"),
    ],
    ids=["bad-cursor", "page-too-big", "two-lookups", "depth", "gaps-framework"],
)
def test_errors_teach(gql: Run, query: str, code: str, words: str):
    error = gql(query)["errors"][0]
    assert error["extensions"]["code"] == code, error
    assert words in error["message"], error


def test_internal_errors_are_masked(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    from outcomes_graph.web.graphql import fetch

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(fetch, "rows_sync", broken)
    with TestClient(create_app(settings)) as fresh:  # a new app: nothing cached that could answer
        body = fresh.post("/graphql", json={"query": '{ framework(slug: "lof") { title } }'}).json()
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_ERROR"}
    assert "secret" not in body["errors"][0]["message"]


def test_a_get_answer_with_a_passing_error_is_not_cached(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    """An INTERNAL_ERROR or STORE_UNAVAILABLE answer says no-store: the same GET runs again."""
    from outcomes_graph.errors import StoreError
    from outcomes_graph.web.graphql import fetch

    working = fetch.rows_sync
    failures = {"INTERNAL_ERROR": RuntimeError("boom"), "STORE_UNAVAILABLE": StoreError("down")}
    with TestClient(create_app(settings)) as fresh:
        for code, failure in failures.items():
            # A query of its own per failure (the HTTP cache holds no answer to it) read with no-cache
            # (nor do the loaders): the store is asked, and fails.
            params = {"query": f'{{ framework(slug: "lof") {{ title }} {code.lower()}: __typename }}'}

            def broken(*_args: object, exc: Exception = failure, **_kwargs: object) -> None:
                raise exc

            monkeypatch.setattr(fetch, "rows_sync", broken)
            failed = fresh.get("/graphql", params=params, headers={"Cache-Control": "no-cache"})
            assert failed.json()["errors"][0]["extensions"]["code"] == code
            assert failed.headers["cache-control"] == "no-store"
            assert "etag" not in failed.headers
            monkeypatch.setattr(fetch, "rows_sync", working)
            answered = fresh.get("/graphql", params=params)
            assert "errors" not in answered.json()
            assert answered.json()["data"]["framework"]["title"]
            assert answered.headers["cache-control"].startswith("public")
            monkeypatch.setattr(fetch, "rows_sync", broken)
            assert fresh.get("/graphql", params=params).json() == answered.json()  # the good answer is kept
