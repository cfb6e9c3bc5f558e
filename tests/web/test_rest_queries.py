"""REST for the named queries: every one reachable as JSON and CSV, typed, documented, bound safely."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from itertools import pairwise

import pytest
from fastapi.testclient import TestClient

from conftest import REPO, mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.settings import Settings
from outcomes_graph.web import create_app

QUERIES = list(QueryRegistry.load(REPO / "api" / "queries"))
NAMES = [q.name for q in QUERIES]
ID = "https://w3id.org/common-outcomes/id/"
DUMMY = {"iri": ID + "none", "string": "x", "integer": "1", "decimal": "1.5", "boolean": "true"}
OPENAPI_TYPE = {"iri": "string", "string": "string", "integer": "integer", "boolean": "boolean"}

PROBE = """\
# title: Typed probe
# description: Echoes its typed parameters back, one row.
# param: n (integer) = 3: a whole number
# param: x (decimal, optional): a number
# param: flag (boolean) = false: a flag
# param: from (string, optional): a parameter named like a Python keyword
# param: node (iri, optional): a node
SELECT ?n ?x ?flag ?from ?node WHERE {}
"""


def example_params(name: str) -> dict[str, str]:
    """Values for every required parameter: the header's example, else a value of the right type."""
    query = next(q for q in QUERIES if q.name == name)
    values: dict[str, str] = {}
    for example in query.examples:
        for flag, word in pairwise(example.split()):
            if flag == "--param" and "=" in word:
                key, _, value = word.partition("=")
                values[key] = value
    for p in query.params:
        if p.default is None and not p.optional:
            values.setdefault(p.name, DUMMY[p.type])
    return values


@contextmanager
def serving(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The mini fixture graph, built once for this module."""
    root = tmp_path_factory.mktemp("rest-queries")
    settings = mini_settings_in(root)
    build(settings)
    return settings


@pytest.fixture(scope="module")
def client(mini: Settings) -> Iterator[TestClient]:
    with serving(mini) as served:
        yield served


@pytest.fixture(scope="module")
def probe(mini: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The same store served with one more named query, whose parameters have every type."""
    data = tmp_path_factory.mktemp("probe-data") / "data"
    shutil.copytree(mini.data_dir, data)
    (data / "api" / "queries" / "typed-probe.rq").write_text(PROBE, encoding="utf-8")
    with serving(replace(mini, data_dir=data)) as served:
        yield served


def rows(response) -> list[dict[str, str]]:
    return [{k: cell["value"] for k, cell in b.items()} for b in response.json()["results"]["bindings"]]


def test_the_listing_names_every_named_query(client):
    listed = client.get("/api/queries").json()["queries"]
    assert [q["name"] for q in listed] == NAMES
    lookup = next(q for q in listed if q["name"] == "concept-lookup")
    assert lookup["parameters"] == [
        {
            "name": "text",
            "type": "string",
            "optional": False,
            "default": None,
            "description": "a code or identifier, e.g. B04, 90631 or 19346",
        }
    ]
    assert lookup["examples"] == ["/api/queries/concept-lookup?text=B04"]
    assert (lookup["json"], lookup["csv"]) == (
        "/api/queries/concept-lookup.json",
        "/api/queries/concept-lookup.csv",
    )


def test_the_listing_as_csv(client):
    response = client.get("/api/queries.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["name"] for row in table] == NAMES
    assert next(r for r in table if r["name"] == "concept-lookup")["parameters"] == "text:string"


@pytest.mark.parametrize("name", NAMES)
def test_named_query_is_documented_in_openapi(client, name):
    query = next(q for q in QUERIES if q.name == name)
    paths = client.get("/openapi.json").json()["paths"]
    for suffix in ("", ".json", ".csv"):
        operation = paths[f"/api/queries/{name}{suffix}"]["get"]
        assert operation["summary"].startswith(query.title)
        assert query.description in operation["description"]
        documented = {p["name"]: p for p in operation.get("parameters", [])}
        assert set(documented) == {p.name for p in query.params}
        for p in query.params:
            assert documented[p.name]["required"] == (p.default is None and not p.optional)
            schema = documented[p.name]["schema"]
            types = {s.get("type") for s in schema.get("anyOf", [schema])}
            assert OPENAPI_TYPE.get(p.type, "number") in types or p.type == "decimal"


@pytest.mark.parametrize("name", NAMES)
def test_named_query_answers_json_and_csv(client, name):
    params = example_params(name)
    as_json = client.get(f"/api/queries/{name}", params=params)
    assert as_json.status_code == 200, as_json.text
    assert as_json.headers["content-type"] == "application/json"
    variables = as_json.json()["head"]["vars"]
    as_csv = client.get(f"/api/queries/{name}.csv", params=params)
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.text.splitlines()[0] == ",".join(variables)
    assert client.get(f"/api/queries/{name}.json", params=params).content == as_json.content


def test_rows_come_from_the_store(client):
    body = client.get("/api/queries/concepts-table", params={"scheme": ID + "sf"}).json()
    concepts = sorted(b["concept"]["value"] for b in body["results"]["bindings"])
    assert concepts == [ID + "sf/outcome/H06", ID + "sf/outcome/H09"]


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/csv", "text/csv; charset=utf-8"),
        ("application/sparql-results+json", "application/json"),
        ("text/csv;q=0.4, application/json", "application/json"),
        ("*/*", "application/json"),
        ("text/*", "text/csv; charset=utf-8"),
    ],
)
def test_the_bare_path_negotiates(client, accept, media):
    response = client.get("/api/queries/frameworks", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    assert response.headers["vary"] == "Accept"


def test_typed_parameters_bind_with_their_datatypes(probe):
    response = probe.get("/api/queries/typed-probe", params={"n": "7", "x": "1.50", "flag": "true"})
    assert response.status_code == 200, response.text
    (row,) = response.json()["results"]["bindings"]
    assert row["n"] == {
        "type": "literal",
        "value": "7",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }
    assert row["x"]["value"] == "1.5"
    assert row["x"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"
    assert row["flag"]["value"] == "true"


def test_defaults_apply_and_are_documented(probe):
    (row,) = rows(probe.get("/api/queries/typed-probe"))
    assert (row["n"], row["flag"]) == ("3", "false")
    parameters = probe.get("/openapi.json").json()["paths"]["/api/queries/typed-probe"]["get"]["parameters"]
    n = next(p for p in parameters if p["name"] == "n")
    assert (n["schema"]["type"], n["schema"]["default"], n["required"]) == ("integer", 3, False)


@pytest.mark.parametrize(
    ("params", "where"),
    [({"n": "seven"}, "n"), ({"x": "NaN"}, "x"), ({"flag": "maybe"}, "flag"), ({"n": "1.5"}, "n")],
)
def test_a_value_of_the_wrong_type_is_422(probe, params, where):
    response = probe.get("/api/queries/typed-probe", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["location"]["parameter"] == f"query.{where}"


@pytest.mark.parametrize(
    "text",
    ['a" } UNION { ?s ?p ?o } #', "<http://x> ; DROP ALL", "x'); DELETE WHERE { ?s ?p ?o }; #", "\\u0022"],
)
def test_sparql_in_a_string_is_bound_as_a_literal(probe, text):
    (row,) = rows(probe.get("/api/queries/typed-probe", params={"from": text}))
    assert row["from"] == text


@pytest.mark.parametrize(
    "value",
    [ID + "sf> } UNION { ?s ?p ?o } #", "<" + ID + "sf>", ID + "sf\n", "not an iri", ID + "s f"],
)
def test_a_bad_iri_is_refused_not_altered(client, value):
    response = client.get("/api/queries/concepts-table", params={"scheme": value})
    assert response.status_code == 400
    assert "is not an absolute IRI" in response.json()["error"]["detail"]


def test_a_string_with_sparql_syntax_matches_nothing(client):
    response = client.get("/api/queries/concept-lookup", params={"text": 'H06" || true || "'})
    assert response.status_code == 200
    assert rows(response) == []


def test_rows_are_bounded(mini):
    with serving(replace(mini, max_result_rows=2)) as bounded:
        for suffix in ("", ".csv"):
            response = bounded.get(f"/api/queries/concepts-table{suffix}")
            assert response.status_code == 400
            error = response.json()["error"]
            assert error["code"] == "too-many-rows"
            assert "more than 2 rows" in error["detail"]
        assert len(rows(bounded.get("/api/queries/concepts-table", params={"scheme": ID + "sf"}))) == 2


def test_an_unknown_query_parameter_is_refused(client):
    response = client.get("/api/queries/concepts-table", params={"shceme": ID + "sf"})
    assert response.status_code == 400
    assert response.json()["error"]["detail"] == (
        "unknown parameter 'shceme' for /api/queries/concepts-table; its parameters are: scheme"
    )


def test_an_unknown_query_is_404_with_the_valid_names(client):
    response = client.get("/api/queries/concept-lokup")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "unknown-query"
    assert "no named query 'concept-lokup'; available: " in error["detail"]
    assert "concept-lookup" in error["detail"]


def test_head_answers_like_get_without_a_body(client):
    head = client.head("/api/queries/frameworks.csv")
    assert head.status_code == 200
    assert head.headers["content-type"] == "text/csv; charset=utf-8"
    assert head.content == b""
