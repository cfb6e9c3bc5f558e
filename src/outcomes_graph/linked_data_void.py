"""The VoID description served at ``/.well-known/void``, computed once per build.

Counts come from the ``void-*`` named queries over the public graphs, so they equal what a
SPARQL client would count: the dataset's triples (each counted once), entities, classes and
properties; one ``void:subset`` per named graph (the graph IRI itself, which dereferences to
its own part of this description); class and property partitions; and one ``void:Linkset``
per external dataset and link predicate, with the number of links.

IRIs it mints are fragments of the document: ``.well-known/void#dataset`` is the whole
dataset, ``#lg-inform`` an external dataset, ``#links-lg-inform-closeMatch`` a linkset.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from outcomes_graph.linked_data_describe import LdDocument, best_labels, sorted_triples
from outcomes_graph.linked_data_graph import GraphBuilder, integer, iri, literal
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.store import GraphStore
from outcomes_graph.vocab import DCAT, DCTERMS, FOAF, OG, OGL_V3, RDF, VOID, XSD

__all__ = ["COUNTS", "DATASET_TITLE", "dataset_iri", "void_document", "void_iri"]

DATASET_TITLE = "outcomes-graph: England's children's and families' outcomes frameworks"
DATASET_DESCRIPTION = (
    "England's children's and families' outcomes frameworks as SKOS concept schemes, one named graph per "
    "framework edition, with every crosswalk between them as SSSOM mapping records, the source and "
    "verification status of every item, and London local authorities."
)
#: Query columns and the VoID properties they fill.
COUNTS = {
    "triples": VOID.triples,
    "entities": VOID.entities,
    "classes": VOID.classes,
    "properties": VOID.properties,
    "distinctSubjects": VOID.distinctSubjects,
    "distinctObjects": VOID.distinctObjects,
}


def void_iri(base: str) -> str:
    return base + ".well-known/void"


def dataset_iri(base: str) -> str:
    """The IRI of the whole dataset, shared by the VoID description and the DCAT catalogue."""
    return void_iri(base) + "#dataset"


def _rows(
    store: GraphStore, registry: QueryRegistry, name: str, base: str | None = None
) -> list[dict[str, Any]]:
    query = registry.get(name)
    values = {"base": base} if base is not None else {}
    return store.select(query.sparql, substitutions=query.substitutions(values))


def _namespace(value: str) -> str:
    cut = max(value.rfind("#"), value.rfind("/"))
    return value[: cut + 1]


def void_document(store: GraphStore, registry: QueryRegistry, *, base: str) -> LdDocument:
    """The VoID description of the public graphs of ``store``."""
    doc, dataset = void_iri(base), dataset_iri(base)
    info = store.info
    g = GraphBuilder()
    g.add(doc, RDF.type, iri(VOID.DatasetDescription))
    g.add(doc, DCTERMS.title, literal("VoID description of outcomes-graph", language="en"))
    g.add(doc, FOAF.primaryTopic, iri(dataset))
    g.add(dataset, RDF.type, iri(VOID.Dataset))
    g.add(dataset, RDF.type, iri(DCAT.Dataset))
    g.add(dataset, DCTERMS.title, literal(DATASET_TITLE, language="en"))
    g.add(dataset, DCTERMS.description, literal(DATASET_DESCRIPTION, language="en"))
    g.add(dataset, DCTERMS.license, iri(OGL_V3))
    g.add(dataset, DCTERMS.modified, literal(info.built_at, XSD.dateTime))
    g.add(dataset, OG.buildId, literal(info.build_id))
    g.add(dataset, VOID.uriSpace, literal(base))
    g.add(dataset, VOID.sparqlEndpoint, iri(base + "sparql"))
    for dump in ("outcomes-graph.nq", "outcomes-graph.trig"):
        g.add(dataset, VOID.dataDump, iri(f"{base}download/{dump}"))
    for row in _rows(store, registry, "void-dataset", base):
        _counts(g, dataset, row)
    keys = {gr["iri"]: gr["key"] for gr in info.graphs}
    for row in _rows(store, registry, "void-graphs", base):
        graph = row["graph"].value
        g.add(dataset, VOID.subset, iri(graph))
        g.add(graph, RDF.type, iri(VOID.Dataset))
        g.add(graph, DCTERMS.title, literal(f"Named graph {keys.get(graph, graph)}", language="en"))
        g.add(graph, DCTERMS.isPartOf, iri(dataset))
        g.add(graph, VOID.dataDump, iri(f"{base}download/graph/{keys.get(graph, graph)}.ttl"))
        _counts(g, graph, row)
    vocabularies: set[str] = set()
    for i, row in enumerate(_rows(store, registry, "void-classes"), start=1):
        part = ox.BlankNode(f"class{i}")
        g.add(dataset, VOID.classPartition, part)
        g.add(part, VOID["class"], row["class"])
        g.add(part, VOID.entities, integer(row["entities"].value))
        vocabularies.add(_namespace(row["class"].value))
    for i, row in enumerate(_rows(store, registry, "void-properties"), start=1):
        part = ox.BlankNode(f"property{i}")
        g.add(dataset, VOID.propertyPartition, part)
        g.add(part, VOID.property, row["property"])
        g.add(part, VOID.triples, integer(row["triples"].value))
        vocabularies.add(_namespace(row["property"].value))
    for namespace in sorted(vocabularies - {"", base}):
        if not namespace.startswith(base + "id/"):
            g.add(dataset, VOID.vocabulary, iri(namespace))
    _linksets(g, _rows(store, registry, "void-linksets", base), doc=doc, dataset=dataset)
    triples = sorted_triples(g.triples)
    return LdDocument(
        topic=iri(dataset), title="VoID description", triples=triples, labels=best_labels(triples)
    )


def _counts(g: GraphBuilder, subject: str, row: dict[str, Any]) -> None:
    for column, predicate in COUNTS.items():
        if row.get(column) is not None:
            g.add(subject, predicate, integer(row[column].value))


def _linksets(g: GraphBuilder, rows: Iterable[dict[str, Any]], *, doc: str, dataset: str) -> None:
    names: set[str] = set()
    for row in rows:
        target = f"{doc}#{row['target'].value}"
        g.add(target, RDF.type, iri(VOID.Dataset))
        g.add(target, DCTERMS.title, literal(row["title"].value, language="en"))
        if row.get("space") is not None:
            g.add(target, VOID.uriSpace, literal(row["space"].value))
        g.add(target, FOAF.homepage, row.get("homepage"))
        predicate = row["predicate"].value
        name = (
            f"links-{row['target'].value}-{predicate[max(predicate.rfind('#'), predicate.rfind('/')) + 1 :]}"
        )
        while name in names:
            name += "-"
        names.add(name)
        linkset = f"{doc}#{name}"
        g.add(dataset, VOID.subset, iri(linkset))
        g.add(linkset, RDF.type, iri(VOID.Linkset))
        g.add(linkset, VOID.subjectsTarget, iri(dataset))
        g.add(linkset, VOID.objectsTarget, iri(target))
        g.add(linkset, VOID.linkPredicate, row["predicate"])
        g.add(linkset, VOID.triples, integer(row["links"].value))
