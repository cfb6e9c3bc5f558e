"""The ceiling for ``bench_sparql.py --ceiling``: the least a Python server under uvicorn can do per query.

A bare ASGI app that reads ``query`` from the URL, runs it on the store (opened with
``Store.read_only``, as ``outcomes-graph serve`` opens it) on the event loop and sends
pyoxigraph's JSON. No checks, limits, caching, headers, timeouts or errors: it is not
a server anyone should run, only a measure of what uvicorn and pyoxigraph cost by
themselves, in the same run as the real servers.

Run by ``bench_sparql.py`` as ``python bare_asgi.py STORE HOST PORT WORKERS``: it forks
WORKERS processes (and stops them when it gets SIGTERM), and each listens on a socket
of its own bound with ``SO_REUSEPORT`` (``serve.listening_socket``), as each
``outcomes-graph serve`` worker does. Under ``uvicorn --workers`` the workers would
share one socket, and one of them would take every connection (bench/README.md, run D),
so the ceiling would sit too low.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from typing import Any, cast
from urllib.parse import parse_qs

import pyoxigraph as ox
import uvicorn

from outcomes_graph.serve import listening_socket

JSON = ox.QueryResultsFormat.JSON
HEADERS = [(b"content-type", b"application/sparql-results+json")]
STORE: ox.Store | None = None


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    assert STORE is not None
    query = parse_qs(scope["query_string"].decode())["query"][0]
    result = cast("ox.QuerySolutions", STORE.query(query, use_default_graph_as_union=True))
    body = result.serialize(format=JSON) or b""
    headers = [*HEADERS, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def serve(store: str, host: str, port: int) -> None:
    global STORE
    STORE = ox.Store.read_only(store)
    sock = listening_socket(host, port, reuse_port=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])


def main(store: str, host: str, port: int, workers: int) -> None:
    """Fork the workers, pass SIGTERM on to them, and wait for them all; exit 1 if one failed unasked."""
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                serve(store, host, port)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)  # a child never returns into this loop, even when serve fails
        children.append(pid)

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # uvicorn re-raises SIGTERM once it has shut down, so a stopped child does not exit 0.
    failed = [child for child in children if os.waitpid(child, 0)[1]]
    sys.exit(1 if failed and not stopping else 0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
