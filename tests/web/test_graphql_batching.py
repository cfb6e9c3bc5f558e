"""DataLoaders: the number of store queries of a request does not grow with the number of results.

A generated fixture graph holds 1,200 outcomes, each with a narrower indicator, a source,
a crosswalk record to an LOF outcome and a derived counterpart through it in the COF. The same nested
request over 100 and over 1,000 outcomes must cost the same number of store queries, counted on a
new app (nothing cached: the first request after a build). A repeated request costs none, until
another build is served.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from conftest import make_data_dir
from outcomes_graph import build as build_module
from outcomes_graph.build import build
from outcomes_graph.settings import Settings
from outcomes_graph.store import BuildInfo, EmbeddedStore
from outcomes_graph.web import create_app

OUTCOMES = 1200
ORG = "https://w3id.org/common-outcomes/id/org/"
SCHEME = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix og: <https://w3id.org/common-outcomes/def/> .
<https://w3id.org/common-outcomes/id/{slug}> a skos:ConceptScheme, dcat:Dataset ;
    dct:title "{title}"@en ; skos:prefLabel "{title}"@en ;
    dct:publisher <https://w3id.org/common-outcomes/id/org/collab> ;
    dct:issued "2024"^^xsd:gYear ; dcat:version "generated" ;
    dct:license <http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/> ;
    dct:source <https://example.org/{slug}> ; og:status og:Verified ; og:slug "{slug}" .
"""
SSSOM_HEADER = """#sssom_version: "1.1"
#mapping_set_id: https://w3id.org/common-outcomes/mappings/{a}-{b}
#mapping_set_title: Generated {a} to {b}
#mapping_set_description: Generated crosswalk for the batching test
#mapping_set_version: "2026-11-22"
#license: http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/
#creator_id:
#  - ogorg:outcomes-graph
#curie_map:
#  {a}: https://w3id.org/common-outcomes/id/{a}/
#  {b}: https://w3id.org/common-outcomes/id/{b}/
#  ogorg: https://w3id.org/common-outcomes/id/org/
#  ogmap: https://w3id.org/common-outcomes/id/mapping/
#  og: https://w3id.org/common-outcomes/def/
#extension_definitions:
#  - slot_name: og_status
#    property: og:status
#  - slot_name: status_note
#    property: og:statusNote
#  - slot_name: crosswalk_id
#    property: og:crosswalkId
"""
SSSOM_COLUMNS = [
    "record_id",
    "subject_id",
    "subject_label",
    "predicate_id",
    "predicate_modifier",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "author_id",
    "mapping_date",
    "see_also",
    "comment",
    "og_status",
    "status_note",
    "crosswalk_id",
]


def _write_framework(folder: Path, slug: str, title: str, rows: list[dict[str, str]]) -> None:
    (folder / slug).mkdir(parents=True)
    (folder / slug / "scheme.ttl").write_text(SCHEME.format(slug=slug, title=title), encoding="utf-8")
    with (folder / slug / "concepts.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, ["kind", "ref", "pref_label", "broader", "order", "status", "sources"])
        writer.writeheader()
        writer.writerows(rows)


def _write_mappings(folder: Path, a: str, b: str, rows: list[list[str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{a}-{b}.sssom.tsv").open("w", newline="", encoding="utf-8") as out:
        out.write(SSSOM_HEADER.format(a=a, b=b))
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(SSSOM_COLUMNS)
        writer.writerows(rows)


def _mapping(n: int, pair: str, subject: str, label: str, obj: str, obj_label: str) -> list[str]:
    return [
        f"ogmap:{pair}/{n}",
        subject,
        label,
        "skos:closeMatch",
        "",
        obj,
        obj_label,
        "semapv:ManualMappingCuration",
        "0.8",
        "ogorg:outcomes-graph",
        "2026-11-22",
        "https://example.org/sf",
        "generated",
        "P",
        "Stated",
        "X1",
    ]


def generate(root: Path, outcomes: int = OUTCOMES) -> Path:
    """A data folder: ``outcomes`` outcomes (and as many indicators) in sf, linked to lof, linked to cof."""
    frameworks, mappings = root / "frameworks", root / "mappings"
    (frameworks / "organisations").mkdir(parents=True)
    (frameworks / "organisations" / "organisations.ttl").write_text(
        f"<{ORG}collab> a <http://xmlns.com/foaf/0.1/Organization> ; "
        '<http://xmlns.com/foaf/0.1/name> "Fixture" .\n'
        f"<{ORG}outcomes-graph> a <http://xmlns.com/foaf/0.1/Organization> ; "
        '<http://xmlns.com/foaf/0.1/name> "outcomes-graph" .\n',
        encoding="utf-8",
    )
    (frameworks / "sources").mkdir()
    (frameworks / "sources" / "sources.csv").write_text(
        "id,url,title,publisher,date\nS1,https://example.org/sf,Generated SF,Fixture,2024\n"
        "S2,https://example.org/cof,Generated COF,Fixture,2024\n"
        "S3,https://example.org/lof,Generated LOF,Fixture,2024\n",
        encoding="utf-8",
    )
    sf_rows, lof_rows, cof_rows, sf_lof, lof_cof = [], [], [], [], []
    for n in range(1, outcomes + 1):
        sf_rows.append(
            {
                "kind": "outcome",
                "ref": f"O{n}",
                "pref_label": f"Outcome {n}",
                "order": str(n),
                "status": "V",
                "sources": "S1",
            }
        )
        sf_rows.append(
            {
                "kind": "indicator",
                "ref": f"I{n}",
                "pref_label": f"Indicator {n}",
                "broader": f"outcome/O{n}",
                "status": "V",
                "sources": "S1",
            }
        )
        lof_rows.append(
            {
                "kind": "outcome",
                "ref": f"L{n}",
                "pref_label": f"LOF outcome {n}",
                "status": "V",
                "sources": "S3",
            }
        )
        cof_rows.append(
            {
                "kind": "outcome",
                "ref": f"C{n}",
                "pref_label": f"COF outcome {n}",
                "status": "V",
                "sources": "S2",
            }
        )
        sf_lof.append(
            _mapping(n, "sf-lof", f"sf:outcome/O{n}", f"Outcome {n}", f"lof:outcome/L{n}", f"LOF outcome {n}")
        )
        lof_cof.append(
            _mapping(
                n, "lof-cof", f"lof:outcome/L{n}", f"LOF outcome {n}", f"cof:outcome/C{n}", f"COF outcome {n}"
            )
        )
    _write_framework(frameworks, "sf", "Generated SF", sf_rows)
    _write_framework(frameworks, "lof", "Generated LOF", lof_rows)
    _write_framework(frameworks, "cof", "Generated COF", cof_rows)
    _write_mappings(mappings, "sf", "lof", sf_lof)
    _write_mappings(mappings, "lof", "cof", lof_cof)
    return root


class CountingStore:
    """The store, counting its queries: through ``query`` and through ``raw`` (the union graph path)."""

    def __init__(self, inner: EmbeddedStore) -> None:
        self.inner = inner
        self.queries: list[str] = []
        self.raw = _CountingRaw(self)
        self.build_id = inner.info.build_id

    @property
    def info(self) -> BuildInfo:
        """The inner store's build record, under ``build_id`` (a test sets it to pretend a new build)."""
        return replace(self.inner.info, build_id=self.build_id)

    def query(self, sparql: str, **kwargs):
        self.queries.append(sparql)
        return self.inner.query(sparql, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


class _CountingRaw:
    def __init__(self, owner: CountingStore) -> None:
        self.owner = owner

    def query(self, sparql: str, **kwargs):
        self.owner.queries.append(sparql)
        return self.owner.inner.raw.query(sparql, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.owner.inner.raw, name)


def _skip_shacl(loaded, **_):
    """SHACL is quadratic here (400 outcomes take 2 minutes); the generated rows are valid by construction."""
    return SimpleNamespace(violations=[], units_checked=0, units_from_cache=len(loaded))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("big")
    generated = generate(root / "generated")
    data = make_data_dir(root / "data", frameworks=generated / "frameworks", mappings=generated / "mappings")
    settings = Settings(store=root / "var" / "store", data_dir=data, cache_dir=root / "var" / "cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build_module, "check_sources", _skip_shacl)
        build(settings)
    return settings


def _serve(settings: Settings) -> tuple[TestClient, CountingStore]:
    """A new app (so a cold GraphQL cache) over a counting store."""
    store = CountingStore(EmbeddedStore(settings.store))
    return TestClient(create_app(settings, store=store)), store  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def big(built: Settings) -> tuple[TestClient, CountingStore]:
    client, store = _serve(built)
    with client:
        yield client, store


NESTED = """query Nested($n: Int!) {
  framework(slug: "sf") {
    title
    publisher { name }
    concepts(kind: OUTCOME, first: $n) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        curie prefLabel status
        sources { identifier title }
        framework { slug }
        broader { curie }
        narrower { totalCount nodes { curie prefLabel } }
        mappings(first: 5) { totalCount nodes {
          predicate confidence crosswalkId
          object { curie prefLabel }
          mappingSet { title }
        } }
        counterparts(first: 5) { totalCount nodes { curie kind relation path concept { prefLabel } } }
      } }
    }
  }
}"""


def _run(client: TestClient, store: CountingStore, n: int, **headers: str) -> tuple[int, dict]:
    store.queries.clear()
    response = client.post("/graphql", json={"query": NESTED, "variables": {"n": n}}, headers=headers)
    body = response.json()
    assert response.status_code == 200, response.text
    assert "errors" not in body, body.get("errors")
    return len(store.queries), body["data"]


def _cold_run(settings: Settings, n: int) -> tuple[int, dict, list[str]]:
    client, store = _serve(settings)
    with client:
        count, data = _run(client, store, n)
        return count, data, list(store.queries)


def test_query_count_does_not_grow_with_results(built, big):
    client, store = big
    _run(client, store, 10)  # reads the alignment engine's per-build index once (kept by the engine)
    small_count, small, _ = _cold_run(built, 100)
    large_count, large, queries = _cold_run(built, 1000)
    assert len(small["framework"]["concepts"]["edges"]) == 100
    assert len(large["framework"]["concepts"]["edges"]) == 1000
    assert small_count == large_count, (small_count, large_count)
    # One query per field type and level: a handful, whatever the page size.
    assert 3 <= large_count <= 12, queries


def test_a_repeated_request_reads_the_cache_of_its_build(big):
    client, store = big
    first_count, first = _run(client, store, 300)
    again_count, again = _run(client, store, 300)
    assert first_count > 0
    assert again_count == 0, store.queries
    assert again == first
    # A page that reaches further asks the store only for what the first page did not load.
    further_count, further = _run(client, store, 400)
    assert 0 < further_count <= first_count
    assert further["framework"]["concepts"]["edges"][:300] == first["framework"]["concepts"]["edges"]


def test_no_cache_reads_the_store_as_a_new_app_does(built, big):
    client, store = big
    _run(client, store, 100)
    cold_count, cold, _ = _cold_run(built, 100)
    for _ in range(2):
        count, data = _run(client, store, 100, **{"Cache-Control": "no-cache"})
        assert (count, data) == (cold_count, cold)


def test_a_new_build_is_read_afresh(big):
    client, store = big
    _run(client, store, 50)
    assert _run(client, store, 50)[0] == 0
    store.build_id = "a-newer-build"
    try:
        count, _ = _run(client, store, 50)
        assert count > 0, "answers of the previous build were served for the new one"
        assert _run(client, store, 50)[0] == 0
    finally:
        store.build_id = store.inner.info.build_id


def test_the_nested_answer_is_complete(big):
    client, store = big
    _, data = _run(client, store, 1000)
    concepts = data["framework"]["concepts"]
    assert concepts["totalCount"] == OUTCOMES
    assert concepts["pageInfo"]["hasNextPage"] is True
    last = concepts["edges"][-1]["node"]
    assert last["curie"] == "sf:outcome/O1000"
    assert last["narrower"]["nodes"] == [{"curie": "sf:indicator/I1000", "prefLabel": "Indicator 1000"}]
    assert [m["object"]["curie"] for m in last["mappings"]["nodes"]] == ["lof:outcome/L1000"]
    assert last["sources"] == [{"identifier": "S1", "title": "Generated SF"}]
    derived = [c for c in last["counterparts"]["nodes"] if c["kind"] == "DERIVED"]
    assert [(c["curie"], c["concept"]["prefLabel"]) for c in derived] == [
        ("cof:outcome/C1000", "COF outcome 1000")
    ]


def test_values_blocks_are_built_from_terms_not_request_text(big):
    client, store = big
    store.queries.clear()
    hostile = "https://w3id.org/common-outcomes/id/sf/outcome/O1> } ; DROP ALL ; <x"
    body = client.post(
        "/graphql",
        json={"query": "query($u: String!) { concept(uri: $u) { curie } }", "variables": {"u": hostile}},
    ).json()
    assert body["data"]["concept"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert not any("DROP" in q for q in store.queries)


def test_a_small_generated_graph_passes_shacl(tmp_path):
    """The generator writes valid sources: checked with SHACL at a size SHACL handles quickly."""
    generated = generate(tmp_path / "generated", outcomes=20)
    data = make_data_dir(
        tmp_path / "data", frameworks=generated / "frameworks", mappings=generated / "mappings"
    )
    result = build(
        Settings(store=tmp_path / "var" / "store", data_dir=data, cache_dir=tmp_path / "var" / "cache")
    )
    assert result.report.ok
