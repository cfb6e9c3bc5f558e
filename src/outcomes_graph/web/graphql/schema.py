"""The schema: built by :func:`build_schema` from the types, with the limits and the error policy.

``api/schema.graphql`` is its SDL snapshot; ``tests/web/test_graphql_schema.py`` fails
when the two drift. Regenerate the snapshot with::

    .venv/bin/python -m outcomes_graph.web.graphql > api/schema.graphql
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import ValidationCache
from strawberry.types import ExecutionContext, ExecutionResult

from outcomes_graph.web.graphql.concepts import CONCEPT_TYPES
from outcomes_graph.web.graphql.errors import ErrorPolicy
from outcomes_graph.web.graphql.limits import DEFAULT_LIMITS, Limits, limit_extensions
from outcomes_graph.web.graphql.parse_cache import ParseCache
from outcomes_graph.web.graphql.query import Query

__all__ = ["build_schema", "sdl"]


class _Schema(strawberry.Schema):
    """The schema, executing each request on a worker thread with an event loop of its own.

    Resolvers then call the store directly: a pyoxigraph result is read on the thread
    that ran its query (DESIGN §7), the server's event loop never waits on the store,
    and a nested request pays one thread hand-off instead of one per loader batch.
    """

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        run = super().execute
        result: ExecutionResult = await run_in_threadpool(lambda: asyncio.run(run(*args, **kwargs)))
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Do not log: the caller's errors are answers, and ErrorPolicy logs internal ones."""


@functools.cache
def build_schema(limits: Limits = DEFAULT_LIMITS) -> strawberry.Schema:
    """The GraphQL schema with ``limits`` enforced (one per distinct limits, built on first use)."""
    return _Schema(
        query=Query,
        types=list(CONCEPT_TYPES),
        extensions=[
            *limit_extensions(limits),
            # A client sends the same few documents again and again: parse and validate each once.
            lambda: ParseCache(max_tokens=limits.max_tokens),
            lambda: ValidationCache(maxsize=256),
            lambda: ErrorPolicy(max_tokens=limits.max_tokens),
        ],
    )


def sdl() -> str:
    """The schema in SDL, as ``api/schema.graphql`` holds it."""
    return build_schema().as_str().rstrip() + "\n"
