"""Build metadata inside a remote store: the ``graph/build`` graph, written last by a remote build.

An embedded build keeps ``build.json`` beside its files; a remote store has no folder,
so the same record lives in one graph of the store itself::

    <https://w3id.org/common-outcomes/graph/build> a dcat:Dataset ;
        og:buildId "20261122T101500123Z-3f2a9c..." ;
        dct:created "2026-11-22T10:15:00+00:00"^^xsd:dateTime ;
        dct:hasPart <.../graph/lof>, <.../graph/fhab>, ... ;      # the public graphs
        rdf:value "{...build.json...}"^^rdf:JSON .

``rdf:value`` carries the whole ``build.json`` payload and is what readers load; the
other triples are for people querying the endpoint. The graph is never in the public
graph list, so queries through the store do not see it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Final

import pyoxigraph as ox

from outcomes_graph.errors import StoreError
from outcomes_graph.store import BuildInfo
from outcomes_graph.vocab import DCAT, DCTERMS, OG, RDF, XSD, graph_iri

__all__ = ["METADATA_KEY", "NoRemoteBuild", "info_from_triples", "metadata_graph", "metadata_ntriples"]

#: The key (``graph/{key}``) of the metadata graph; no source may use it.
METADATA_KEY: Final = "build"


class NoRemoteBuild(StoreError):
    """The remote store holds no build record yet."""

    def __init__(self, where: str) -> None:
        self.where = where
        super().__init__(
            f"{where} holds no outcomes-graph build (no build record in its metadata graph); "
            "run `outcomes-graph --sparql-endpoint URL --gsp-endpoint URL build` first"
        )


def _iri(term: object) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def metadata_graph(base: str) -> ox.NamedNode:
    """The IRI of the metadata graph under ``base``."""
    return _iri(graph_iri(METADATA_KEY, base))


def metadata_ntriples(info: BuildInfo, base: str) -> bytes:
    """The metadata graph of ``info`` as N-Triples."""
    node = metadata_graph(base)
    triples = [
        ox.Triple(node, _iri(RDF.type), _iri(DCAT.Dataset)),
        ox.Triple(node, _iri(OG.buildId), ox.Literal(info.build_id)),
        ox.Triple(node, _iri(DCTERMS.created), ox.Literal(info.built_at, datatype=_iri(XSD.dateTime))),
        *(ox.Triple(node, _iri(DCTERMS.hasPart), ox.NamedNode(iri)) for iri in info.public_graph_iris),
        ox.Triple(node, _iri(RDF.value), ox.Literal(json.dumps(asdict(info)), datatype=_iri(RDF.JSON))),
    ]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def info_from_triples(triples: Iterable[ox.Triple], where: str) -> BuildInfo:
    """The build record in a metadata graph's triples; ``where`` names the store for messages."""
    value, kind = _iri(RDF.value), _iri(RDF.JSON)
    payloads = [t.object for t in triples if t.predicate == value and isinstance(t.object, ox.Literal)]
    payload = next((p.value for p in payloads if p.datatype == kind), None)
    if payload is None:
        raise NoRemoteBuild(where)
    try:
        data = json.loads(payload)
        return BuildInfo(data["build_id"], data["built_at"], data["graphs"], data.get("timings", {}))
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"the build record in {where} is damaged ({exc}); build again") from None
