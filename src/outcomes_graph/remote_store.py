"""A :class:`~outcomes_graph.store.GraphStore` over any SPARQL 1.1 endpoint (remote mode).

``outcomes-graph --sparql-endpoint URL ...`` reads the graph from a SPARQL 1.1 server
(Oxigraph, Fuseki, GraphDB, Virtuoso, Neptune) instead of the embedded store:

- every query names its dataset with ``default-graph-uri`` and ``named-graph-uri`` set to
  the public graphs of the build, so ``FROM``, ``FROM NAMED`` and ``GRAPH`` reach nothing
  else and private graphs stay invisible, as on the embedded store (DESIGN §6);
- answers are pyoxigraph objects (:mod:`outcomes_graph.remote_http`), so callers never branch;
- ``substitutions`` travel as ``VALUES`` clauses placed where pre-binding binds the variable
  (:mod:`outcomes_graph.remote_text`), and ``SERVICE`` is refused;
- the build record (what ``BuildInfo`` holds) is read from the store's own metadata graph
  (:mod:`outcomes_graph.remote_metadata`) and read again at most every ``refresh``
  seconds, so a server keeps up with remote builds and per-build caches go stale by
  themselves.

pyoxigraph results must be read on the thread that called :meth:`RemoteStore.query`,
exactly as for the embedded store (DESIGN §7).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import pyoxigraph as ox

from outcomes_graph.errors import StoreError
from outcomes_graph.remote_http import SparqlClient, redact
from outcomes_graph.remote_metadata import info_from_triples, metadata_graph
from outcomes_graph.remote_text import prepare
from outcomes_graph.store import BuildInfo, rows_of
from outcomes_graph.vocab import BASE, QUERY_PREFIXES

__all__ = ["DEFAULT_REFRESH", "DEFAULT_TIMEOUT", "RemoteStore"]

#: Seconds a remote query may take before it is abandoned (``open_store`` passes ``query_timeout``).
DEFAULT_TIMEOUT: Final = 60.0
#: Seconds between two reads of the build record.
DEFAULT_REFRESH: Final = 5.0
log = logging.getLogger(__name__)


class RemoteStore:
    """The graph on a SPARQL 1.1 endpoint. Queries see the public graphs of its build only."""

    def __init__(
        self,
        endpoint: str,
        *,
        base: str = BASE,
        timeout: float = DEFAULT_TIMEOUT,
        refresh: float = DEFAULT_REFRESH,
    ) -> None:
        self.endpoint = endpoint
        self._client = SparqlClient(endpoint, timeout=timeout)
        self._metadata = metadata_graph(base)
        self._refresh_every = refresh
        self._lock = threading.Lock()
        self._info = self._read_info()
        self._next_read = time.monotonic() + refresh

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    @property
    def shown_endpoint(self) -> str:
        """The endpoint URL without credentials, for messages and ``/health``."""
        return redact(self.endpoint)

    @property
    def path(self) -> Path:
        """A stand-in for a build folder (there is none): it names the endpoint, holds nothing,
        and keeps caches keyed by store path (alignment, search) apart per endpoint."""
        return Path("remote-store") / hashlib.sha256(self.endpoint.encode()).hexdigest()[:16]

    def expire(self) -> None:
        """Read the build record again on the next look (after a write this process made)."""
        self._next_read = 0.0

    @property
    def info(self) -> BuildInfo:
        """The build record, read again when ``refresh`` seconds have passed since the last read."""
        if time.monotonic() >= self._next_read and self._lock.acquire(blocking=False):
            try:
                self._info = self._read_info()
            except StoreError as exc:
                log.warning("keeping build %s: %s", self._info.build_id, exc)
            finally:
                self._next_read = time.monotonic() + self._refresh_every
                self._lock.release()
        return self._info

    @property
    def public_graphs(self) -> list[ox.NamedNode]:
        return [ox.NamedNode(iri) for iri in self.info.public_graph_iris]

    def query(
        self,
        sparql: str,
        *,
        substitutions: dict[ox.Variable, Any] | None = None,
        graphs: Sequence[ox.NamedNode] | None = None,
        prefixes: bool = False,
    ) -> Any:
        """Run a query over the union of ``graphs`` (default: every public graph) on the endpoint.

        Raises ``QueryError`` when the endpoint refuses the query, ``StoreError`` when it
        cannot be reached or does not answer within the timeout.
        """
        text = prepare(sparql, substitutions=substitutions, prefixes=QUERY_PREFIXES if prefixes else None)
        visible = self.public_graphs if graphs is None else list(graphs)
        if not visible:
            # No dataset parameters would mean the endpoint's own default dataset, private
            # graphs and all: name a graph no build writes, so an empty list sees nothing.
            visible = [ox.NamedNode(self._metadata.value + "/none")]
        return self._client.query(text, default_graphs=visible, named_graphs=visible)

    def select(
        self, sparql: str, *, substitutions: dict[ox.Variable, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Rows of a SELECT as plain dicts of pyoxigraph terms (for library code, not for big results)."""
        return rows_of(self.query(sparql, substitutions=substitutions))

    def quads(self, graphs: Iterable[ox.NamedNode] | None = None) -> Iterator[ox.Quad]:
        """Every quad of the public graphs (or of ``graphs``, which must be public), one graph at a time."""
        public = self.public_graphs
        wanted = public if graphs is None else [g for g in graphs if g in public]
        for graph in wanted:
            for triple in self._client.triples(graph):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    def _read_info(self) -> BuildInfo:
        triples = self._client.triples(self._metadata)
        return info_from_triples(triples, f"the SPARQL endpoint {self.shown_endpoint}")
