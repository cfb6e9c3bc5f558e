"""SHACL validation of an overlay on its own graph plus only the nodes it refers to (DESIGN §4).

The context is fetched from the built store one node at a time (the named query
``borough-concept-context``): the framework concepts the overlay maps to, its FHAB domains and
tiers, the framework it follows and its local authority; a 500-row overlay touches a few dozen.
Only ``shapes/overlays.ttl`` runs, since an overlay holds nothing else the other shapes target
(:func:`foreign_nodes` refuses anything else). Violations come back in the borough's terms: the
sheet, row and column the node came from.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path

from rdflib import Graph
from rdflib.term import URIRef

from outcomes_graph.alignment_index import AlignmentIndex, QueryStore, named_rows
from outcomes_graph.borough_model import Overlay, Problem
from outcomes_graph.borough_resolve import ConceptResolver, ResolveError
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.validate import ValidationReport, Violation, curie, load_ontology, validate_graph
from outcomes_graph.vocab import DCTERMS, OG, RDF, SKOS, SSSOM

__all__ = [
    "OVERLAY_CLASSES",
    "OVERLAY_SHAPES",
    "context_graph",
    "foreign_nodes",
    "unknown_references",
    "validate_overlay",
]

OVERLAY_SHAPES = "overlays.ttl"
OVERLAY_CLASSES = frozenset(
    {
        OG.BoroughOverlay,
        OG.LocalPriority,
        OG.LocalIndicator,
        OG.LocalService,
        OG.LocalMapping,
        OG.DataAvailability,
    }
)
#: The sheet column each property is written in, per sheet (for placing a SHACL violation).
_TITLE = {"Priorities": "Priority", "Local indicators": "Indicator", "Services": "Service"}
PATH_COLUMNS: dict[URIRef, str] = {
    DCTERMS.identifier: "ID",
    SKOS.definition: "Definition",
    OG.dataSource: "Data source",
    OG.measures: "Priority",
    OG.servesDomain: "FHAB domains",
    OG.servesTier: "FHAB tier",
    OG.aimsAt: "Aims at",
    OG.provider: "Provider",
    OG.locality: "Locality",
    SSSOM.predicate_id: "Relation",
    SSSOM.confidence: "Confidence",
    SSSOM.mapping_justification: "Justification",
    SSSOM.author_label: "Mapped by",
    SSSOM.mapping_date: "Mapping date",
    OG.metric: "Metric",
    OG.availability: "Availability",
    OG.reason: "Reason",
    OG.localAuthority: "Value",
    OG.followsFramework: "Value",
    OG.frameworkVersion: "Value",
}
_REFERENCES = (SSSOM.object_id, OG.metric, OG.aimsAt, OG.servesDomain, OG.servesTier, OG.measures)
#: The properties whose values the context is fetched for: everything an overlay points at outside itself.
_CONTEXT = (*_REFERENCES, OG.localAuthority, OG.followsFramework)


@functools.lru_cache(maxsize=4)
def _rules(shapes_dir: Path, ontology_dir: Path, stamp: tuple[float, ...]) -> tuple[Graph, Graph]:
    shapes = Graph().parse(shapes_dir / OVERLAY_SHAPES, format="turtle")
    return shapes, load_ontology(ontology_dir)


def rules(shapes_dir: Path, ontology_dir: Path) -> tuple[Graph, Graph]:
    """The overlay shapes and the ontology, parsed once per process (again if a file changes)."""
    files = [shapes_dir / OVERLAY_SHAPES, *sorted(ontology_dir.glob("*.ttl"))]
    return _rules(shapes_dir, ontology_dir, tuple(f.stat().st_mtime for f in files))


def context_facts(store: QueryStore, registry: QueryRegistry) -> dict[str, list[tuple[str, str]]]:
    """The type and scheme triples of every node of the build, by node (one query, read once per build)."""
    facts: dict[str, list[tuple[str, str]]] = {}
    for row in named_rows(store, registry, "borough-context"):
        facts.setdefault(row["node"], []).append((row["p"], row["o"]))
    return facts


def context_graph(overlay: Graph, facts: Mapping[str, list[tuple[str, str]]]) -> Graph:
    """The facts about each node the overlay points at but does not describe: only those nodes."""
    own = {s for s in overlay.subjects() if isinstance(s, URIRef)}
    wanted = {o for prop in _CONTEXT for o in overlay.objects(None, prop) if isinstance(o, URIRef)} - own
    context = Graph()
    for iri in wanted:
        for p, o in facts.get(str(iri), ()):
            context.add((iri, URIRef(p), URIRef(o)))
    return context


def foreign_nodes(overlay: Overlay) -> list[Problem]:
    """Nodes typed with anything but the overlay's classes (a Turtle overlay may hold nothing else)."""
    problems = []
    for subject, cls in sorted(overlay.graph.subject_objects(RDF.type), key=str):
        if cls not in OVERLAY_CLASSES:
            problems.append(
                Problem(
                    f"is typed {curie(str(cls))}; an overlay describes only og:BoroughOverlay, "
                    "og:LocalPriority, og:LocalIndicator, og:LocalService, og:LocalMapping and "
                    "og:DataAvailability nodes (framework "
                    "concepts are referred to by IRI, not described)",
                    focus=str(subject),
                    column="rdf:type",
                )
            )
    return problems


def unknown_references(
    overlay: Overlay, index: AlignmentIndex, resolver: ConceptResolver, base: str
) -> list[Problem]:
    """For a Turtle or JSON-LD overlay: IRIs under ``id/`` that name no concept, with suggestions."""
    problems = []
    for prop in _REFERENCES:
        for subject, target in sorted(overlay.graph.subject_objects(prop), key=str):
            iri = str(target)
            if not isinstance(target, URIRef) or iri in index.nodes or iri in overlay.items:
                continue
            if (target, RDF.type, None) in overlay.graph:
                continue
            try:
                resolver.resolve(iri)
            except ResolveError as exc:
                problems.append(Problem(str(exc), focus=str(subject), column=curie(str(prop))))
    return problems


def validate_overlay(
    overlay: Overlay, context: Graph, *, shapes_dir: Path, ontology_dir: Path
) -> tuple[ValidationReport, list[Problem]]:
    """Run the overlay shapes; return the report and its violations placed in the borough's terms."""
    shapes, ontology = rules(shapes_dir, ontology_dir)
    report = validate_graph(overlay.graph, shapes=shapes, ontology=ontology, context=context)
    return report, place_violations(overlay, report.violations)


def place_violations(overlay: Overlay, violations: Iterable[Violation]) -> list[Problem]:
    """Each violation as a problem at the sheet, row and column of its node (or its focus node)."""
    known = {(p.sheet, p.row, p.column) for p in overlay.problems} | {
        (p.focus, p.column) for p in overlay.problems if p.focus
    }
    placed: list[Problem] = []
    for violation in violations:
        if violation.severity != "Violation":
            continue
        where = overlay.origins.get(violation.focus_node)
        path = _expand(violation.path)
        if where is not None:
            column = (
                _TITLE.get(where.sheet or "")
                if path == SKOS.prefLabel
                else PATH_COLUMNS.get(path)
                if path
                else None
            )
            if path == SSSOM.object_id or path == SSSOM.subject_id:
                column = where.column
            key = (where.sheet, where.row, column or where.column)
            if key in known:
                continue
            known.add(key)
            placed.append(
                Problem(
                    violation.message,
                    where.sheet,
                    where.row,
                    column or where.column,
                    None,
                    violation.focus_node,
                    violation.shape,
                )
            )
        else:
            if (violation.focus_node, violation.path) in known:
                continue
            known.add((violation.focus_node, violation.path))
            placed.append(
                Problem(
                    violation.message, None, None, violation.path, None, violation.focus_node, violation.shape
                )
            )
    return placed


def _expand(path: str | None) -> URIRef | None:
    if not path:
        return None
    from outcomes_graph.vocab import QUERY_PREFIXES

    prefix, _, local = path.partition(":")
    namespace = QUERY_PREFIXES.get(prefix)
    return URIRef(namespace + local) if namespace else None
