"""CORS: any origin may read (GET, HEAD, and the preflight for them); no other method is opened.

Fetch standard, CORS protocol: a response a page from another origin may read carries
``Access-Control-Allow-Origin``; a preflight (OPTIONS with ``Access-Control-Request-Method``)
grants a method only by listing it in ``Access-Control-Allow-Methods``.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.web import create_app

ORIGIN = "https://borough-dashboard.example"
READS = ["/api/queries", "/api/queries/frameworks.csv", "/api/coverage/sf?against=cof", "/health"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("rest-cors")
    settings = mini_settings_in(root)
    build(settings)
    with TestClient(create_app(settings), base_url="http://testserver") as served:
        yield served


@pytest.mark.parametrize("path", READS)
def test_a_get_from_any_origin_may_be_read(client, path):
    response = client.get(path, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]
    assert "access-control-allow-credentials" not in response.headers


def test_errors_of_a_get_may_be_read_too(client):
    """A page must be able to show the error's message, so error answers carry the header as well."""
    response = client.get("/api/coverage/lofx", headers={"Origin": ORIGIN})
    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == "*"


def test_a_head_may_be_read(client):
    response = client.head("/api/queries", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_preflight_for_a_read_is_granted(client, method):
    response = client.options(
        "/api/queries/frameworks",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "Accept, If-None-Match",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == "GET, HEAD"
    assert response.headers["access-control-allow-headers"] == "Accept, If-None-Match"
    assert int(response.headers["access-control-max-age"]) > 0


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_the_preflight_for_any_other_method_is_refused(client, method):
    response = client.options("/sparql", headers={"Origin": ORIGIN, "Access-Control-Request-Method": method})
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-methods" not in response.headers
    assert response.json()["error"]["code"] == "cross-origin-refused"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_answers_to_other_methods_are_not_readable_cross_origin(client, method):
    response = client.request(method, "/api/queries", headers={"Origin": ORIGIN})
    assert response.status_code == 405
    assert "access-control-allow-origin" not in response.headers


def test_a_preflight_cannot_smuggle_headers(client):
    response = client.options(
        "/api/queries",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Accept, Bad Header, X-Ok",
        },
    )
    assert response.headers["access-control-allow-headers"] == "Accept, X-Ok"


def test_cors_on_the_real_server(mini_server):
    """The same over a real socket: uvicorn runs the app's lifespan, which installs the middleware."""
    read = httpx.get(mini_server + "/api/queries", headers={"Origin": ORIGIN}, timeout=10)
    assert read.headers["access-control-allow-origin"] == "*"
    refused = httpx.options(
        mini_server + "/api/queries",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "DELETE"},
        timeout=10,
    )
    assert refused.status_code == 403
