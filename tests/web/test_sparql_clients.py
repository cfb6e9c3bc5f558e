"""Real SPARQL clients against a real server: SPARQLWrapper and rdflib's ``SPARQLStore``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import GET, JSON, N3, POST, POSTDIRECTLY, RDFXML, TURTLE, URLENCODED, XML, SPARQLWrapper

from web.conftest import start_server, stop_server

SAFE = "https://w3id.org/common-outcomes/id/cof/domain/safe"
LABEL = "SELECT ?label WHERE { <https://w3id.org/common-outcomes/id/cof/domain/safe> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"  # noqa: E501


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from conftest import mini_settings_in
    from outcomes_graph.build import build

    root = tmp_path_factory.mktemp("sparql-clients")
    settings = mini_settings_in(root)
    build(settings)
    proc, url = start_server(settings)
    yield url + "/sparql"
    stop_server(proc)


@pytest.mark.parametrize(
    ("method", "request_method"),
    [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)],
    ids=["get", "post-form", "post-direct"],
)
def test_sparqlwrapper_select_json(endpoint, method, request_method):
    client = SPARQLWrapper(endpoint)
    client.setQuery(LABEL)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    assert [b["label"]["value"] for b in result["results"]["bindings"]] == ["Safe"]
    assert result["results"]["bindings"][0]["label"]["xml:lang"] == "en"


def test_sparqlwrapper_select_xml(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery(LABEL)
    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert literals == ["Safe"]


def test_sparqlwrapper_ask(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery(f"ASK {{ <{SAFE}> ?p ?o }}")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True


@pytest.mark.parametrize(
    ("return_format", "parser"),
    [(TURTLE, "turtle"), (RDFXML, "xml"), (N3, "turtle")],
    ids=["turtle", "rdfxml", "n3"],
)
def test_sparqlwrapper_construct(endpoint, return_format, parser):
    client = SPARQLWrapper(endpoint)
    client.setQuery(f"CONSTRUCT {{ <{SAFE}> ?p ?o }} WHERE {{ <{SAFE}> ?p ?o }}")
    client.setReturnFormat(return_format)
    # The raw answer, parsed here: SPARQLWrapper's own RDF/XML conversion uses a deprecated rdflib class.
    body = client.query().response.read()
    graph = Graph().parse(data=body, format=parser)
    assert Literal("Safe", lang="en") in set(graph.objects(URIRef(SAFE)))


def test_sparqlwrapper_syntax_error_is_a_query_bad_formed(endpoint):
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(endpoint)
    client.setQuery("SELECT * WHERE { ?s ?p }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed):
        client.queryAndConvert()


def test_rdflib_sparqlstore_select(endpoint):
    graph = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    rows = list(graph.query(LABEL))
    assert [str(row[0]) for row in rows] == ["Safe"]


def test_rdflib_sparqlstore_triples_and_construct(endpoint):
    graph = Graph(store=SPARQLStore(endpoint))
    labels = set(graph.objects(URIRef(SAFE), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))
    assert labels == {Literal("Safe", lang="en")}
    constructed = graph.query(f"CONSTRUCT {{ <{SAFE}> ?p ?o }} WHERE {{ <{SAFE}> ?p ?o }}").graph
    assert constructed is not None
    assert (URIRef(SAFE), None, Literal("Safe", lang="en")) in constructed


def test_rdflib_sparqlstore_ask(endpoint):
    graph = Graph(store=SPARQLStore(endpoint))
    assert graph.query(f"ASK {{ <{SAFE}> ?p ?o }}").askAnswer is True
