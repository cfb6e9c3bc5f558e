"""``direct_http``: ready ``/sparql`` answers written by the protocol are the answers uvicorn's own way gives.

Two real uvicorn servers run the same app (``SparqlFirst`` over the mini graph, queries
on threads of the process as under ``serve``): one with ``DirectHttpTools``, one with
``CoalescedHttpTools``, uvicorn's way with no direct answers. Raw HTTP/1.1 over real
sockets is sent to both and the bytes compared, but the ``date`` header. The app counts
the requests that reach it through ASGI, so each test also pins which way was taken.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import uvicorn

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.coalesced_http import CoalescedHttpTools
from outcomes_graph.direct_http import DirectHttpTools
from outcomes_graph.settings import Settings
from outcomes_graph.web import create_app, sparql
from outcomes_graph.web.asgi import SparqlFirst
from web.conftest import free_port

BLANK = re.compile(rb"_:[0-9a-zA-Z]+")
POINT = "SELECT ?p ?o WHERE { <https://w3id.org/common-outcomes/id/sf> ?p ?o }"
JOIN = "SELECT ?s ?l WHERE { ?s ?p ?o . ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } LIMIT 5"


class CountingSparqlFirst(SparqlFirst):
    """``SparqlFirst`` that counts the requests reaching it through ASGI (not answered at once)."""

    asgi_requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.asgi_requests += 1
        await super().__call__(scope, receive, send)


class Running:
    def __init__(self, settings: Settings, protocol: type) -> None:
        app = create_app(settings)
        sparql.run_queries_in_process(app, on_overrun=lambda: None)
        self.app = CountingSparqlFirst(app)
        self.port = free_port()
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, http=protocol, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def exchange(self, raw: bytes, answers: int = 1) -> list[bytes]:
        """Send ``raw`` on a fresh connection and read ``answers`` whole responses."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(raw)
            reader = _Reader(sock)
            return [reader.response(head_only=b"HEAD " in _nth_request(raw, i)) for i in range(answers)]


class _Reader:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a whole response")
        self.buffer += chunk

    def response(self, *, head_only: bool = False) -> bytes:
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        if head_only:
            length = 0
        while len(self.buffer) < length:
            self._more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return head + b"\r\n\r\n" + body

    def closed(self) -> bool:
        self.sock.settimeout(5)
        return self.buffer == b"" and self.sock.recv(1) == b""


def _nth_request(raw: bytes, n: int) -> bytes:
    return raw.split(b"\r\n\r\n")[n]


def get(query: str | None, *, method: str = "GET", headers: str = "", version: str = "1.1") -> bytes:
    target = "/sparql" if query is None else f"/sparql?query={quote(query)}"
    return f"{method} {target} HTTP/{version}\r\nHost: testserver\r\n{headers}\r\n".encode()


def without_date(response: bytes) -> bytes:
    """The response but its date; blank node labels (random per process) made alike.

    The length of a body with blank nodes varies with their labels, so it is checked
    against the body here and then left out.
    """
    head, _, body = response.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"date:")]
    if BLANK.search(body):
        length = [line for line in lines if line.startswith(b"content-length: ")]
        assert length == [b"content-length: %d" % len(body)]
        lines.remove(length[0])
        body = BLANK.sub(b"_:b", body)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@pytest.fixture(scope="module")
def running_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Running, Running]]:
    settings = mini_settings_in(tmp_path_factory.mktemp("direct"))
    build(settings)
    with Running(settings, DirectHttpTools) as direct, Running(settings, CoalescedHttpTools) as plain:
        yield direct, plain


@pytest.fixture
def servers(running_servers: tuple[Running, Running]) -> tuple[Running, Running]:
    """Both servers, their counts of ASGI requests set to zero (their caches go on from test to test)."""
    for server in running_servers:
        server.app.asgi_requests = 0
    return running_servers


#: (request, is it answered at once?)
CASES: list[tuple[bytes, bool]] = [
    (get(POINT), True),
    (get(POINT, method="HEAD"), True),
    (get(POINT, headers="Accept: text/csv\r\n"), True),
    (get(POINT, headers="Accept: text/turtle\r\n"), True),  # 406
    (get(POINT, headers="Origin: https://elsewhere.example\r\n"), True),
    (get(POINT, headers="Authorization: Bearer x\r\n"), True),  # never cached
    (get("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), True),  # 400
    (get("CLEAR ALL"), True),  # 403
    (get("SELECT * WHERE { ?s ?p ?o } #" + "a" * 30_000), True),  # 413
    (get(JOIN), False),
    (get(JOIN, method="HEAD"), False),
    (get("SELECT ?s WHERE { ?s ?p }"), False),  # a syntax error, from the engine on a query thread
    (get(None), False),  # the service description
    (get(POINT, version="1.0"), False),
    (get(POINT).replace(b"\r\n\r\n", b"\r\nContent-Length: 2\r\n\r\nab"), False),
]


@pytest.mark.parametrize(("raw", "at_once"), CASES)
def test_a_request_gets_the_same_bytes_both_ways(servers, raw, at_once):
    """Each request three times (a miss, a miss that is kept, a kept answer), then with its ETag."""
    direct, plain = servers
    answers = []
    for server in servers:
        sent = [without_date(server.exchange(raw)[0]) for _ in range(3)]
        etag = next((line for line in sent[0].split(b"\r\n") if line.startswith(b"etag: ")), None)
        if etag is not None:
            conditional = raw.replace(
                b"Host: testserver\r\n", b"Host: testserver\r\nIf-None-Match: " + etag[6:] + b"\r\n"
            )
            sent.append(without_date(server.exchange(conditional)[0]))
            assert sent[-1].startswith(b"HTTP/1.1 304 ")
        answers.append(sent)
    assert answers[0] == answers[1]
    assert plain.app.asgi_requests == len(answers[1])
    assert direct.app.asgi_requests == (0 if at_once else len(answers[0]))


def test_the_date_header_comes_first_as_uvicorn_sends_it(servers):
    direct, _ = servers
    head = direct.exchange(get(POINT))[0].split(b"\r\n\r\n")[0].split(b"\r\n")
    assert head[0] == b"HTTP/1.1 200 OK"
    assert head[1].startswith(b"date: ")


def test_pipelined_requests_are_answered_in_order_whichever_way_each_takes(servers):
    """A direct answer never jumps ahead of an earlier request that is still being answered."""
    direct, plain = servers
    queries = [POINT, JOIN, POINT + " # 2", JOIN + " # 2", POINT + " # 3"]
    raw = b"".join(get(q) for q in queries)
    answers = [[without_date(r) for r in server.exchange(raw, answers=len(queries))] for server in servers]
    assert answers[0] == answers[1]
    bodies = [r.partition(b"\r\n\r\n")[2] for r in answers[0]]
    assert bodies[0] == bodies[2] == bodies[4] != bodies[1]
    assert b'"l"' in bodies[1]
    assert direct.app.asgi_requests < plain.app.asgi_requests == len(queries)


def test_connection_close_is_answered_and_the_connection_closed(servers):
    direct, _ = servers
    with socket.create_connection(("127.0.0.1", direct.port), timeout=10) as sock:
        sock.sendall(get(POINT, headers="Connection: close\r\n"))
        reader = _Reader(sock)
        response = reader.response()
        assert b"\r\nconnection: close\r\n" in response.partition(b"\r\n\r\n")[0] + b"\r\n"
        assert reader.closed()
    assert direct.app.asgi_requests == 0


def test_a_keep_alive_connection_serves_both_ways_in_turn(servers):
    direct, _ = servers
    with socket.create_connection(("127.0.0.1", direct.port), timeout=10) as sock:
        reader = _Reader(sock)
        for query in (POINT, JOIN, POINT + " # again", JOIN + " # again"):
            sock.sendall(get(query))
            assert reader.response().startswith(b"HTTP/1.1 200 OK")
    assert direct.app.asgi_requests == 2


def test_a_fault_takes_uvicorns_way_and_is_answered_in_the_error_shape(servers, monkeypatch):
    def broken(*_: object) -> None:
        raise KeyError("lost")

    monkeypatch.setattr(sparql, "run_job", broken)
    direct, _ = servers
    # A text no test asked before, so that no kept answer stands in for the broken run.
    answers = [without_date(server.exchange(get(POINT + " # broken"))[0]) for server in servers]
    assert answers[0] == answers[1]
    assert answers[0].startswith(b"HTTP/1.1 500 ")
    assert b'"status":500' in answers[0]
    assert direct.app.asgi_requests == 1


def test_a_query_string_beyond_64_kib_gets_a_clear_refusal(servers):
    """uvicorn's URL parser refuses a URL over 65,535 bytes with a bare "Invalid HTTP request";
    the protocol reads the query string itself, so the endpoint says what is too long."""
    direct, plain = servers
    raw = get("SELECT * WHERE { ?s ?p ?o } #" + "a" * 70_000)
    answer = direct.exchange(raw)[0]
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b'"code":"query-too-long"' in answer
    assert b"the limit is 20000" in answer
    assert plain.exchange(raw)[0].startswith(b"HTTP/1.1 400 ")


def test_a_target_with_a_fragment_is_left_to_uvicorn_which_drops_the_fragment(servers):
    direct, _ = servers
    raw = get(POINT).replace(b" HTTP/1.1", b"#fragment HTTP/1.1", 1)
    answers = [without_date(server.exchange(raw)[0]) for server in servers]
    assert answers[0] == answers[1] == without_date(direct.exchange(get(POINT))[0])
    assert answers[0].startswith(b"HTTP/1.1 200 ")
    assert direct.app.asgi_requests == 1


def test_a_client_that_does_not_read_is_not_answered_without_bound(servers):
    """Thousands of pipelined lookups, unread: once the buffer is full, uvicorn's way takes over,
    which waits for it to drain and stops reading meanwhile; every answer still arrives, in order."""
    direct, _ = servers
    count = 4000
    queries = [f"{POINT} # {i}" for i in range(count)]
    with socket.create_connection(("127.0.0.1", direct.port), timeout=30) as sock:
        # Sent from a thread: once the server stops reading, sending may wait for this side to read.
        sender = threading.Thread(target=sock.sendall, args=(b"".join(get(q) for q in queries),))
        sender.start()
        time.sleep(1)
        reader = _Reader(sock)
        answers = [reader.response() for _ in range(count)]
        sender.join(10)
    assert all(a.startswith(b"HTTP/1.1 200 OK") for a in answers)
    assert len({a.partition(b"\r\n\r\n")[2] for a in answers}) == 1
    assert 0 < direct.app.asgi_requests < count
