"""The DCAT catalogue served at ``/catalog``: frameworks, editions and mapping sets, with their downloads.

Every framework edition (concept scheme) and every SSSOM mapping set is a ``dcat:Dataset`` with
its own statements from the store (title, publisher, licence, version, issue date, and
``prov:wasRevisionOf`` between editions), a landing page, and a distribution: the Turtle dump of
its named graph, or its SSSOM TSV file. The whole dataset (the VoID ``#dataset``) carries the
TriG, N-Quads and CSV dumps. Each distribution has its size, media type and SHA-256 checksum.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from outcomes_graph.linked_data_describe import LdDocument, best_labels, sorted_triples
from outcomes_graph.linked_data_dumps import DumpFile, DumpSet
from outcomes_graph.linked_data_graph import GraphBuilder, iri, literal
from outcomes_graph.linked_data_jsonld import Context
from outcomes_graph.linked_data_void import DATASET_DESCRIPTION, DATASET_TITLE, dataset_iri
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.store import GraphStore
from outcomes_graph.vocab import DCAT, DCTERMS, OG, OGL_V3, RDF, XSD

__all__ = ["catalog_document", "catalog_iri", "distribution_iri"]


def catalog_iri(base: str) -> str:
    return base + "catalog"


def distribution_iri(base: str, file: DumpFile) -> str:
    """A distribution is a fragment of the download index, which lists it under that id."""
    return f"{base}download/#{file.name}"


def landing_page(base: str, dataset: str) -> str:
    """The page about a dataset: ``id/...`` → ``doc/...``; other IRIs under the base serve themselves."""
    prefix = base + "id/"
    return base + "doc/" + dataset[len(prefix) :] if dataset.startswith(prefix) else dataset


def catalog_document(
    store: GraphStore, registry: QueryRegistry, dumps: DumpSet, ctx: Context, *, base: str
) -> LdDocument:
    catalog, whole = catalog_iri(base), dataset_iri(base)
    info = store.info
    version = ctx.node("dcat:version")
    g = GraphBuilder()
    g.add(catalog, RDF.type, iri(DCAT.Catalog))
    g.add(catalog, DCTERMS.title, literal("outcomes-graph catalogue", language="en"))
    g.add(catalog, DCTERMS.description, literal(
        "The framework editions and crosswalks of outcomes-graph as DCAT datasets, with their downloads.",
        language="en"))  # fmt: skip
    g.add(catalog, DCTERMS.license, iri(OGL_V3))
    g.add(catalog, DCTERMS.modified, literal(info.built_at, XSD.dateTime))
    g.add(catalog, DCAT.dataset, iri(whole))
    g.add(whole, RDF.type, iri(DCAT.Dataset))
    g.add(whole, DCTERMS.title, literal(DATASET_TITLE, language="en"))
    g.add(whole, DCTERMS.description, literal(DATASET_DESCRIPTION, language="en"))
    g.add(whole, DCTERMS.license, iri(OGL_V3))
    g.add(whole, version, literal(info.build_id))
    g.add(whole, OG.buildId, literal(info.build_id))
    g.add(whole, DCTERMS.modified, literal(info.built_at, XSD.dateTime))
    g.add(whole, DCAT.landingPage, iri(base + "download/"))
    for file in dumps.files:
        if file.kind in ("dataset", "table"):
            _distribution(g, whole, file, ctx, base=base, built_at=info.built_at)
    by_subject: dict[str, list[DumpFile]] = defaultdict(list)
    for file in dumps.files:
        if file.subject:
            by_subject[file.subject].append(file)
    query = registry.get("dcat-datasets")
    graphs: dict[str, str] = {}
    for row in store.select(query.sparql, substitutions=query.substitutions({})):
        dataset = row["dataset"].value
        g.add(dataset, row["p"], row["o"])
        graphs[dataset] = row["graph"].value
    for dataset, graph in sorted(graphs.items()):
        g.add(catalog, DCAT.dataset, iri(dataset))
        g.add(dataset, DCTERMS.isPartOf, iri(whole))
        g.add(whole, DCTERMS.hasPart, iri(dataset))
        g.add(dataset, DCAT.landingPage, iri(landing_page(base, dataset)))
        for file in by_subject.get(dataset, []) + by_subject.get(graph, []):
            _distribution(g, dataset, file, ctx, base=base, built_at=info.built_at)
    triples = sorted_triples(g.triples)
    return LdDocument(
        topic=iri(catalog), title="DCAT catalogue", triples=triples, labels=best_labels(triples)
    )


def _distribution(g: GraphBuilder, dataset: str, file: DumpFile, ctx: Context, *, base: str,
                  built_at: str) -> None:  # fmt: skip
    node = distribution_iri(base, file)
    g.add(dataset, DCAT.distribution, iri(node))
    g.add(node, RDF.type, iri(DCAT.Distribution))
    g.add(node, DCTERMS.title, literal(file.title, language="en"))
    g.add(node, DCAT.downloadURL, iri(f"{base}download/{file.name}"))
    g.add(node, DCAT.accessURL, iri(base + "download/"))
    g.add(node, DCAT.mediaType, ctx.node(f"iana:{file.media_type}"))
    rdf_format = ox.RdfFormat.from_media_type(file.media_type)
    if rdf_format is not None:
        g.add(node, DCTERMS.format, iri(rdf_format.iri))
    g.add(node, DCAT.byteSize, literal(file.bytes, XSD.nonNegativeInteger))
    g.add(node, DCTERMS.license, iri(OGL_V3))
    g.add(node, DCTERMS.issued, literal(built_at, XSD.dateTime))
    checksum = ox.BlankNode("sha256" + file.sha256[:16])
    g.add(node, ctx.node("spdx:checksum"), checksum)
    g.add(checksum, RDF.type, ctx.node("spdx:Checksum"))
    g.add(checksum, ctx.node("spdx:algorithm"), ctx.node("spdx:checksumAlgorithm_sha256"))
    g.add(checksum, ctx.node("spdx:checksumValue"), literal(file.sha256, XSD.hexBinary))
