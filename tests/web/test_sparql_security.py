"""``/sparql`` security (DESIGN §6): no outbound connection, read-only, bounded, public graphs only."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.settings import Settings
from outcomes_graph.web import create_app
from web.conftest import start_server, stop_server

PRIVATE = "https://w3id.org/common-outcomes/graph/borough/E09000001-draft"
LISTED_PRIVATE = "https://w3id.org/common-outcomes/graph/borough/E09000002-draft"
UNKNOWN = "https://w3id.org/common-outcomes/graph/no-such-graph"
SECRET = ox.NamedNode("https://w3id.org/common-outcomes/id/borough/secret")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


class Listener:
    """A TCP listener on loopback that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(4096))
                except OSError:
                    self.connections.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def _with_private_graphs(root: Path) -> Settings:
    """The fixture graph, plus a graph build.json does not list and one it lists as private."""
    settings = mini_settings_in(root)
    result = build(settings)
    store = ox.Store(str(result.folder))
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    for graph in (PRIVATE, LISTED_PRIVATE):
        store.add(ox.Quad(SECRET, label, ox.Literal("not for the public"), ox.NamedNode(graph)))
    store.flush()
    del store
    info = json.loads((result.folder / "build.json").read_text())
    info["graphs"].append({"key": "borough/E09000002-draft", "iri": LISTED_PRIVATE, "kind": "borough",
                           "visibility": "private", "triples": 1, "sha256": "", "files": []})  # fmt: skip
    (result.folder / "build.json").write_text(json.dumps(info))
    return settings


@pytest.fixture(scope="module")
def private_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return _with_private_graphs(tmp_path_factory.mktemp("sparql-private"))


@pytest.fixture(scope="module")
def client(private_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(private_settings), base_url="http://testserver") as c:
        yield c


def rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


# -- SERVICE: no outbound connection, ever -------------------------------------------------------

SERVICE_QUERIES = [
    "SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * {{ ?x ?y ?z . service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ SERVICE # hidden\n<{url}> {{ ?s ?p ?o }} }}",
    "PREFIX remote: <{url}> SELECT * {{ OPTIONAL {{ SERVICE remote: {{ ?s ?p ?o }} }} }}",
    "SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * {{ ?x ?p ?o FILTER(?x<1)SERVICE#>\n<{url}> {{ ?a ?b ?c }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
]


def test_the_listener_sees_a_real_service_call(listener):
    """Control: pyoxigraph itself does connect, so an untouched listener below means something."""
    with pytest.raises(OSError, match="HTTP"):
        bool(ox.Store().query(f"ASK {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
    assert listener.connections
    assert listener.connections[0].startswith(b"POST /sparql")


def test_service_is_refused_and_the_listener_is_untouched(listener, built_mini):
    """DESIGN §6: "No query makes the server open a network connection." A real server, every spelling."""
    proc, url = start_server(built_mini)
    try:
        for template in SERVICE_QUERIES:
            query = template.format(url=listener.url)
            for response in (
                httpx.get(url + "/sparql", params={"query": query}, timeout=10),
                httpx.post(url + "/sparql", data={"query": query}, timeout=10),
            ):
                assert response.status_code == 400, query
                assert response.json()["error"]["code"] == "service-refused"
                assert response.json()["error"]["location"]["line"] >= 1
        time.sleep(0.5)
    finally:
        stop_server(proc)
    assert listener.connections == []


# -- read-only -----------------------------------------------------------------------------------

UPDATES = {
    "insert": "INSERT DATA {{ <http://a> <http://b> <http://c> }}",
    "delete": "DELETE WHERE {{ ?s ?p ?o }}",
    "load": "LOAD <{url}>",
    "clear": "CLEAR ALL",
    "drop": "DROP SILENT DEFAULT",
}


@pytest.mark.parametrize("update", UPDATES.values(), ids=UPDATES.keys())
def test_updates_are_refused_and_change_nothing(client, listener, update):
    """UPDATE, LOAD and CLEAR are refused however they are sent, and the graph stays as it was."""
    text = update.format(url=listener.url)
    before = rows(client.get("/sparql", params={"query": COUNT}))
    answers = [
        client.post("/sparql", data={"update": text}),
        client.post("/sparql", content=text.encode(), headers={"content-type": "application/sparql-update"}),
        client.post("/sparql", data={"query": text}),
        client.post("/sparql", content=text.encode(), headers={"content-type": "application/sparql-query"}),
    ]
    assert [a.status_code for a in answers] == [403, 403, 403, 403]
    assert {a.json()["error"]["code"] for a in answers} == {"read-only"}
    assert client.get("/sparql", params={"update": text}).status_code == 405
    assert rows(client.get("/sparql", params={"query": COUNT + " # again"})) == before
    assert listener.connections == []


# -- bounded -------------------------------------------------------------------------------------


def test_an_oversized_query_gets_a_clear_error(client, private_settings):
    limit = private_settings.max_query_length
    query = "SELECT * { ?s ?p ?o }" + " " * limit
    for response in (
        client.post("/sparql", data={"query": query}),
        client.get("/sparql", params={"query": query}),
    ):
        assert response.status_code == 413
        error = response.json()["error"]
        assert error["code"] == "query-too-long"
        assert str(limit) in error["detail"]
        assert str(len(query)) in error["detail"]


def test_an_oversized_body_gets_a_clear_error(client, private_settings):
    body = b"x" * (private_settings.max_request_bytes + 1)
    response = client.post("/sparql", content=body, headers={"content-type": "application/sparql-query"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request-too-large"


#: A cross product of the graph with itself four times: minutes of work on any engine.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_a_long_query_is_cut_off_while_others_are_served(built_mini, monkeypatch):
    """A query that would run for minutes is stopped at query_timeout (504); meanwhile, and after, the
    server keeps answering other queries and pages."""
    monkeypatch.setenv("OUTCOMES_GRAPH_QUERY_TIMEOUT", "3")
    proc, url = start_server(built_mini)
    try:
        outcome: dict[str, object] = {}

        def endless() -> None:
            started = time.monotonic()
            response = httpx.get(url + "/sparql", params={"query": ENDLESS}, timeout=120)
            outcome.update(
                status=response.status_code, body=response.json(), seconds=time.monotonic() - started
            )

        runner = threading.Thread(target=endless)
        runner.start()
        time.sleep(0.5)
        served = []
        while runner.is_alive():
            started = time.monotonic()
            health = httpx.get(url + "/health", timeout=5)
            query = httpx.get(
                url + "/sparql", params={"query": f"ASK {{ ?s ?p ?o }} # {len(served)}"}, timeout=5
            )
            served.append((health.status_code, query.status_code, time.monotonic() - started))
            time.sleep(0.1)
        runner.join()
        assert outcome["status"] == 504
        assert outcome["body"]["error"]["code"] == "query-timeout"
        assert "3 s" in outcome["body"]["error"]["detail"]
        assert 2.5 < outcome["seconds"] < 20
        assert len(served) >= 5
        assert all(h == q == 200 and seconds < 5 for h, q, seconds in served), served
        after = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o } # after"}, timeout=10)
        assert after.status_code == 200
    finally:
        stop_server(proc)


# -- public graphs only --------------------------------------------------------------------------

PRIVATE_QUERIES = {
    "from": "SELECT ?s ?o FROM <{g}> WHERE {{ ?s ?p ?o }}",
    "from-named": "SELECT ?s ?o FROM NAMED <{g}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "graph": "SELECT ?s ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
    "from-and-graph": "SELECT ?s ?o FROM <{g}> FROM NAMED <{g}> "
    "WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH <{g}> {{ ?s ?p ?o }} }} }}",
}


@pytest.mark.parametrize("graph", [PRIVATE, LISTED_PRIVATE], ids=["unlisted", "listed-private"])
@pytest.mark.parametrize("template", PRIVATE_QUERIES.values(), ids=PRIVATE_QUERIES.keys())
def test_a_private_graph_answers_like_an_unknown_one(client, graph, template):
    """DESIGN §6: "FROM/FROM NAMED/GRAPH on a private graph yields nothing", and the answer is the very
    answer an unknown graph gets, so it does not even tell that the graph exists."""
    private = client.get("/sparql", params={"query": template.format(g=graph)})
    unknown = client.get("/sparql", params={"query": template.format(g=UNKNOWN)})
    assert rows(private) == rows(unknown) == []


@pytest.mark.parametrize("graph", [PRIVATE, LISTED_PRIVATE], ids=["unlisted", "listed-private"])
def test_protocol_graphs_are_cut_to_the_public_ones(client, graph):
    """default-graph-uri and named-graph-uri naming a private graph yield nothing, and no error."""
    query = "SELECT ?s ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    for param in ("default-graph-uri", "named-graph-uri"):
        private = client.get("/sparql", params={"query": query, param: graph})
        unknown = client.get("/sparql", params={"query": query, param: UNKNOWN})
        assert rows(private) == rows(unknown) == []


def test_private_triples_never_show(client):
    everything = "SELECT DISTINCT ?g ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    found = rows(client.get("/sparql", params={"query": everything}))
    assert found
    assert SECRET.value not in {r.get("s") for r in found}
    assert not {PRIVATE, LISTED_PRIVATE} & {r.get("g") for r in found}
    described = client.get(
        "/sparql", params={"query": f"DESCRIBE <{SECRET.value}>"}, headers={"accept": "application/n-triples"}
    )
    assert list(ox.parse(described.content, format=ox.RdfFormat.N_TRIPLES)) == []


def test_the_service_description_lists_public_graphs_only(client):
    body = client.get("/sparql", headers={"accept": "application/n-triples"}).content
    names = {
        t.object.value
        for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        if t.predicate.value.endswith("#name")
    }
    assert names
    assert not {PRIVATE, LISTED_PRIVATE} & names
