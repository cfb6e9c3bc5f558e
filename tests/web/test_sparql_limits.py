"""``max_result_rows``: answers are cut to the limit, and a cut answer says so in ``Result-Truncated``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.web import create_app

LIMIT = 5
PARSERS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("sparql-limits")
    settings = mini_settings_in(root)
    build(settings)
    with TestClient(create_app(replace(settings, max_result_rows=LIMIT))) as c:
        yield c


def count_rows(
    client: TestClient, query: str, accept: str = "application/sparql-results+json"
) -> tuple[int, bool]:
    response = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["result-row-limit"] == str(LIMIT)
    truncated = response.headers.get("result-truncated") == "true"
    if accept == "text/csv":
        return len(list(csv.DictReader(io.StringIO(response.text)))), truncated
    return len(list(ox.parse_query_results(response.content, format=PARSERS[accept]))), truncated


def values(n: int) -> str:
    return "SELECT ?x WHERE { VALUES ?x { " + " ".join(str(i) for i in range(n)) + " } }"


@pytest.mark.parametrize("accept", [*PARSERS, "text/csv"])
def test_a_long_answer_is_cut_and_says_so(client, accept):
    assert count_rows(client, "SELECT * WHERE { ?s ?p ?o }", accept) == (LIMIT, True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (values(LIMIT), (LIMIT, False)),
        (values(LIMIT + 1), (LIMIT, True)),
        (values(3), (3, False)),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 3", (3, False)),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1000", (LIMIT, True)),
        ("SELECT * WHERE { ?s ?p ?o } OFFSET 2", (LIMIT, True)),
        ("SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } LIMIT 100 } }", (LIMIT, True)),
        ("SELECT ?x WHERE { ?s ?p ?o } LIMIT 2 VALUES ?x { 1 }", (2, False)),
    ],
    ids=[
        "exactly",
        "one-over",
        "under",
        "own-small-limit",
        "own-large-limit",
        "offset",
        "subquery",
        "values",
    ],
)
def test_rows_are_counted_exactly(client, query, expected):
    assert count_rows(client, query) == expected


def test_a_cut_graph_answer_holds_the_limit_in_triples(client):
    response = client.get(
        "/sparql",
        params={"query": "CONSTRUCT { ?s ?p ?o . ?o ?p ?s } WHERE { ?s ?p ?o }"},
        headers={"accept": "application/n-triples"},
    )
    assert response.headers["result-truncated"] == "true"
    assert len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))) == LIMIT


def test_a_small_graph_answer_is_whole(client):
    response = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?o } LIMIT 3"},
        headers={"accept": "application/n-triples"},
    )
    assert "result-truncated" not in response.headers
    assert len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))) == 3


def test_ask_is_never_cut(client):
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    assert "result-truncated" not in response.headers
