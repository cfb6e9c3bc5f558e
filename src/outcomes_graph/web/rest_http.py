"""What every REST resource shares: its JSON and CSV twins, content negotiation and request bounds.

Each resource answers at three paths, Datasette style: ``/api/x`` (format by ``Accept``,
JSON by default), ``/api/x.json`` and ``/api/x.csv``.

>>> accepted("text/csv;q=0.5, application/json", JSON_TYPES)
<Format.JSON: 'json'>
>>> accepted("text/*", JSON_TYPES)
<Format.CSV: 'csv'>
>>> accepted("application/xml", JSON_TYPES) is None
True
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Final

import orjson
from fastapi import APIRouter, Depends, Request, Response
from starlette.requests import HTTPConnection
from starlette.types import Message, Receive

from outcomes_graph.web.errors import ApiError
from outcomes_graph.web.rest_schemas import error_responses
from outcomes_graph.web.state import AppState, get_state

__all__ = [
    "JSON_TYPES",
    "SPARQL_JSON_TYPES",
    "Format",
    "accepted",
    "add_resource",
    "bounded_request",
    "choose_format",
    "csv_response",
    "json_response",
    "refuse_large_body",
    "refuse_unknown_parameters",
]


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


MEDIA_TYPE: Final = {Format.JSON: "application/json", Format.CSV: "text/csv; charset=utf-8"}
#: Media types that ask for JSON; named queries also accept the SPARQL results type.
JSON_TYPES: Final = ("application/json",)
SPARQL_JSON_TYPES: Final = ("application/json", "application/sparql-results+json")
_CSV_TYPES: Final = ("text/csv",)


def accepted(header: str, json_types: tuple[str, ...]) -> Format | None:
    """The format an ``Accept`` header prefers, JSON winning ties; ``None`` when neither fits."""
    best: tuple[float, int, Format] | None = None
    for item in header.split(","):
        media, _, params = item.strip().partition(";")
        media = media.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        for preference, (fmt, types, family) in enumerate(
            ((Format.JSON, json_types, "application/*"), (Format.CSV, _CSV_TYPES, "text/*"))
        ):
            if media in types or media in (family, "*/*"):
                candidate = (quality, -preference, fmt)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
    return best[2] if best else None


def choose_format(request: Request, json_types: tuple[str, ...] = JSON_TYPES) -> Format:
    """``.json`` / ``.csv`` at the end of the path decide; otherwise the ``Accept`` header (default JSON)."""
    path = request.url.path
    for fmt in Format:
        if path.endswith("." + fmt.value):
            return fmt
    header = request.headers.get("accept", "").strip()
    if not header:
        return Format.JSON
    chosen = accepted(header, json_types)
    if chosen is None:
        offered = ", ".join([*json_types, *_CSV_TYPES])
        raise ApiError(
            406,
            "not-acceptable",
            f"cannot answer with {header!r}; this resource is available as {offered} "
            "(or add .json or .csv to the path)",
        )
    return chosen


def json_response(payload: Any) -> Response:
    return raw_response(orjson.dumps(payload), Format.JSON)


def csv_response(text: str) -> Response:
    return raw_response(text.encode("utf-8"), Format.CSV)


def raw_response(body: bytes, fmt: Format) -> Response:
    # Vary: the bare path answers JSON or CSV by Accept, so caches must key on it.
    return Response(body, media_type=MEDIA_TYPE[fmt], headers={"Vary": "Accept"})


def bounded_request(request: Request, state: AppState = Depends(get_state)) -> None:
    """Refuse a body over ``max_request_bytes`` (413) and query parameters the resource lacks (400)."""
    refuse_large_body(request, state.settings.max_request_bytes)
    refuse_unknown_parameters(request)


def refuse_large_body(request: HTTPConnection, limit: int) -> None:
    """413 for a body over ``limit`` bytes (the ``max_request_bytes`` setting), before it is read.

    Only a declared length can be checked here; a chunked body has none, so whoever
    reads it counts it too (:func:`bounded_receive`).
    """
    length = request.headers.get("content-length", "0")
    if length.isdigit() and int(length) > limit:
        raise body_too_large(int(length), limit)


def body_too_large(size: int, limit: int, *, streamed: bool = False) -> ApiError:
    """The 413 for a request body of ``size`` bytes over ``limit`` (``max_request_bytes``).

    ``streamed``: the body had no declared length and was refused once ``size`` bytes had come in.
    """
    has = f"more than {limit} bytes (refused after {size})" if streamed else f"{size} bytes"
    return ApiError(
        413,
        "request-too-large",
        f"the request body has {has}; the most accepted is {limit} (setting max_request_bytes)",
    )


def bounded_receive(receive: Receive, limit: int) -> Receive:
    """``receive``, raising :func:`body_too_large` as soon as the body streamed in passes ``limit`` bytes."""
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise body_too_large(seen, limit, streamed=True)
        return message

    return bounded


def refuse_unknown_parameters(request: Request) -> None:
    """400 for a query parameter the route does not take (a typo should not be silently ignored)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = {param.alias for param in dependant.query_params}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        valid = ", ".join(sorted(known)) or "none"
        raise ApiError(
            400,
            "unknown-parameter",
            f"unknown parameter {unknown[0]!r} for {request.url.path}; its parameters are: {valid}",
            location={"parameter": unknown[0]},
        )


def add_resource(
    router: APIRouter,
    path: str,
    endpoint: Callable[..., Response],
    *,
    name: str,
    summary: str,
    description: str,
    schema: dict[str, Any],
    csv_columns: str,
) -> None:
    """Register ``path.json``, ``path.csv`` and ``path`` (negotiated), each documented with its media types.

    The suffixed twins come first, so a path parameter never swallows the extension. Each also
    answers HEAD (FastAPI does not add it to GET routes), left out of OpenAPI.
    """
    json_content = {"application/json": {"schema": schema}}
    csv_content = {"text/csv": {"schema": {"type": "string", "description": csv_columns}}}
    for suffix, content in ((".json", json_content), (".csv", csv_content), ("", json_content | csv_content)):
        router.add_api_route(
            path + suffix,
            endpoint,
            methods=["GET"],
            name=name + suffix.replace(".", "_"),
            operation_id=name + suffix.replace(".", "_"),
            summary=summary + {".json": " (JSON)", ".csv": " (CSV)", "": ""}[suffix],
            description=description,
            response_class=Response,
            responses={200: {"description": "The result", "content": content}, **error_responses()},
        )
        router.add_api_route(
            path + suffix,
            endpoint,
            methods=["HEAD"],
            name=name + suffix.replace(".", "_") + "_head",
            include_in_schema=False,
            response_class=Response,
        )
