"""``/sparql``: the SPARQL 1.1 Protocol endpoint, read-only, bounded, over the public graphs.

A raw ASGI route, not a FastAPI operation: this is the hot path, and it needs no
validation layer. Each query is read before it runs (``sparql_text``): updates are
refused (403), ``SERVICE`` is refused (400), the dataset is cut to the public graphs,
and the top-level ``LIMIT`` is held to ``max_result_rows`` (one row more is fetched, so
a cut answer says so in ``Result-Truncated: true``).

A point lookup (one triple pattern with a fixed subject or object, and nothing else:
``sparql_text.is_point_lookup``) then runs at once on the event loop: its cost is bounded
by the rows it may return. Any other query runs, and is abandoned if it outlives
``query_timeout`` (504), by one of two runners:

- on a thread of this process (``sparql_threads``), when the process runs under a
  supervisor that replaces it (``outcomes-graph serve``; see :func:`run_queries_in_process`):
  no process hop, and an abandoned query makes the process finish its other requests
  and exit (``sparql_recycle``);
- otherwise (an app made by ``create_app`` alone, as in tests or under another server)
  in a worker process (``sparql_pool``), which is killed and replaced.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import lru_cache, partial
from typing import Any

import orjson
import pyoxigraph as ox
from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from outcomes_graph.errors import QueryError
from outcomes_graph.sparql_exec import GRAPH_FORMATS, Job, Outcome, run_job
from outcomes_graph.sparql_pool import PoolBusy, QueryTimedOut, WorkerFailed, WorkerPool, default_pool_size
from outcomes_graph.sparql_recycle import recycle
from outcomes_graph.sparql_text import QueryShape, analyse, with_row_limit
from outcomes_graph.sparql_threads import QueryThreads
from outcomes_graph.store import EmbeddedStore, GraphStore
from outcomes_graph.vocab import QUERY_PREFIXES
from outcomes_graph.web.errors import ApiError, error_body
from outcomes_graph.web.rest_http import body_too_large
from outcomes_graph.web.sparql_description import describe
from outcomes_graph.web.sparql_protocol import (
    ALLOWED_METHODS,
    GRAPH_OFFERS,
    RESULTS_OFFERS,
    Operation,
    negotiate,
    offered_types,
    parse_get,
    parse_post,
)
from outcomes_graph.web.state import AppState

__all__ = ["PATH", "SparqlEndpoint", "endpoint_with_middleware", "router", "run_queries_in_process"]

PATH = "/sparql"

Headers = list[tuple[bytes, bytes]]
#: The status, headers (but the length) and body of an answer or refusal.
Answer = tuple[int, Headers, bytes]


def run_queries_in_process(
    app: FastAPI, *, threads: int | None = None, on_overrun: Callable[[], None] | None = None
) -> QueryThreads:
    """From now on, run ``app``'s free-form queries on threads of this process instead of worker processes.

    Only for a process that something replaces when it exits: by default a query that
    outruns ``query_timeout`` makes the process finish its requests and exit
    (``sparql_recycle.recycle``). ``threads`` bounds the queries running at once
    (default: one per CPU, at least two).
    """
    settings = app.state.og.settings
    # Requests in flight get their answer (or their own 504) within query_timeout.
    grace = 2 * settings.query_timeout + 10
    runner = QueryThreads(threads or default_pool_size(), on_overrun=on_overrun or partial(recycle, grace))
    app.state.sparql_threads = runner
    return runner


def _threads(app: Any) -> QueryThreads | None:
    runner: QueryThreads | None = getattr(app.state, "sparql_threads", None)
    return runner


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the query runner with the app and stop it with it."""
    state: AppState | None = getattr(app.state, "og", None)
    threads = _threads(app)
    if threads is not None:
        threads.start()
    elif state is not None and state.store_folder is not None:
        query_pool(state).start()
    try:
        yield
    finally:
        if threads is not None:
            threads.close()
        if state is not None and state.query_pool is not None:
            state.query_pool.close()
            state.query_pool = None


def query_pool(state: AppState) -> WorkerPool:
    """The app's query workers, made on first use."""
    if state.query_pool is None:
        pool = state.query_pool = WorkerPool()
        weakref.finalize(state, pool.close)
    return state.query_pool


class SparqlEndpoint:
    """The ASGI app behind ``/sparql``."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status, headers, body = await self.answer(scope, receive)
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    async def answer(self, scope: Scope, receive: Receive) -> Answer:
        """The status, headers (but the length) and body of the answer or refusal (JSON error shape)."""
        app = scope["app"]
        state: AppState = app.state.og
        try:
            return await self._answer(state, _threads(app), scope, receive)
        except ApiError as exc:
            return _refusal(exc)

    def at_once(self, scope: Scope) -> Callable[[], Answer] | None:
        """How to answer a GET or HEAD with a query without waiting; None when it must wait.

        Ready at once: refusals, and point lookups on the embedded store (they run on the
        event loop: :func:`_store_at_hand`). Every other query needs a query runner, and
        so does a request without a query (the service description reads the request's
        scheme and root path): :meth:`answer` answers those. Nothing is evaluated until
        the returned function is called, so a caller can look in its cache first.
        """
        state: AppState = scope["app"].state.og
        try:
            operation = parse_get(scope["query_string"])
            if operation.query is None:
                return None
            accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1") or None
            job, point_lookup = _prepare(state, operation, operation.query, accept)
        except ApiError as exc:
            refusal = _refusal(exc)
            return lambda: refusal
        at_hand = _store_at_hand(state, job, point_lookup)
        return None if at_hand is None else partial(_run_at_once, state, at_hand, job)

    async def _answer(
        self, state: AppState, threads: QueryThreads | None, scope: Scope, receive: Receive
    ) -> Answer:
        method = scope["method"]
        request_headers = dict(scope["headers"])
        if method in ("GET", "HEAD"):
            operation = parse_get(scope["query_string"])
        elif method == "POST":
            body = await _read_body(receive, request_headers, state.settings.max_request_bytes)
            content_type = request_headers.get(b"content-type", b"").decode("latin-1")
            operation = parse_post(content_type, body, scope["query_string"])
        else:
            raise ApiError(
                405,
                "method-not-allowed",
                f"{method} is not part of the SPARQL 1.1 Protocol; use GET or POST",
                headers={"Allow": ALLOWED_METHODS},
            )
        accept = request_headers.get(b"accept", b"").decode("latin-1") or None
        if operation.query is None:
            return _service_description(state, scope, request_headers, accept)
        return await _query(state, threads, operation, operation.query, accept)


async def _query(
    state: AppState, threads: QueryThreads | None, operation: Operation, query: str, accept: str | None
) -> Answer:
    job, point_lookup = _prepare(state, operation, query, accept)
    return _answer_of(state, await _execute(state, threads, job, point_lookup=point_lookup))


def _run_at_once(state: AppState, store: ox.Store, job: Job) -> Answer:
    try:
        return _answer_of(state, run_job(store, job))
    except ApiError as exc:
        return _refusal(exc)


def _refusal(exc: ApiError) -> Answer:
    body = orjson.dumps(error_body(exc.status, exc.code, exc.detail, exc.location))
    headers = [(b"content-type", b"application/json")]
    headers += [(k.lower().encode(), v.encode()) for k, v in (exc.headers or {}).items()]
    return exc.status, headers, body


def _prepare(state: AppState, operation: Operation, query: str, accept: str | None) -> tuple[Job, bool]:
    """The job to run for ``query``, and whether it is a point lookup; ``ApiError`` for a refusal."""
    settings = state.settings
    if len(query) > settings.max_query_length:
        raise ApiError(
            413,
            "query-too-long",
            f"the query is {len(query)} characters long; the limit is {settings.max_query_length} "
            "(the max_query_length setting). Shorten it, or split it into several queries.",
        )
    shape = _shape(query)
    _refuse(shape)
    results_format = negotiate(accept, RESULTS_OFFERS)
    graph_format = negotiate(accept, GRAPH_OFFERS)
    if shape.form is not None:
        graph_query = shape.form in ("construct", "describe")
        if (graph_format if graph_query else results_format) is None:
            offers = GRAPH_OFFERS if graph_query else RESULTS_OFFERS
            raise ApiError(
                406,
                "not-acceptable",
                f"{shape.form.upper()} answers in one of: {offered_types(offers)}; "
                f"the Accept header ({accept}) allows none of them",
            )
    default_graphs, named_graphs = _dataset(state, operation, shape)
    rewritten = with_row_limit(query, shape, settings.max_result_rows)
    job = Job(
        query=rewritten or query,
        store=str(state.store_folder or ""),
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        results_format=results_format,
        graph_format=graph_format,
        max_rows=settings.max_result_rows,
        prefixes={p: QUERY_PREFIXES[p] for p in shape.undeclared_prefixes},
        original=query if rewritten else None,
    )
    return job, shape.point_lookup


def _answer_of(state: AppState, outcome: Outcome) -> Answer:
    """The status, headers and body of a query's outcome; ``ApiError`` when it is a refusal."""
    if outcome.status != 200:
        location = outcome.location or None
        raise ApiError(outcome.status, outcome.code, outcome.detail, location=location)
    headers: Headers = [
        (b"content-type", outcome.content_type.encode()),
        (b"vary", b"accept"),
        (b"result-row-limit", str(state.settings.max_result_rows).encode()),
    ]
    if outcome.truncated:
        headers.append((b"result-truncated", b"true"))
    return 200, headers, outcome.body


def _store_at_hand(state: AppState, job: Job, point_lookup: bool) -> ox.Store | None:
    """The embedded store, when ``job`` runs on the event loop itself: a point lookup on it.

    Its cost is bounded by the rows it may return (``sparql_text.is_point_lookup``), and on
    this thread it answers in a fraction of what handing it to a query thread or worker
    and back costs (bench/README.md); with no SERVICE possible, it needs no sandbox.
    """
    store = state.store
    if point_lookup and job.store and isinstance(store, EmbeddedStore):
        return store.raw
    return None


async def _execute(
    state: AppState, threads: QueryThreads | None, job: Job, *, point_lookup: bool = False
) -> Outcome:
    store = state.store
    if not job.store:
        return await run_in_threadpool(_run_on_graph_store, store, job)
    at_hand = _store_at_hand(state, job, point_lookup)
    if at_hand is not None:
        return run_job(at_hand, job)
    timeout = state.settings.query_timeout
    try:
        if threads is not None and isinstance(store, EmbeddedStore):
            return await threads.run(partial(run_job, store.raw, job), timeout=timeout)
        header, body = await query_pool(state).run(job.encode(), timeout=timeout)
    except PoolBusy:
        raise ApiError(
            503,
            "query-workers-busy",
            f"every query runner stayed busy for {timeout:g} s; try again shortly",
            headers={"Retry-After": "1"},
        ) from None
    except QueryTimedOut:
        raise ApiError(
            504,
            "query-timeout",
            f"the query ran for more than {timeout:g} s and was stopped (the query_timeout setting). "
            "Narrow its patterns, add a LIMIT, or avoid unbounded property paths.",
        ) from None
    except WorkerFailed as exc:
        raise ApiError(
            500, "query-worker-failed", f"the query worker stopped while it ran the query: {exc}"
        ) from None
    outcome = Outcome(**orjson.loads(header))
    outcome.body = body
    return outcome


class _GraphStoreQueries:
    """``GraphStore.query`` in the shape ``run_job`` calls (for a remote store: one graph list)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def query(
        self,
        query: str,
        *,
        prefixes: dict[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Any = None,
    ) -> Any:
        graphs = (
            None if default_graph is None else list(dict.fromkeys([*default_graph, *(named_graphs or [])]))
        )
        return self.store.query(query, graphs=graphs, prefixes=bool(prefixes))


def _run_on_graph_store(store: GraphStore, job: Job) -> Outcome:
    try:
        return run_job(_GraphStoreQueries(store), job)
    except QueryError as exc:
        return Outcome(400, code="query-error", detail=str(exc))


@lru_cache(maxsize=1024)
def _shape(query: str) -> QueryShape:
    return analyse(query, prefixes=QUERY_PREFIXES)


def _refuse(shape: QueryShape) -> None:
    if shape.update is not None:
        raise ApiError(
            403,
            "read-only",
            f"{shape.update} is an update; this SPARQL endpoint is read-only and answers queries only",
        )
    if shape.service is not None:
        where = shape.service
        raise ApiError(
            400,
            "service-refused",
            f"SERVICE (federated query) is not allowed here: this endpoint never contacts another server "
            f"(line {where.line}, column {where.column}). Query the other endpoint directly.",
            location={"line": where.line, "column": where.column},
        )


def _dataset(
    state: AppState, operation: Operation, shape: QueryShape
) -> tuple[list[str] | None, list[str] | None]:
    """The dataset to query, cut to the public graphs: the protocol's, else the query's, else all public.

    A graph that is private or unknown is dropped without a word, so an answer never
    tells whether it exists (DESIGN §6). None stands for every graph of the store, when
    every graph is public.
    """
    if operation.has_dataset:
        for iri in (*operation.default_graphs, *operation.named_graphs):
            try:
                ox.NamedNode(iri)
            except ValueError:
                raise ApiError(400, "invalid-graph-iri", f"{iri!r} is not an absolute IRI") from None
        default, named = operation.default_graphs, operation.named_graphs
    elif shape.has_dataset:
        default, named = tuple(shape.default_graphs), tuple(shape.named_graphs)
    elif state.everything_public:
        return None, None
    else:
        public = state.public_graph_iris
        return list(public), list(public)
    public = state.public_graph_iris
    return [g for g in dict.fromkeys(default) if g in public], [
        g for g in dict.fromkeys(named) if g in public
    ]


def _service_description(
    state: AppState, scope: Scope, headers: dict[bytes, bytes], accept: str | None
) -> Answer:
    graph_format = negotiate(accept, GRAPH_OFFERS)
    if graph_format is None:
        raise ApiError(
            406,
            "not-acceptable",
            f"the service description answers in one of: {offered_types(GRAPH_OFFERS)}; "
            f"the Accept header ({accept}) allows none of them",
        )
    host = headers.get(b"host", b"localhost").decode("latin-1")
    endpoint = f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{scope['path']}"
    try:
        body = describe(endpoint, state.store.info, graph_format)
    except ValueError:
        raise ApiError(400, "bad-request", f"the Host header makes no IRI: {host!r}") from None
    content_type = GRAPH_FORMATS[graph_format][1]
    return 200, [(b"content-type", content_type.encode()), (b"vary", b"accept")], body


async def _read_body(receive: Receive, headers: dict[bytes, bytes], limit: int) -> bytes:
    declared = headers.get(b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise body_too_large(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise body_too_large(size, limit, streamed=True)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def endpoint_with_middleware(app: FastAPI) -> ASGIApp:
    """The ``/sparql`` endpoint wrapped in ``app``'s own middleware, as ``app`` wraps its router.

    The same layers, in the same order, as Starlette builds them: the server-error
    handler, every middleware added to ``app`` (the response cache, cross-origin reads),
    and the exception handlers; only the routing is left out. Build it after ``app``
    has started, when its middleware list is final.
    """
    handlers = dict(app.exception_handlers)
    on_error = handlers.pop(500, None) or handlers.pop(Exception, None)
    layers = [
        Middleware(ServerErrorMiddleware, handler=on_error, debug=app.debug),
        *app.user_middleware,
        Middleware(ExceptionMiddleware, handlers=handlers, debug=app.debug),
    ]
    stack: ASGIApp = SparqlEndpoint()
    for cls, args, kwargs in reversed(layers):
        stack = cls(stack, *args, **kwargs)
    return stack


router = APIRouter(lifespan=_lifespan)
router.routes.append(Route(PATH, SparqlEndpoint(), include_in_schema=False, name="sparql"))
