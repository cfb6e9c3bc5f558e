"""SPARQL 1.1 Protocol, one test per requirement, each quoting the clause it pins.

In-process (ASGI) over the fixture graph; answers are parsed, never compared as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.web import create_app

COF = "https://w3id.org/common-outcomes/graph/cof"
SF = "https://w3id.org/common-outcomes/graph/sf"
SAFE = "https://w3id.org/common-outcomes/id/cof/domain/safe"
SF_IDS = "https://w3id.org/common-outcomes/id/sf"
SD = "http://www.w3.org/ns/sparql-service-description#"
LABELS = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?c ?label WHERE { ?c skos:prefLabel ?label }"
)
SAFE_LABEL = "SELECT ?label WHERE { <https://w3id.org/common-outcomes/id/cof/domain/safe> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"  # noqa: E501
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
DIRECT = {"content-type": "application/sparql-query"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("sparql-protocol")
    settings = mini_settings_in(root)
    build(settings)
    with TestClient(create_app(settings), base_url="http://testserver") as c:
        yield c


def bindings(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    body = json.loads(response.content)
    return [{k: v["value"] for k, v in row.items()} for row in body["results"]["bindings"]]


def values(response: httpx.Response, name: str) -> set[str]:
    return {row[name] for row in bindings(response) if name in row}


def triples(response: httpx.Response, rdf_format: ox.RdfFormat) -> list[ox.Triple]:
    assert response.status_code == 200, response.text
    return [q.triple for q in ox.parse(response.content, format=rdf_format)]


def test_query_via_get(client):
    """§2.1.1 query via GET: "clients must URL percent encode all parameters and include them as
    query parameter strings with the names given above"."""
    response = client.get("/sparql", params={"query": SAFE_LABEL})
    assert values(response, "label") == {"Safe"}


def test_query_via_post_urlencoded(client):
    """§2.1.2 query via POST with URL-encoded parameters: "clients must URL percent encode all parameters
    and include them as parameters within the request body via the application/x-www-form-urlencoded
    media type"."""
    response = client.post("/sparql", data={"query": SAFE_LABEL})
    assert values(response, "label") == {"Safe"}


def test_query_via_post_directly(client):
    """§2.1.3 query via POST directly: "clients must include the SPARQL query string, unencoded, and nothing
    else as the message body of the request. Clients must set the content type header of the HTTP request
    to application/sparql-query"."""
    response = client.post("/sparql", content=SAFE_LABEL.encode(), headers=DIRECT)
    assert values(response, "label") == {"Safe"}


def test_query_via_post_directly_takes_graphs_from_the_url(client):
    """§2.1.3: "Clients may include the optional default-graph-uri and named-graph-uri parameters as HTTP
    query string parameters in the request URI"."""
    response = client.post("/sparql", params={"named-graph-uri": SF}, content=GRAPHS.encode(), headers=DIRECT)
    assert values(response, "g") == {SF}


def test_exactly_one_query_parameter(client):
    """§2.1.1 (operation parameters): a query operation carries "query: exactly 1"."""
    response = client.get("/sparql", params=[("query", SAFE_LABEL), ("query", GRAPHS)])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad-request"


def test_default_graph_uri_sets_the_default_graph(client):
    """§2.1.4 Specifying an RDF Dataset: "The RDF Dataset for a query may be specified either via the
    default-graph-uri and named-graph-uri parameters in the SPARQL Protocol or in the SPARQL query string"."""
    everything = values(client.get("/sparql", params={"query": LABELS}), "c")
    only_sf = values(client.get("/sparql", params={"query": LABELS, "default-graph-uri": SF}), "c")
    assert only_sf
    assert only_sf < everything
    assert all(c.startswith(SF_IDS) for c in only_sf)


def test_named_graph_uri_sets_the_named_graphs(client):
    """§2.1.4: the named-graph-uri parameters name the graphs a GRAPH pattern can see."""
    response = client.get(
        "/sparql", params=[("query", GRAPHS), ("named-graph-uri", COF), ("named-graph-uri", SF)]
    )
    assert values(response, "g") == {COF, SF}


def test_from_and_from_named_in_the_query_set_the_dataset(client):
    """§2.1.4: the dataset may be given "in the SPARQL query string using the FROM and FROM NAMED
    keywords"."""
    query = f"SELECT DISTINCT ?g FROM NAMED <{COF}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert values(client.get("/sparql", params={"query": query}), "g") == {COF}
    query = f"SELECT ?c FROM <{SF}> WHERE {{ ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}"
    assert all(c.startswith(SF_IDS) for c in values(client.get("/sparql", params={"query": query}), "c"))


def test_protocol_dataset_wins_over_the_query_dataset(client):
    """§2.1.4: "If different RDF Datasets are specified in both the protocol request and the SPARQL query
    string, then the SPARQL service must execute the query using the RDF Dataset given in the protocol
    request"."""
    query = f"SELECT DISTINCT ?g FROM NAMED <{COF}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query, "named-graph-uri": SF})
    assert values(response, "g") == {SF}


def test_default_dataset_is_every_public_graph(client):
    """§2.1.4: "If an RDF Dataset is not specified in either the protocol request or the SPARQL query
    string, then implementations may execute the query against an implementation-defined default RDF
    dataset": here the union of the public graphs, each also a named graph."""
    public = {g["iri"] for g in client.app.state.og.store.info.graphs}
    assert values(client.get("/sparql", params={"query": GRAPHS}), "g") == public
    assert "Safe" in values(client.get("/sparql", params={"query": LABELS}), "label")


RESULTS_FORMATS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}


def _labels_in(body: bytes, kind: str) -> set[str]:
    if kind == "csv":
        return {row["label"] for row in csv.DictReader(io.StringIO(body.decode()))}
    fmt = {
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
        "tsv": ox.QueryResultsFormat.TSV,
    }[kind]
    return {s["label"].value for s in ox.parse_query_results(body, format=fmt)}


@pytest.mark.parametrize(("media", "kind"), RESULTS_FORMATS.items(), ids=RESULTS_FORMATS.values())
def test_select_answers_in_each_results_format(client, media, kind):
    """§2.1.5 Accepted Response Formats: "Protocol clients should use HTTP content negotiation to request
    response formats that the client can consume"; §2.1.6: SELECT answers are "a SPARQL Results Document
    in XML, JSON, or CSV/TSV format"."""
    response = client.get("/sparql", params={"query": SAFE_LABEL}, headers={"accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert _labels_in(response.content, kind) == {"Safe"}


@pytest.mark.parametrize(("media", "kind"), RESULTS_FORMATS.items(), ids=RESULTS_FORMATS.values())
def test_ask_answers_in_each_results_format(client, media, kind):
    """§2.1.6 Success Responses: ASK answers are "a SPARQL Results Document in XML, JSON, or CSV/TSV
    format"."""
    response = client.get("/sparql", params={"query": f"ASK {{ <{SAFE}> ?p ?o }}"}, headers={"accept": media})
    assert response.status_code == 200
    if kind in ("json", "xml"):
        fmt = ox.QueryResultsFormat.JSON if kind == "json" else ox.QueryResultsFormat.XML
        assert bool(ox.parse_query_results(response.content, format=fmt)) is True
    else:
        assert response.content.strip() == b"true"


GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@pytest.mark.parametrize(
    ("media", "rdf_format"), GRAPH_FORMATS.items(), ids=[f.name for f in GRAPH_FORMATS.values()]
)
def test_construct_answers_in_each_rdf_format(client, media, rdf_format):
    """§2.1.6 Success Responses: CONSTRUCT answers are "an RDF graph serialized, for example, in the RDF/XML
    syntax, or an equivalent RDF graph serialization"."""
    query = f"CONSTRUCT {{ <{SAFE}> ?p ?o }} WHERE {{ <{SAFE}> ?p ?o }}"
    response = client.get("/sparql", params={"query": query}, headers={"accept": media})
    assert response.headers["content-type"].split(";")[0] == media
    graph = triples(response, rdf_format)
    assert ox.Literal("Safe", language="en") in {t.object for t in graph}
    assert {t.subject for t in graph} == {ox.NamedNode(SAFE)}


@pytest.mark.parametrize(
    ("media", "rdf_format"), GRAPH_FORMATS.items(), ids=[f.name for f in GRAPH_FORMATS.values()]
)
def test_describe_answers_in_each_rdf_format(client, media, rdf_format):
    """§2.1.6 Success Responses: DESCRIBE answers are an RDF graph, in any RDF serialization negotiated."""
    response = client.get("/sparql", params={"query": f"DESCRIBE <{SAFE}>"}, headers={"accept": media})
    graph = triples(response, rdf_format)
    assert ox.NamedNode(SAFE) in {t.subject for t in graph}


def test_no_acceptable_format_answers_406(client):
    """RFC 9110 §15.5.7, as §2.1.5 relies on it: 406 when "the target resource does not have a current
    representation that would be acceptable to the user agent"."""
    response = client.get("/sparql", params={"query": SAFE_LABEL}, headers={"accept": "text/turtle"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.json()["error"]["detail"]
    response = client.get("/sparql", params={"query": f"DESCRIBE <{SAFE}>"}, headers={"accept": "text/csv"})
    assert response.status_code == 406


def test_accept_quality_values_choose_the_format(client):
    """§2.1.5: content negotiation, with quality values weighing the client's preferences."""
    accept = "application/sparql-results+json;q=0.2, text/tab-separated-values;q=0.9, */*;q=0.1"
    response = client.get("/sparql", params={"query": SAFE_LABEL}, headers={"accept": accept})
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    assert _labels_in(response.content, "tsv") == {"Safe"}


def parser_location(query: str) -> dict[str, int]:
    """Where pyoxigraph's own parser puts the error."""
    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(query)
    line, column = str(raised.value).split("error at ")[1].split(":")[:2]
    return {"line": int(line), "column": int(column)}


def test_syntax_error_answers_400_with_line_and_column(client):
    """§2.1.7 Failure Responses: 400 "if the SPARQL query supplied in the request is not a legal sequence
    of characters in the language defined by the SPARQL grammar"; the parser's line and column come back."""
    query = "SELECT ?s WHERE {\n  ?s ?p \n}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "query-syntax"
    assert error["location"] == parser_location(query)
    assert error["location"]["line"] == 3


def test_syntax_error_location_is_the_users_even_when_a_limit_was_added(client):
    """§2.1.7: the location points into the query as sent, not into the bounded copy that runs."""
    query = "SELECT * WHERE { ?s ?p ?o . FILTER( }\nVALUES ?s { <http://a> }"
    response = client.post("/sparql", content=query.encode(), headers=DIRECT)
    assert response.json()["error"]["location"] == parser_location(query)


def test_update_via_post_is_refused(client):
    """§2.2 update operation ("update via POST with URL-encoded parameters", "update via POST directly"):
    this service is read-only, so every update request is refused with 403."""
    form = client.post("/sparql", data={"update": "INSERT DATA { <http://a> <http://b> <http://c> }"})
    direct = client.post(
        "/sparql", content=b"CLEAR ALL", headers={"content-type": "application/sparql-update"}
    )
    assert (form.status_code, direct.status_code) == (403, 403)
    assert form.json()["error"]["code"] == "read-only"


def test_update_via_get_is_the_wrong_method(client):
    """§2.2: updates are defined only over POST, so a GET carrying one answers 405 with Allow."""
    response = client.get("/sparql", params={"update": "CLEAR ALL"})
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


def test_other_methods_are_not_allowed(client):
    """§2.1: the protocol defines GET and POST; anything else answers 405 with Allow."""
    response = client.put("/sparql", content=b"x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"


def test_post_with_another_media_type_answers_415(client):
    """§2.1.2 and §2.1.3: the content type "must be set to application/x-www-form-urlencoded" or
    "application/sparql-query"; anything else is refused."""
    response = client.post("/sparql", content=SAFE_LABEL.encode(), headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.json()["error"]["detail"]


def test_service_description_on_plain_get(client):
    """Service Description §3: "SPARQL services made available via the SPARQL Protocol should return a
    service description document at the service endpoint when dereferenced using the HTTP GET operation
    without any query parameter strings provided"."""
    response = client.get("/sparql")
    graph = triples(response, ox.RdfFormat.TURTLE)
    endpoint = ox.NamedNode("http://testserver/sparql")

    def objects(
        subject: ox.NamedNode | ox.BlankNode, name: str
    ) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        return [t.object for t in graph if t.subject == subject and t.predicate == ox.NamedNode(SD + name)]

    assert objects(endpoint, "endpoint") == [endpoint]
    assert objects(endpoint, "supportedLanguage") == [ox.NamedNode(SD + "SPARQL11Query")]
    formats = {f.value for f in objects(endpoint, "resultFormat")}
    assert {ox.QueryResultsFormat.JSON.iri, ox.RdfFormat.TURTLE.iri, ox.RdfFormat.JSON_LD.iri} <= formats
    assert len(formats) == 8
    (dataset,) = objects(endpoint, "defaultDataset")
    named = {objects(n, "name")[0].value for n in objects(dataset, "namedGraph")}
    assert named == {g["iri"] for g in client.app.state.og.store.info.graphs}
    assert objects(dataset, "defaultGraph")


def test_service_description_is_negotiated(client):
    """Service Description §3: it "should use content negotiation if available in other RDF
    representations"."""
    response = client.get("/sparql", headers={"accept": "application/n-triples"})
    assert response.headers["content-type"] == "application/n-triples"
    assert triples(response, ox.RdfFormat.N_TRIPLES)


def test_head_answers_headers_only(client):
    """RFC 9110 §9.3.2: HEAD is GET without the content."""
    response = client.head("/sparql", params={"query": SAFE_LABEL})
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == "application/sparql-results+json"
