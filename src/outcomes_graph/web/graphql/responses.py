"""Which GraphQL answers no cache may keep: those that failed for a reason that passes.

A GET to ``/graphql`` is cached per build like every GET (``web/caching.py``): the graph
does not change until the next build, so neither does the answer. An answer with an
error of the store (``STORE_UNAVAILABLE``) or of the server (``INTERNAL_ERROR``) is not
fixed by the build, and is sent with ``Cache-Control: no-store`` instead.

>>> uncacheable({"data": None, "errors": [{"message": "m", "extensions": {"code": "STORE_UNAVAILABLE"}}]})
True
>>> uncacheable({"data": None, "errors": [{"message": "m", "extensions": {"code": "NOT_FOUND"}}]})
False
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = ["TRANSIENT_CODES", "uncacheable"]

#: ``extensions.code`` of the errors that another try may not repeat.
TRANSIENT_CODES: Final = frozenset({"STORE_UNAVAILABLE", "INTERNAL_ERROR"})


def uncacheable(response: Mapping[str, Any] | list[Any]) -> bool:
    """Whether ``response`` (one GraphQL answer, or a batch of them) holds a transient error."""
    answers = response if isinstance(response, list) else [response]
    return any(
        (error.get("extensions") or {}).get("code") in TRANSIENT_CODES
        for answer in answers
        for error in answer.get("errors") or ()
    )
