"""REST under ``/api``: every named query and the alignment engine, as JSON and CSV, documented in OpenAPI.

- ``/api/queries`` lists the named queries; ``/api/queries/{name}`` runs one, with its typed
  parameters (:mod:`outcomes_graph.web.rest_queries`, one route per query, made from the registry);
- ``/api/counterparts``, ``/api/coverage/{framework}``, ``/api/gaps/{framework}``, ``/api/matrix``,
  ``/api/diff/{before}/{after}`` and ``/api/search`` (:mod:`outcomes_graph.web.rest_alignment`).

Every resource also answers at ``.json`` and ``.csv`` (:mod:`outcomes_graph.web.rest_http`),
errors come in the one shape of :mod:`outcomes_graph.web.errors`, and any origin may read
(:mod:`outcomes_graph.web.rest_cors`).

The routes depend on the app's named queries, so they are made per app by :func:`build_router`.
:func:`install` adds them and the CORS middleware to an app once; ``router``, which
``create_app`` includes, calls it when the app starts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from outcomes_graph.queries import NamedQuery
from outcomes_graph.web.rest_alignment import alignment_router
from outcomes_graph.web.rest_cors import allow_cross_origin_reads
from outcomes_graph.web.rest_queries import named_query_router
from outcomes_graph.web.rest_schemas import obj

__all__ = ["build_router", "install", "router"]

_INDEX = {
    "queries": "/api/queries",
    "counterparts": "/api/counterparts?concept={concept}",
    "coverage": "/api/coverage/{framework}",
    "gaps": "/api/gaps/{framework}",
    "matrix": "/api/matrix",
    "diff": "/api/diff/{before}/{after}",
    "search": "/api/search?q={text}",
    "openapi": "/openapi.json",
    "docs": "/docs",
}


def api_index() -> dict[str, dict[str, str]]:
    """The REST resources, each as a URL template."""
    return {"resources": dict(_INDEX)}


def build_router(queries: Iterable[NamedQuery]) -> APIRouter:
    """Every REST route for an app whose named queries are ``queries``."""
    rest = APIRouter()
    rest.add_api_route(
        "/api",
        api_index,
        methods=["GET"],
        tags=["rest"],
        summary="The REST resources",
        responses={200: {"content": {"application/json": {"schema": obj(resources={"type": "object"})}}}},
    )
    rest.include_router(alignment_router())
    rest.include_router(named_query_router(queries))
    return rest


def install(app: FastAPI) -> None:
    """Add the REST routes and cross-origin reads to ``app``; a second call does nothing."""
    if getattr(app.state, "og_rest_installed", False):
        return
    app.state.og_rest_installed = True
    app.include_router(build_router(app.state.og.registry))
    allow_cross_origin_reads(app)
    app.openapi_schema = None


@asynccontextmanager
async def _install_on_startup(app: FastAPI) -> AsyncIterator[None]:
    install(app)
    yield


router = APIRouter(lifespan=_install_on_startup)
