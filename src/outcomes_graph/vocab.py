"""Namespaces and named terms: the only place URIs appear in Python code.

Every term of our own namespace used here is declared in ``ontology/og.ttl``;
``tests/test_vocab.py`` fails when one is not.

>>> str(OG.Outcome)
'https://w3id.org/common-outcomes/def/Outcome'
>>> kind_class("outcome") == OG.Outcome
True
"""

from __future__ import annotations

from typing import Final

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD
from rdflib.term import URIRef

__all__ = [
    "BASE",
    "CURIE_PREFIXES",
    "DCAT",
    "DCTERMS",
    "FOAF",
    "GRAPH",
    "ID",
    "KINDS",
    "LGI",
    "OG",
    "OGL_V3",
    "OWL",
    "PROV",
    "QB",
    "QUERY_PREFIXES",
    "RDF",
    "RDFS",
    "SCHEME_SLUGS",
    "SEMAPV",
    "SKOS",
    "SSSOM",
    "STATUS_CODES",
    "VOID",
    "XSD",
    "borough_iri",
    "graph_iri",
    "kind_class",
    "scheme_iri",
]

BASE: Final = "https://w3id.org/common-outcomes/"
OG: Final = Namespace(BASE + "def/")
ID: Final = Namespace(BASE + "id/")
GRAPH: Final = Namespace(BASE + "graph/")

SEMAPV: Final = Namespace("https://w3id.org/semapv/vocab/")
SSSOM: Final = Namespace("https://w3id.org/sssom/")
QB: Final = Namespace("http://purl.org/linked-data/cube#")
LGI: Final = Namespace("http://id.esd.org.uk/metricType/")
ONS_GSS: Final = Namespace("http://statistics.data.gov.uk/id/statistical-geography/")
OGL_V3: Final = URIRef("http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")

#: Scheme slugs, used in URIs (``id/{slug}/...``), CLI arguments and API paths.
SCHEME_SLUGS: Final = (
    "cof",
    "fhab",
    "bsil",
    "ffp",
    "cscnf",
    "sf",
    "lgof",
    "lof",
    "phof",
    "fingertips",
    "lgi",
    "ecm",
    "related",
)

#: The ``kind`` column of a framework table, and the class each kind is typed with.
KINDS: Final[dict[str, URIRef]] = {
    "domain": OG.Domain,
    "tier": OG.Tier,
    "outcome": OG.Outcome,
    "indicator": OG.Indicator,
    "metric": OG.Metric,
    "target": OG.Target,
    "measure": OG.Measure,
    "component": OG.Component,
    "role": OG.Role,
    "principle": OG.Principle,
    "enabler": OG.Enabler,
    "action-area": OG.ActionArea,
    "outcome-area": OG.OutcomeArea,
    "strand": OG.DeliveryStrand,
    "service": OG.Service,
    "plan": OG.Plan,
    "project": OG.Project,
    "document": OG.Document,
    "recommendation": OG.Recommendation,
    "artefact": OG.Artefact,
    "example": OG.CaseStudyItem,
}

#: The reference's status codes, as they may be written in source tables.
STATUS_CODES: Final[dict[str, URIRef]] = {
    "V": OG.Verified,
    "P": OG.PartlyVerified,
    "P*": OG.PartlyVerified,
    "I": OG.Inferred,
    "U": OG.Unverified,
    "NF": OG.NotFound,
}

#: CURIE prefixes shared by SSSOM files, Turtle sources and exports.
CURIE_PREFIXES: Final[dict[str, str]] = {
    **{slug: f"{BASE}id/{slug}/" for slug in SCHEME_SLUGS if slug != "lgi"},
    "ogid": f"{BASE}id/",
    "borough": f"{BASE}id/borough/",
    "ogorg": f"{BASE}id/org/",
    "ogmap": f"{BASE}id/mapping/",
    "ogsrc": f"{BASE}id/source/",
    "og": str(OG),
    "lgi": str(LGI),
    "skos": str(SKOS),
    "semapv": str(SEMAPV),
    "sssom": str(SSSOM),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "owl": str(OWL),
    "rdfs": str(RDFS),
}


#: Prefixes predeclared for hand-written queries (``outcomes-graph query``).
QUERY_PREFIXES: Final[dict[str, str]] = {
    **CURIE_PREFIXES,
    "dct": str(DCTERMS),
    "rdf": str(RDF),
    "xsd": str(XSD),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "void": str(VOID),
    "qb": str(QB),
}


def kind_class(kind: str) -> URIRef:
    """The class for a framework-table ``kind``; raises ``KeyError`` for an unknown kind."""
    return KINDS[kind]


def scheme_iri(slug: str, base: str = BASE) -> URIRef:
    """The IRI of a concept scheme (one framework edition).

    >>> scheme_iri("lof")
    rdflib.term.URIRef('https://w3id.org/common-outcomes/id/lof')
    """
    return URIRef(f"{base}id/{slug}")


def borough_iri(gss: str, *parts: str, base: str = BASE) -> str:
    """A borough or something in its overlay: ``id/borough/{gss}[/part...]``."""
    return "/".join([f"{base}id/borough/{gss}", *parts])


def graph_iri(key: str, base: str = BASE) -> URIRef:
    """The IRI of the named graph that holds one source (``frameworks/lof`` → ``graph/lof``)."""
    return URIRef(f"{base}graph/{key}")
