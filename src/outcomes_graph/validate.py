"""Validate RDF against the SHACL shapes in ``shapes/`` and report violations in plain words.

pyshacl does the work; this module turns its report graph into frozen dataclasses whose
messages say what is wrong and what is valid::

    report = validate_graph(graph, shapes=load_shapes(Path("shapes")),
                            ontology=load_ontology(Path("ontology")))
    for v in report.violations:
        print(v.focus_node, v.message)

>>> curie("http://www.w3.org/2004/02/skos/core#prefLabel")
'skos:prefLabel'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
import pyshacl
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import BNode, Graph
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node, URIRef

from outcomes_graph.errors import UsageError
from outcomes_graph.vocab import QUERY_PREFIXES, RDF, RDFS, XSD

__all__ = [
    "Severity",
    "ValidationReport",
    "Violation",
    "curie",
    "load_ontology",
    "load_shapes",
    "validate_graph",
]

Severity = Literal["Violation", "Warning", "Info"]

_SEVERITIES: dict[Node, Severity] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_NODE_KINDS = {"IRI": "an IRI", "Literal": "a literal", "BlankNode": "a blank node"}


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in words. ``path``, ``constraint`` and datatypes are CURIEs."""

    focus_node: str  # IRI or blank-node id (_:b0)
    shape: str  # the source shape IRI, or a readable name for a blank shape
    constraint: str  # e.g. "sh:MinCountConstraintComponent"
    path: str | None  # CURIE of the result path
    value: str | None  # the offending value, N-Triples-ish
    severity: Severity
    message: str  # what is wrong and what is valid


@dataclass(frozen=True)
class ValidationReport:
    """``conforms`` is true when no result of severity ``Violation`` remains."""

    conforms: bool
    violations: tuple[Violation, ...]

    def to_json(self) -> list[dict[str, str | None]]:
        return [asdict(v) for v in self.violations]


def curie(iri: str) -> str:
    """Shorten an IRI with the project's CURIE prefixes; unknown IRIs come back as ``<iri>``."""
    prefixes = {**QUERY_PREFIXES, "sh": str(SH)}
    best = ""
    for prefix, namespace in prefixes.items():
        local = iri[len(namespace) :]
        fits = iri.startswith(namespace) and local and "/" not in local and "#" not in local
        if fits and (not best or len(namespace) > len(prefixes[best])):
            best = prefix
    return f"{best}:{iri[len(prefixes[best]) :]}" if best else f"<{iri}>"


def load_shapes(shapes_dir: Path) -> Graph:
    """All ``*.ttl`` files of ``shapes_dir``, merged into one graph."""
    return _load_dir(shapes_dir)


def load_ontology(ontology_dir: Path) -> Graph:
    """All ``*.ttl`` files of ``ontology_dir``, merged into one graph."""
    return _load_dir(ontology_dir)


def validate_graph(
    data: Graph, *, shapes: Graph, ontology: Graph, context: Graph | None = None
) -> ValidationReport:
    """Validate ``data`` (with ``context``, the graphs it refers to) against ``shapes``.

    The ontology is mixed in so that ``sh:class`` and ``sh:targetClass`` see subclasses.
    Only results whose focus node is a subject of ``data`` are kept, so neither context
    nor ontology is re-reported. No input graph is modified: validation runs on an
    in-memory pyoxigraph copy, where pyshacl's SPARQL constraints run many times faster
    than on rdflib (which parses each query again for every focus node).
    """
    graphs = (data, context or Graph())
    store = ox.Store()
    # The ontology is added here rather than as pyshacl's ont_graph (same effect, a full
    # mix-in): pyshacl 0.40.1 fails to copy RDF lists (owl:oneOf) into an Oxigraph store.
    for graph in (*graphs, ontology):
        store.bulk_extend(ox.Quad(_ox_subject(s), ox.NamedNode(str(p)), _ox_object(o)) for s, p, o in graph)
    _conforms, results, text = pyshacl.validate(
        _StoreDataGraph(store),
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        inplace=True,
        allow_warnings=True,
    )
    if not isinstance(results, Graph):  # pyshacl reports a broken shape this way
        raise UsageError(f"the SHACL shapes could not be run: {text}; fix the shape it names in shapes/")
    violations = []
    # Only top-level results: nested ones (under sh:detail) explain a parent result.
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        if focus is None or (focus, None, None) not in data:
            continue
        violations.append(_violation(results, result, focus, shapes, graphs))
    violations.sort(key=lambda v: (v.focus_node, v.shape, v.path or "", v.value or "", v.message))
    unique = tuple(dict.fromkeys(violations))
    return ValidationReport(conforms=not any(v.severity == "Violation" for v in unique), violations=unique)


class _StoreDataGraph(OxigraphDataGraph):
    """pyshacl's view of a pyoxigraph store, with a cheap truth test: pyshacl evaluates
    ``datagraph or shapes`` for every result, and ``len()`` would count the whole store."""

    def __bool__(self) -> bool:
        return True


def _load_dir(directory: Path) -> Graph:
    graph = Graph()
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise UsageError(f"{directory}: no *.ttl files found; point to the repository's folder")
    for file in files:
        graph.parse(file, format="turtle")
    return graph


def _ox_subject(term: Node) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(str(term)) if isinstance(term, BNode) else ox.NamedNode(str(term))


def _ox_object(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term; blank-node ids are kept, so results map back."""
    if not isinstance(term, RdfLiteral):
        return _ox_subject(term)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


def _term(node: Node) -> str:
    """N-Triples-ish text of a term, with the datatype as a CURIE."""
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, RdfLiteral):
        text = '"' + str(node).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and node.datatype != XSD.string:
            return f"{text}^^{curie(str(node.datatype))}"
        return text
    return f"<{node}>"


def _shape_name(shapes: Graph, shape: Node) -> str:
    if isinstance(shape, URIRef):
        return str(shape)
    label = shapes.value(shape, SH.name) or shapes.value(shape, RDFS.label)
    parent = next(iter(shapes.subjects(None, shape)), None)  # e.g. the node shape of a sh:property
    inside = f" inside {parent}" if isinstance(parent, URIRef) else ""
    return str(label) if label is not None else f"a blank shape{inside}"


def _violation(
    results: Graph, result: Node, focus: Node, shapes: Graph, graphs: tuple[Graph, ...]
) -> Violation:
    component = results.value(result, SH.sourceConstraintComponent)
    shape = results.value(result, SH.sourceShape)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    severity = _SEVERITIES.get(results.value(result, SH.resultSeverity) or SH.Violation, "Violation")
    shown_path = curie(str(path)) if isinstance(path, URIRef) else None
    reported = [str(m) for m in results.objects(result, SH.resultMessage)]
    own = [m for m in shapes.objects(shape, SH.message) if isinstance(m, RdfLiteral)] if shape else []
    own_text = {str(m) for m in own}
    if component == SH.SPARQLConstraintComponent:
        specific = [m for m in reported if m not in own_text]
        message = (specific or reported or ["breaks a SPARQL rule"])[0]
    else:
        english = [m for m in own if m.language in (None, "en")]
        rule = str(english[0]) if english else _generic_rule(component, shape, shapes, reported)
        objects = {o for g in graphs for o in g.objects(focus, path)} if isinstance(path, URIRef) else set()
        fact = _fact(component, focus, value, objects, shown_path)
        message = f"{fact}; {rule}" if fact else rule
    return Violation(
        focus_node=_term(focus) if isinstance(focus, BNode) else str(focus),
        shape=_shape_name(shapes, shape) if shape is not None else "an unknown shape",
        constraint=curie(str(component)),
        path=shown_path,
        value=_term(value) if value is not None else None,
        severity=severity,
        message=message,
    )


def _fact(
    component: Node | None, focus: Node, value: Node | None, objects: set[Node], shown: str | None
) -> str:
    """What is wrong; for count constraints, counted from the data (``objects``: the path's values)."""
    name = shown or "value"
    if component in (SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent) and shown:
        return f"has no {name}" if not objects else f"has {len(objects)} {name}"
    if component == SH.UniqueLangConstraintComponent and shown:
        langs = Counter(o.language for o in objects if isinstance(o, RdfLiteral) and o.language)
        return "; ".join(f"has {n} {name}@{lang}" for lang, n in sorted(langs.items()) if n > 1)
    if value is not None and value != focus:
        return f"{name} {_term(value)}"
    return ""


def _generic_rule(component: Node | None, shape: Node | None, shapes: Graph, reported: list[str]) -> str:
    """What is valid, from the constraint's parameter, for shapes without an ``sh:message``."""
    local = str(component).removeprefix(str(SH)).removesuffix("ConstraintComponent")
    param = shapes.value(shape, SH[local[:1].lower() + local[1:]]) if shape is not None and local else None
    if param is None:
        return reported[0] if reported else f"breaks {curie(str(component))}"
    if isinstance(param, BNode) and shapes.value(param, RDF.first) is not None:
        items = Collection(shapes, param)
        shown = ", ".join(curie(str(i)) if isinstance(i, URIRef) else _term(i) for i in items)
    else:
        shown = curie(str(param)) if isinstance(param, URIRef) else str(param)
    rules = {
        "MinCount": f"at least {shown} required",
        "MaxCount": f"at most {shown} allowed",
        "In": f"use one of: {shown}",
        "Datatype": f"the datatype must be {shown}",
        "NodeKind": f"must be {_NODE_KINDS.get(shown.removeprefix('sh:'), shown)}",
        "Class": f"must be a {shown}",
        "Pattern": f"must match the pattern {shown}",
        "MinInclusive": f"must be at least {shown}",
        "MaxInclusive": f"must be at most {shown}",
        "MinExclusive": f"must be more than {shown}",
        "MaxExclusive": f"must be less than {shown}",
        "MinLength": f"must be at least {shown} characters long",
        "MaxLength": f"must be at most {shown} characters long",
        "LanguageIn": f"the language must be one of: {shown}",
        "UniqueLang": "at most one value per language is allowed",
        "HasValue": f"must include {shown}",
    }
    return rules.get(local, reported[0] if reported else f"breaks {curie(str(component))}")
