"""``create_app(settings)``: the FastAPI app. Nothing is built at import time."""

from __future__ import annotations

from fastapi import FastAPI

from outcomes_graph import __version__
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.settings import Settings
from outcomes_graph.store import GraphStore, open_store
from outcomes_graph.web import caching, graphql_api, health, linked_data, rest, sparql
from outcomes_graph.web.boroughs_api import boroughs_router
from outcomes_graph.web.errors import install_error_handlers
from outcomes_graph.web.graphql.build_cache import BuildCaches
from outcomes_graph.web.state import AppState

__all__ = ["create_app"]


def create_app(settings: Settings, *, store: GraphStore | None = None) -> FastAPI:
    """The whole service over one store (unless given: ``open_store(settings)``, embedded or remote)."""
    app = FastAPI(
        title="outcomes-graph",
        version=__version__,
        description="England's children's and families' outcomes frameworks as linked data: SPARQL, GraphQL, "
        "REST and dereferenceable URIs.",
        license_info={"name": "Open Government Licence v3.0",
                      "url": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"},
    )  # fmt: skip
    app.state.og = AppState(
        settings=settings,
        store=store or open_store(settings),
        registry=QueryRegistry.load(settings.queries_dir),
    )
    install_error_handlers(app)
    app.add_middleware(caching.ResponseCaching)
    # The app holds the GraphQL cache so that graphql_api.warm_up can fill it.
    app.state.graphql_caches = BuildCaches(max_weight=settings.graphql_cache_weight)
    graphql = graphql_api.make_router(caches=app.state.graphql_caches)
    for router in (health.router, sparql.router, graphql, rest.router, linked_data.router):
        app.include_router(router)
    app.include_router(boroughs_router())
    rest.install(app)
    return app
