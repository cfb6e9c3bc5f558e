"""Requests to ``/graphql`` that never reach GraphQL execution, answered in the service's one error shape.

strawberry refuses a malformed request (a body that is not JSON, no query, an
unsupported content type, a mutation over GET, ...) with a plain-text reason. The
router turns each into :class:`~outcomes_graph.web.errors.ApiError`, so the caller
gets ``{"error": {"status", "code", "title", "detail", "location"?}}`` as from every
other endpoint. Errors of a GraphQL document that was received (syntax, validation,
resolvers) stay in GraphQL's own ``{"errors": [...]}`` answer.

>>> error = api_error(400, "No GraphQL query found in the request", method="POST")
>>> error.status, error.code
(400, 'missing-query')
"""

from __future__ import annotations

import json
from typing import Final

from outcomes_graph.web.errors import ApiError

__all__ = ["NOT_AN_OBJECT", "NOT_UTF8", "api_error"]

#: The reason given for a JSON body (or ``variables``, ``extensions``) that is not an object.
NOT_AN_OBJECT: Final = "expected a JSON object"
#: The reason given for a body whose bytes are not text (JSON is UTF-8, or UTF-16/32 with its BOM).
NOT_UTF8: Final = "the body is not UTF-8"
_REQUEST: Final = (
    'POST {"query": "...", "variables": {...}, "operationName": "..."} as application/json, '
    "or GET /graphql?query=..."
)


def api_error(status: int, reason: str, *, method: str, cause: BaseException | None = None) -> ApiError:
    """The :class:`ApiError` for strawberry's refusal ``reason`` (with ``status``) of a ``method`` request."""
    if isinstance(cause, json.JSONDecodeError):
        where = "the variables or extensions parameter" if method == "GET" else "the request body"
        return ApiError(
            400,
            "invalid-json",
            f"{where} is not valid JSON: {cause.msg}; send {_REQUEST}",
            location={"line": cause.lineno, "column": cause.colno},
        )
    if isinstance(cause, UnicodeDecodeError):
        return ApiError(
            400,
            "invalid-json",
            f"the request body is not UTF-8 (byte {cause.start} does not decode); send {_REQUEST}",
        )
    if reason == NOT_AN_OBJECT:
        return ApiError(400, "invalid-request", f"{NOT_AN_OBJECT}; send {_REQUEST}")
    if reason == "Unsupported content type":
        return ApiError(415, "unsupported-media-type", f"a GraphQL request is {_REQUEST}")
    if reason.startswith("No GraphQL query found"):
        detail = (
            f"the request has no GraphQL query; send {_REQUEST} (a browser opening /graphql gets GraphiQL)"
        )
        return ApiError(400, "missing-query", detail)
    if reason == "Batching is not enabled":
        return ApiError(400, "batching-not-supported", "send one operation per request, not a JSON list")
    if reason.startswith("Unknown operation named"):
        return ApiError(
            400, "unknown-operation", f"{reason} operationName must name an operation of the query"
        )
    if reason == "Can't get GraphQL operation type":
        detail = "the query holds no operation to run; write one, or name it with operationName"
        return ApiError(400, "unknown-operation", detail)
    if reason.endswith(f"are not allowed when using {method}"):
        if method == "GET":
            detail = f"{reason}: GET runs queries only (and this API has no mutations)"
            return ApiError(405, "method-not-allowed", detail, headers={"Allow": "POST"})
        return ApiError(400, "operation-not-allowed", f"{reason}; this API answers queries")
    return ApiError(status, "invalid-request", reason)
