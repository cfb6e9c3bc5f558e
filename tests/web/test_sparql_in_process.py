"""``/sparql`` with queries on threads of the server process, and its direct route from the ASGI entry point.

The in-process runner is what ``outcomes-graph serve`` uses; the last test runs it in a
real server, where a query past its time limit makes the worker process give way to
a fresh one while every other request is answered.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from outcomes_graph.settings import Settings
from outcomes_graph.sparql_exec import run_job
from outcomes_graph.web import create_app, sparql
from outcomes_graph.web.asgi import SparqlFirst
from web.conftest import eventually, start_server, stop_server

ASK = "ASK { ?s ?p ?o }"
#: A cross product of the graph with itself four times: minutes of work on any engine.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Stuck:
    """Stands in for ``run_job``: a query containing ``STUCK`` blocks until released; others run."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def __call__(self, store: Any, job: Any) -> Any:
        if "STUCK" in job.query:
            self.release.wait(30)
        return run_job(store, job)


@pytest.fixture
def stuck(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stuck]:
    found = Stuck()
    monkeypatch.setattr(sparql, "run_job", found)
    yield found
    found.release.set()


def in_process_app(settings: Settings, overruns: list[str], threads: int) -> FastAPI:
    app = create_app(replace(settings, query_timeout=0.5))
    sparql.run_queries_in_process(app, threads=threads, on_overrun=lambda: overruns.append("recycle"))
    return app


def test_in_process_queries_answer_like_worker_processes(built_mini):
    query = "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?o } ORDER BY ?s"
    answers = []
    for runner in ("threads", "workers"):
        app = create_app(built_mini)
        if runner == "threads":
            sparql.run_queries_in_process(app, on_overrun=lambda: None)
        with TestClient(app) as client:
            answers.append(client.get("/sparql", params={"query": query}).json())
            assert (app.state.og.query_pool is None) == (runner == "threads")
    assert answers[0] == answers[1]
    assert answers[0]["results"]["bindings"]


def test_a_query_past_its_time_limit_answers_504_and_asks_for_a_new_process(built_mini, stuck):
    overruns: list[str] = []
    with TestClient(in_process_app(built_mini, overruns, threads=2)) as client:
        late = client.get("/sparql", params={"query": f"{ASK} # STUCK"})
        assert late.status_code == 504
        assert late.json()["error"]["code"] == "query-timeout"
        assert "0.5 s" in late.json()["error"]["detail"]
        assert overruns == ["recycle"]
        # The abandoned query holds one thread; the other still answers.
        assert client.get("/sparql", params={"query": ASK}).status_code == 200


def test_queries_beyond_the_bound_wait_and_then_answer_busy(built_mini, stuck):
    """One thread, held by an abandoned query: the next query waits its time limit, then gets 503."""
    overruns: list[str] = []
    with TestClient(in_process_app(built_mini, overruns, threads=1)) as client:
        assert client.get("/sparql", params={"query": f"{ASK} # STUCK"}).status_code == 504
        busy = client.get("/sparql", params={"query": ASK})
        assert busy.status_code == 503
        assert busy.json()["error"]["code"] == "query-workers-busy"
        assert busy.headers["retry-after"] == "1"
        stuck.release.set()
        assert client.get("/sparql", params={"query": ASK + " # again"}).status_code == 200
    assert overruns == ["recycle"]


def test_a_point_lookup_is_answered_while_every_query_thread_is_busy(built_mini, stuck):
    """Point lookups run on the event loop: a held thread delays other queries, never them."""
    overruns: list[str] = []
    with TestClient(in_process_app(built_mini, overruns, threads=1)) as client:
        some = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"}).json()
        subject = some["results"]["bindings"][0]["s"]["value"]
        point = f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}"
        assert client.get("/sparql", params={"query": f"{ASK} # STUCK"}).status_code == 504
        assert client.get("/sparql", params={"query": ASK}).status_code == 503
        answer = client.get("/sparql", params={"query": point})
        assert answer.status_code == 200
        assert answer.json()["results"]["bindings"]
        # Held to max_result_rows like any query (here: one row more than it may show).
        short = create_app(replace(built_mini, max_result_rows=1))
        with TestClient(short) as capped:
            cut = capped.get("/sparql", params={"query": point})
            assert len(cut.json()["results"]["bindings"]) == 1
            assert cut.headers["result-truncated"] == "true"


REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("GET", {"params": {"query": ASK}}),
    ("GET", {"params": {"query": ASK}, "headers": {"origin": "https://elsewhere.example"}}),
    ("GET", {"params": {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}, "headers": {"accept": "text/csv"}}),
    ("GET", {"params": {"query": "SELECT ?s WHERE { ?s ?p }"}}),
    ("GET", {"params": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}}),
    ("GET", {"params": {"query": ASK}, "headers": {"accept": "text/turtle"}}),
    ("GET", {"params": {"query": ASK}, "headers": {"authorization": "Bearer x"}}),
    ("GET", {"params": {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2"}, "headers": {"accept": "text/csv"}}),
    ("GET", {"params": {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "nope"}}),
    ("GET", {"params": {"query": ASK, "query ": ASK}}),
    ("GET", {}),
    ("GET", {"headers": {"accept": "application/n-triples"}}),
    ("HEAD", {"params": {"query": ASK}}),
    ("POST", {"data": {"query": ASK}}),
    ("POST", {"data": {"update": "CLEAR ALL"}}),
    ("POST", {"content": b"x", "headers": {"content-type": "text/plain"}}),
    ("PUT", {"content": b"x"}),
    ("OPTIONS", {"headers": {"origin": "https://x.example", "access-control-request-method": "GET"}}),
    ("OPTIONS", {"headers": {"origin": "https://x.example", "access-control-request-method": "POST"}}),
]


@pytest.mark.parametrize(("method", "options"), REQUESTS)
def test_the_direct_route_answers_exactly_as_the_app(built_mini, method, options):
    """``SparqlFirst`` skips the routing only: the same status, headers and body as through the app.

    Each request is sent three times (a miss, a miss that is kept, an answer from the
    cache), then with ``If-None-Match``, and for GET as HEAD after that.
    """
    answers = []
    for wrap in (False, True):
        app = create_app(built_mini)
        with TestClient(SparqlFirst(app) if wrap else app) as client:
            sent = [client.request(method, "/sparql", **options) for _ in range(3)]
            if "etag" in sent[0].headers:
                headers = {**options.get("headers", {}), "if-none-match": sent[0].headers["etag"]}
                sent.append(client.request(method, "/sparql", **{**options, "headers": headers}))
            if method == "GET":
                sent.append(client.request("HEAD", "/sparql", **options))
            answers.append([(r.status_code, comparable(r.headers), unlabel(r.content)) for r in sent])
            hits = app.state.og.response_cache.hits
        answers[-1].append(("cache hits", hits))
    assert answers[0] == answers[1]


def comparable(headers: httpx.Headers) -> list[tuple[str, str]]:
    """The headers, but the length, which varies with the random blank node labels of a graph."""
    return sorted((k, v) for k, v in headers.items() if k != "content-length")


def unlabel(body: bytes) -> bytes:
    """The body's lines, sorted, blank node labels made alike (random per process, as is their order).

    Turtle ends a subject's last line with ``.`` and the others with ``;``, so which line gets
    which depends on that order too: the final punctuation is dropped.
    """
    lines = re.sub(rb"_:[0-9a-f]+", b"_:b", body).splitlines()
    return b"\n".join(sorted(re.sub(rb"\s*[;.,]\s*$", b"", line) for line in lines))


def test_a_fault_on_the_direct_route_is_answered_as_the_app_answers_it(built_mini, monkeypatch):
    def broken(*_: object) -> None:
        raise KeyError("lost")

    monkeypatch.setattr(sparql, "run_job", broken)
    answers = []
    for wrap in (False, True):
        app = create_app(built_mini)
        with TestClient(SparqlFirst(app) if wrap else app, raise_server_exceptions=False) as client:
            # A point lookup: it runs on the event loop, where the broken run_job is.
            response = client.get("/sparql", params={"query": "SELECT * { <http://example.org/a> ?p ?o }"})
        answers.append((response.status_code, comparable(response.headers), response.content))
    assert answers[0] == answers[1]
    assert answers[1][0] == 500


def test_the_direct_route_leaves_other_paths_to_the_app(built_mini):
    with TestClient(SparqlFirst(create_app(built_mini))) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/sparql/", follow_redirects=False).status_code in (307, 404)


def worker_pids(supervisor: int) -> set[int]:
    """The uvicorn worker processes under ``supervisor`` (not multiprocessing's resource tracker)."""
    found = set()
    for child in Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split():
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            found.add(int(child))
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the process tree from /proc")
def test_a_worker_whose_query_overran_is_replaced_while_others_answer(built_mini, monkeypatch):
    monkeypatch.setenv("OUTCOMES_GRAPH_QUERY_TIMEOUT", "2")
    proc, url = start_server(built_mini, "--workers", "2")
    try:
        assert eventually(lambda: len(worker_pids(proc.pid)) == 2)
        before = worker_pids(proc.pid)
        outcome: dict[str, Any] = {}

        def endless() -> None:
            outcome["response"] = httpx.get(url + "/sparql", params={"query": ENDLESS}, timeout=60)

        runner = threading.Thread(target=endless)
        runner.start()
        statuses = []
        with httpx.Client(base_url=url, timeout=20) as client:
            while runner.is_alive() or len(statuses) < 10:
                statuses.append(
                    client.get("/sparql", params={"query": f"{ASK} # {len(statuses)}"}).status_code
                )
                time.sleep(0.05)
            runner.join()
            assert outcome["response"].status_code == 504
            assert outcome["response"].json()["error"]["code"] == "query-timeout"
            # The worker that ran it leaves (its abandoned query with it), and a fresh one takes its place.
            assert eventually(
                lambda: len(worker_pids(proc.pid) - before) == 1 and len(worker_pids(proc.pid)) == 2
            )
            gone = before - worker_pids(proc.pid)
            assert len(gone) == 1
            assert not Path(f"/proc/{gone.pop()}").exists()
            statuses += [
                client.get("/sparql", params={"query": f"{ASK} # after {i}"}).status_code for i in range(5)
            ]
        assert set(statuses) == {200}
    finally:
        stop_server(proc)


LISTEN = "0A"


def socket_inodes(*, remote_port: int | None = None, listening_on: int | None = None) -> set[str]:
    """Inodes of TCP sockets whose remote port is ``remote_port``, or that listen on ``listening_on``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote = (int(address.rsplit(":", 1)[1], 16) for address in fields[1:3])
            state = fields[3]
            if remote == remote_port or (state == LISTEN and local == listening_on):
                inodes.add(fields[9])
    return inodes


def holders(inodes: set[str], workers: set[int]) -> set[int]:
    return {pid for pid in workers if owner(inodes, {pid})}


def server_side_owner(client_port: int, workers: set[int]) -> int | None:
    """The worker holding the server end of the loopback connection from ``client_port``."""
    return owner(socket_inodes(remote_port=client_port), workers)


def owner(inodes: set[str], workers: set[int]) -> int | None:
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = fd.readlink().name
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    return None


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads sockets from /proc")
def test_connections_are_spread_over_the_workers(built_mini):
    """Each worker listens on its own SO_REUSEPORT socket: 16 keep-alive connections reach both workers.

    With one shared socket, the first worker to wake accepted them all.
    """
    proc, url = start_server(built_mini, "--workers", "2")
    connections: list[socket.socket] = []
    try:
        assert eventually(lambda: len(worker_pids(proc.pid)) == 2)
        workers = worker_pids(proc.pid)
        port = int(url.rsplit(":", 1)[1])
        # Each worker listens on its own socket once its app has started, besides the shared one
        # (inherited, so it says nothing of the worker): all three, before any connection is made.
        assert eventually(lambda: len(socket_inodes(listening_on=port)) == len(workers) + 1)
        assert holders(socket_inodes(listening_on=port), workers) == workers
        # Three batches, each opened all at once as a load generator's pool opens them, so that
        # the connections wait in the accept queue together. Every batch must reach both workers
        # (a batch missing one by chance: 2 in 65,536).
        for _ in range(3):
            batch = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(16)]
            connections.extend(batch)
            for conn in batch:
                conn.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            for conn in batch:
                assert conn.recv(12).startswith(b"HTTP/1.1 200")
            owners = [server_side_owner(conn.getsockname()[1], workers) for conn in batch]
            assert None not in owners
            assert set(owners) == workers, f"connections per worker: {[owners.count(w) for w in workers]}"
    finally:
        for conn in connections:
            conn.close()
        stop_server(proc)


def test_a_second_server_on_a_taken_port_stops_with_a_clear_error(built_mini):
    """Workers' SO_REUSEPORT sockets must not let a second ``serve`` share a port another already serves."""
    proc, url = start_server(built_mini)
    try:
        port = url.rsplit(":", 1)[1]
        exe = Path(sys.executable).parent / "outcomes-graph"
        second = subprocess.run(
            [str(exe), "--store", str(built_mini.store), "--data-dir", str(built_mini.data_dir),
             "--cache-dir", str(built_mini.cache_dir), "serve", "--port", port],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert second.returncode != 0
        assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
        assert "another server" in second.stderr
        assert httpx.get(url + "/health", timeout=10).status_code == 200
    finally:
        stop_server(proc)
