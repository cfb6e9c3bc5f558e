"""The borough overlay as RDF, and as the plain model the check reads from it.

Every overlay, whatever its format, becomes one graph in our vocabulary (``ontology/og.ttl``,
"Borough overlays"), to be kept in the named graph ``graph/borough/{gss}``. All its IRIs sit
under ``id/borough/{gss}/``, so the HTTP service can keep the whole overlay private by
withholding that one graph::

    id/borough/{gss}/overlay                a og:BoroughOverlay ; og:localAuthority id/borough/{gss}
    id/borough/{gss}/priority/{ID}          a og:LocalPriority ; og:servesDomain, og:servesTier
    id/borough/{gss}/indicator/{ID}         a og:LocalIndicator ; og:measures a priority ; og:dataSource
    id/borough/{gss}/indicator/{ID}/mapping/{n}   a og:LocalMapping (sssom: slots)
    id/borough/{gss}/availability/{n}       a og:DataAvailability ; og:metric ; og:availability ; og:reason
    id/borough/{gss}/service/{ID}           a og:LocalService ; og:aimsAt ; og:provider ; og:locality

:func:`model_from_graph` reads that graph back into :class:`Overlay`, the shape the analysis uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib import Literal as RdfLiteral
from rdflib.term import Node, URIRef

from outcomes_graph.errors import Location, SourceError
from outcomes_graph.spreadsheet import DEFAULT_MAX_BYTES, SheetLocation, refuse_large
from outcomes_graph.vocab import DCTERMS, OG, RDF, SKOS, SSSOM, graph_iri

__all__ = [
    "AvailabilityRecord",
    "ItemKind",
    "LocalItem",
    "LocalLink",
    "Overlay",
    "Problem",
    "model_from_graph",
    "overlay_graph_iri",
    "parse_rdf",
]

ItemKind = Literal["priority", "indicator", "service"]
_KIND_OF: dict[URIRef, ItemKind] = {
    OG.LocalPriority: "priority",
    OG.LocalIndicator: "indicator",
    OG.LocalService: "service",
}
_STATUS_OF = {OG.Available: "available", OG.Accessible: "accessible", OG.Missing: "missing"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an overlay, in the borough's terms: sheet, row, column, cell and a message."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    focus: str | None = None
    rule: str | None = None
    severity: Literal["error", "warning"] = "error"

    @classmethod
    def of(cls, error: SourceError, *, focus: str | None = None, rule: str | None = None) -> Problem:
        where = error.location
        if isinstance(where, SheetLocation):
            return cls(error.message, where.sheet, where.row, where.column, where.cell, focus, rule)
        return cls(
            error.message, where.file.name or None, where.row or where.line, where.column, None, focus, rule
        )

    @property
    def place(self) -> str:
        parts = [p for p in (self.sheet, f"row {self.row}" if self.row else None) if p]
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message

    def to_dict(self) -> dict[str, object]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "message": self.message,
            "text": str(self),
            "severity": self.severity,
            "focus_node": self.focus,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class LocalItem:
    iri: str
    kind: ItemKind
    id: str
    label: str
    domains: tuple[str, ...] = ()
    tier: str | None = None
    priority: str | None = None  # an indicator's priority
    definition: str = ""
    data_source: str = ""
    aims: tuple[str, ...] = ()  # a service's outcomes
    provider: str = ""
    localities: tuple[str, ...] = ()


@dataclass(frozen=True)
class LocalLink:
    """One local mapping: a local item to a framework concept."""

    record: str
    subject: str
    object: str
    predicate: str
    justification: str
    confidence: float | None = None
    author: str = ""


@dataclass(frozen=True)
class AvailabilityRecord:
    record: str
    metric: str
    status: str  # available | accessible | missing
    reason: str = ""
    source: str = ""


@dataclass
class Overlay:
    """An overlay read into plain data, with the graph it came from and where each node came from."""

    iri: str
    gss: str
    authority: str
    framework: str
    framework_version: str
    title: str
    graph: Graph
    items: dict[str, LocalItem] = field(default_factory=dict)
    links: list[LocalLink] = field(default_factory=list)
    availability: list[AvailabilityRecord] = field(default_factory=list)
    origins: dict[str, SheetLocation] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def of_kind(self, kind: ItemKind) -> list[LocalItem]:
        return [item for item in self.items.values() if item.kind == kind]

    @property
    def graph_iri(self) -> str:
        return overlay_graph_iri(self.gss, self.iri.split("id/borough/")[0])


def overlay_graph_iri(gss: str, base: str) -> str:
    """The named graph an overlay lives in: ``graph/borough/{gss}``."""
    return str(graph_iri(f"borough/{gss}", base))


def parse_rdf(
    data: bytes, file: Path, fmt: Literal["ttl", "jsonld"], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Graph:
    """A Turtle or JSON-LD overlay as a graph. JSON-LD contexts must be inline: nothing is fetched."""
    refuse_large(file, len(data), max_bytes)
    if not data.strip():
        raise SourceError(Location(file), "is empty; an overlay needs at least an og:BoroughOverlay")
    rdf_format = ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.JSON_LD
    try:
        quads = list(ox.parse(data, format=rdf_format))
    except SyntaxError as exc:
        raise SourceError(
            Location(file), f"is not valid {'Turtle' if fmt == 'ttl' else 'JSON-LD'}: {exc}"
        ) from None
    graph = Graph(store="SimpleMemory")
    for quad in quads:
        graph.add((_rdflib(quad.subject), URIRef(quad.predicate.value), _rdflib(quad.object)))
    return graph


def _rdflib(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return RdfLiteral(term.value, lang=term.language)
        return RdfLiteral(term.value, datatype=URIRef(term.datatype.value))
    raise SourceError(Location(Path("overlay")), f"holds an unsupported term {term!r}")


def model_from_graph(graph: Graph, file: Path, *, origins: dict[str, SheetLocation] | None = None) -> Overlay:
    """The overlay in ``graph``: exactly one og:BoroughOverlay and the items that are part of it.

    Items and records come in sheet-row order when ``origins`` says where each came from, else by IRI.
    The graph is read in one pass (a 500-row overlay has some 7,000 triples).
    """
    where = origins or {}
    about: dict[str, dict[str, list[str]]] = {}
    for s, p, o in graph:
        about.setdefault(str(s), {}).setdefault(str(p), []).append(str(o))

    def first(node: str, prop: URIRef) -> str:
        values = about.get(node, {}).get(str(prop))
        return min(values) if values else ""

    def every(node: str, prop: URIRef) -> tuple[str, ...]:
        return tuple(sorted(about.get(node, {}).get(str(prop), ())))

    by_type: dict[str, list[str]] = {}
    for node, props in about.items():
        for cls in props.get(str(RDF.type), ()):
            by_type.setdefault(cls, []).append(node)

    def instances(cls: URIRef) -> list[str]:
        found = by_type.get(str(cls), [])
        return sorted(found, key=lambda n: ((where[n].row or 0) if n in where else 0, n))

    overlays = instances(OG.BoroughOverlay)
    if len(overlays) != 1:
        raise SourceError(
            Location(file),
            f"holds {len(overlays)} og:BoroughOverlay nodes; an overlay file describes exactly one "
            "(id/borough/{GSS code}/overlay, with og:localAuthority id/borough/{GSS code})",
        )
    iri = overlays[0]
    authority = first(iri, OG.localAuthority)
    overlay = Overlay(
        iri=iri,
        gss=authority.rsplit("/", 1)[-1] if authority else "",
        authority=authority,
        framework=first(iri, OG.followsFramework),
        framework_version=first(iri, OG.frameworkVersion),
        title=first(iri, DCTERMS.title),
        graph=graph,
        origins=dict(where),
    )
    for cls, kind in _KIND_OF.items():
        for node in instances(cls):
            overlay.items[node] = LocalItem(
                iri=node,
                kind=kind,
                id=first(node, DCTERMS.identifier) or node.rsplit("/", 1)[-1],
                label=first(node, SKOS.prefLabel),
                domains=every(node, OG.servesDomain),
                tier=first(node, OG.servesTier) or None,
                priority=first(node, OG.measures) or None,
                definition=first(node, SKOS.definition),
                data_source=first(node, OG.dataSource),
                aims=every(node, OG.aimsAt),
                provider=first(node, OG.provider),
                localities=every(node, OG.locality),
            )
    for record in instances(OG.LocalMapping):
        subject, target = first(record, SSSOM.subject_id), first(record, SSSOM.object_id)
        predicate = first(record, SSSOM.predicate_id)
        if not (subject and target and predicate):
            continue  # SHACL reports it
        overlay.links.append(
            LocalLink(
                record,
                subject,
                target,
                predicate,
                first(record, SSSOM.mapping_justification),
                _float(first(record, SSSOM.confidence)),
                first(record, SSSOM.author_label),
            )
        )
    for record in instances(OG.DataAvailability):
        metric, status = first(record, OG.metric), _STATUS_OF.get(URIRef(first(record, OG.availability)))
        if metric and status:
            overlay.availability.append(
                AvailabilityRecord(
                    record, metric, status, first(record, OG.reason), first(record, OG.dataSource)
                )
            )
    return overlay


def _float(value: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
