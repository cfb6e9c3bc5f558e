"""What the GraphQL loaders read from one build, kept across requests until the next build is served.

The graph is immutable between builds, so the answer to ``describe <iri>`` (or to any
named query with the same parameters) cannot change while the same build is served.
Each app keeps one :class:`BuildCache` per build id (:class:`BuildCaches`); a request
takes the cache of the build its store belongs to, so a request still reading the old
build after a reload never mixes its answers into the new build's cache.

The cache is bounded: each entry has a weight (about the number of strings it holds,
given by the caller), and the least recently used entries go once the total passes
``max_weight``. It is shared by the worker threads, so every access takes a lock;
what it holds (``Facts``, tuples, rows) is never mutated after it is stored.

>>> cache = BuildCache("b1", max_weight=3)
>>> cache.put_many("describe", [("a", "A"), ("b", "B")], weigh=lambda _: 2)
>>> cache.get_many("describe", ["a", "b"]), len(cache)
({'b': 'B'}, 1)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Final

from outcomes_graph.settings import DEFAULT_GRAPHQL_CACHE_WEIGHT

__all__ = ["DEFAULT_MAX_WEIGHT", "BuildCache", "BuildCaches"]

DEFAULT_MAX_WEIGHT: Final = DEFAULT_GRAPHQL_CACHE_WEIGHT


class BuildCache:
    """A bounded least-recently-used map of ``(namespace, key)`` to a loaded value, for one build."""

    def __init__(self, build_id: str, *, max_weight: int = DEFAULT_MAX_WEIGHT) -> None:
        self.build_id = build_id
        self.max_weight = max_weight
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[str, Hashable], tuple[Any, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def weight(self) -> int:
        return self._weight

    def get_many(self, namespace: str, keys: Iterable[Hashable]) -> dict[Any, Any]:
        """The cached values of those ``keys`` that are cached."""
        found: dict[Any, Any] = {}
        with self._lock:
            for key in keys:
                entry = self._entries.get((namespace, key))
                if entry is None:
                    self.misses += 1
                    continue
                self.hits += 1
                self._entries.move_to_end((namespace, key))
                found[key] = entry[0]
        return found

    def put_many(
        self, namespace: str, items: Iterable[tuple[Hashable, Any]], *, weigh: Callable[[Any], int]
    ) -> None:
        """Keep each ``(key, value)``; ``weigh(value)`` is its share of ``max_weight``."""
        with self._lock:
            for key, value in items:
                weight = max(1, weigh(value))
                if weight > self.max_weight:
                    continue
                old = self._entries.pop((namespace, key), None)
                if old is not None:
                    self._weight -= old[1]
                self._entries[(namespace, key)] = (value, weight)
                self._weight += weight
            while self._weight > self.max_weight:
                _, (_, weight) = self._entries.popitem(last=False)
                self._weight -= weight

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0


class BuildCaches:
    """The :class:`BuildCache` of each build an app serves: the newest two, older ones are dropped.

    Two, because requests that started on the previous build finish on it after a reload
    (``AppState``): they keep their own cache without pushing the new build's out.
    ``max_weight=0`` turns caching off (every lookup misses), which the benchmark uses
    to measure the first request after a build.
    """

    KEEP: Final = 2

    def __init__(self, *, max_weight: int = DEFAULT_MAX_WEIGHT) -> None:
        self.max_weight = max_weight
        self._caches: OrderedDict[str, BuildCache] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, build_id: str) -> BuildCache:
        """The cache for ``build_id``, made on first use."""
        with self._lock:
            cache = self._caches.get(build_id)
            if cache is None:
                cache = self._caches[build_id] = BuildCache(build_id, max_weight=self.max_weight)
                while len(self._caches) > self.KEEP:
                    self._caches.popitem(last=False)
            return cache

    def clear(self) -> None:
        """Forget everything: the next request reads the store as the first one after a build does."""
        with self._lock:
            self._caches.clear()
