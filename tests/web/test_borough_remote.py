"""Stored overlays in remote mode: uploads and publishing reach a real ``oxigraph serve`` by GSP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from outcomes_graph.borough_tokens import TokenStore
from outcomes_graph.build import build
from outcomes_graph.remote_store import RemoteStore
from outcomes_graph.settings import Settings
from outcomes_graph.web import create_app
from remote_support import OxigraphServer, start_oxigraph

DATA = Path(__file__).parents[1] / "data" / "boroughs"
TH = "E09000030"
BASE = "https://w3id.org/common-outcomes/"
ITEM = f"{BASE}id/borough/{TH}/priority/TH-HE1"
GRAPH = f"{BASE}graph/borough/{TH}"


@pytest.fixture(scope="module")
def remote(real_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("borough-remote")
    server: OxigraphServer = start_oxigraph(root / "oxigraph")
    try:
        settings = replace(real_settings, store=root / "no-store", sparql_endpoint=server.query_url,
                           gsp_endpoint=server.gsp_url)  # fmt: skip
        build(settings)
        token, _ = TokenStore(settings).issue(TH, "remote test")
        with TestClient(create_app(settings), base_url="http://testserver") as client:
            yield {"settings": settings, "server": server, "client": client, "token": token}
    finally:
        server.stop()


def sees(client: TestClient, query: str) -> bool:
    answer = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["results"]["bindings"])


def test_upload_publish_and_rebuild_over_graph_store_protocol(remote):
    client, token = remote["client"], remote["token"]
    files = [
        ("file", (p.name, p.read_bytes(), "text/csv")) for p in sorted((DATA / "tower-hamlets").iterdir())
    ]
    stored = client.put(f"/api/boroughs/{TH}", files=files, headers={"Authorization": f"Bearer {token}"})
    assert stored.status_code == 200, stored.text
    # The graph is on the server, but the build record does not list it as public.
    assert ITEM in remote["server"].graph(GRAPH).text
    assert not sees(client, f"SELECT ?p WHERE {{ <{ITEM}> ?p ?o }}")
    assert not sees(client, f"SELECT ?s WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }} LIMIT 1")
    assert client.get(f"/api/boroughs/{TH}/check").status_code == 404
    own = client.get(f"/api/boroughs/{TH}/check", headers={"Authorization": f"Bearer {token}"})
    assert own.status_code == 200
    assert own.json()["valid"] is True

    published = client.post(f"/api/boroughs/{TH}/publish", headers={"Authorization": f"Bearer {token}"})
    assert published.status_code == 200
    assert sees(client, f"SELECT ?p WHERE {{ <{ITEM}> ?p ?o }}")

    # A build from the sources writes the stored overlay back, still public.
    rebuilt = build(remote["settings"])
    assert {g["key"]: g["visibility"] for g in rebuilt.info.graphs}[f"borough/{TH}"] == "public"
    store = RemoteStore(remote["settings"].sparql_endpoint or "")
    assert GRAPH in store.info.public_graph_iris

    private = client.delete(f"/api/boroughs/{TH}/publish", headers={"Authorization": f"Bearer {token}"})
    assert private.status_code == 200
    assert not sees(client, f"SELECT ?p WHERE {{ <{ITEM}> ?p ?o }}")
    # Made private, the graph stays on the server through the next build; it is not a stale graph.
    build(remote["settings"])
    assert ITEM in remote["server"].graph(GRAPH).text
