"""GraphQL errors that teach: a code, the offending input, and suggestions.

Every error in a response carries ``extensions.code``; a lookup that found nothing
also carries ``extensions.suggestions``::

    {"message": "no framework 'lofx'; did you mean 'lof'?",
     "path": ["framework"],
     "extensions": {"code": "NOT_FOUND", "suggestions": ["lof"]}}

Unexpected failures are masked as ``INTERNAL_ERROR`` and logged, never shown.

>>> error = not_found("framework", "lofx", ["lof", "lgof", "phof"])
>>> str(error), error.suggestions
("no framework 'lofx'; did you mean 'lof' or 'lgof'?", ('lof', 'lgof'))
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from outcomes_graph.errors import OutcomesGraphError, StoreError

__all__ = ["ErrorPolicy", "UserError", "bad_input", "did_you_mean", "not_found"]

log = logging.getLogger(__name__)


class UserError(Exception):
    """An error in the request, shown to the caller with a code and suggestions."""

    def __init__(
        self, message: str, *, code: str = "BAD_USER_INPUT", suggestions: Iterable[str] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.suggestions = tuple(suggestions)


def did_you_mean(value: str, choices: Iterable[str], *, n: int = 3) -> list[str]:
    """The choices closest to ``value``, case-insensitively, best first."""
    by_key: dict[str, str] = {}
    for choice in choices:
        by_key.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(value.strip().lower(), list(by_key), n=n, cutoff=0.6)
    return [by_key[key] for key in close]


def _either(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


def not_found(
    what: str, value: str, choices: Iterable[str] = (), *, suggested: list[str] | None = None, hint: str = ""
) -> UserError:
    """``no {what} '{value}'; did you mean ...?`` with the suggestions attached.

    The suggestions are the ``choices`` closest to ``value``, or ``suggested`` when given.
    """
    options = list(choices)
    suggestions = did_you_mean(value, options) if suggested is None else suggested
    message = f"no {what} '{value}'"
    if suggestions:
        message += f"; did you mean {_either(suggestions)}?"
    elif hint:
        message += f"; {hint}"
    elif 0 < len(options) <= 20:
        message += f"; use one of: {', '.join(options)}"
    return UserError(message, code="NOT_FOUND", suggestions=suggestions)


def bad_input(message: str, *, suggestions: Iterable[str] = ()) -> UserError:
    return UserError(message, code="BAD_USER_INPUT", suggestions=suggestions)


_TOKEN_LIMIT = "Document contains more than"


class ErrorPolicy(SchemaExtension):
    """Give every error a code; keep the caller's errors, mask internal ones."""

    def __init__(self, *, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self.explain(error) for error in result.errors]

    def explain(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        extensions: dict[str, Any] = dict(error.extensions or {})
        message = error.message
        if isinstance(original, UserError):
            extensions["code"] = original.code
            if original.suggestions:
                extensions["suggestions"] = list(original.suggestions)
        elif isinstance(original, StoreError):
            extensions["code"] = "STORE_UNAVAILABLE"
        elif isinstance(original, OutcomesGraphError):
            extensions["code"] = "BAD_USER_INPUT"
        elif isinstance(original, GraphQLError) and error.path is None:
            # A variable's value that does not fit its type: graphql-core wraps the coercion's own
            # GraphQLError, with a message that names the variable. The caller's, not the server's.
            extensions["code"] = "BAD_USER_INPUT"
            original = None
        elif original is not None:
            log.error("GraphQL resolver failed", exc_info=original)
            message, extensions = "internal error; the server log has the details", {"code": "INTERNAL_ERROR"}
            original = None
        elif _TOKEN_LIMIT in message:
            message = (
                f"the query has more than {self.max_tokens} tokens, the limit; "
                "split it into smaller queries, or reuse selections with fragments and variables"
            )
            extensions = {"code": "TOKEN_LIMIT", "limit": self.max_tokens}
        else:
            extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED")
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=original,
            extensions=extensions,
        )
