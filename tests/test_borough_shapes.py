"""The overlay shapes (shapes/overlays.ttl), tested by example files, one case per file.

``tests/data/boroughs/shapes/valid/*.ttl`` must conform; each ``invalid/*.ttl`` names in its first
lines the shape and path it must trip (``# shape: ogsh:...``, ``# path: CURIE``). Every named shape
of overlays.ttl that carries a rule has at least one invalid case.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import URIRef

from outcomes_graph.validate import curie, load_ontology, validate_graph

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "data" / "boroughs" / "shapes"
SHAPES = ROOT / "shapes" / "overlays.ttl"
VALID = sorted((CASES / "valid").glob("*.ttl"))
INVALID = sorted((CASES / "invalid").glob("*.ttl"))
HEADER = re.compile(r"^#\s*(shape|path):\s*(\S+)\s*$")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(ROOT / "ontology")


@pytest.fixture(scope="module")
def context() -> Graph:
    return Graph().parse(CASES / "context.ttl", format="turtle")


def _expected(case: Path, graph: Graph) -> tuple[str, str]:
    found = dict(m.groups() for line in case.read_text().splitlines()[:3] if (m := HEADER.match(line)))
    shape = str(graph.namespace_manager.expand_curie(found["shape"]))
    path = curie(str(graph.namespace_manager.expand_curie(found["path"])))
    return shape, path


def _names(shapes: Graph, shape: str) -> set[str]:
    """How validate.py names a violation of this shape or of one of its property shapes."""
    names = {shape, f"a blank shape inside {shape}"}
    for prop in shapes.objects(URIRef(shape), SH.property):
        names |= {str(label) for label in shapes.objects(prop, SH.name)}
    return names


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.stem)
def test_valid_case_conforms(case, shapes, ontology, context):
    report = validate_graph(Graph().parse(case), shapes=shapes, ontology=ontology, context=context)
    assert report.conforms, [v.message for v in report.violations]


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_case_trips_its_shape(case, shapes, ontology, context):
    data = Graph().parse(case)
    shape, path = _expected(case, data)
    report = validate_graph(data, shapes=shapes, ontology=ontology, context=context)
    matching = [v for v in report.violations if v.shape in _names(shapes, shape) and v.path == path]
    assert matching, (
        f"expected {shape} on {path}, got {[(v.shape, v.path, v.message) for v in report.violations]}"
    )
    assert all(v.message and "{?" not in v.message for v in matching)


def _shapes_with_rules() -> list[str]:
    graph = Graph().parse(SHAPES, format="turtle")
    return sorted(
        str(s)
        for s in set(graph.subjects(RDF.type, SH.NodeShape))
        if isinstance(s, URIRef)
        and (set(graph.predicates(s)) & {SH.targetClass, SH.target} or set(graph.predicates(s)) - NOT_RULES)
    )


#: Predicates of a named shape that are not rules of its own (a shape with only these, used through
#: sh:node, is tested through the shape that uses it).
NOT_RULES = {RDF.type, RDFS.label, SH.targetClass, SH.target, SH.property}


@pytest.mark.parametrize("shape", _shapes_with_rules(), ids=lambda s: s.rsplit("/", 1)[-1])
def test_every_overlay_shape_has_an_invalid_case(shape):
    named = {_expected(case, Graph().parse(case))[0] for case in INVALID}
    assert shape in named, f"no file in {CASES / 'invalid'} names {shape}"


def test_overlay_shapes_target_only_overlay_classes(shapes):
    """No overlay shape may touch framework sources: build validates them with every shape."""
    og = "https://w3id.org/common-outcomes/def/"
    targets = {str(o) for o in shapes.objects(None, SH.targetClass)}
    assert targets <= {
        og + n
        for n in (
            "BoroughOverlay",
            "LocalItem",
            "LocalIndicator",
            "LocalService",
            "LocalMapping",
            "DataAvailability",
        )
    }
