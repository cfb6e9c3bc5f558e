"""Every named query of ``api/queries/`` as a REST resource, one documented route per query.

``GET /api/queries/{name}`` (and ``.json``, ``.csv``) runs the query with its typed
parameters taken from the query string. Values are bound through pyoxigraph's
``substitutions`` (:meth:`NamedQuery.substitutions`), never pasted into the text, and
the answer is serialised by pyoxigraph on the thread that ran the query (DESIGN §7).

>>> rest_example("outcomes-graph query --named concept-lookup --param text=B04 --format csv")
'/api/queries/concept-lookup?text=B04'
>>> buffer = RowBoundedBuffer(Format.CSV, limit=1)
>>> buffer.write(b"a\\r\\n1\\r\\n")
6
>>> buffer.write(b"2\\r\\n")
Traceback (most recent call last):
...
outcomes_graph.web.rest_queries.TooManyRows
"""

from __future__ import annotations

import inspect
import shlex
from collections.abc import Callable, Iterable
from decimal import Decimal
from io import BytesIO
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request, Response

from outcomes_graph.errors import QueryError, UsageError
from outcomes_graph.output import rows_to_csv
from outcomes_graph.queries import NamedQuery, Param
from outcomes_graph.web.errors import ApiError
from outcomes_graph.web.rest_http import (
    SPARQL_JSON_TYPES,
    Format,
    add_resource,
    bounded_request,
    choose_format,
    csv_response,
    json_response,
    raw_response,
)
from outcomes_graph.web.rest_schemas import QUERY_LIST, SPARQL_RESULTS, error_responses
from outcomes_graph.web.state import AppState, get_state

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["RowBoundedBuffer", "TooManyRows", "named_query_router", "rest_example", "run_named_query"]

PREFIX: Final = "/api/queries"
TAG: Final = "named queries"
_PYTHON_TYPE: Final[dict[str, type]] = {
    "iri": str,
    "string": str,
    "integer": int,
    "decimal": Decimal,
    "boolean": bool,
}
_RESULT_FORMAT: Final = {Format.JSON: ox.QueryResultsFormat.JSON, Format.CSV: ox.QueryResultsFormat.CSV}


class TooManyRows(Exception):
    """Raised from inside pyoxigraph's serialiser, which stops evaluating there."""


class RowBoundedBuffer(BytesIO):
    """A binary sink for ``serialize`` that refuses more than ``limit`` rows.

    Rows are counted by their separators as the bytes stream in: ``},{`` between JSON
    bindings, line ends in CSV. A separator can also occur inside a literal, so the count
    is an upper bound: at most ``limit`` rows ever get through.
    """

    def __init__(self, fmt: Format, *, limit: int) -> None:
        super().__init__()
        self._separator = b"},{" if fmt is Format.JSON else b"\n"
        # JSON has one separator fewer than rows; CSV one line more (its header).
        self._allowed = limit - 1 if fmt is Format.JSON else limit + 1
        self._tail = b""
        self._seen = 0

    def write(self, data: ReadableBuffer, /) -> int:
        chunk = bytes(data)
        window = self._tail + chunk
        self._seen += window.count(self._separator)
        self._tail = window[-(len(self._separator) - 1) :] if len(self._separator) > 1 else b""
        if self._seen > self._allowed:
            raise TooManyRows
        return super().write(chunk)


def run_named_query(state: AppState, query: NamedQuery, values: dict[str, str], fmt: Format) -> Response:
    """Bind, run and serialise one named query (all on this thread), bounded by ``max_result_rows``."""
    substitutions = query.substitutions(values)
    result = state.store.query(query.sparql, substitutions=substitutions)
    if not isinstance(result, ox.QuerySolutions):
        del result
        raise QueryError(f"named query {query.name!r} is not a SELECT query; REST serves SELECT results only")
    limit = state.settings.max_result_rows
    buffer = RowBoundedBuffer(fmt, limit=limit)
    overflow = False
    try:
        result.serialize(buffer, format=_RESULT_FORMAT[fmt])
    except TooManyRows:
        overflow = True
    finally:
        # A traceback keeps this frame alive; the result must not be dropped on another thread.
        del result
    if overflow:
        raise ApiError(
            400,
            "too-many-rows",
            f"named query {query.name!r} answers more than {limit} rows (setting max_result_rows); "
            "give it parameters that narrow it, or page through /sparql with LIMIT and OFFSET",
        )
    return raw_response(buffer.getvalue(), fmt)


def rest_example(cli_example: str) -> str | None:
    """The REST URL of a header's ``outcomes-graph query --named NAME --param k=v`` example."""
    try:
        words = shlex.split(cli_example)
    except ValueError:
        return None
    if "--named" not in words or words.index("--named") + 1 >= len(words):
        return None
    name = words[words.index("--named") + 1]
    pairs = [
        value.partition("=")[::2] for flag, value in pairwise(words) if flag == "--param" and "=" in value
    ]
    return f"{PREFIX}/{name}" + (f"?{urlencode(pairs, safe=':/')}" if pairs else "")


def _example_values(query: NamedQuery) -> dict[str, str]:
    values: dict[str, str] = {}
    for example in query.examples:
        try:
            words = shlex.split(example)
        except ValueError:
            continue
        for flag, value in pairwise(words):
            if flag == "--param" and "=" in value:
                key, _, raw = value.partition("=")
                values.setdefault(key, raw)
    return values


def _argument(param: Param) -> str:
    """The Python name of a parameter (a query parameter may be a Python keyword, e.g. ``from``)."""
    return f"p_{param.name}"


def _lexical(value: Any) -> str:
    """A validated FastAPI value back to the lexical form :func:`outcomes_graph.queries.bind` reads."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _signature_parameter(query: NamedQuery, param: Param, example: str | None) -> inspect.Parameter:
    kind = _PYTHON_TYPE[param.type]
    default: Any = ... if param.default is None and not param.optional else None
    if param.default is not None:
        default = kind(param.default) if kind is not bool else param.default.lower() == "true"
    extra = {"format": "iri"} if param.type == "iri" else None
    description = param.description + (f" (SPARQL variable ?{param.name}, type {param.type})")
    return inspect.Parameter(
        _argument(param),
        inspect.Parameter.KEYWORD_ONLY,
        default=Query(
            default,
            alias=param.name,
            description=description,
            examples=[example] if example is not None else None,
            json_schema_extra=extra,
        ),
        annotation=kind if default is not None else kind | None,
    )


def _endpoint(query: NamedQuery) -> Callable[..., Response]:
    """A handler whose signature declares the query's typed parameters, for validation and OpenAPI."""

    def endpoint(request: Request, state: AppState, **arguments: Any) -> Response:
        fmt = choose_format(request, SPARQL_JSON_TYPES)
        values = {
            p.name: _lexical(arguments[_argument(p)])
            for p in query.params
            if arguments.get(_argument(p)) is not None
        }
        return run_named_query(state, query, values, fmt)

    examples = _example_values(query)
    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter(
            "state", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=Depends(get_state), annotation=AppState
        ),
        *(_signature_parameter(query, p, examples.get(p.name)) for p in query.params),
    ]
    endpoint.__signature__ = inspect.Signature(parameters, return_annotation=Response)  # type: ignore[attr-defined]
    endpoint.__name__ = "query_" + query.name.replace("-", "_")
    return endpoint


def _description(query: NamedQuery) -> str:
    lines = [query.description, "", f"Source: `api/queries/{query.path.name}`."]
    examples = [url for url in (rest_example(e) for e in query.examples) if url]
    if examples:
        lines += ["", "Example: " + ", ".join(f"`{url}`" for url in examples)]
    return "\n".join(lines)


def _describe(query: NamedQuery) -> dict[str, Any]:
    url = f"{PREFIX}/{query.name}"
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "optional": p.optional or p.default is not None,
                "default": p.default,
                "description": p.description,
            }
            for p in query.params
        ],
        "examples": [url for url in (rest_example(e) for e in query.examples) if url],
        "url": url,
        "json": url + ".json",
        "csv": url + ".csv",
    }


def list_queries(request: Request, state: AppState = Depends(get_state)) -> Response:
    fmt = choose_format(request)
    described = [_describe(query) for query in state.registry]
    if fmt is Format.CSV:
        names = ["name", "title", "description", "parameters", "url"]
        rows = [
            [
                d["name"],
                d["title"],
                d["description"],
                " ".join(f"{p['name']}:{p['type']}" for p in d["parameters"]),
                d["url"],
            ]
            for d in described
        ]
        return csv_response(rows_to_csv(names, rows))
    return json_response({"queries": described})


def unknown_query(name: str, state: AppState = Depends(get_state)) -> Response:
    """Reached only when no named query's own route matched: a 404 that lists the valid names."""
    try:
        state.registry.get(name)
    except UsageError as exc:
        raise ApiError(404, "unknown-query", f"{exc}; list them at {PREFIX}") from None
    raise ApiError(404, "unknown-query", f"{PREFIX}/{name} is not a resource; list them at {PREFIX}")


def named_query_router(queries: Iterable[NamedQuery]) -> APIRouter:
    """The listing, one route per named query (with its JSON and CSV twins), then the unknown-name 404."""
    router = APIRouter(tags=[TAG], dependencies=[Depends(bounded_request)])
    add_resource(
        router,
        PREFIX,
        list_queries,
        name="list_queries",
        summary="Every named query, with its parameters",
        description="The named queries of `api/queries/`: title, description, typed parameters and "
        "example URLs.",
        schema=QUERY_LIST,
        csv_columns="name, title, description, parameters, url",
    )
    for query in queries:
        add_resource(
            router,
            f"{PREFIX}/{query.name}",
            _endpoint(query),
            name="query_" + query.name.replace("-", "_"),
            summary=query.title,
            description=_description(query),
            schema=SPARQL_RESULTS,
            csv_columns="SPARQL 1.1 Query Results CSV: one column per projected variable",
        )
    router.add_api_route(
        PREFIX + "/{name}",
        unknown_query,
        methods=["GET"],
        include_in_schema=False,
        response_class=Response,
        responses=error_responses((404,)),
    )
    return router
