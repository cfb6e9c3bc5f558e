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

__all__ = ["SparqlFirst", "app_factory", "supervised_app_factory"]


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
    """ASGI: ``/sparql`` goes straight to its endpoint (through ``app``'s middleware), the rest to ``app``.

    The endpoint is the hot path; this skips matching the path against every route of the
    app, and nothing else (:func:`outcomes_graph.web.sparql.endpoint_with_middleware`).
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._sparql: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != sparql.PATH or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        if self._sparql is None:
            self._sparql = sparql.endpoint_with_middleware(self.app)
        scope["app"] = self.app
        await self._sparql(scope, receive, send)
