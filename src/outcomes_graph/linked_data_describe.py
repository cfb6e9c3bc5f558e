"""Concise bounded descriptions (CBD) of resources, read with one store query each.

A description holds what the ``ld-describe`` named query returns for one IRI: the
resource's own statements (with one level of blank nodes), the statements that point at
it, every statement of the SSSOM mapping records it takes part in, and the labels of what
all of those link to. Each part has a cap; a description says which parts were capped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from outcomes_graph.queries import QueryRegistry
from outcomes_graph.store import GraphStore
from outcomes_graph.vocab import DCTERMS, OG, RDFS, SKOS, SSSOM

__all__ = ["PART_LIMITS", "LdDocument", "MappingRecord", "best_labels", "describe", "mapping_records"]

#: The most rows of each part a description shows; ``ld-describe.rq`` asks for one more.
PART_LIMITS = {"about": 1000, "inbound": 500, "mapping": 100, "label": 1000}
DESCRIBE_QUERY = "ld-describe"

_LABEL_ORDER = [str(SKOS.prefLabel), str(RDFS.label), str(DCTERMS.title)]
_RECORD_FIELDS = {
    str(SSSOM.subject_id): "subject",
    str(SSSOM.predicate_id): "predicate",
    str(SSSOM.object_id): "object",
    str(SSSOM.predicate_modifier): "modifier",
    str(SSSOM.mapping_justification): "justification",
    str(SSSOM.confidence): "confidence",
    str(SSSOM.subject_label): "subject_label",
    str(SSSOM.object_label): "object_label",
    str(SSSOM.comment): "comment",
    str(SSSOM.author_id): "author",
    str(SSSOM.mapping_date): "date",
    str(OG.status): "status",
    str(OG.crosswalkId): "crosswalk",
    str(DCTERMS.isPartOf): "mapping_set",
}


@dataclass
class MappingRecord:
    """One SSSOM record, flattened for JSON and HTML (the RDF keeps every statement)."""

    record: str
    subject: str | None = None
    predicate: str | None = None
    object: str | None = None
    modifier: str | None = None
    justification: str | None = None
    confidence: float | None = None
    status: str | None = None
    crosswalk: str | None = None
    mapping_set: str | None = None
    subject_label: str | None = None
    object_label: str | None = None
    comment: str | None = None
    author: str | None = None
    date: str | None = None
    sources: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None and v != []}


@dataclass
class LdDocument:
    """A bounded set of triples about one topic, ready for any format."""

    topic: ox.NamedNode
    title: str
    triples: list[ox.Triple]
    labels: dict[str, str] = field(default_factory=dict)
    capped: dict[str, int] = field(default_factory=dict)
    mappings: list[MappingRecord] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return bool(self.triples)


def describe(store: GraphStore, registry: QueryRegistry, resource: ox.NamedNode) -> LdDocument:
    """The CBD of ``resource`` over the public graphs (empty when the store says nothing about it)."""
    query = registry.get(DESCRIBE_QUERY)
    solutions = store.query(query.sparql, substitutions={ox.Variable("resource"): resource})
    parts: dict[str, list[ox.Triple]] = defaultdict(list)
    for row in solutions:
        parts[row["part"].value].append(ox.Triple(row["s"], row["p"], row["o"]))
    capped: dict[str, int] = {}
    for part, limit in PART_LIMITS.items():
        if part == "mapping":
            kept = _keep_records(parts[part], limit)
            if len(kept) < len(parts[part]):
                capped[part] = limit
            parts[part] = kept
        elif len(parts[part]) > limit:
            capped[part] = limit
            parts[part] = parts[part][:limit]
    triples = sorted_triples(t for rows in parts.values() for t in rows)
    labels = best_labels(triples)
    return LdDocument(
        topic=resource,
        title=labels.get(resource.value, resource.value),
        triples=triples,
        labels=labels,
        capped=capped,
        mappings=mapping_records(parts["mapping"]),
    )


def _keep_records(triples: list[ox.Triple], limit: int) -> list[ox.Triple]:
    """Whole records only: the first ``limit`` records' statements."""
    records: list[ox.NamedNode | ox.BlankNode] = []
    for t in triples:
        if t.subject not in records:
            records.append(t.subject)  # type: ignore[arg-type]
    keep = set(records[:limit])
    return [t for t in triples if t.subject in keep]


def sorted_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Distinct triples in a stable order (subject, predicate, object), so output is reproducible."""
    return sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def best_labels(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """One display label per IRI: skos:prefLabel, then rdfs:label, then dct:title; English first."""
    found: dict[str, tuple[int, int, str]] = {}
    for t in triples:
        predicate = t.predicate.value
        if (
            predicate not in _LABEL_ORDER
            or not isinstance(t.object, ox.Literal)
            or isinstance(t.subject, ox.Triple)
        ):
            continue
        rank = (_LABEL_ORDER.index(predicate), 0 if t.object.language in (None, "en") else 1, t.object.value)
        key = t.subject.value
        if key not in found or rank < found[key]:
            found[key] = rank
    return {k: v[2] for k, v in found.items()}


def mapping_records(triples: Iterable[ox.Triple]) -> list[MappingRecord]:
    """The SSSOM records among ``triples``, one per record subject, ordered by record IRI."""
    records: dict[str, MappingRecord] = {}
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        record = records.setdefault(t.subject.value, MappingRecord(record=t.subject.value))
        predicate, value = t.predicate.value, t.object
        if predicate == str(DCTERMS.source):
            record.sources.append(value.value)  # type: ignore[union-attr]
            continue
        name = _RECORD_FIELDS.get(predicate)
        if name is None:
            continue
        if name == "confidence":
            try:
                record.confidence = float(value.value)  # type: ignore[union-attr]
            except ValueError:
                continue
        else:
            setattr(record, name, value.value)  # type: ignore[union-attr]
    for record in records.values():
        record.sources.sort()
    return [records[k] for k in sorted(records)]
