from __future__ import annotations

import httpx


def test_health_in_process(client, built_mini):
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["graphs"] == len(body["graph_counts"]) > 3
    assert body["triples"] == sum(body["graph_counts"].values())


def test_unknown_path_has_the_error_shape(client):
    response = client.get("/no/such/path")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "code": "not-found", "title": "Not Found", "detail": "Not Found"}
    }


def test_real_server_answers(mini_server):
    response = httpx.get(mini_server + "/health", timeout=5)
    assert response.status_code == 200
    assert response.json()["build"]["id"]
