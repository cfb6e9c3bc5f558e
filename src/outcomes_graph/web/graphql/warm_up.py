"""Fill each build's GraphQL cache before the first client asks (``api/graphql/warm-up.graphql``).

The graph is immutable between builds, so what the loaders read for one request holds
for every later one (``build_cache``). Only the first request after a build reads it
from the store, and a nested request then takes about three times as long as the
equivalent SPARQL query (``bench/bench_graphql.py``, "cold"). So ``outcomes-graph serve``
runs the warm-up request through the schema itself as soon as a worker serves a build:
the same resolvers and loaders fill the same cache a client's request would, and
nothing is read that a client's request would not read.

The request runs on a daemon thread of its own, which checks for a new build every
``interval`` seconds (a server switches builds within a second of ``outcomes-graph build``).
A failed warm-up is logged and costs nothing else: requests then read the store as before.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import strawberry

from outcomes_graph.web.graphql.build_cache import BuildCaches
from outcomes_graph.web.graphql.context import GraphQLContext
from outcomes_graph.web.graphql.limits import DEFAULT_LIMITS, Limits
from outcomes_graph.web.state import AppState

__all__ = ["WarmUp", "Warmed", "document_path"]

log = logging.getLogger(__name__)


def document_path(state: AppState) -> Path:
    return state.settings.data_dir / "api" / "graphql" / "warm-up.graphql"


@dataclass(frozen=True)
class Warmed:
    """One warm-up: the build it read, how long it took, and the errors the schema reported."""

    build_id: str
    seconds: float
    errors: tuple[str, ...] = ()


class WarmUp:
    """Runs the warm-up request once per build the app serves."""

    def __init__(
        self,
        schema: strawberry.Schema,
        state: AppState,
        caches: BuildCaches,
        *,
        limits: Limits = DEFAULT_LIMITS,
        interval: float = 1.0,
    ) -> None:
        self.schema = schema
        self.state = state
        self.caches = caches
        self.limits = limits
        self.interval = interval
        self.last: Warmed | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def warm(self) -> Warmed | None:
        """Run the warm-up request now if the served build has not been warmed; None when it had."""
        build_id = self.state.store.info.build_id
        if self.last is not None and self.last.build_id == build_id:
            return None
        path = document_path(self.state)
        started = time.perf_counter()
        try:
            document = path.read_text(encoding="utf-8")
            context = GraphQLContext(self.state, self.limits, self.caches)
            result = asyncio.run(self.schema.execute(document, context_value=context))
            errors = tuple(error.message for error in result.errors or ())
        except Exception as exc:  # never take the server down: requests read the store instead
            errors = (f"{type(exc).__name__}: {exc}",)
        warmed = Warmed(build_id, time.perf_counter() - started, errors)
        if errors:
            log.warning("GraphQL warm-up of build %s (%s) failed: %s", build_id, path, "; ".join(errors))
        else:
            log.info("GraphQL cache of build %s warmed in %.2f s", build_id, warmed.seconds)
        self.last = warmed
        return warmed

    def start(self) -> None:
        """Warm now and after every change of build, on a daemon thread, until :meth:`stop`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="graphql-warm-up", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.warm()
            except Exception:  # the store may be mid-switch: try again at the next tick
                log.exception("GraphQL warm-up could not read the served build")
            self._stop.wait(self.interval)
