from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from outcomes_graph.errors import SourceError
from outcomes_graph.framework_tables import SourceRegistry, add_concepts, add_gaps
from outcomes_graph.vocab import BASE, DCTERMS, OG, RDF, SKOS

HEADER = (
    "kind,ref,pref_label,notation,candidate_notation,fingertips_id,broader,candidate_broader,status,sources"
)
SOURCES = SourceRegistry({"S1": URIRef("https://example.org/s1"), "P4": URIRef(BASE + "id/source/P4")})
PHOF = URIRef(BASE + "id/phof")


def concepts(tmp_path: Path, *rows: str, slug: str = "phof", datatype: URIRef | None = OG.PhofCode) -> Graph:
    path = tmp_path / "concepts.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    graph = Graph()
    add_concepts(graph, path, slug=slug, base=BASE, sources=SOURCES, notation_datatype=datatype, origins={})
    return graph


def iri(path: str) -> URIRef:
    return URIRef(BASE + "id/phof/" + path)


def test_concept_triples(tmp_path):
    g = concepts(
        tmp_path,
        "domain,B,Wider determinants of health,,,,,,V,S1",
        "indicator,90631,School readiness: x,,B02a,90631,,domain/B,V,S1|P4",
        "indicator,10401,First time entrants to the youth justice system,B04,,10401,domain/B,,V,S1",
    )
    readiness = iri("indicator/90631")
    assert (readiness, RDF.type, OG.Indicator) in g
    assert (readiness, SKOS.inScheme, PHOF) in g
    assert (readiness, SKOS.prefLabel, Literal("School readiness: x", lang="en")) in g
    # A U code is a candidate notation, never skos:notation; an I parent is a candidate broader.
    assert (readiness, OG.candidateNotation, Literal("B02a")) in g
    assert (readiness, OG.candidateBroader, iri("domain/B")) in g
    assert (readiness, SKOS.broader, None) not in g
    assert set(g.objects(readiness, SKOS.notation)) == {Literal("90631", datatype=OG.FingertipsId)}
    assert set(g.objects(readiness, DCTERMS.source)) == {
        URIRef("https://example.org/s1"),
        URIRef(BASE + "id/source/P4"),
    }
    entrants = iri("indicator/10401")
    assert (entrants, SKOS.notation, Literal("B04", datatype=OG.PhofCode)) in g
    assert (entrants, SKOS.broader, iri("domain/B")) in g
    assert (iri("domain/B"), SKOS.narrower, entrants) in g
    assert (iri("domain/B"), SKOS.topConceptOf, PHOF) in g
    assert (entrants, SKOS.topConceptOf, PHOF) not in g


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("topic,x,X,,,,,,V,S1", "kind", "'topic' is not a kind; use one of: domain, tier"),
        ("outcome,x,X,,,,,,I,S1", "status", "'I' is not allowed here; use one of V, P, P*"),
        ("outcome,x,X,,,,,,NF,S1", "status", "items marked I, U or NF belong in gaps.csv"),
        ("outcome,x,X,,,,,,V,S9", "sources", "source id 'S9' is not in frameworks/sources/sources.csv"),
        ("outcome,x,X,,,,outcome/y,,V,S1", "broader", "'outcome/y' is not a concept of this table"),
        ("outcome,x,X,,,,y,,V,S1", "broader", "'y' is not kind/ref"),
        ("outcome,x y,X,,,,,,V,S1", "ref", "'x y' is not a valid ref"),
        ("indicator,x,X,,,9o631,,,V,S1", "fingertips_id", "'9o631' is not a whole number"),
    ],
    ids=[
        "unknown-kind",
        "inferred-status",
        "nf-status",
        "unknown-source",
        "unknown-broader",
        "bad-broader",
        "bad-ref",
        "bad-fingertips-id",
    ],
)
def test_row_errors_name_the_column(tmp_path, row, column, message):
    with pytest.raises(SourceError, match=message) as err:
        concepts(tmp_path, row)
    assert err.value.location.row == 1
    assert err.value.location.column == column


def test_duplicate_concept(tmp_path):
    with pytest.raises(SourceError, match="'outcome/x' appears twice") as err:
        concepts(tmp_path, "outcome,x,X,,,,,,V,S1", "outcome,x,Y,,,,,,V,S1")
    assert err.value.location.row == 2


def test_gaps(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text(
        "ref,label,kind,parent,expected_count,candidate_label,status,sources\n"
        "enablers,Enabler titles,enabler,,3,The workforce is equipped and effective,U,S1\n",
        encoding="utf-8",
    )
    g = Graph()
    add_gaps(g, path, slug="cscnf", base=BASE, sources=SOURCES, origins={})
    gap = URIRef(BASE + "id/cscnf/gap/enablers")
    assert (gap, RDF.type, OG.KnownGap) in g
    assert (gap, RDF.type, SKOS.Concept) not in g
    assert (gap, OG.status, OG.Unverified) in g
    assert (gap, OG.candidateLabel, Literal("The workforce is equipped and effective", lang="en")) in g
    assert (gap, SKOS.prefLabel, None) not in g


def test_gap_may_not_be_verified(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("ref,label,status\nx,Something,V\n", encoding="utf-8")
    with pytest.raises(SourceError, match="'V' is not allowed here; use one of NF, U"):
        add_gaps(Graph(), path, slug="cof", base=BASE, sources=SOURCES, origins={})
