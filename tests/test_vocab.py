"""The vocabulary in ``ontology/og.ttl`` declares every ``og:`` term that code and shapes use.

Each used term is its own test case, so a failure names the missing term, e.g.
``test_term_used_in_code_is_declared[Outcome]``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Literal, URIRef

from outcomes_graph import vocab
from outcomes_graph.vocab import OG

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "og.ttl"
SOURCE = ROOT / "src" / "outcomes_graph"
SHAPES = ROOT / "shapes"
NAMESPACE = str(OG)
VANN_PREFIX = URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")


def _ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def _local(iri: str) -> str | None:
    """The local name of an ``og:`` IRI, or ``None`` for other IRIs and the namespace itself."""
    local = iri[len(NAMESPACE) :] if iri.startswith(NAMESPACE) else ""
    return local if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", local) else None


def _is_og(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "OG") or (
        isinstance(node, ast.Attribute) and node.attr == "OG"
    )


def _terms_in_python(path: Path) -> set[str]:
    """``OG.Name``, ``OG["Name"]`` and full ``og:`` IRIs in string constants."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_og(node.value) and id(node) not in called:
            if not node.attr.startswith("_"):
                found.add(node.attr)
        elif isinstance(node, ast.Subscript) and _is_og(node.value):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                found.add(node.slice.value)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.update(m for m in re.findall(re.escape(NAMESPACE) + r"([A-Za-z][A-Za-z0-9_]*)", node.value))
    return found


def _terms_in_code() -> list[str]:
    found: set[str] = set()
    for path in sorted(SOURCE.rglob("*.py")):
        found |= _terms_in_python(path)
    for iri in [*vocab.KINDS.values(), *vocab.STATUS_CODES.values()]:
        local = _local(str(iri))
        assert local, f"{iri} in vocab.KINDS or vocab.STATUS_CODES is not an og: term"
        found.add(local)
    return sorted(found)


def _terms_in_shapes() -> list[str]:
    """``og:`` IRIs in the shapes' triples, and ``og:`` names in their SPARQL text."""
    found: set[str] = set()
    for path in sorted(SHAPES.glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        for triple in graph:
            for node in triple:
                local = _local(str(node)) if isinstance(node, URIRef) else None
                if local:
                    found.add(local)
                if isinstance(node, Literal) and node.datatype is not None and _local(str(node.datatype)):
                    found.add(str(_local(str(node.datatype))))
        for query in graph.objects(None, SH.select):
            found.update(re.findall(r"\bog:([A-Za-z][A-Za-z0-9_]*)", str(query)))
            found.update(re.findall(re.escape(NAMESPACE) + r"([A-Za-z][A-Za-z0-9_]*)", str(query)))
    return sorted(found)


def _declared() -> list[str]:
    graph = _ontology()
    return sorted({local for s in graph.subjects(RDF.type, None) if (local := _local(str(s)))})


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _ontology()


def test_ontology_parses(ontology: Graph) -> None:
    assert len(ontology) > 0


def test_ontology_header(ontology: Graph) -> None:
    header = URIRef(NAMESPACE)
    assert (header, RDF.type, OWL.Ontology) in ontology
    for prop in (DCTERMS.title, DCTERMS.description, OWL.versionInfo, OWL.versionIRI, DCTERMS.created):
        assert ontology.value(header, prop) is not None, f"the ontology header has no {prop}"
    assert ontology.value(header, DCTERMS.license) == vocab.OGL_V3
    assert str(ontology.value(header, VANN_PREFIX)) == "og"


@pytest.mark.parametrize("term", _terms_in_code())
def test_term_used_in_code_is_declared(term: str, ontology: Graph) -> None:
    assert (OG[term], RDF.type, None) in ontology, f"og:{term} is used in src/ but not declared in {ONTOLOGY}"


@pytest.mark.parametrize("term", _terms_in_shapes())
def test_term_used_in_shapes_is_declared(term: str, ontology: Graph) -> None:
    assert (OG[term], RDF.type, None) in ontology, (
        f"og:{term} is used in shapes/ but not declared in {ONTOLOGY}"
    )


@pytest.mark.parametrize("term", _declared())
def test_declared_term_is_documented(term: str, ontology: Graph) -> None:
    iri = OG[term]
    assert ontology.value(iri, RDFS.label) is not None, f"og:{term} has no rdfs:label"
    assert (ontology.value(iri, SKOS.definition) or ontology.value(iri, RDFS.comment)) is not None, (
        f"og:{term} has no skos:definition or rdfs:comment"
    )
    assert ontology.value(iri, RDFS.isDefinedBy) == URIRef(NAMESPACE), (
        f"og:{term} has no rdfs:isDefinedBy og:"
    )


@pytest.mark.parametrize("term", sorted(_local(str(c)) or "" for c in vocab.KINDS.values()))
def test_kind_is_a_concept_class(term: str, ontology: Graph) -> None:
    assert (OG[term], RDFS.subClassOf, SKOS.Concept) in ontology


def test_statuses_have_their_codes(ontology: Graph) -> None:
    codes = {str(ontology.value(s, SKOS.notation)): s for s in ontology.subjects(RDF.type, OG.Status)}
    assert codes == {
        "V": OG.Verified,
        "P": OG.PartlyVerified,
        "I": OG.Inferred,
        "U": OG.Unverified,
        "NF": OG.NotFound,
    }
