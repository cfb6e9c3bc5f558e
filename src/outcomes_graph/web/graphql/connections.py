"""Relay-style connections: ``totalCount``, ``pageInfo``, ``edges { cursor node }`` and ``nodes``.

Cursors are opaque strings: clients pass back an ``endCursor`` as ``after`` (or a
``startCursor`` as ``before``) and never build one themselves.

>>> window = Window.of(list("abcde"), first=2, after=encode_cursor(0))
>>> window.items, window.has_next, window.has_previous, decode_cursor(window.end_cursor or "")
(['b', 'c'], True, True, 2)
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from outcomes_graph.web.graphql.errors import bad_input
from outcomes_graph.web.graphql.limits import DEFAULT_LIMITS, Limits

__all__ = ["Connection", "Edge", "PageInfo", "Window", "decode_cursor", "encode_cursor"]

T = TypeVar("T")
N = TypeVar("N")
_PREFIX = "og:"


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset inside a cursor; a clear error for anything this API did not hand out."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX) or not text[len(_PREFIX) :].isdigit():
        raise bad_input(
            f"{cursor!r} is not a cursor of this API; pass back a startCursor or endCursor you received"
        )
    return int(text[len(_PREFIX) :])


@strawberry.type(description="Where a page sits in the whole list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="One item of a page and its cursor.")
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(
    description="A page of a list: totalCount counts the whole list, edges and nodes this page. Page with "
    "first/after (or last/before); a page holds 100 items unless first or last says otherwise, 1,000 at most."
)
class Connection(Generic[T]):
    total_count: int
    page_info: PageInfo
    edges: list[Edge[T]]
    nodes: list[T]


@dataclass(frozen=True)
class Window(Generic[N]):
    """The slice of a list that ``first``/``after``/``last``/``before`` select."""

    items: list[N]
    offset: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def end_cursor(self) -> str | None:
        return encode_cursor(self.offset + len(self.items) - 1) if self.items else None

    @classmethod
    def of(
        cls,
        items: Sequence[N],
        *,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> Window[N]:
        for name, size in (("first", first), ("last", last)):
            if size is not None and not 0 <= size <= limits.max_page:
                raise bad_input(
                    f"{name} must be between 0 and {limits.max_page}, not {size}; page with after"
                )
        start, end = 0, len(items)
        if after is not None:
            start = min(max(decode_cursor(after) + 1, 0), end)
        if before is not None:
            end = max(min(decode_cursor(before), end), start)
        if first is None and last is None:
            first = limits.default_page
        if first is not None:
            end = min(end, start + first)
        if last is not None:
            start = max(start, end - last)
        return cls(list(items[start:end]), start, len(items))

    def connection(self, nodes: Sequence[T]) -> Connection[T]:
        """The connection for this window, given the node built for each item."""
        edges = [Edge(cursor=encode_cursor(self.offset + i), node=node) for i, node in enumerate(nodes)]
        return Connection(
            total_count=self.total,
            page_info=PageInfo(
                has_next_page=self.has_next,
                has_previous_page=self.has_previous,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            edges=edges,
            nodes=list(nodes),
        )
