"""Every error comes in ONE JSON shape (web/errors.py). These bodies are pinned whole: change one
only on purpose, and change the docstring of ``outcomes_graph.web.errors`` with it.

    {"error": {"status": 400, "code": "...", "title": "Bad Request", "detail": "...",
               "location": {...}}}          # location only where there is one
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.settings import Settings
from outcomes_graph.web import create_app
from outcomes_graph.web.rest_schemas import ERROR

CONSTRUCT = """\
# title: A graph, not a table
# description: A CONSTRUCT query, which REST refuses: it serves SELECT results only.
CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1
"""


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("rest-errors")
    settings = mini_settings_in(root, max_request_bytes=1000)
    (settings.data_dir / "api" / "queries" / "a-construct.rq").write_text(CONSTRUCT, encoding="utf-8")
    build(settings)
    return settings


@pytest.fixture(scope="module")
def client(mini: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(mini), base_url="http://testserver") as served:
        yield served


def error(status: int, code: str, title: str, detail: str, **location: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "code": code, "title": title, "detail": detail}
    if location:
        body["location"] = location
    return {"error": body}


CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    (
        "400-bad-value",
        "/api/queries/concepts-table?scheme=not%20an%20iri",
        {},
        error(400, "bad-request", "Bad Request", "parameter 'scheme': 'not an iri' is not an absolute IRI"),
    ),
    (
        "400-unknown-parameter",
        "/api/search?q=safe&limits=3",
        {},
        error(
            400,
            "unknown-parameter",
            "Bad Request",
            "unknown parameter 'limits' for /api/search; its parameters are: limit, q, scheme",
            parameter="limits",
        ),
    ),
    (
        "404-unknown-path",
        "/api/no/such/thing",
        {},
        error(404, "not-found", "Not Found", "Not Found"),
    ),
    (
        "404-unknown-framework",
        "/api/gaps/lofx",
        {},
        error(404, "unknown-framework", "Not Found", "unknown framework 'lofx'; use one of: cof, sf"),
    ),
    (
        "406",
        "/api/queries/frameworks",
        {"Accept": "application/rdf+xml"},
        error(
            406,
            "not-acceptable",
            "Not Acceptable",
            "cannot answer with 'application/rdf+xml'; this resource is available as application/json, "
            "application/sparql-results+json, text/csv (or add .json or .csv to the path)",
        ),
    ),
    (
        "422",
        "/api/search?q=safe&limit=0",
        {},
        error(
            422,
            "invalid-parameter",
            "Unprocessable Entity",
            "query.limit: Input should be greater than or equal to 1",
            parameter="query.limit",
        ),
    ),
    (
        "library-query-error",
        "/api/queries/a-construct",
        {},
        error(
            400,
            "query-error",
            "Bad Request",
            "named query 'a-construct' is not a SELECT query; REST serves SELECT results only",
        ),
    ),
]


@pytest.mark.parametrize(("path", "headers", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_body_is_pinned(client, path, headers, expected):
    response = client.get(path, headers=headers)
    assert response.status_code == expected["error"]["status"]
    assert response.headers["content-type"] == "application/json"
    assert response.json() == expected


def test_a_library_error_keeps_its_message_in_the_shape(client):
    """UsageError from the alignment engine: the engine's own message (which says what to try)."""
    response = client.get("/api/counterparts", params={"concept": "sf:outcome/H99"})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["error"]
    assert list(body["error"]) == ["status", "code", "title", "detail"]
    assert body["error"]["code"] == "bad-request"
    assert body["error"]["detail"].startswith(
        "no concept has the IRI <https://w3id.org/common-outcomes/id/sf/outcome/H99>"
    )


def test_405_names_the_allowed_method(client):
    response = client.post("/api/queries", content=b"")
    assert response.status_code == 405
    assert response.json() == error(405, "method-not-allowed", "Method Not Allowed", "Method Not Allowed")
    assert "GET" in response.headers["allow"]


def test_413_for_a_body_over_max_request_bytes(client):
    response = client.request("GET", "/api/queries", content=b"x" * 1001)
    assert response.status_code == 413
    assert response.json() == error(
        413,
        "request-too-large",
        "Request Entity Too Large",
        "the request body has 1001 bytes; the most accepted is 1000 (setting max_request_bytes)",
    )
    assert client.request("GET", "/api/queries", content=b"x" * 1000).status_code == 200


def test_the_error_schema_in_openapi_is_this_shape(client):
    operation = client.get("/openapi.json").json()["paths"]["/api/search"]["get"]
    for status in ("400", "404", "406", "413", "422"):
        assert operation["responses"][status]["content"]["application/json"]["schema"] == ERROR


def test_too_many_rows_is_a_400(mini, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(mini.data_dir, data)
    with TestClient(create_app(replace(mini, data_dir=data, max_result_rows=1))) as bounded:
        body = bounded.get("/api/queries/concepts-per-scheme").json()
    assert body == error(
        400,
        "too-many-rows",
        "Bad Request",
        "named query 'concepts-per-scheme' answers more than 1 rows (setting max_result_rows); give it "
        "parameters that narrow it, or page through /sparql with LIMIT and OFFSET",
    )


def test_a_fault_answers_500_in_the_shape_and_is_still_raised(mini, monkeypatch):
    """An unexpected exception: the client gets the shape, and the server still sees (and logs) it."""
    from outcomes_graph.web import sparql

    def broken(*_: object) -> None:
        raise KeyError("lost")

    monkeypatch.setattr(sparql, "run_job", broken)
    with TestClient(create_app(mini), raise_server_exceptions=False) as quiet:
        response = quiet.get("/sparql", params={"query": "SELECT * { <http://example.org/a> ?p ?o }"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == "internal-error"
    assert "(KeyError)" in response.json()["error"]["detail"]
    with TestClient(create_app(mini)) as loud, pytest.raises(KeyError):
        loud.get("/sparql", params={"query": "SELECT * { <http://example.org/b> ?p ?o }"})
