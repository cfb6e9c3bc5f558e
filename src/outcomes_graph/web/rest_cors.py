"""Cross-origin reads: any origin may GET (and HEAD) anything; no other method is opened to other origins.

Starlette's ``CORSMiddleware`` adds ``Access-Control-Allow-Origin`` to every response,
whatever its method, so a cross-origin form POST could read its answer. This one
adds it only to GET and HEAD answers, and grants a preflight only for those methods.

>>> allowed_headers("Accept, If-None-Match, X-Bad\\r\\nInjected: 1")
'Accept, If-None-Match'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from outcomes_graph.web.errors import error_body

__all__ = [
    "READ_METHODS",
    "CrossOriginReads",
    "allow_cross_origin_reads",
    "allowed_headers",
    "with_read_headers",
]

READ_METHODS: Final = frozenset({"GET", "HEAD"})
#: On every GET/HEAD answer. ``*`` without credentials: the data is public, cookies are never used.
READ_HEADERS: Final = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Content-Disposition, Link, Location",
}
# As raw ASGI pairs, set on the hot path without building a MutableHeaders per answer.
_READ_HEADERS_RAW: Final = [(k.lower().encode(), v.encode()) for k, v in READ_HEADERS.items()]
_READ_HEADER_NAMES: Final = frozenset(k for k, _ in _READ_HEADERS_RAW)
PREFLIGHT_MAX_AGE: Final = "86400"
_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


def with_read_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers of a GET or HEAD answer, with :data:`READ_HEADERS` in place of any the app set."""
    return [h for h in headers if h[0].lower() not in _READ_HEADER_NAMES] + _READ_HEADERS_RAW


def allowed_headers(requested: str) -> str:
    """The requested header names a preflight grants: every well-formed one (reads need no secrets)."""
    names = [name.strip() for name in requested.split(",")]
    return ", ".join(name for name in names if _TOKEN.match(name))


class CrossOriginReads:
    """ASGI middleware: CORS for GET and HEAD from any origin; preflights for other methods get 403."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                await self._preflight(headers)(scope, receive, send)
                return
        if method not in READ_METHODS:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_read_headers(message.get("headers", ()))
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    def _preflight(headers: Headers) -> Response:
        wanted = headers["access-control-request-method"].strip().upper()
        if wanted not in READ_METHODS:
            detail = (
                f"cross-origin {wanted} requests are not allowed; other origins may only read "
                f"({', '.join(sorted(READ_METHODS))})"
            )
            return JSONResponse(error_body(403, "cross-origin-refused", detail), status_code=403)
        granted = {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "GET, HEAD",
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
        requested = allowed_headers(headers.get("access-control-request-headers", ""))
        if requested:
            granted["Access-Control-Allow-Headers"] = requested
        return Response(status_code=204, headers=granted)


def allow_cross_origin_reads(app: FastAPI) -> None:
    """Put :class:`CrossOriginReads` outermost on ``app``, before or after its middleware stack is built."""
    if app.middleware_stack is None:
        app.add_middleware(CrossOriginReads)
    else:
        # Started already (we are called from the lifespan): wrap the built stack.
        app.middleware_stack = CrossOriginReads(app.middleware_stack)
