"""What every request handler shares: settings, the store, the named queries. Built once per app.

The store follows the build: ``outcomes-graph build`` repoints the ``var/store`` link
at a new build, and at most once every :data:`RELOAD_INTERVAL` seconds a request
looks at the link (one ``readlink``) and, when it moved, opens the new build
read-only. Handlers that already hold the old store finish on it. Anything cached
per build is keyed by :attr:`AppState.build_id`, so it goes stale by itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
from fastapi import Request

from outcomes_graph.errors import StoreError
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.settings import Settings
from outcomes_graph.sparql_pool import WorkerPool
from outcomes_graph.store import EmbeddedStore, GraphStore
from outcomes_graph.web.caching import ResponseCache

__all__ = ["RELOAD_INTERVAL", "AppState", "get_state"]

T = TypeVar("T")

#: Seconds between two looks at the store link.
RELOAD_INTERVAL = 1.0
log = logging.getLogger(__name__)


class AppState:
    """The shared state of one app. ``store`` always answers from the newest installed build."""

    def __init__(self, settings: Settings, store: GraphStore, registry: QueryRegistry) -> None:
        self.settings = settings
        self.registry = registry
        self.query_pool: WorkerPool | None = None
        self.response_cache = ResponseCache()
        self._store = store
        self._link = store.path if isinstance(store, EmbeddedStore) else None
        self._folder = self._link.resolve() if self._link else None
        self._next_check = time.monotonic() + RELOAD_INTERVAL
        self._lock = threading.Lock()
        self._listeners: list[Callable[[GraphStore], None]] = []
        self._public: tuple[str, dict[str, None], bool] = ("", {}, False)
        self._memo: dict[str, tuple[str, Any]] = {}
        self._memo_lock = threading.Lock()

    @property
    def store(self) -> GraphStore:
        if time.monotonic() >= self._next_check:
            self.refresh()
        return self._store

    @property
    def build_id(self) -> str:
        return self.store.info.build_id

    @property
    def public_graph_iris(self) -> dict[str, None]:
        """The IRIs of the public graphs of the current build, in build order (a dict, for fast lookups)."""
        return self._visibility()[1]

    @property
    def everything_public(self) -> bool:
        """True when the embedded store holds public graphs only (and nothing in its default graph).

        Queries may then use pyoxigraph's union default graph instead of listing the
        public graphs, which is several times faster and sees exactly the same triples.
        """
        return self._visibility()[2]

    def _visibility(self) -> tuple[str, dict[str, None], bool]:
        store = self.store
        if self._public[0] != store.info.build_id:
            public = dict.fromkeys(store.info.public_graph_iris)
            everything = False
            if isinstance(store, EmbeddedStore):
                raw = store.raw
                graphs = {g.value for g in raw.named_graphs() if isinstance(g, ox.NamedNode)}
                unnamed = any(True for _ in raw.quads_for_pattern(None, None, None, ox.DefaultGraph()))
                blank = any(not isinstance(g, ox.NamedNode) for g in raw.named_graphs())
                everything = graphs <= public.keys() and not unnamed and not blank
            self._public = (store.info.build_id, public, everything)
        return self._public

    @property
    def store_folder(self) -> Path | None:
        """The build folder the embedded store reads (None for a remote store)."""
        self.store  # noqa: B018  (looks at the link when it is time)
        return self._folder

    def per_build(self, name: str, make: Callable[[GraphStore], T]) -> T:
        """``make(store)``, made once per build under ``name`` and shared until the next build is served."""
        store = self.store
        build = store.info.build_id
        held = self._memo.get(name)
        if held is not None and held[0] == build:
            return held[1]  # type: ignore[no-any-return]
        # One maker at a time: what is made here (the borough tools) reads the whole build.
        with self._memo_lock:
            held = self._memo.get(name)
            if held is None or held[0] != build:
                held = (build, make(store))
                self._memo[name] = held
        return held[1]

    def on_reload(self, listener: Callable[[GraphStore], None]) -> None:
        """Call ``listener(new_store)`` after each reload."""
        self._listeners.append(listener)

    def refresh(self, *, force: bool = False) -> bool:
        """Open the build the store link points at now, if it moved; True when it did."""
        if not self._lock.acquire(blocking=force):
            return False
        try:
            self._next_check = time.monotonic() + RELOAD_INTERVAL
            if self._link is None:
                # A remote store reads its build record again itself; a writer only hurries it.
                expire = getattr(self._store, "expire", None)
                if force and callable(expire):
                    expire()
                return False
            try:
                target = self._link.resolve(strict=True)
            except OSError:
                return False
            if target == self._folder:
                return False
            try:
                fresh = EmbeddedStore(target)
            except StoreError as exc:
                log.warning("store link moved to %s but it cannot be opened yet: %s", target, exc)
                return False
            self._store, self._folder = fresh, target
            log.info("now serving build %s from %s", fresh.info.build_id, self._folder)
        finally:
            self._lock.release()
        for listener in self._listeners:
            listener(fresh)
        return True


def get_state(request: Request) -> AppState:
    """FastAPI dependency: the state ``create_app`` attached to the app."""
    state: AppState = request.app.state.og
    return state
