"""``outcomes-graph export``: the public graphs as Turtle, TriG, N-Quads, JSON-LD, SSSOM or CSV."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from outcomes_graph.errors import UsageError
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.sssom_export import export_mapping_sets
from outcomes_graph.store import GraphStore
from outcomes_graph.vocab import CURIE_PREFIXES

__all__ = ["EXPORT_FORMATS", "export"]

EXPORT_FORMATS = ("ttl", "trig", "nq", "jsonld", "sssom", "csv", "xlsx")
_QUAD_FORMATS = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}


def export(store: GraphStore, fmt: str, output: Path | None, *, queries_dir: Path) -> str:
    """Write the export; return a short description of what was written."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "sssom":
        return export_mapping_sets(store, output, registry=QueryRegistry.load(queries_dir))
    if fmt == "xlsx":
        from outcomes_graph.framework_xlsx import export_xlsx

        return export_xlsx(store, output, queries_dir=queries_dir)
    with _open(output) as stream:
        if fmt == "csv":
            query = QueryRegistry.load(queries_dir).get("concepts-table")
            result = store.query(query.sparql, substitutions=query.substitutions({}))
            stream.write(result.serialize(format=ox.QueryResultsFormat.CSV))
            return "the concepts table"
        if fmt == "ttl":
            triples = sorted({q.triple for q in _public_quads(store)}, key=str)
            stream.write(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=CURIE_PREFIXES) or b"")
            return f"{len(triples)} triples"
        quads = list(_public_quads(store))
        prefixes = CURIE_PREFIXES if fmt == "trig" else None
        stream.write(ox.serialize(quads, format=_QUAD_FORMATS[fmt], prefixes=prefixes) or b"")
        return f"{len(quads)} quads"


def _public_quads(store: GraphStore) -> Iterator[ox.Quad]:
    return store.quads()


@contextmanager
def _open(output: Path | None) -> Iterator[BinaryIO]:
    if output is None:
        yield sys.stdout.buffer
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as handle:
        yield handle
