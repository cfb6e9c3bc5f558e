"""The OpenAPI description of ``GET /graphql`` and ``POST /graphql``: parameters, body, every answer.

strawberry registers its routes with a generic description (no parameters, no body,
an empty 200); :func:`describe` replaces it with this one. schemathesis
(``tests/web/test_openapi.py``) holds every answer of ``/graphql`` to what is written here,
so each entry says exactly what the router answers:

- 200 with GraphQL's ``{"data", "errors"}`` for every document that was received, however it
  fails (syntax, validation, limits, resolvers): the GraphQL answer always comes with 200;
- the service's JSON error shape for a request refused before GraphQL runs
  (:mod:`~outcomes_graph.web.graphql.http_errors`);
- GraphiQL (``text/html``) for a GET with no ``query`` from a browser.

>>> sorted(GET["responses"]), sorted(POST["responses"])
([200, 304, 400, 405, 413, 503], [200, 400, 413, 415, 503])
>>> sorted(ERROR_CODES) == sorted(GRAPHQL_ERROR["properties"]["extensions"]["properties"]["code"]["enum"])
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from outcomes_graph.web.rest_schemas import STR, Schema, error_responses

__all__ = ["ERROR_CODES", "GET", "GRAPHQL_ERROR", "GRAPHQL_REQUEST", "GRAPHQL_RESPONSE", "POST", "describe"]

_OBJECT: Final[Schema] = {"type": "object"}

#: ``extensions.code`` of a GraphQL error, and what it means (``errors.ErrorPolicy`` gives every error one).
ERROR_CODES: Final = {
    "GRAPHQL_VALIDATION_FAILED": "the document does not parse or does not fit the schema",
    "BAD_USER_INPUT": "an argument or variable is out of range or of the wrong type",
    "NOT_FOUND": "nothing has that name or IRI; extensions.suggestions lists the closest",
    "AMBIGUOUS": "a code names several concepts; extensions.suggestions lists them (narrow with framework)",
    "DEPTH_LIMIT": "the operation nests fields deeper than the limit (extensions.limit)",
    "ALIAS_LIMIT": "the document uses more aliases than the limit (extensions.limit)",
    "TOKEN_LIMIT": "the document has more tokens than the limit (extensions.limit)",
    "STORE_UNAVAILABLE": "the store could not be read; try again",
    "INTERNAL_ERROR": "an unexpected failure, logged by the server",
}

_LOCATION: Final[Schema] = {
    "type": "object",
    "required": ["line", "column"],
    "additionalProperties": False,
    "properties": {"line": {"type": "integer", "minimum": 1}, "column": {"type": "integer", "minimum": 1}},
}
GRAPHQL_ERROR: Final[Schema] = {
    "type": "object",
    "required": ["message", "extensions"],
    "additionalProperties": False,
    "properties": {
        "message": STR,
        "locations": {"type": "array", "items": _LOCATION},
        "path": {"type": "array", "items": {"type": ["string", "integer"]}},
        "extensions": {
            "type": "object",
            "required": ["code"],
            "properties": {
                "code": {"enum": list(ERROR_CODES)},
                "suggestions": {"type": "array", "items": STR},
                "limit": {"type": "integer"},
            },
        },
    },
}
GRAPHQL_RESPONSE: Final[Schema] = {
    "description": "A GraphQL response: data (null when nothing ran) and errors, if any",
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["data"]}, {"required": ["errors"]}],
    "properties": {
        "data": {"type": ["object", "null"]},
        "errors": {"type": "array", "minItems": 1, "items": GRAPHQL_ERROR},
        "extensions": _OBJECT,
    },
}

# Examples that answer with data over any build (the fixture graph's too): the frameworks, and one
# outcome of the Supporting Families framework with its counterparts.
_FRAMEWORKS: Final = "{ frameworks { totalCount nodes { slug title } } }"
_COUNTERPARTS: Final = (
    "query Counterparts($uri: String!) { concept(uri: $uri) { curie prefLabel framework { slug title } "
    "counterparts(first: 5) { totalCount nodes { curie relationLabel confidence } } } }"
)
_VARIABLES: Final = {"uri": "sf:outcome/H06"}

GRAPHQL_REQUEST: Final[Schema] = {
    "type": "object",
    "required": ["query"],
    "properties": {
        "query": {"type": "string", "description": "The GraphQL document"},
        "variables": {"type": ["object", "null"], "description": "Values of the document's variables"},
        "operationName": {
            "type": ["string", "null"],
            "description": "The operation to run, when the document holds several",
        },
        "extensions": {"type": ["object", "null"], "description": "Accepted; no extension is used"},
    },
}

_JSON_PARAMETER: Final = "a JSON object, URL-encoded"
_GET_PARAMETERS: Final[list[Schema]] = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "description": "The GraphQL document: a query (mutations are refused over GET with 405). "
        "Without it a browser (`Accept: text/html` or `*/*`) gets GraphiQL; anything else gets 400",
        "schema": STR,
        "examples": {
            "frameworks": {"value": _FRAMEWORKS},
            "counterparts": {"value": _COUNTERPARTS},
        },
    },
    {
        "name": "variables",
        "in": "query",
        "required": False,
        "description": f"Values of the document's variables: {_JSON_PARAMETER}",
        "content": {"application/json": {"schema": _OBJECT, "example": _VARIABLES}},
    },
    {
        "name": "operationName",
        "in": "query",
        "required": False,
        "description": "The operation to run, when the document holds several (400 if it names none)",
        "schema": STR,
        "example": "Counterparts",
    },
    {
        "name": "extensions",
        "in": "query",
        "required": False,
        "description": f"Accepted ({_JSON_PARAMETER}); no extension is used",
        "content": {"application/json": {"schema": _OBJECT}},
    },
]
_NO_CACHE: Final[Schema] = {
    "name": "Cache-Control",
    "in": "header",
    "required": False,
    "description": "`no-cache`: read the store afresh instead of what this server keeps of the build "
    "(a GET may still be answered from the HTTP cache, which is as fresh: a build never changes)",
    "schema": STR,
}
_IF_NONE_MATCH: Final[Schema] = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETags already held: a current one gets 304 Not Modified",
    "schema": STR,
}

_CACHE_HEADERS: Final[Schema] = {
    "ETag": {"description": "The build and the request (path, query, Accept, Host)", "schema": STR},
    "Cache-Control": {"description": "How long the answer may be reused", "schema": STR},
    "Vary": {"description": "Accept: the answer depends on it", "schema": STR},
}
_GRAPHQL_ERRORS: Final = (
    "Errors of the document (syntax, validation, a limit, a resolver) come with 200 too, in `errors`, "
    "each with `extensions.code`: "
    + "; ".join(f"`{code}`: {meaning}" for code, meaning in ERROR_CODES.items())
)


def _error(status: int, description: str, **fields: Schema) -> Schema:
    """A response in the service's error shape."""
    return {**error_responses((status,))[status], "description": description, **fields}


_REFUSED: Final = (
    "Refused before GraphQL ran: no query, JSON that does not parse or is not an object, a list of "
    "operations (batching is off), an operationName the document lacks, or a document with no operation"
)
_TOO_LARGE: Final = "The request body is over the max_request_bytes setting"
_STORE: Final = "The store could not be read"

GET: Final[Schema] = {
    "summary": "GraphiQL for a browser; a GraphQL query from the URL's parameters",
    "description": "A browser opening `/graphql` (no `query`, `Accept: text/html` or `*/*`) gets "
    "GraphiQL; `?query=...&variables=...&operationName=...` runs a query and answers JSON. "
    "The answer is cached per build, with an ETag.",
    "operation_id": "graphql_get",
    "parameters": [*_GET_PARAMETERS, _NO_CACHE, _IF_NONE_MATCH],
    "responses": {
        200: {
            "description": f"The GraphQL response, or GraphiQL (text/html). {_GRAPHQL_ERRORS}",
            "headers": _CACHE_HEADERS,
            "content": {
                "application/json": {"schema": GRAPHQL_RESPONSE},
                "text/html": {"schema": {"type": "string", "description": "The GraphiQL page"}},
            },
        },
        304: {"description": "Not Modified: the If-None-Match ETag is current", "headers": _CACHE_HEADERS},
        400: _error(400, _REFUSED),
        405: _error(
            405,
            "A mutation over GET: GET runs queries only",
            headers={"Allow": {"description": "POST", "schema": {"enum": ["POST"]}, "required": True}},
        ),
        413: _error(413, _TOO_LARGE),
        503: _error(503, _STORE),
    },
}

POST: Final[Schema] = {
    "summary": "A GraphQL request: the document, its variables and operation name as JSON",
    "description": "The GraphQL-over-HTTP request. One operation per request (a JSON list is refused).",
    "operation_id": "graphql_post",
    "parameters": [_NO_CACHE],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": GRAPHQL_REQUEST,
                "examples": {
                    "frameworks": {"value": {"query": _FRAMEWORKS}},
                    "counterparts": {
                        "value": {
                            "query": _COUNTERPARTS,
                            "variables": _VARIABLES,
                            "operationName": "Counterparts",
                        }
                    },
                },
            }
        },
    },
    "responses": {
        200: {
            "description": f"The GraphQL response. {_GRAPHQL_ERRORS}",
            "content": {"application/json": {"schema": GRAPHQL_RESPONSE}},
        },
        400: _error(400, f"{_REFUSED}, or a query, variables or extensions of the wrong JSON type"),
        413: _error(413, _TOO_LARGE),
        415: _error(415, "The body is not application/json"),
        503: _error(503, _STORE),
    },
}


def describe(routes: Iterable[BaseRoute], path: str) -> None:
    """Give the GET and POST routes at ``path`` (strawberry's) this description instead of theirs."""
    for route in routes:
        if not isinstance(route, APIRoute) or route.path != path:
            continue
        for method, operation in (("GET", GET), ("POST", POST)):
            if method in (route.methods or ()):
                route.summary = operation["summary"]
                route.description = operation["description"]
                route.operation_id = operation["operation_id"]
                route.responses = operation["responses"]
                route.openapi_extra = {
                    k: v for k, v in operation.items() if k in ("parameters", "requestBody")
                }
