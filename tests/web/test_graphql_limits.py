"""Depth, alias, token and page-size limits: each refuses with a clear error before anything runs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.web import create_app
from outcomes_graph.web.graphql import DEFAULT_LIMITS


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    """The app over the mini fixture graph, built once for this module."""
    root = tmp_path_factory.mktemp("gql-mini")
    settings = mini_settings_in(root)
    build(settings)
    with TestClient(create_app(settings)) as c:
        yield c


def post(client, query: str) -> dict:
    response = client.post("/graphql", json={"query": query})
    assert response.status_code in (200, 400), response.text
    return response.json()


def _nested(depth: int) -> str:
    """``framework { concepts { nodes { broader { broader ... { uri } } } } }`` with ``depth`` fields."""
    inner = "uri"
    for _ in range(depth - 4):
        inner = f"broader {{ {inner} }}"
    return f'{{ framework(slug: "cof") {{ concepts {{ nodes {{ {inner} }} }} }} }}'


def test_depth_at_the_limit_runs(client):
    body = post(client, _nested(DEFAULT_LIMITS.max_depth))
    assert "errors" not in body, body


def test_depth_over_the_limit_is_refused(client):
    body = post(client, _nested(DEFAULT_LIMITS.max_depth + 1))
    error = body["errors"][0]
    assert error["extensions"] == {
        "code": "DEPTH_LIMIT",
        "limit": DEFAULT_LIMITS.max_depth,
        "depth": DEFAULT_LIMITS.max_depth + 1,
    }
    assert f"the limit is {DEFAULT_LIMITS.max_depth}" in error["message"]
    assert body.get("data") is None


def test_depth_counts_through_fragments(client):
    fragment = "fragment Deep on Concept { " + "broader { " * 12 + "uri" + " }" * 12 + " }"
    body = post(client, '{ concept(uri: "cof:domain/safe") { ...Deep } } ' + fragment)
    assert body["errors"][0]["extensions"]["code"] == "DEPTH_LIMIT"


def test_introspection_is_not_limited_by_depth(client):
    from graphql import get_introspection_query

    body = post(client, get_introspection_query())
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_too_many_aliases(client):
    fields = " ".join(f"a{i}: frameworks {{ totalCount }}" for i in range(DEFAULT_LIMITS.max_aliases + 1))
    error = post(client, "{ " + fields + " }")["errors"][0]
    assert error["extensions"]["code"] == "ALIAS_LIMIT"
    assert f"the limit is {DEFAULT_LIMITS.max_aliases}" in error["message"]


def test_aliases_up_to_the_limit_run(client):
    fields = " ".join(f"a{i}: frameworks {{ totalCount }}" for i in range(DEFAULT_LIMITS.max_aliases))
    assert "errors" not in post(client, "{ " + fields + " }")


def test_too_many_tokens(client):
    query = "{ " + " ".join(["__typename"] * (DEFAULT_LIMITS.max_tokens + 10)) + " }"
    error = post(client, query)["errors"][0]
    assert error["extensions"] == {"code": "TOKEN_LIMIT", "limit": DEFAULT_LIMITS.max_tokens}
    assert f"more than {DEFAULT_LIMITS.max_tokens} tokens" in error["message"]


@pytest.mark.parametrize("size", [-1, DEFAULT_LIMITS.max_page + 1])
def test_page_size_is_bounded(client, size):
    error = post(client, f"{{ frameworks(first: {size}) {{ totalCount }} }}")["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert f"between 0 and {DEFAULT_LIMITS.max_page}" in error["message"]


def test_syntax_errors_say_where(client):
    error = post(client, "{ frameworks { totalCount }")["errors"][0]
    assert error["locations"]
    assert "Syntax Error" in error["message"]
