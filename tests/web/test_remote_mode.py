"""The app in remote mode: the same service over an ``oxigraph serve`` process, not the embedded store."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from outcomes_graph.borough_tokens import TokenStore
from outcomes_graph.remote_store import RemoteStore
from outcomes_graph.settings import Settings
from outcomes_graph.web import create_app
from remote_support import ID, Pair, built_pair, cli_options, free_port, remote_settings, start_oxigraph
from web.conftest import serve_process, stop_server

NAMED = ("/api/queries/concepts-table", {"scheme": ID + "sf"})
SELECT = "SELECT ?c ?l WHERE { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } ORDER BY ?c ?l"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    built = built_pair(tmp_path_factory.mktemp("remote-web"))
    yield built
    built.server.stop()


@pytest.fixture(scope="module")
def remote_client(pair: Pair) -> Iterator[TestClient]:
    with TestClient(create_app(pair.remote), base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="module")
def embedded_client(pair: Pair) -> Iterator[TestClient]:
    with TestClient(create_app(pair.embedded), base_url="http://testserver") as client:
        yield client


def bindings(response: httpx.Response) -> list[dict[str, object]]:
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()["results"]["bindings"]
    return found


def test_health_reports_the_remote_store(pair, remote_client, embedded_client):
    body = remote_client.get("/health").json()
    assert body["status"] == "ok"
    assert body["store"] == {"mode": "remote", "endpoint": pair.server.query_url}
    embedded = embedded_client.get("/health").json()
    assert embedded["store"]["mode"] == "embedded"
    assert body["graph_counts"] == embedded["graph_counts"]
    assert body["build"]["id"] != embedded["build"]["id"]


def test_a_named_query_answers_as_on_the_embedded_store(remote_client, embedded_client):
    path, params = NAMED
    rows = bindings(remote_client.get(path, params=params))
    assert [r["concept"] for r in rows] == [  # type: ignore[index]
        {"type": "uri", "value": ID + "sf/outcome/H06"},
        {"type": "uri", "value": ID + "sf/outcome/H09"},
    ]
    assert rows == bindings(embedded_client.get(path, params=params))


def test_sparql_answers_as_on_the_embedded_store(remote_client, embedded_client):
    accept = {"accept": "application/sparql-results+json"}
    remote = bindings(remote_client.get("/sparql", params={"query": SELECT}, headers=accept))
    assert remote == bindings(embedded_client.get("/sparql", params={"query": SELECT}, headers=accept))
    assert len(remote) > 5


def test_sparql_construct_is_served_as_a_graph(remote_client):
    query = "CONSTRUCT WHERE { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
    accept = {"accept": "application/n-triples"}
    response = remote_client.get("/sparql", params={"query": query}, headers=accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/n-triples")
    assert "prefLabel" in response.text


@pytest.mark.parametrize(("path", "status"), [("sf/outcome/H06", 303), ("sf/outcome/H06.ttl", 303),
                                             ("no/such/thing", 404)])  # fmt: skip
def test_uris_dereference_as_on_the_embedded_store(remote_client, embedded_client, path, status):
    """A missing thing is 404 in remote mode too: its parameter binds where ld-exists reads it."""
    answers = [c.get(f"/id/{path}", follow_redirects=False) for c in (remote_client, embedded_client)]
    assert [a.status_code for a in answers] == [status, status]
    assert answers[0].headers.get("location") == answers[1].headers.get("location")


def ntriples(response: httpx.Response) -> set[str]:
    """The statements of an N-Triples answer, blank nodes masked and build-specific statements left out."""
    assert response.status_code == 200, response.text
    per_build = ("/def/buildId>", "/terms/modified>")
    return {re.sub(r"_:\w+", "_:b", line) for line in response.text.splitlines()
            if line and not any(p in line for p in per_build)}  # fmt: skip


@pytest.mark.parametrize("path", ["/doc/sf/outcome/H06.nt", "/doc/sf.nt", "/mappings/sf-cof.nt",
                                  "/.well-known/void.nt", "/graph/sf.nt"])  # fmt: skip
def test_linked_data_documents_say_what_the_embedded_store_says(remote_client, embedded_client, path):
    """The same description, VoID counts included (the VoID queries read their base in BIND and FILTER)."""
    remote = ntriples(remote_client.get(path))
    assert remote == ntriples(embedded_client.get(path))
    assert len(remote) > 5


def start_remote_server(settings: Settings) -> tuple[subprocess.Popen[bytes], str]:
    """``outcomes-graph --sparql-endpoint URL serve`` as a real process, once /health answers."""
    return serve_process(cli_options(settings))


@pytest.fixture(scope="module")
def served(pair: Pair) -> Iterator[str]:
    proc, url = start_remote_server(pair.remote)
    yield url
    stop_server(proc)


def test_the_serve_command_serves_the_remote_store(pair, served, embedded_client):
    health = httpx.get(served + "/health", timeout=10).json()
    assert health["store"] == {"mode": "remote", "endpoint": pair.server.query_url}
    path, params = NAMED
    rows = bindings(httpx.get(served + path, params=params, timeout=10))
    assert rows == bindings(embedded_client.get(path, params=params))


def test_serve_refuses_an_unreachable_endpoint(pair):
    unreachable = f"http://127.0.0.1:{free_port()}/query"
    exe = Path(sys.executable).parent / "outcomes-graph"
    args = [str(exe), "--sparql-endpoint", unreachable, "--data-dir", str(pair.remote.data_dir), "serve",
            "--port", str(free_port())]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3
    assert f"cannot reach the SPARQL endpoint {unreachable}" in done.stderr


def test_serve_builds_an_empty_remote_store_first(pair, tmp_path):
    server = start_oxigraph(tmp_path / "empty")
    try:
        settings = remote_settings(pair.embedded, server)
        proc, url = start_remote_server(settings)
        try:
            health = httpx.get(url + "/health", timeout=10).json()
        finally:
            stop_server(proc)
        assert health["store"]["mode"] == "remote"
        with RemoteStore(server.query_url) as store:
            assert health["graphs"] == len(store.info.graphs) > 3
    finally:
        server.stop()


def test_borough_writes_need_a_graph_store_protocol_url(pair):
    reader = replace(pair.remote, gsp_endpoint=None)
    token, _ = TokenStore(reader).issue("E09000030", "remote")
    with TestClient(create_app(reader), base_url="http://testserver") as client:
        answer = client.put(
            "/api/boroughs/E09000030",
            content=b"<a> <b> <c> .",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"},
        )
    assert answer.status_code == 501
    assert "--gsp-endpoint" in answer.json()["error"]["detail"]
