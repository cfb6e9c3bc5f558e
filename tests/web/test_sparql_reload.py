"""A new build is served without a restart: the store, the query workers and the response cache follow it."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from outcomes_graph.build import build
from outcomes_graph.settings import Settings
from outcomes_graph.web import create_app
from web.conftest import eventually, start_server, stop_server

LABEL = "SELECT ?label WHERE { <https://w3id.org/common-outcomes/id/cof/domain/safe> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"  # noqa: E501


def relabel(settings: Settings, new: str) -> None:
    """Rename the fixture's "Safe" domain in the sources, and build again."""
    table = settings.frameworks_dir / "cof" / "concepts.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("domain,safe,Safe,", f"domain,safe,{new},"))
    build(settings)


def label(get: Callable[..., httpx.Response], url: str) -> str:
    response = get(url, params={"query": LABEL})
    assert response.status_code == 200, response.text
    return str(response.json()["results"]["bindings"][0]["label"]["value"])


def test_in_process_app_follows_the_store_link(built_mini):
    with TestClient(create_app(built_mini)) as client:
        first = client.get("/sparql", params={"query": LABEL})
        build_id = client.get("/health").json()["build"]["id"]
        assert label(client.get, "/sparql") == "Safe"
        relabel(built_mini, "Safe at home")
        assert eventually(lambda: label(client.get, "/sparql") == "Safe at home")
        assert client.get("/health").json()["build"]["id"] != build_id
        again = client.get(
            "/sparql", params={"query": LABEL}, headers={"if-none-match": first.headers["etag"]}
        )
        assert again.status_code == 200
        assert again.headers["etag"] != first.headers["etag"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_running_server_follows_a_new_build(built_mini, workers):
    proc, url = start_server(built_mini, "--workers", workers)
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            assert {label(client.get, "/sparql") for _ in range(4)} == {"Safe"}
            relabel(built_mini, "Safe and sound")
            # Every uvicorn worker, and each of its query workers, reaches the new build.
            assert eventually(lambda: {label(client.get, "/sparql") for _ in range(8)} == {"Safe and sound"})
    finally:
        stop_server(proc)
