"""Framework tables (``concepts.csv``, ``gaps.csv``, ``sources.csv``, ``boroughs.csv``) to RDF.

The columns are documented in ``frameworks/README.md``. Errors name the row and
column and say what is valid; SHACL later checks what a single row cannot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.term import Node, URIRef

from outcomes_graph.errors import Location
from outcomes_graph.tabular import Row, TableSpec, read_table, split_multi
from outcomes_graph.vocab import (
    DCTERMS,
    FOAF,
    KINDS,
    OG,
    ONS_GSS,
    OWL,
    RDF,
    RDFS,
    SKOS,
    STATUS_CODES,
    XSD,
    scheme_iri,
)

__all__ = [
    "BOROUGHS",
    "CONCEPTS",
    "GAPS",
    "PROPERTY_COLUMNS",
    "SOURCES",
    "SourceRegistry",
    "add_boroughs",
    "add_concepts",
    "add_gaps",
    "add_sources",
]

CONCEPTS = TableSpec(
    required=("kind", "ref", "pref_label", "status", "sources"),
    optional=(
        "alt_labels", "notation", "candidate_notation", "historical_notation", "fingertips_id",
        "description", "broader", "candidate_broader", "domains", "tier", "order", "data_provider",
        "metric_role", "placeholder", "target_value", "target_unit", "target_year", "reported_by",
        "status_note", "note",
    ),
)  # fmt: skip
GAPS = TableSpec(
    required=("ref", "label", "status"),
    optional=("kind", "parent", "expected_count", "candidate_label", "status_note", "sources", "note"),
)
SOURCES = TableSpec(
    required=("id", "url", "title", "publisher", "date"), may_be_empty=("url", "date", "publisher")
)
BOROUGHS = TableSpec(required=("gss_code", "name"), optional=("sources",))

#: The table column each property comes from, so a SHACL violation can name the column.
PROPERTY_COLUMNS: dict[URIRef, str] = {
    SKOS.prefLabel: "pref_label", SKOS.altLabel: "alt_labels", SKOS.notation: "notation",
    OG.candidateNotation: "candidate_notation", OG.historicalNotation: "historical_notation",
    OG.fingertipsId: "fingertips_id", DCTERMS.description: "description", SKOS.broader: "broader",
    OG.candidateBroader: "candidate_broader", OG.domain: "domains", OG.tier: "tier", OG.order: "order",
    OG.dataProvider: "data_provider", OG.metricRole: "metric_role", OG.isPlaceholder: "placeholder",
    OG.targetValue: "target_value", OG.targetUnit: "target_unit", OG.targetYear: "target_year",
    OG.reportedBy: "reported_by", OG.status: "status", OG.statusNote: "status_note",
    DCTERMS.source: "sources", RDFS.label: "label", OG.gapParent: "parent",
    OG.expectedCount: "expected_count",
    OG.candidateLabel: "candidate_label", OG.gssCode: "gss_code",
}  # fmt: skip

REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
KIND_REF = re.compile(r"^([a-z-]+)/([A-Za-z0-9][A-Za-z0-9._-]*)$")
GSS = re.compile(r"^E09000[0-9]{3}$")
INTEGER = re.compile(r"^[0-9]+$")
DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")
CONCEPT_STATUSES = ("V", "P", "P*")
GAP_STATUSES = ("NF", "U")
METRIC_ROLES = {"outcome": OG.OutcomeMetric, "output": OG.OutputMetric}
FHAB = "fhab"


@dataclass
class SourceRegistry:
    """Source ids (``S18``) to the IRI that ``dct:source`` points at."""

    iris: dict[str, URIRef]

    def resolve(self, row: Row, column: str) -> list[URIRef]:
        resolved = []
        for source_id in split_multi(row.get(column)):
            iri = self.iris.get(source_id)
            if iri is None:
                raise row.error(column, f"source id {source_id!r} is not in frameworks/sources/sources.csv")
            resolved.append(iri)
        return resolved


def add_sources(graph: Graph, path: Path, *, base: str, origins: dict[Node, Location]) -> SourceRegistry:
    """Describe every cited source; a source with no URL gets ``id/source/{id}``."""
    iris: dict[str, URIRef] = {}
    for row in read_table(path, SOURCES):
        source_id = row.get("id")
        if source_id in iris:
            raise row.error("id", f"source id {source_id!r} appears twice")
        url = row.get("url")
        iri = URIRef(url) if url else URIRef(f"{base}id/source/{source_id}")
        iris[source_id] = iri
        graph.add((iri, RDF.type, DCTERMS.BibliographicResource))
        graph.add((iri, DCTERMS.identifier, Literal(source_id)))
        graph.add((iri, DCTERMS.title, Literal(row.get("title"))))
        if row.get("publisher"):
            graph.add((iri, DCTERMS.publisher, Literal(row.get("publisher"))))
        if row.get("date"):
            graph.add((iri, DCTERMS.date, Literal(row.get("date"))))
        origins.setdefault(iri, row.where())
    return SourceRegistry(iris)


def add_boroughs(
    graph: Graph, path: Path, *, base: str, sources: SourceRegistry, origins: dict[Node, Location]
) -> None:
    for row in read_table(path, BOROUGHS):
        gss = row.get("gss_code")
        if not GSS.match(gss):
            raise row.error("gss_code", f"{gss!r} is not a London borough GSS code (E09000001 to E09000033)")
        iri = URIRef(f"{base}id/borough/{gss}")
        graph.add((iri, RDF.type, OG.LocalAuthority))
        graph.add((iri, RDFS.label, Literal(row.get("name"), lang="en")))
        graph.add((iri, FOAF.name, Literal(row.get("name"))))
        graph.add((iri, OG.gssCode, Literal(gss, datatype=OG.GssCode)))
        graph.add((iri, OWL.sameAs, ONS_GSS[gss]))
        for source in sources.resolve(row, "sources"):
            graph.add((iri, DCTERMS.source, source))
        origins[iri] = row.where()


def add_concepts(
    graph: Graph,
    path: Path,
    *,
    slug: str,
    base: str,
    sources: SourceRegistry,
    notation_datatype: URIRef | None,
    origins: dict[Node, Location],
) -> None:
    """Add every row of a ``concepts.csv`` as a typed ``skos:Concept`` in scheme ``slug``."""
    scheme = scheme_iri(slug, base)
    rows = list(read_table(path, CONCEPTS))
    iris: dict[str, URIRef] = {}
    for row in rows:
        kind, ref = row.get("kind"), row.get("ref")
        if kind not in KINDS:
            raise row.error("kind", f"{kind!r} is not a kind; use one of: {', '.join(KINDS)}")
        if not REF.match(ref):
            raise row.error("ref", f"{ref!r} is not a valid ref (letters, digits, '.', '_', '-')")
        key = f"{kind}/{ref}"
        if key in iris:
            raise row.error("ref", f"{key!r} appears twice in this table")
        iris[key] = URIRef(f"{base}id/{slug}/{key}")
    for row in rows:
        _add_concept(graph, row, iris, scheme=scheme, slug=slug, base=base, sources=sources,
                     notation_datatype=notation_datatype)  # fmt: skip
        origins[iris[f"{row.get('kind')}/{row.get('ref')}"]] = row.where()


def _add_concept(
    graph: Graph,
    row: Row,
    iris: dict[str, URIRef],
    *,
    scheme: URIRef,
    slug: str,
    base: str,
    sources: SourceRegistry,
    notation_datatype: URIRef | None,
) -> None:
    iri = iris[f"{row.get('kind')}/{row.get('ref')}"]
    add = graph.add
    add((iri, RDF.type, SKOS.Concept))
    add((iri, RDF.type, KINDS[row.get("kind")]))
    add((iri, SKOS.inScheme, scheme))
    add((iri, SKOS.prefLabel, Literal(row.get("pref_label"), lang="en")))
    for label in split_multi(row.get("alt_labels")):
        add((iri, SKOS.altLabel, Literal(label, lang="en")))
    _add_status(
        graph, iri, row, CONCEPT_STATUSES, hint="items marked I, U or NF belong in gaps.csv or mappings/"
    )
    source_iris = sources.resolve(row, "sources")
    if not source_iris:
        raise row.error("sources", "is empty; every concept needs at least one source id")
    for source in source_iris:
        add((iri, DCTERMS.source, source))
    if row.get("notation"):
        add((iri, SKOS.notation, Literal(row.get("notation"), datatype=notation_datatype)))
    for column, prop in (
        ("candidate_notation", OG.candidateNotation),
        ("historical_notation", OG.historicalNotation),
    ):
        for value in split_multi(row.get(column)):
            add((iri, prop, Literal(value)))
    if row.get("fingertips_id"):
        ft = _checked(row, "fingertips_id", INTEGER, "a whole number (the Fingertips IndicatorID)")
        add((iri, OG.fingertipsId, Literal(ft)))
        add((iri, SKOS.notation, Literal(ft, datatype=OG.FingertipsId)))
    _add_literal(graph, iri, DCTERMS.description, row.get("description"), lang="en")
    _add_literal(graph, iri, SKOS.note, row.get("note"), lang="en")
    _add_literal(graph, iri, OG.statusNote, row.get("status_note"))
    _add_literal(graph, iri, OG.dataProvider, row.get("data_provider"))
    broader = _refs(row, "broader", iris)
    for parent in broader:
        add((iri, SKOS.broader, parent))
        add((parent, SKOS.narrower, iri))
    if not broader:
        add((iri, SKOS.topConceptOf, scheme))
        add((scheme, SKOS.hasTopConcept, iri))
    for parent in _refs(row, "candidate_broader", iris):
        add((iri, OG.candidateBroader, parent))
    for domain in split_multi(row.get("domains")):
        add((iri, OG.domain, URIRef(f"{base}id/{FHAB}/domain/{_ref(row, 'domains', domain)}")))
    if row.get("tier"):
        add((iri, OG.tier, URIRef(f"{base}id/{FHAB}/tier/{_ref(row, 'tier', row.get('tier'))}")))
    if row.get("order"):
        add((iri, OG.order, Literal(int(_checked(row, "order", INTEGER, "a whole number")))))
    if row.get("metric_role"):
        role = METRIC_ROLES.get(row.get("metric_role"))
        if role is None:
            raise row.error("metric_role", f"{row.get('metric_role')!r} is not valid; use outcome or output")
        add((iri, OG.metricRole, role))
    if row.get("placeholder"):
        if row.get("placeholder") not in ("true", "false"):
            raise row.error("placeholder", "must be true or false")
        add((iri, OG.isPlaceholder, Literal(row.get("placeholder") == "true")))
    if row.get("target_value"):
        value = _checked(row, "target_value", DECIMAL, "a number such as 75")
        add((iri, OG.targetValue, Literal(value, datatype=XSD.decimal)))
    _add_literal(graph, iri, OG.targetUnit, row.get("target_unit"))
    if row.get("target_year"):
        add(
            (iri, OG.targetYear, Literal(_checked(row, "target_year", INTEGER, "a year"), datatype=XSD.gYear))
        )
    for gss in split_multi(row.get("reported_by")):
        if not GSS.match(gss):
            raise row.error(
                "reported_by", f"{gss!r} is not a London borough GSS code (E09000001 to E09000033)"
            )
        add((iri, OG.reportedBy, URIRef(f"{base}id/borough/{gss}")))


def add_gaps(
    graph: Graph, path: Path, *, slug: str, base: str, sources: SourceRegistry, origins: dict[Node, Location]
) -> None:
    """Add every row of a ``gaps.csv`` as an ``og:KnownGap`` of scheme ``slug``."""
    scheme = scheme_iri(slug, base)
    seen: set[str] = set()
    for row in read_table(path, GAPS):
        ref = row.get("ref")
        if not REF.match(ref):
            raise row.error("ref", f"{ref!r} is not a valid ref (letters, digits, '.', '_', '-')")
        if ref in seen:
            raise row.error("ref", f"gap {ref!r} appears twice in this table")
        seen.add(ref)
        iri = URIRef(f"{base}id/{slug}/gap/{ref}")
        graph.add((iri, RDF.type, OG.KnownGap))
        graph.add((iri, RDFS.label, Literal(row.get("label"), lang="en")))
        graph.add((iri, OG.gapIn, scheme))
        _add_status(graph, iri, row, GAP_STATUSES, hint="a gap is either NF (not found) or U (unverified)")
        if row.get("kind"):
            if row.get("kind") not in KINDS:
                raise row.error("kind", f"{row.get('kind')!r} is not a kind; use one of: {', '.join(KINDS)}")
            graph.add((iri, OG.gapKind, KINDS[row.get("kind")]))
        if row.get("parent"):
            parent = _ref(row, "parent", row.get("parent"), kind_ref=True)
            graph.add((iri, OG.gapParent, URIRef(f"{base}id/{slug}/{parent}")))
        if row.get("expected_count"):
            count = int(_checked(row, "expected_count", INTEGER, "a whole number"))
            graph.add((iri, OG.expectedCount, Literal(count)))
        _add_literal(graph, iri, OG.candidateLabel, row.get("candidate_label"), lang="en")
        _add_literal(graph, iri, OG.statusNote, row.get("status_note"))
        _add_literal(graph, iri, SKOS.note, row.get("note"), lang="en")
        for source in sources.resolve(row, "sources"):
            graph.add((iri, DCTERMS.source, source))
        origins[iri] = row.where()


def _add_status(graph: Graph, iri: URIRef, row: Row, allowed: tuple[str, ...], *, hint: str) -> None:
    code = row.get("status")
    if code not in allowed:
        raise row.error("status", f"{code!r} is not allowed here; use one of {', '.join(allowed)} ({hint})")
    graph.add((iri, OG.status, STATUS_CODES[code]))


def _add_literal(graph: Graph, iri: Node, prop: URIRef, value: str, lang: str | None = None) -> None:
    if value:
        graph.add((iri, prop, Literal(value, lang=lang)))


def _checked(row: Row, column: str, pattern: re.Pattern[str], what: str) -> str:
    value = row.get(column)
    if not pattern.match(value):
        raise row.error(column, f"{value!r} is not {what}")
    return value


def _ref(row: Row, column: str, value: str, *, kind_ref: bool = False) -> str:
    pattern = KIND_REF if kind_ref else REF
    if not pattern.match(value):
        expected = "kind/ref, e.g. outcome/best-start-in-life" if kind_ref else "a ref such as safe"
        raise row.error(column, f"{value!r} is not {expected}")
    return value


def _refs(row: Row, column: str, iris: dict[str, URIRef]) -> list[URIRef]:
    found = []
    for value in split_multi(row.get(column)):
        _ref(row, column, value, kind_ref=True)
        if value not in iris:
            raise row.error(column, f"{value!r} is not a concept of this table; known: {_sample(iris)}")
        found.append(iris[value])
    return found


def _sample(keys: Iterable[str], limit: int = 6) -> str:
    listed = sorted(keys)
    more = f" (and {len(listed) - limit} more)" if len(listed) > limit else ""
    return ", ".join(listed[:limit]) + more
