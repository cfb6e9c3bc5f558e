"""``/.well-known/void`` counts equal SPARQL counts; ``/catalog`` lists every scheme and mapping set."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.web import create_app

BASE = "https://w3id.org/common-outcomes/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SPDX = "http://spdx.org/rdf/terms#"
DATASET = ox.NamedNode(BASE + ".well-known/void#dataset")
CATALOG = ox.NamedNode(BASE + "catalog")


def nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("void-dcat")
    settings = mini_settings_in(root)
    build(settings)
    with TestClient(create_app(settings), base_url="http://testserver") as c:
        yield c


def turtle(client, path: str) -> set[ox.Triple]:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    return {q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)}


def value(triples: set[ox.Triple], subject: ox.NamedNode | ox.BlankNode, predicate: str) -> str:
    found = [t.object.value for t in triples if t.subject == subject and t.predicate.value == predicate]
    assert len(found) == 1, f"{subject} {predicate}: {found}"
    return found[0]


def count(store, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))["n"].value)


# --- VoID --------------------------------------------------------------------------------------------


def test_void_whole_dataset_counts_equal_sparql_counts(client):
    store = client.app.state.og.store
    void = turtle(client, "/.well-known/void")
    distinct = {q.triple for q in store.quads()}
    assert int(value(void, DATASET, VOID + "triples")) == len(distinct)
    assert int(value(void, DATASET, VOID + "triples")) == count(
        store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    )
    entities = {
        t.subject.value
        for t in distinct
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(BASE)
    }
    assert int(value(void, DATASET, VOID + "entities")) == len(entities)
    assert int(value(void, DATASET, VOID + "classes")) == count(
        store, f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?s <{RDF_TYPE}> ?c }}"
    )
    assert int(value(void, DATASET, VOID + "properties")) == len({t.predicate for t in distinct})
    assert int(value(void, DATASET, VOID + "distinctSubjects")) == len({t.subject for t in distinct})


def test_void_has_a_subset_per_public_graph_with_its_count(client):
    store = client.app.state.og.store
    void = turtle(client, "/.well-known/void.ttl")
    subsets = {t.object for t in void if t.subject == DATASET and t.predicate.value == VOID + "subset"}
    for graph in store.public_graphs:
        assert graph in subsets
        assert int(value(void, graph, VOID + "triples")) == sum(1 for _ in store.quads([graph]))


def test_void_linksets_count_links_to_source_documents(client):
    store = client.app.state.og.store
    void = turtle(client, "/.well-known/void")
    external = {
        t
        for t in (q.triple for q in store.quads())
        if t.predicate.value == DCT + "source"
        and isinstance(t.object, ox.NamedNode)
        and not t.object.value.startswith(BASE)
    }
    linkset = nn(BASE + ".well-known/void#links-source-documents-source")
    assert value(void, linkset, RDF_TYPE) == VOID + "Linkset"
    assert value(void, linkset, VOID + "linkPredicate") == DCT + "source"
    assert value(void, linkset, VOID + "objectsTarget") == BASE + ".well-known/void#source-documents"
    assert int(value(void, linkset, VOID + "triples")) == len(external) > 0


def test_void_names_endpoint_dumps_licence_and_uri_space(client):
    void = turtle(client, "/.well-known/void")
    assert value(void, DATASET, VOID + "sparqlEndpoint") == BASE + "sparql"
    assert value(void, DATASET, VOID + "uriSpace") == BASE
    assert value(void, DATASET, DCT + "license").startswith(
        "http://www.nationalarchives.gov.uk/doc/open-government"
    )
    dumps = {t.object.value for t in void if t.subject == DATASET and t.predicate.value == VOID + "dataDump"}
    assert dumps == {BASE + "download/outcomes-graph.nq", BASE + "download/outcomes-graph.trig"}
    for dump in dumps:
        assert client.get(dump.removeprefix(BASE.rstrip("/"))).status_code == 200


def test_void_in_jsonld_matches_turtle(client):
    void = turtle(client, "/.well-known/void")
    body = client.get("/.well-known/void", headers={"Accept": "application/ld+json"}).json()
    body["@context"] = client.get("/context.jsonld").json()["@context"]
    back = {q.triple for q in ox.parse(json.dumps(body).encode(), format=ox.RdfFormat.JSON_LD)}
    named = {
        t for t in void if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
    }
    assert {
        t for t in back if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
    } == named


def test_graph_iri_dereferences_to_its_void_part(client):
    store = client.app.state.og.store
    graph = store.public_graphs[0]
    path = graph.value.removeprefix(BASE.rstrip("/"))
    triples = turtle(client, path)
    assert int(value(triples, graph, VOID + "triples")) == sum(1 for _ in store.quads([graph]))


@pytest.mark.slow
def test_real_void_links_to_lg_inform_and_ons(real_settings):
    with TestClient(create_app(real_settings)) as client:
        store = client.app.state.og.store
        void = turtle(client, "/.well-known/void")
        triples = {q.triple for q in store.quads()}
        targets = {
            "lg-inform": "http://id.esd.org.uk/",
            "ons-geography": "http://statistics.data.gov.uk/id/statistical-geography/",
        }
        for target, space in targets.items():
            expected = Counter(
                t.predicate.value
                for t in triples
                if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(space)
            )
            linksets = [
                t.subject
                for t in void
                if t.predicate.value == VOID + "objectsTarget"
                and t.object.value == f"{BASE}.well-known/void#{target}"
            ]
            found = {
                value(void, ls, VOID + "linkPredicate"): int(value(void, ls, VOID + "triples"))
                for ls in linksets
            }
            assert found == dict(expected), target
            assert found


# --- DCAT --------------------------------------------------------------------------------------------


def test_catalog_lists_every_scheme_and_mapping_set(client):
    store = client.app.state.og.store
    catalog = turtle(client, "/catalog")
    listed = {t.object for t in catalog if t.subject == CATALOG and t.predicate.value == DCAT + "dataset"}
    schemes = {
        r["s"]
        for r in store.query(
            "SELECT DISTINCT ?s WHERE { ?s a <http://www.w3.org/2004/02/skos/core#ConceptScheme> }"
        )
    }
    sets = {
        r["s"] for r in store.query("SELECT DISTINCT ?s WHERE { ?s a <https://w3id.org/sssom/MappingSet> }")
    }
    assert schemes
    assert sets
    assert listed == schemes | sets | {DATASET}
    for dataset in listed:
        assert ox.Triple(dataset, nn(RDF_TYPE), nn(DCAT + "Dataset")) in catalog, dataset


def test_every_distribution_matches_its_download(client):
    catalog = turtle(client, "/catalog.ttl")
    distributions = [t.object for t in catalog if t.predicate.value == DCAT + "distribution"]
    assert distributions
    for node in distributions:
        url = value(catalog, node, DCAT + "downloadURL")
        body = client.get(url.removeprefix(BASE.rstrip("/"))).content
        checksum = next(
            t.object for t in catalog if t.subject == node and t.predicate.value == SPDX + "checksum"
        )
        assert value(catalog, checksum, SPDX + "checksumValue") == hashlib.sha256(body).hexdigest()
        assert int(value(catalog, node, DCAT + "byteSize")) == len(body)
        assert value(catalog, node, DCAT + "mediaType").startswith(
            "https://www.iana.org/assignments/media-types/"
        )


def test_mapping_sets_are_distributed_as_sssom(client):
    catalog = turtle(client, "/catalog")
    mapping_set = nn(BASE + "mappings/sf-cof")
    nodes = [
        t.object for t in catalog if t.subject == mapping_set and t.predicate.value == DCAT + "distribution"
    ]
    urls = {value(catalog, n, DCAT + "downloadURL"): value(catalog, n, DCAT + "mediaType") for n in nodes}
    # Its SSSOM TSV file, and the Turtle of the named graph it was loaded into.
    assert urls == {
        BASE
        + "download/sssom/sf-cof.sssom.tsv": "https://www.iana.org/assignments/media-types/text/tab-separated-values",
        BASE
        + "download/graph/mappings/sf-cof.ttl": "https://www.iana.org/assignments/media-types/text/turtle",
    }


def test_catalog_html_and_jsonld(client):
    assert client.get("/catalog", headers={"Accept": "text/html"}).text.startswith("<!DOCTYPE html>")
    assert client.get("/catalog.jsonld").json()["@graph"][0]["id"] == BASE + "catalog"


@pytest.mark.slow
def test_real_catalog_links_editions(real_settings):
    with TestClient(create_app(real_settings)) as client:
        catalog = turtle(client, "/catalog")
        revision = "http://www.w3.org/ns/prov#wasRevisionOf"
        assert ox.Triple(nn(BASE + "id/lof"), nn(revision), nn(BASE + "id/lgof")) in catalog
