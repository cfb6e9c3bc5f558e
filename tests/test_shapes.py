"""SHACL shapes, tested by example files (one case per file).

``tests/shapes/valid/*.ttl`` must conform. Each ``tests/shapes/invalid/*.ttl`` starts with comment
lines naming what it must trip::

    # shape: ogsh:ConceptStatusShape
    # path: og:status                 (a CURIE, or - for a node-level constraint)
    # focus: <https://...>            (optional)

CURIEs use the file's own @prefix declarations. Every case is validated with
``tests/shapes/context.ttl`` (small slices of three frameworks) as context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import URIRef

from outcomes_graph.validate import (
    ValidationReport,
    curie,
    load_ontology,
    load_shapes,
    validate_graph,
)

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "shapes"
VALID = sorted((CASES / "valid").glob("*.ttl"))
INVALID = sorted((CASES / "invalid").glob("*.ttl"))
HEADER = re.compile(r"^#\s*(shape|path|focus):\s*(\S+)\s*$")

# Predicates of a shape that are not constraints of its own.
NOT_CONSTRAINTS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    SH.target,
    SH.property,
    SH.message,
    SH.path,
    SH.name,
    SH.description,
    SH.severity,
}


@dataclass(frozen=True)
class Expectation:
    shape: str
    path: str | None  # a CURIE as validate.curie() writes it
    focus: str | None


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(ROOT / "shapes")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(ROOT / "ontology")


@pytest.fixture(scope="module")
def context() -> Graph:
    return Graph().parse(CASES / "context.ttl", format="turtle")


def _expand(term: str, graph: Graph) -> str:
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    return str(graph.namespace_manager.expand_curie(term))


def _expectation(case: Path, graph: Graph) -> Expectation:
    found: dict[str, str] = {}
    for line in case.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = HEADER.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    assert "shape" in found, f"{case.name}: start with a '# shape: <shape IRI or CURIE>' line"
    assert "path" in found, f"{case.name}: start with a '# path: <CURIE or ->' line"
    path = None if found["path"] == "-" else curie(_expand(found["path"], graph))
    focus = _expand(found["focus"], graph) if "focus" in found else None
    return Expectation(shape=_expand(found["shape"], graph), path=path, focus=focus)


def _describe(report: ValidationReport) -> str:
    lines = [
        f"{v.focus_node} | {v.shape} | {v.path} | {v.constraint} | {v.message}" for v in report.violations
    ]
    return "\n".join(lines) or "(no violations)"


def _validate(case: Path, shapes: Graph, ontology: Graph, context: Graph) -> tuple[Graph, ValidationReport]:
    data = Graph().parse(case, format="turtle")
    return data, validate_graph(data, shapes=shapes, ontology=ontology, context=context)


def test_cases_are_there() -> None:
    assert len(VALID) >= 8
    assert len(INVALID) >= 20


def test_context_conforms(shapes: Graph, ontology: Graph) -> None:
    report = validate_graph(Graph().parse(CASES / "context.ttl"), shapes=shapes, ontology=ontology)
    assert report.conforms, _describe(report)


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.stem)
def test_valid_case_conforms(case: Path, shapes: Graph, ontology: Graph, context: Graph) -> None:
    _, report = _validate(case, shapes, ontology, context)
    assert report.conforms, _describe(report)


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_case_trips_its_shape(case: Path, shapes: Graph, ontology: Graph, context: Graph) -> None:
    data, report = _validate(case, shapes, ontology, context)
    expected = _expectation(case, data)
    assert (URIRef(expected.shape), RDF.type, None) in shapes, f"{expected.shape} is not a shape in shapes/"
    matching = [
        v
        for v in report.violations
        if v.shape == expected.shape
        and v.path == expected.path
        and (expected.focus is None or v.focus_node == expected.focus)
    ]
    assert not report.conforms
    assert matching, f"expected {expected}, got:\n{_describe(report)}"
    assert all(v.message and not re.search(r"\{[?$]", v.message) for v in matching), _describe(report)


def _shapes_with_constraints() -> list[str]:
    graph = load_shapes(ROOT / "shapes")
    named = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    return sorted(
        str(s)
        for s in named
        if isinstance(s, URIRef) and any(p not in NOT_CONSTRAINTS for p in graph.predicates(s))
    )


@pytest.mark.parametrize("shape", _shapes_with_constraints(), ids=lambda s: s.rsplit("/", 1)[-1])
def test_every_shape_has_an_invalid_case(shape: str) -> None:
    named = set()
    for case in INVALID:
        graph = Graph().parse(case, format="turtle")
        named.add(_expectation(case, graph).shape)
    assert shape in named, f"no file in tests/shapes/invalid/ names {shape}"


# validate_graph's own behaviour, shown on the case files.


def test_context_is_not_reported(shapes: Graph, ontology: Graph, context: Graph) -> None:
    broken_context = Graph()
    broken_context += context
    broken_context.remove((None, URIRef("http://purl.org/dc/terms/title"), None))
    data = Graph().parse(CASES / "valid" / "mapping-curated-and-asserted.ttl")
    report = validate_graph(data, shapes=shapes, ontology=ontology, context=broken_context)
    assert report.conforms, _describe(report)


def test_message_counts_what_is_wrong(shapes: Graph, ontology: Graph, context: Graph) -> None:
    _, report = _validate(CASES / "invalid" / "concept-two-english-preflabels.ttl", shapes, ontology, context)
    (violation,) = report.violations
    assert violation.constraint == "sh:UniqueLangConstraintComponent"
    assert violation.message.startswith("has 2 skos:prefLabel@en; ")


def test_sparql_message_names_the_value(shapes: Graph, ontology: Graph, context: Graph) -> None:
    _, report = _validate(CASES / "invalid" / "mapping-object-does-not-exist.ttl", shapes, ontology, context)
    (violation,) = report.violations
    assert violation.value == "<https://w3id.org/common-outcomes/id/lof/outcome/best-strat-in-life>"
    assert violation.message.startswith(
        "https://w3id.org/common-outcomes/id/lof/outcome/best-strat-in-life is not"
    )


def test_to_json_has_every_field(shapes: Graph, ontology: Graph, context: Graph) -> None:
    _, report = _validate(CASES / "invalid" / "mapping-confidence-above-one.ttl", shapes, ontology, context)
    (row,) = report.to_json()
    assert row == {
        "focus_node": "https://w3id.org/common-outcomes/id/mapping/fhab-lof/16",
        "shape": "https://w3id.org/common-outcomes/shapes/MappingConfidenceShape",
        "constraint": "sh:MaxInclusiveConstraintComponent",
        "path": "sssom:confidence",
        "value": '"1.5"^^xsd:double',
        "severity": "Violation",
        "message": row["message"],
    }
    assert row["message"].startswith('sssom:confidence "1.5"^^xsd:double; confidence is at most one')
