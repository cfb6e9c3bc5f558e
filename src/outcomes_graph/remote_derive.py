"""A borough write in remote mode: the changed graphs and then the build record, by Graph Store Protocol.

The remote counterpart of :func:`outcomes_graph.store_derive.derive_build`. Each changed graph
is replaced (or deleted) with one request, which the server applies atomically, and the
build record in the metadata graph is written last: a graph the record does not list as
public stays unseen by every reader, so a private overlay is never visible, and a new
visibility takes effect only with the record. Between the two requests a re-upload of a
public overlay is already served under the previous build id; a second passes at most.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import pyoxigraph as ox

from outcomes_graph.errors import StoreError
from outcomes_graph.remote_build import WRITE_TIMEOUT
from outcomes_graph.remote_http import GraphStoreClient, redact
from outcomes_graph.remote_metadata import NoRemoteBuild, info_from_triples, metadata_graph, metadata_ntriples
from outcomes_graph.settings import Settings
from outcomes_graph.store import BuildInfo
from outcomes_graph.store_derive import GraphChange, changed_records, derived_info

__all__ = ["derive_remote"]


def derive_remote(settings: Settings, changes: Mapping[str, GraphChange], build_id: str) -> BuildInfo:
    """Apply ``changes`` to the remote store and record build ``build_id``; call with the writer lock held."""
    if not settings.gsp_endpoint:
        raise StoreError(
            "borough writes in remote mode go by Graph Store Protocol: give the server --gsp-endpoint URL"
        )
    started = time.perf_counter()
    meta = metadata_graph(settings.base)
    where = f"the Graph Store Protocol endpoint {redact(settings.gsp_endpoint)}"
    with GraphStoreClient(settings.gsp_endpoint, timeout=WRITE_TIMEOUT) as gsp:
        triples = gsp.get(meta)
        if not triples:
            raise NoRemoteBuild(where)
        before = info_from_triples(triples, where)
        for iri, change in changes.items():
            if change.ntriples is None:
                gsp.delete(ox.NamedNode(iri))
            else:
                gsp.put(ox.NamedNode(iri), change.ntriples)
        info = derived_info(before, build_id, changed_records(before, changes), started)
        gsp.put(meta, metadata_ntriples(info, settings.base))
    return info
