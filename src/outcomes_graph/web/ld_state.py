"""What the linked-data routes share: the published context and the per-build documents.

The vocabulary, the VoID description, the download files and the DCAT catalogue depend only
on the build, so each is made once (on first use, under a lock) and kept for the app's life,
keyed by build id.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request

from outcomes_graph.linked_data_dcat import catalog_document
from outcomes_graph.linked_data_describe import LdDocument
from outcomes_graph.linked_data_dumps import DumpSet, downloads_root, ensure_dumps
from outcomes_graph.linked_data_jsonld import CONTEXT_FILE, Context
from outcomes_graph.linked_data_vocabulary import Vocabulary, load_vocabulary
from outcomes_graph.linked_data_void import void_document
from outcomes_graph.store import GraphStore
from outcomes_graph.web.state import AppState, get_state

__all__ = ["LinkedData", "get_linked_data"]

T = TypeVar("T")
_CREATE = threading.Lock()


class LinkedData:
    def __init__(self, state: AppState) -> None:
        self.state = state
        self.base = state.settings.base
        self.context = Context.load(
            state.settings.data_dir / "api" / CONTEXT_FILE, base=self.base, url=self.base + CONTEXT_FILE
        )
        self._values: dict[tuple[str, str], Any] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @property
    def store(self) -> GraphStore:
        """The current build's store (which takes the fast union path itself when every graph is public)."""
        return self.state.store

    def _once(self, key: str, make: Callable[[], T]) -> T:
        build = self.state.build_id
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if (key, build) not in self._values:
                for stale in [k for k in self._values if k[0] == key and k[1] != build]:
                    del self._values[stale]  # an older build's document
                self._values[(key, build)] = make()
            value: T = self._values[(key, build)]
            return value

    def vocabulary(self) -> Vocabulary:
        return self._once("vocabulary", lambda: load_vocabulary(self.store, namespace=self.base + "def/"))

    def void(self) -> LdDocument:
        return self._once("void", lambda: void_document(self.store, self.state.registry, base=self.base))

    def dumps(self) -> DumpSet:
        def make() -> DumpSet:
            root = downloads_root(self.state.settings.store)
            return ensure_dumps(self.store, self.state.registry, root=root, prefixes=self.context.prefixes)

        found = self._once("dumps", make)
        if not found.complete:  # removed from disk under a running server: write them again
            with self._guard:
                self._values.pop(("dumps", found.build_id), None)
            found = self._once("dumps", make)
        return found

    def catalog(self) -> LdDocument:
        return self._once(
            "catalog",
            lambda: catalog_document(
                self.store, self.state.registry, self.dumps(), self.context, base=self.base
            ),
        )


def get_linked_data(request: Request) -> LinkedData:
    """FastAPI dependency: the app's linked-data state, made on first use."""
    holder = request.app.state
    found: LinkedData | None = getattr(holder, "linked_data", None)
    if found is None:
        with _CREATE:
            found = getattr(holder, "linked_data", None)
            if found is None:
                found = LinkedData(get_state(request))
                holder.linked_data = found
    return found
