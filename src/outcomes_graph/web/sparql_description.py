"""The SPARQL 1.1 Service Description (``sd:``) that ``GET /sparql`` without a query answers.

It names the endpoint, the language (SPARQL 1.1 Query only: no update, no
federation), every result format, and the default dataset: the union of the public
graphs as the default graph, and each public graph as a named graph with its size.

>>> from outcomes_graph.store import BuildInfo
>>> info = BuildInfo("b1", "2026-01-01", [{"iri": "https://example.org/g", "triples": 3}], {})
>>> body = describe("http://127.0.0.1:8000/sparql", info, "ntriples")
>>> b"<http://127.0.0.1:8000/sparql> <http://www.w3.org/ns/sparql-service-description#endpoint>" in body
True
"""

from __future__ import annotations

import pyoxigraph as ox

from outcomes_graph.sparql_exec import GRAPH_FORMATS, RESULTS_FORMATS
from outcomes_graph.store import BuildInfo
from outcomes_graph.vocab import DCTERMS, RDF, VOID, XSD

__all__ = ["SD", "describe"]

#: The Service Description vocabulary (W3C, 2013).
SD = "http://www.w3.org/ns/sparql-service-description#"
_PREFIXES = {"sd": SD, "void": str(VOID), "dct": str(DCTERMS)}
_INTEGER = ox.NamedNode(str(XSD.integer))


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_INTEGER)


def describe(endpoint: str, info: BuildInfo, graph_format: str) -> bytes:
    """The service description of ``endpoint`` serving the build ``info``, in ``graph_format``."""
    service = ox.NamedNode(endpoint)
    a = ox.NamedNode(str(RDF.type))
    triples_of = ox.NamedNode(str(VOID.triples))
    dataset, default = ox.BlankNode(), ox.BlankNode()
    public = info.public_records
    formats = [f.iri for f, _ in RESULTS_FORMATS.values()] + [f.iri for f, _ in GRAPH_FORMATS.values()]
    named = [(g["iri"], int(g["triples"]), ox.BlankNode(), ox.BlankNode()) for g in public]
    # Grouped by subject, so that Turtle writes each node once.
    triples = [
        ox.Triple(service, a, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, ox.NamedNode(str(DCTERMS.title)), ox.Literal("outcomes-graph SPARQL endpoint")),
        *(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(iri)) for iri in formats),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, _sd("Dataset")),
        ox.Triple(dataset, ox.NamedNode(str(DCTERMS.identifier)), ox.Literal(info.build_id)),
        ox.Triple(dataset, _sd("defaultGraph"), default),
        *(ox.Triple(dataset, _sd("namedGraph"), node) for _, _, node, _ in named),
        ox.Triple(default, a, _sd("Graph")),
        ox.Triple(default, triples_of, _integer(sum(size for _, size, _, _ in named))),
    ]
    for iri, size, node, graph in named:
        triples += [
            ox.Triple(node, a, _sd("NamedGraph")),
            ox.Triple(node, _sd("name"), ox.NamedNode(iri)),
            ox.Triple(node, _sd("graph"), graph),
            ox.Triple(graph, a, _sd("Graph")),
            ox.Triple(graph, triples_of, _integer(size)),
        ]
    rdf_format = GRAPH_FORMATS[graph_format][0]
    return ox.serialize(triples, format=rdf_format, prefixes=_PREFIXES) or b""
