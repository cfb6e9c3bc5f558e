"""What a loaded source is: the RDF it yields and where each node came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node, URIRef

from outcomes_graph.errors import Location

__all__ = ["LoadedSource", "SourceUnit"]


@dataclass(frozen=True)
class SourceUnit:
    """One unit of the build: a framework folder, a mapping file or an ontology file.

    ``key`` names its graph (``lof`` → ``graph/lof``, ``mappings/fhab-lof`` → ``graph/mappings/fhab-lof``).
    """

    key: str
    kind: str  # "ontology" | "framework" | "mappings"
    files: tuple[Path, ...]


@dataclass
class LoadedSource:
    """The RDF of one source unit, with the origin of every subject it defines."""

    unit: SourceUnit
    graph_iri: URIRef
    graph: Graph
    origins: dict[Node, Location] = field(default_factory=dict)

    def locate(self, node: Node) -> Location | None:
        return self.origins.get(node)
