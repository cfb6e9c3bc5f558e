"""The import strings uvicorn workers load (``outcomes_graph.web.asgi:app_factory`` and its supervised twin).

Worker processes cannot receive a Settings object, so the ``serve`` command passes its
settings through ``OUTCOMES_GRAPH_*`` variables and each worker builds them here, at its
own entry point.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from outcomes_graph.settings import Settings
from outcomes_graph.web import graphql_api, sparql
from outcomes_graph.web.app import create_app
from outcomes_graph.web.caching import Lookup, ResponseCaching, look_up
from outcomes_graph.web.rest_cors import READ_METHODS, CrossOriginReads, with_read_headers
from outcomes_graph.web.sparql import Answer, Headers

__all__ = ["SparqlFirst", "app_factory", "supervised_app_factory"]

#: The middleware ``create_app`` gives the app, outermost first: what ``SparqlFirst`` does itself for reads.
FUSED_MIDDLEWARE: list[object] = [CrossOriginReads, ResponseCaching]


def app_factory() -> FastAPI:
    """The app for any ASGI server: free-form SPARQL runs in worker processes that can be killed."""
    return create_app(Settings.from_env())


def supervised_app_factory() -> SparqlFirst:
    """The app for a worker of ``outcomes-graph serve``, whose supervisor replaces a worker that exits.

    Free-form SPARQL runs on threads of the worker itself (no process hop); a query that
    outruns its time limit makes the worker finish its requests and exit, and the
    supervisor starts a fresh one (``sparql_recycle``). The GraphQL cache of each build is
    filled as soon as the worker serves it (``graphql_api.warm_up``).
    """
    app = create_app(Settings.from_env())
    sparql.run_queries_in_process(app)
    graphql_api.warm_up(app)
    return SparqlFirst(app)


class SparqlFirst:
    """ASGI: ``/sparql`` goes straight to its endpoint, the rest to ``app``.

    GET and HEAD, the hot path, are answered here in one piece: the response cache
    (``caching.look_up``), the endpoint's answer, the validators and the cross-origin
    headers, just as ``app``'s middleware adds them, but without passing each message
    through four layers of wrapped ``send`` calls (106 to 97 µs a request, measured in one
    process; bench/README.md, run J). Other methods,
    and every request once ``app`` has middleware beyond those two, go through ``app``'s
    middleware (``sparql.endpoint_with_middleware``): only the routing is skipped.
    ``test_the_direct_route_answers_exactly_as_the_app`` holds the two ways to the same
    answers. Under ``serve``, the HTTP protocol asks :meth:`answer_at_once` first, and
    writes a ready answer without an ASGI task (``direct_http``).
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.endpoint = sparql.SparqlEndpoint()
        self._sparql: ASGIApp | None = None
        self._fused = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != sparql.PATH or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        sparql_stack = self._sparql_stack()
        scope["app"] = self.app
        if self._fused and scope["method"] in READ_METHODS:
            await self._read(scope, receive, send, sparql_stack)
        else:
            await sparql_stack(scope, receive, send)

    def answer_at_once(self, method: str, query_string: bytes, headers: Headers) -> Answer | None:
        """The whole answer to a GET or HEAD of ``/sparql?query_string``, when it is ready without waiting.

        What ``direct_http.DirectHttpTools`` asks before it makes an ASGI task: a kept
        answer, a 304, a refusal or a point lookup (``SparqlEndpoint.at_once``), with the
        same status, headers and body :meth:`__call__` would send. None for anything
        else, and for a fault: uvicorn's own way then answers it through the app's
        middleware, which logs it.
        """
        self._sparql_stack()
        if not self._fused:
            return None
        scope: Scope = {"type": "http", "method": method, "path": sparql.PATH,
                        "query_string": query_string, "headers": headers, "app": self.app}  # fmt: skip
        run = self.endpoint.at_once(scope)
        if run is None:
            return None
        lookup = look_up(scope)
        reply = lookup.reply(method) if lookup is not None else None
        if reply is None:
            try:
                reply = _finished(method, lookup, *run())
            except Exception:
                return None
        status, headers, body = reply
        return status, with_read_headers(headers), body

    def _sparql_stack(self) -> ASGIApp:
        if self._sparql is None:
            # Built on first use: the app's middleware list is final once it serves.
            self._sparql = sparql.endpoint_with_middleware(self.app)
            layers: list[object] = [m.cls for m in self.app.user_middleware]
            self._fused = layers == FUSED_MIDDLEWARE
        return self._sparql

    async def _read(self, scope: Scope, receive: Receive, send: Send, sparql_stack: ASGIApp) -> None:
        lookup = look_up(scope)
        reply = lookup.reply(scope["method"]) if lookup is not None else None
        if reply is None:
            try:
                answer = await self.endpoint.answer(scope, receive)
            except Exception:
                # A fault, not a refusal (those are answers). Nothing is sent yet, and a read
                # changes nothing, so the request runs again through the app's middleware,
                # which answers and logs the fault as it does on every other route.
                await sparql_stack(scope, receive, send)
                return
            reply = _finished(scope["method"], lookup, *answer)
        status, headers, body = reply
        headers = with_read_headers(headers)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _finished(method: str, lookup: Lookup | None, status: int, headers: Headers, body: bytes) -> Answer:
    """The endpoint's answer with the validators and its length, kept if cacheable; no body for HEAD."""
    if lookup is not None:
        headers = lookup.stamp(status, headers)
        lookup.keep_answer(status, headers, body)
    headers.append((b"content-length", str(len(body)).encode()))
    return status, headers, b"" if method == "HEAD" else body
