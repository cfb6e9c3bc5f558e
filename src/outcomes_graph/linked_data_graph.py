"""A small builder for the graphs the service writes itself (VoID, DCAT, page metadata).

>>> from outcomes_graph.vocab import RDFS
>>> g = GraphBuilder()
>>> g.add("https://example.org/a", RDFS.label, literal("A"))
>>> g.add("https://example.org/a", RDFS.comment, None)  # absent values are skipped
>>> len(g.triples)
1
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from outcomes_graph.vocab import XSD

__all__ = ["GraphBuilder", "integer", "iri", "literal"]

Object = ox.NamedNode | ox.BlankNode | ox.Literal


def iri(value: Any) -> ox.NamedNode:
    """A named node from an rdflib ``URIRef``, a string or a named node."""
    return value if isinstance(value, ox.NamedNode) else ox.NamedNode(str(value))


def literal(value: Any, datatype: Any = None, *, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(str(value), language=language)
    return ox.Literal(str(value), datatype=iri(datatype) if datatype is not None else None)


def integer(value: int | str) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=iri(XSD.integer))


class GraphBuilder:
    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, subject: Any, predicate: Any, obj: Object | None) -> None:
        if obj is None:
            return
        node = subject if isinstance(subject, ox.BlankNode) else iri(subject)
        self.triples.append(ox.Triple(node, iri(predicate), obj))

    def extend(self, triples: list[ox.Triple]) -> None:
        self.triples.extend(triples)
