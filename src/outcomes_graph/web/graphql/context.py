"""The typed context of one GraphQL request: the app state, fresh loaders, the alignment engine.

The loaders are new for each request, backed by the app's cache of the build the
request reads (:mod:`outcomes_graph.web.graphql.build_cache`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias, TypeVar, cast

import strawberry
from strawberry.fastapi import BaseContext

from outcomes_graph.alignment import Aligner
from outcomes_graph.alignment_index import AlignmentIndex, QueryStore
from outcomes_graph.errors import StoreError
from outcomes_graph.search import SearchIndex
from outcomes_graph.store import GraphStore
from outcomes_graph.web.graphql.build_cache import BuildCaches
from outcomes_graph.web.graphql.limits import DEFAULT_LIMITS, Limits
from outcomes_graph.web.graphql.loaders import Loaders
from outcomes_graph.web.state import AppState

__all__ = ["GraphQLContext", "Info", "engine_store"]

T = TypeVar("T")


def engine_store(store: GraphStore) -> QueryStore:
    """The store as the alignment engine needs it (which also reads the build folder)."""
    if not isinstance(getattr(store, "path", None), Path):
        raise StoreError("the alignment engine needs the embedded store (its build folder holds the indexes)")
    return cast(QueryStore, store)


class GraphQLContext(BaseContext):
    """What every resolver of one request shares. Built by the router's ``context_getter``."""

    def __init__(
        self, state: AppState, limits: Limits = DEFAULT_LIMITS, caches: BuildCaches | None = None
    ) -> None:
        super().__init__()
        self.state = state
        self.limits = limits
        #: The store this request reads from start to end, even if a new build is swapped in meanwhile.
        self.store = state.store
        shared = caches.of(self.store.info.build_id) if caches is not None else None
        self.loaders = Loaders(self.store, state.registry, shared)
        self._index: asyncio.Future[AlignmentIndex] | None = None
        self._search: asyncio.Future[SearchIndex] | None = None

    @property
    def aligner(self) -> Aligner:
        return Aligner(engine_store(self.store), self.state.registry)

    async def index(self) -> AlignmentIndex:
        """The alignment engine's index of this build (read once per build, kept by the engine)."""
        if self._index is None:
            aligner = self.aligner
            self._index = asyncio.ensure_future(_now(lambda: aligner.index))
        return await self._index

    async def search_index(self) -> SearchIndex:
        if self._search is None:
            aligner = self.aligner
            self._search = asyncio.ensure_future(_now(aligner.search_index))
        return await self._search

    async def engine(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        """Run an alignment-engine call (it may query the store) on this request's worker thread."""
        return call(*args, **kwargs)


async def _now(call: Callable[[], T]) -> T:
    return call()


Info: TypeAlias = strawberry.Info[GraphQLContext, None]
