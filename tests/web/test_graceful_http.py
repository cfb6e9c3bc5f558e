"""``graceful_http``: a connection with no request yet when a worker shuts down still gets its answer.

A real ``outcomes-graph serve`` (one worker) is made to recycle its worker with a query
that outruns ``query_timeout``; a connection opened before that, idle until the worker
is shutting down, then sends its request.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from outcomes_graph.graceful_http import FIRST_REQUEST_GRACE
from web.conftest import start_server, stop_server
from web.test_direct_http import _Reader

#: A cross product of the graph with itself four times: minutes of work on any engine.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


#: A page answered through ASGI, and a point lookup the protocol answers itself (``direct_http``).
REQUESTS = [
    b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /sparql?query=SELECT%20*%20%7B%3Chttps%3A%2F%2Fw3id.org%2Fcommon-outcomes%2Fid%2Fsf%3E"
    b"%20%3Fp%20%3Fo%7D HTTP/1.1\r\nHost: x\r\n\r\n",
]


@pytest.mark.parametrize("request_bytes", REQUESTS, ids=["asgi", "direct"])
def test_a_fresh_connection_is_answered_while_the_worker_recycles(built_mini, monkeypatch, request_bytes):
    monkeypatch.setenv("OUTCOMES_GRAPH_QUERY_TIMEOUT", "1")
    proc, url = start_server(built_mini)
    try:
        where = urlsplit(url)
        with socket.create_connection((where.hostname, where.port), timeout=10) as fresh:
            late = httpx.get(url + "/sparql", params={"query": ENDLESS}, timeout=30)
            assert late.status_code == 504
            time.sleep(0.5)  # the worker has begun to shut down (uvicorn looks every 0.1 s)
            fresh.sendall(request_bytes)
            reader = _Reader(fresh)
            response = reader.response()
            head = response.partition(b"\r\n\r\n")[0].split(b"\r\n")
            assert head[0] == b"HTTP/1.1 200 OK"
            assert b"connection: close" in head
            assert reader.closed()
        # The supervisor's fresh worker answers next.
        assert httpx.get(url + "/health", timeout=30).status_code == 200
    finally:
        stop_server(proc)


def test_a_fresh_connection_that_sends_no_whole_request_is_closed_after_the_grace(built_mini, monkeypatch):
    """A trickle of a request head does not hold a leaving worker: it closes after FIRST_REQUEST_GRACE."""
    monkeypatch.setenv("OUTCOMES_GRAPH_QUERY_TIMEOUT", "1")
    proc, url = start_server(built_mini)
    try:
        where = urlsplit(url)
        with socket.create_connection((where.hostname, where.port), timeout=10) as fresh:
            assert httpx.get(url + "/sparql", params={"query": ENDLESS}, timeout=30).status_code == 504
            time.sleep(0.5)
            fresh.sendall(b"GET /health HTTP/1.1\r\n")
            started = time.monotonic()
            assert fresh.recv(1) == b""
            assert time.monotonic() - started < FIRST_REQUEST_GRACE + 1
        assert httpx.get(url + "/health", timeout=30).status_code == 200
    finally:
        stop_server(proc)
