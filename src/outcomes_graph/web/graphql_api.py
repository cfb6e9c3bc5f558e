"""``/graphql``: the strawberry GraphQL API, and GraphiQL served from packaged files.

``POST /graphql`` (and ``GET /graphql?query=...``) answer GraphQL over HTTP; a browser's
``GET /graphql`` gets GraphiQL, whose scripts and styles are served from
``/graphql/static/`` (vendored under ``web/static/graphiql``, see its README), so it
works with no internet. The schema lives in :mod:`outcomes_graph.web.graphql`.

Nothing is built at import: ``create_app`` calls :func:`make_router`, which builds the
schema (once per set of limits) and gives the app its own cache of what the loaders
read from each build. A request strawberry refuses before execution (no query, a body
that is not JSON, ...) answers in the service's JSON error shape
(:mod:`outcomes_graph.web.graphql.http_errors`). The OpenAPI description of the routes is
:mod:`outcomes_graph.web.graphql.openapi`.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path
from typing import Any, Final

from cross_web import HTTPException  # what strawberry raises for a request it refuses
from fastapi import APIRouter, Depends, FastAPI, Request, Response, WebSocket
from fastapi.responses import FileResponse, HTMLResponse
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types.unset import UNSET

from outcomes_graph.web.errors import ApiError
from outcomes_graph.web.graphql import DEFAULT_LIMITS, GraphQLContext, Limits, build_schema
from outcomes_graph.web.graphql.build_cache import DEFAULT_MAX_WEIGHT, BuildCaches
from outcomes_graph.web.graphql.http_errors import NOT_AN_OBJECT, NOT_UTF8, api_error
from outcomes_graph.web.graphql.openapi import describe
from outcomes_graph.web.graphql.responses import uncacheable
from outcomes_graph.web.graphql.warm_up import WarmUp
from outcomes_graph.web.rest_http import bounded_receive, refuse_large_body
from outcomes_graph.web.state import AppState, get_state

__all__ = ["ASSETS", "STATIC_DIR", "make_router", "warm_up"]

STATIC_DIR: Final = Path(__file__).parent / "static" / "graphiql"
#: The files the GraphiQL page loads, in order: stylesheet, then scripts.
ASSETS: Final = (
    "graphiql-3.8.3.min.css",
    "react-18.2.0.production.min.js",
    "react-dom-18.2.0.production.min.js",
    "graphiql-3.8.3.min.js",
    "graphiql-init.js",
)
_OTHER_METHODS: Final = ("DELETE", "HEAD", "OPTIONS", "PATCH", "PUT")
_MEDIA: Final = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
EXAMPLE_QUERY: Final = """# outcomes-graph GraphQL: press the run button (or Ctrl-Enter).
{
  concept(fingertipsId: "90631") {
    curie
    prefLabel
    framework { slug title }
    counterparts(minStrength: CLOSE, first: 5) {
      totalCount
      nodes { curie label kind relationLabel confidence path }
    }
  }
}
"""


def _page(request: Request) -> str:
    def url(name: str) -> str:
        return html.escape(request.url_for("graphql_static", name=name).path)

    styles = "".join(f'<link rel="stylesheet" href="{url(n)}">' for n in ASSETS if n.endswith(".css"))
    scripts = "".join(f'<script src="{url(n)}"></script>' for n in ASSETS if n.endswith(".js"))
    endpoint = html.escape(request.url.path)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>outcomes-graph GraphQL</title>{styles}"
        "<style>body{margin:0;height:100vh}#graphiql{height:100vh}</style></head><body>"
        f'<div id="graphiql" data-endpoint="{endpoint}" data-query="{html.escape(EXAMPLE_QUERY)}">'
        "Loading GraphiQL…</div>"
        f"{scripts}</body></html>"
    )


class _Router(GraphQLRouter[GraphQLContext, None]):
    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(_page(request))

    def decode_json(self, data: str | bytes) -> object:
        """A JSON body, ``variables`` or ``extensions`` is an object (a list is a batch: refused later)."""
        try:
            value = super().decode_json(data)
        except UnicodeDecodeError as exc:  # strawberry catches only JSONDecodeError: it would be a 500
            raise HTTPException(400, NOT_UTF8) from exc
        if not isinstance(value, dict | list):
            raise HTTPException(400, NOT_AN_OBJECT)
        return value

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        """strawberry's answer; one that failed for a passing reason says so, so no cache keeps it."""
        response = super().create_response(response_data, sub_response)
        if uncacheable(response_data):
            response.headers["Cache-Control"] = "no-store"
        return response

    async def run(  # type: ignore[override]
        self, request: Request | WebSocket, context: Any = UNSET, root_value: Any = UNSET
    ) -> Response | WebSocket:
        """strawberry's answer, with its refusals raised as ``ApiError`` (JSON) instead of plain text.

        The body is counted as strawberry reads it: the context getter refused a declared
        length over ``max_request_bytes``, and this refuses a chunked body that grows past it.
        """
        if not isinstance(request, Request):
            return await super().run(request, context, root_value)
        scope = request.scope
        if request.method == "POST":
            # strawberry takes any type starting "application/json" (application/jsonx,
            # application/json-patch+json) but not "Application/JSON"; GraphQL over HTTP is
            # application/json itself, and media types are case-insensitive.
            media, _, parameters = request.headers.get("content-type", "").partition(";")
            if media.strip().lower() != "application/json":
                raise api_error(415, "Unsupported content type", method="POST")
            content_type = f"application/json;{parameters}" if parameters else "application/json"
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope = {**scope, "headers": [*headers, (b"content-type", content_type.encode("latin-1"))]}
        receive = request.receive
        if isinstance(context, GraphQLContext):
            receive = bounded_receive(receive, context.state.settings.max_request_bytes)
        request = Request(scope, receive)
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            raise api_error(
                exc.status_code, exc.reason, method=request.scope.get("method", ""), cause=exc.__cause__
            ) from None


def make_router(
    limits: Limits = DEFAULT_LIMITS,
    *,
    cache_weight: int = DEFAULT_MAX_WEIGHT,
    caches: BuildCaches | None = None,
) -> APIRouter:
    """The ``/graphql`` routes with ``limits`` enforced; ``create_app`` includes them.

    Each router keeps a cache of what the loaders read per build: ``caches``, or its own
    (``cache_weight`` bounds it; 0 turns it off). A request with ``Cache-Control:
    no-cache`` neither reads nor fills it: it reads the store as the first request after
    a build does. :func:`warm_up` fills it ahead of the first request.
    """
    if caches is None:
        caches = BuildCaches(max_weight=cache_weight)

    def context(request: Request, state: AppState = Depends(get_state)) -> GraphQLContext:
        # A plain def (FastAPI runs it on a worker thread): reading the build id may block, on
        # a reload of the store link or when a remote store rereads its build record.
        refuse_large_body(request, state.settings.max_request_bytes)
        fresh = "no-cache" in request.headers.get("cache-control", "").lower()
        return GraphQLContext(state, limits, None if fresh else caches)

    outer = APIRouter(tags=["graphql"])

    @outer.get("/graphql/static/{name}", name="graphql_static", include_in_schema=False)
    def graphiql_asset(name: str) -> FileResponse:
        path = _asset(name)
        if path is None:
            raise ApiError(
                404, "not-found", f"no GraphiQL file {name!r}; the page loads: {', '.join(ASSETS)}"
            )
        versioned = name != "graphiql-init.js"
        cache = "public, max-age=31536000, immutable" if versioned else "public, max-age=3600"
        return FileResponse(path, media_type=_MEDIA[path.suffix], headers={"Cache-Control": cache})

    @outer.api_route("/graphql", methods=list(_OTHER_METHODS), include_in_schema=False)
    def other_method() -> None:
        # Without this route, the GET route alone would answer them, with 405 and "Allow: GET".
        raise ApiError(
            405, "method-not-allowed", "/graphql answers GET and POST", headers={"Allow": "GET, POST"}
        )

    graphql = _Router(build_schema(limits), path="/graphql", context_getter=context)
    describe(graphql.routes, "/graphql")
    outer.include_router(graphql)
    return outer


def warm_up(app: FastAPI, *, interval: float = 1.0) -> WarmUp:
    """From now on, warm ``app``'s GraphQL cache for every build it serves, on a thread of its own.

    For ``outcomes-graph serve`` (``web.asgi.supervised_app_factory``); an app made by
    ``create_app`` alone starts cold, so tests can count what a first request reads.
    """
    state: AppState = app.state.og
    warmer = WarmUp(build_schema(DEFAULT_LIMITS), state, app.state.graphql_caches, interval=interval)
    app.state.graphql_warm_up = warmer
    warmer.start()
    return warmer


@functools.cache
def _files() -> dict[str, Path]:
    return {name: STATIC_DIR / name for name in ASSETS if (STATIC_DIR / name).is_file()}


def _asset(name: str) -> Path | None:
    return _files().get(name)
