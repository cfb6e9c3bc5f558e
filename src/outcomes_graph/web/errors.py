"""One JSON shape for every error the service returns, pinned by ``tests/web/test_errors.py``::

    {"error": {"status": 400, "code": "query-syntax", "title": "Bad Request",
               "detail": "SPARQL syntax error: error at 1:25: ...", "location": {"line": 1, "column": 25}}}

``location`` appears only where there is one.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from outcomes_graph.errors import OutcomesGraphError, QueryError, SourceError, StoreError, UsageError

__all__ = ["ApiError", "error_body", "install_error_handlers"]


class ApiError(Exception):
    """An error with an HTTP status, raised by handlers and turned into the JSON shape."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        location: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.location, self.headers = (
            status,
            code,
            detail,
            location,
            headers,
        )


def error_body(status: int, code: str, detail: str, location: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {
        "status": status,
        "code": code,
        "title": HTTPStatus(status).phrase,
        "detail": detail,
    }
    if location:
        error["location"] = location
    return {"error": error}


def _respond(status: int, code: str, detail: str, location: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> JSONResponse:  # fmt: skip
    return JSONResponse(error_body(status, code, detail, location), status_code=status, headers=headers)


_STATUS_OF: list[tuple[type[OutcomesGraphError], int, str]] = [
    (QueryError, 400, "query-error"),
    (UsageError, 400, "bad-request"),
    (SourceError, 400, "invalid-input"),
    (StoreError, 503, "store-unavailable"),
]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _respond(exc.status, exc.code, exc.detail, exc.location, exc.headers)

    @app.exception_handler(OutcomesGraphError)
    async def library_error(_: Request, exc: OutcomesGraphError) -> JSONResponse:
        for kind, status, code in _STATUS_OF:
            if isinstance(exc, kind):
                return _respond(status, code, str(exc))
        return _respond(500, "internal-error", str(exc))

    @app.exception_handler(Exception)
    async def fault(_: Request, exc: Exception) -> JSONResponse:
        # Starlette's server-error layer calls this, then re-raises so that uvicorn logs the
        # traceback; the client gets the error shape instead of a plain-text 500.
        return _respond(
            500,
            "internal-error",
            f"the server failed while it answered ({type(exc).__name__}); the fault is logged. "
            "Try again, and report it if it happens again.",
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-")
        return _respond(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        detail = f"{where}: {first.get('msg', 'invalid request')}" if where else str(first.get("msg", exc))
        return _respond(422, "invalid-parameter", detail, {"parameter": where} if where else None)
