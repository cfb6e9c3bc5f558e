"""Requests /graphql refuses before GraphQL runs answer in the service's one JSON error shape.

GraphQL's own errors (syntax, validation, resolvers) keep the ``{"errors": [...]}`` answer
of the GraphQL spec; everything else (no query, a body that is not JSON, an unsupported
content type, a mutation over GET, ...) is ``{"error": {"status", "code", "title", "detail"}}``
as from every other endpoint (``web/errors.py``, ``tests/web/test_errors.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.web import create_app

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("gql-http-errors")
    settings = mini_settings_in(root, max_request_bytes=2000)
    build(settings)
    with TestClient(create_app(settings)) as served:
        yield served


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    """The error object, after checking the whole shape around it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"], body
    error: dict[str, Any] = body["error"]
    assert (
        {"status", "code", "title", "detail"}
        <= set(error)
        <= {"status", "code", "title", "detail", "location"}
    )
    assert (error["status"], error["code"]) == (status, code), error
    assert error["detail"], error
    return error


def test_a_body_that_is_not_json(client):
    error = error_of(
        client.post("/graphql", content=b'{"query": "{ frameworks', headers=JSON), 400, "invalid-json"
    )
    assert error["title"] == "Bad Request"
    assert error["detail"].startswith("the request body is not valid JSON")
    assert error["location"] == {"line": 1, "column": 11}


def test_variables_that_are_not_json_in_a_get(client):
    response = client.get("/graphql", params={"query": "{ frameworks { totalCount } }", "variables": "{nope"})
    error = error_of(response, 400, "invalid-json")
    assert error["detail"].startswith("the variables or extensions parameter is not valid JSON")


@pytest.mark.parametrize(
    "body", [b'"{ frameworks { totalCount } }"', b"42", b"null"], ids=["string", "number", "null"]
)
def test_a_json_body_that_is_not_an_object(client, body):
    error = error_of(client.post("/graphql", content=body, headers=JSON), 400, "invalid-request")
    assert "expected a JSON object" in error["detail"]


def test_a_list_of_operations(client):
    body = b'[{"query": "{ frameworks { totalCount } }"}]'
    error_of(client.post("/graphql", content=body, headers=JSON), 400, "batching-not-supported")


def test_a_body_without_a_query(client):
    error = error_of(client.post("/graphql", json={"variables": {}}), 400, "missing-query")
    assert "POST" in error["detail"]


def test_a_get_without_a_query_from_a_program(client):
    """A browser gets GraphiQL; a program asking for JSON gets the error."""
    error_of(client.get("/graphql", headers={"Accept": "application/json"}), 400, "missing-query")


def test_a_query_that_is_not_a_string(client):
    error = error_of(client.post("/graphql", json={"query": 42}), 400, "invalid-request")
    assert "query" in error["detail"]


def test_variables_that_are_not_an_object(client):
    body = {"query": "{ frameworks { totalCount } }", "variables": [1]}
    error = error_of(client.post("/graphql", json=body), 400, "invalid-request")
    assert "variables" in error["detail"]


def test_an_unsupported_content_type(client):
    response = client.post(
        "/graphql", content=b"{ frameworks { totalCount } }", headers={"Content-Type": "text/plain"}
    )
    error = error_of(response, 415, "unsupported-media-type")
    assert error["title"] == "Unsupported Media Type"
    assert "application/json" in error["detail"]


def test_a_mutation_over_get(client):
    response = client.get("/graphql", params={"query": "mutation { nothing }"})
    error = error_of(response, 405, "method-not-allowed")
    assert "GET runs queries only" in error["detail"]
    assert response.headers["allow"] == "POST"


def test_an_unknown_operation_name(client):
    body = {"query": "query A { frameworks { totalCount } }", "operationName": "B"}
    error = error_of(client.post("/graphql", json=body), 400, "unknown-operation")
    assert '"B"' in error["detail"]


def test_a_document_without_an_operation(client):
    body = {"query": "fragment F on Query { frameworks { totalCount } }"}
    error = error_of(client.post("/graphql", json=body), 400, "unknown-operation")
    assert "operationName" in error["detail"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_a_method_graphql_does_not_take(client, method):
    response = client.request(method, "/graphql", json={"query": "{ frameworks { totalCount } }"})
    error_of(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET, POST"


@pytest.mark.parametrize("media", ["application/jsonx", "application/json-patch+json", "text/plain"])
def test_a_body_that_is_not_application_json(client, media):
    body = b'{"query": "{ frameworks { totalCount } }"}'
    error = error_of(client.post("/graphql", content=body, headers={"content-type": media}), 415,
                     "unsupported-media-type")  # fmt: skip
    assert "application/json" in error["detail"]
    for fine in ("application/json; charset=utf-8", "Application/JSON"):  # media types ignore case
        assert client.post("/graphql", content=body, headers={"content-type": fine}).json()["data"]


def test_a_body_that_is_not_utf8(client):
    response = client.post("/graphql", content=b'{"query": "{ \xff }"}', headers=JSON)
    error = error_of(response, 400, "invalid-json")
    assert error["detail"].startswith("the request body is not UTF-8 (byte 13")


def test_a_body_over_max_request_bytes(client):
    body = {"query": "{ frameworks { totalCount } }", "variables": {"pad": "x" * 2000}}
    error = error_of(client.post("/graphql", json=body), 413, "request-too-large")
    assert "max_request_bytes" in error["detail"]


def test_a_chunked_body_is_counted_as_it_arrives(client):
    """No Content-Length to check first: the body is refused once it passes the limit (2,000 bytes here)."""

    def chunks(pad: int) -> Iterator[bytes]:
        yield b'{"query": "{ frameworks { totalCount } }", "variables": {"pad": "'
        for _ in range(pad // 100):
            yield b"x" * 100
        yield b'"}}'

    error = error_of(client.post("/graphql", content=chunks(3000), headers=JSON), 413, "request-too-large")
    assert "more than 2000 bytes" in error["detail"]
    assert "max_request_bytes" in error["detail"]
    fits = client.post("/graphql", content=chunks(1000), headers=JSON)
    assert fits.status_code == 200
    assert fits.json()["data"]["frameworks"]["totalCount"] > 0


@pytest.mark.parametrize("query", ["{ frameworks {", "{ nope }"], ids=["syntax", "validation"])
def test_graphql_errors_keep_the_graphql_shape(client, query):
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200
    body = response.json()
    assert "error" not in body
    assert body["data"] is None
    assert body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("variables", "words"),
    [({"n": "x"}, "non-integer value: 'x'"), ({}, "non-null type 'Int!'"), ({"n": 2**40}, "32-bit")],
    ids=["wrong-type", "missing", "out-of-range"],
)
def test_a_variable_that_does_not_fit_is_the_callers_error(client, variables, words):
    """graphql-core rejects it before anything runs; it is BAD_USER_INPUT, not a masked INTERNAL_ERROR."""
    query = "query Page($n: Int!) { frameworks(first: $n) { totalCount } }"
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"].startswith("Variable '$n' has invalid value")
    assert words in error["message"]
    assert error["locations"] == [{"line": 1, "column": 12}]


def test_a_resolver_error_keeps_the_graphql_shape(client):
    body = client.post("/graphql", json={"query": '{ framework(slug: "nope") { title } }'}).json()
    assert "error" not in body
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
