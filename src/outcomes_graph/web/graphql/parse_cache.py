"""Parse each GraphQL document once: clients send the same few documents again and again.

Only documents that parse are kept, and they are parsed with the token limit, so the
limit still holds: a document over it (or with a syntax error) is not cached, and
strawberry parses it again itself and reports the error as it always does. A parsed
document is never changed afterwards (graphql-core's AST nodes are frozen), so one
can serve every request that sends the same text.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension

__all__ = ["ParseCache"]


@functools.lru_cache(maxsize=256)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


class ParseCache(SchemaExtension):
    """Fill in the parsed document from the cache, before strawberry would parse it."""

    def __init__(self, *, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            # A document that fails stays unparsed: strawberry's own parse reports the error.
            with contextlib.suppress(GraphQLError):
                context.graphql_document = _parse(context.query, self.max_tokens)
        yield
