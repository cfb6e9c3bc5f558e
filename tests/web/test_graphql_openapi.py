"""``/graphql`` answers as its OpenAPI description says, status by status (``web/graphql/openapi.py``).

``tests/web/test_openapi.py`` sends generated requests; these reach every documented answer on
purpose (GraphiQL, 304, 405, 413, 415, ...), check each with schemathesis's conformance checks,
and check that the description lists no status the route cannot answer (503 aside: it needs a
store that fails). The documented examples must answer with data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.web import create_app
from web.conftest import CONFORMANCE

QUERY = "{ frameworks { totalCount } }"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("gql-openapi")
    settings = mini_settings_in(root, max_request_bytes=2000)
    build(settings)
    with TestClient(create_app(settings)) as served:
        yield served


@pytest.fixture(scope="module")
def described(client: TestClient) -> dict[str, Any]:
    """``/graphql`` in the app's OpenAPI document."""
    path: dict[str, Any] = client.get("/openapi.json").json()["paths"]["/graphql"]
    return path


@pytest.fixture(scope="module")
def operations(client: TestClient) -> dict[str, schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    return {method: schema["/graphql"][method] for method in ("GET", "POST")}


def _etag(client: TestClient) -> dict[str, str]:
    return {"If-None-Match": client.get("/graphql", params={"query": QUERY}).headers["etag"]}


#: (method, what to send, status, media type): one request for each answer the description lists.
ANSWERS: list[tuple[str, Callable[[TestClient], dict[str, Any]], int, str]] = [
    ("GET", lambda _: {"headers": {"Accept": "text/html"}}, 200, "text/html"),
    ("GET", lambda _: {"params": {"query": QUERY}}, 200, "application/json"),
    ("GET", lambda _: {"params": {"query": "{ nope }"}}, 200, "application/json"),
    ("GET", lambda c: {"params": {"query": QUERY}, "headers": _etag(c)}, 304, ""),
    ("GET", lambda _: {"headers": {"Accept": "application/json"}}, 400, "application/json"),
    ("GET", lambda _: {"params": {"query": QUERY, "variables": "[1]"}}, 400, "application/json"),
    ("GET", lambda _: {"params": {"query": "mutation { x }"}}, 405, "application/json"),
    ("GET", lambda _: {"content": b"x" * 5000}, 413, "application/json"),
    ("POST", lambda _: {"json": {"query": QUERY}}, 200, "application/json"),
    ("POST", lambda _: {"json": {"query": '{ framework(slug: "sff") { slug } }'}}, 200, "application/json"),
    ("POST", lambda _: {"content": b'{"query": ', "headers": JSON}, 400, "application/json"),
    ("POST", lambda _: {"content": b'{"query": "\xff"}', "headers": JSON}, 400, "application/json"),
    ("POST", lambda _: {"json": {"query": QUERY, "variables": {"pad": "x" * 3000}}}, 413, "application/json"),
    ("POST", lambda _: {"content": QUERY.encode(), "headers": {"Content-Type": "text/plain"}}, 415,
     "application/json"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "send", "status", "media"), ANSWERS)
def test_each_answer_is_as_documented(client, operations, method, send, status, media):
    response = client.request(method, "/graphql", **send(client))
    assert response.status_code == status, response.text
    assert response.headers.get("content-type", "").partition(";")[0] == media
    operations[method].Case().validate_response(response, checks=CONFORMANCE)


def test_the_description_lists_only_answers_that_happen(described):
    """Every documented status is reached above; 503 (the store failing) is the one left to chance."""
    for method, operation in described.items():
        reached = {str(status) for m, _, status, _ in ANSWERS if m == method.upper()}
        assert set(operation["responses"]) == reached | {"503"}, method


def test_a_mutation_over_get_says_what_is_allowed(client, described):
    response = client.get("/graphql", params={"query": "mutation { x }"})
    assert response.headers["allow"] == "POST"
    assert described["get"]["responses"]["405"]["headers"]["Allow"]["required"] is True


def test_the_documented_examples_answer_with_data(client, described):
    examples = described["post"]["requestBody"]["content"]["application/json"]["examples"]
    bodies = [example["value"] for example in examples.values()]
    parameters = {p["name"]: p for p in described["get"]["parameters"]}
    variables = parameters["variables"]["content"]["application/json"]["example"]
    operation_name = parameters["operationName"]["example"]
    queries = [example["value"] for example in parameters["query"]["examples"].values()]
    assert {body["query"] for body in bodies} == set(queries)
    assert any(body.get("operationName") == operation_name for body in bodies)
    answers = [client.post("/graphql", json=body) for body in bodies]
    for query in queries:
        params = {"query": query}
        if f"query {operation_name}" in query:
            params |= {"variables": json.dumps(variables), "operationName": operation_name}
        answers.append(client.get("/graphql", params=params))
    for answer in answers:
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert "errors" not in body, body
        assert all(value not in (None, [], {}) for value in body["data"].values()), body


def test_graphql_operations_are_named_and_explained(described):
    for method in ("get", "post"):
        operation = described[method]
        assert operation["operationId"] == f"graphql_{method}"
        assert not operation["summary"].startswith("Handle Http")
    assert described["post"]["requestBody"]["required"] is True
    assert described["post"]["requestBody"]["content"]["application/json"]["schema"]["required"] == ["query"]


ERROR = {"message": "m", "locations": [{"line": 1, "column": 3}], "path": ["concept", 0]}


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ({"data": {"frameworks": None}}, True),
        ({"data": None, "errors": [{**ERROR, "extensions": {"code": "NOT_FOUND"}}]}, True),
        ({"data": None, "errors": [{**ERROR, "extensions": {}}]}, False),
        ({"data": None, "errors": [{**ERROR, "extensions": {"code": "SOMETHING_NEW"}}]}, False),
        ({"data": None, "errors": []}, False),
        ({}, False),
        ({"error": {"status": 400, "code": "c", "title": "Bad Request", "detail": "d"}}, False),
    ],
    ids=["data", "documented-code", "no-code", "unknown-code", "empty-errors", "empty", "error-shape"],
)
def test_the_response_schema_holds_answers_to_the_documented_codes(described, body, valid):
    schema = described["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert Draft202012Validator(schema).is_valid(body) is valid
