"""The ceiling for ``bench_sparql.py --ceiling``: the least a Python server under uvicorn can do per query.

A bare ASGI app that reads ``query`` from the URL, runs it on the store (opened with
``Store.read_only``, as ``outcomes-graph serve`` opens it) on the event loop and sends
pyoxigraph's JSON. No checks, limits, caching, headers, timeouts or errors: it is not
a server anyone should run, only a measure of what uvicorn and pyoxigraph cost by
themselves, in the same run as the real servers.

Run by ``bench_sparql.py``: ``uvicorn bare_asgi:app`` with ``BARE_ASGI_STORE`` set.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox

STORE = ox.Store.read_only(os.environ["BARE_ASGI_STORE"])
JSON = ox.QueryResultsFormat.JSON
HEADERS = [(b"content-type", b"application/sparql-results+json")]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    query = parse_qs(scope["query_string"].decode())["query"][0]
    body = STORE.query(query, use_default_graph_as_union=True).serialize(format=JSON) or b""
    headers = [*HEADERS, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
