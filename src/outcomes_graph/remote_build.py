"""The remote target of ``outcomes-graph build``: validated graphs written by Graph Store Protocol.

:func:`publish` runs after local validation has passed (nothing is sent before):

1. every graph is serialised to N-Triples first, so the writes are only network time;
2. each graph is replaced with ``PUT ?graph=IRI``;
3. the metadata graph (:mod:`outcomes_graph.remote_metadata`) is written last, and only
   then do readers switch to the new build id and public graph list;
4. graphs the previous build listed and this one does not are deleted.

The Graph Store Protocol has no transaction across graphs, so while a remote build runs
readers can see some graphs already replaced and others not yet, still under the
previous build id; a graph new in this build stays invisible until step 3, and a graph
dropped from it stays visible until then. A build that fails halfway leaves that mix
behind, under the previous build record, until a build succeeds (every step is an
idempotent replace, so building again repairs it). Graphs this project did not write,
private ones included, are never touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from outcomes_graph.errors import StoreError
from outcomes_graph.remote_http import GraphStoreClient, redact
from outcomes_graph.remote_metadata import METADATA_KEY, info_from_triples, metadata_graph, metadata_ntriples
from outcomes_graph.settings import Settings
from outcomes_graph.sources import LoadedSource
from outcomes_graph.store import BuildInfo

if TYPE_CHECKING:
    from outcomes_graph.store_derive import GraphChange

__all__ = ["WRITE_TIMEOUT", "Publication", "publish"]

#: Seconds one Graph Store Protocol request may take (a whole graph is sent at once).
WRITE_TIMEOUT = 300.0


@dataclass(frozen=True)
class Publication:
    """What a remote build wrote."""

    info: BuildInfo
    endpoint: str
    deleted: list[str]


def publish(
    settings: Settings,
    loaded: list[LoadedSource],
    records: list[dict[str, object]],
    *,
    build_id: str,
    built_at: str,
    timings: dict[str, float],
    progress: Callable[[str, str], None] | None = None,
    stored: Mapping[str, GraphChange] | None = None,
) -> Publication:
    """Write ``loaded`` (described by ``records``, one per source) to ``settings.gsp_endpoint``.

    ``stored`` adds the stored borough overlays (graph IRI → content and record), each with its
    own visibility, so that a build from the sources keeps them.
    """
    if not settings.gsp_endpoint:
        raise StoreError("a remote build needs a Graph Store Protocol URL (--gsp-endpoint)")
    meta = metadata_graph(settings.base)
    if any(r["iri"] == meta.value for r in records):
        raise StoreError(f"no source may be named {METADATA_KEY!r}: {meta.value} holds the build metadata")
    started = time.perf_counter()
    bodies = [source.graph.serialize(format="nt", encoding="utf-8") for source in loaded]
    with GraphStoreClient(settings.gsp_endpoint, timeout=WRITE_TIMEOUT) as gsp:
        previous = _previous_graphs(gsp, meta)
        for source, record, body in zip(loaded, records, bodies, strict=True):
            if progress:
                progress("write", source.unit.key)
            gsp.put(ox.NamedNode(str(record["iri"])), body)
        kept = [
            (iri, c) for iri, c in (stored or {}).items() if c.ntriples is not None and c.record is not None
        ]
        for iri, change in kept:
            gsp.put(ox.NamedNode(iri), change.ntriples or b"")
        records = [*records, *(change.record for _, change in kept if change.record is not None)]
        info = BuildInfo(build_id, built_at, records,
                         {**timings, "write_seconds": round(time.perf_counter() - started, 3)})  # fmt: skip
        gsp.put(meta, metadata_ntriples(info, settings.base))
        # Only graphs this build no longer holds at all go: a stored overlay made private stays.
        current = {str(g["iri"]) for g in info.graphs}
        stale = [iri for iri in previous if iri not in current]
        for iri in stale:
            gsp.delete(ox.NamedNode(iri))
    return Publication(info, redact(settings.gsp_endpoint), stale)


def _previous_graphs(gsp: GraphStoreClient, meta: ox.NamedNode) -> list[str]:
    """The public graphs the store's current build record lists (none if it has no readable one)."""
    triples = gsp.get(meta)
    if not triples:
        return []
    try:
        return info_from_triples(
            triples, f"the Graph Store Protocol endpoint {redact(gsp.url)}"
        ).public_graph_iris
    except StoreError:
        return []  # a damaged record is what a new build repairs
