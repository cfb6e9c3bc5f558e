"""The alignment engine's in-memory view of one build: nodes, crosswalk records, gaps.

The graph is immutable between builds (DESIGN §7), so the index is read once per
build id, by four named queries, and kept: every later coverage, matrix or chain
question is answered from memory. Results are parsed on the thread that ran the
query (pyoxigraph results must not cross threads).

>>> record = Record.from_row({"record": "r", "subject": "a", "predicate": Relation.BROAD.predicate,
...                            "object": "b", "justification": "j", "status": str(OG.Inferred)})
>>> record.weight, record.curated, Step(record, forward=False).label
(0.5, False, 'narrower than')
"""

from __future__ import annotations

import difflib
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import orjson
import pyoxigraph as ox

from outcomes_graph.alignment_rules import RELATION_OF_PREDICATE, Relation, link_label
from outcomes_graph.errors import UsageError
from outcomes_graph.output import compact
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.store import BuildInfo, builds_dir
from outcomes_graph.vocab import OG, SSSOM, STATUS_CODES

__all__ = [
    "CURATED",
    "STATUS_CODE_OF",
    "AlignmentIndex",
    "GapRecord",
    "Node",
    "QueryStore",
    "Record",
    "SchemeInfo",
    "Step",
    "build_folder",
    "clear_cache",
    "named_rows",
]

Row = dict[str, str]
CURATED: Final = frozenset({str(OG.Verified), str(OG.PartlyVerified)})
NO_TERM: Final = str(SSSOM.NoTermFound)
KNOWN_GAP: Final = str(OG.KnownGap)
#: The confidence a record gets when it states none, by status (the SSSOM README's scale).
DEFAULT_CONFIDENCE: Final = {
    str(OG.Verified): 0.95,
    str(OG.PartlyVerified): 0.8,
    str(OG.Inferred): 0.5,
    str(OG.Unverified): 0.3,
}
#: Status IRI to the reference's code (P rather than P*: both are og:PartlyVerified).
STATUS_CODE_OF: Final = {str(iri): code for code, iri in reversed(STATUS_CODES.items())}
_CACHE_SIZE: Final = 4


class QueryStore(Protocol):
    """What the engine needs from a store: its build and a SPARQL query over public graphs."""

    @property
    def info(self) -> BuildInfo: ...

    @property
    def path(self) -> Path: ...

    def query(self, sparql: str, *, substitutions: dict[ox.Variable, Any] | None = None) -> Any: ...


def named_rows(store: QueryStore, registry: QueryRegistry, name: str, **params: str) -> list[Row]:
    """Run a named query and return its rows as ``{variable: lexical value}`` (unbound ones left out)."""
    query = registry.get(name)
    result = store.query(query.sparql, substitutions=query.substitutions(params))
    data = orjson.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
    return [{key: cell["value"] for key, cell in binding.items()} for binding in data["results"]["bindings"]]


def build_folder(store: QueryStore) -> Path:
    """The folder of the build the store has open (the store path may since point at a newer one)."""
    here = store.path.resolve()
    if here.name == store.info.build_id:
        return here
    return builds_dir(store.path) / store.info.build_id


def _split(value: str | None, sep: str = " ") -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(sep) if v)


@dataclass(frozen=True, slots=True)
class Node:
    """A concept or known gap, as the engine sees it."""

    iri: str
    slug: str
    type: str
    label: str
    notations: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    candidate_broader: tuple[str, ...] = ()
    order: int | None = None

    @property
    def curie(self) -> str:
        return compact(self.iri)

    @property
    def type_name(self) -> str:
        """The class's local name, e.g. ``Indicator``."""
        return self.type.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    @property
    def is_gap(self) -> bool:
        return self.type == KNOWN_GAP

    @property
    def notation(self) -> str:
        return self.notations[0] if self.notations else ""

    @classmethod
    def from_row(cls, row: Row) -> Node:
        order = row.get("order")
        return cls(
            iri=row["node"],
            slug=row["slug"],
            type=row.get("type", ""),
            label=row.get("label", ""),
            notations=tuple(sorted(_split(row.get("notations"), "|"), key=lambda n: (n.isdigit(), n))),
            domains=_split(row.get("domains")),
            tiers=_split(row.get("tiers")),
            broader=_split(row.get("broader")),
            candidate_broader=_split(row.get("candidateBroader")),
            order=int(order) if order and order.lstrip("-").isdigit() else None,
        )


@dataclass(frozen=True, slots=True)
class Record:
    """One crosswalk record (``sssom:Mapping``) with its provenance."""

    iri: str
    subject: str
    predicate: str
    object: str
    justification: str
    status: str
    negated: bool = False
    confidence: float | None = None
    set: str = ""
    crosswalk: str = ""
    subject_label: str = ""
    object_label: str = ""
    sources: tuple[str, ...] = ()

    @property
    def curated(self) -> bool:
        """Stated by a source (V or P), as opposed to an inferred (I) or unverified (U) candidate."""
        return self.status in CURATED

    @property
    def is_gap(self) -> bool:
        return NO_TERM in (self.subject, self.object)

    @property
    def relation(self) -> Relation | None:
        return RELATION_OF_PREDICATE.get(self.predicate)

    @property
    def chainable(self) -> bool:
        """A positive SKOS mapping between two things: the only records chains may use."""
        return self.relation is not None and not self.negated and not self.is_gap

    @property
    def weight(self) -> float:
        if self.confidence is not None:
            return self.confidence
        return DEFAULT_CONFIDENCE.get(self.status, 0.0)

    @property
    def status_code(self) -> str:
        """The reference's code: V, P, I, U or NF."""
        return STATUS_CODE_OF.get(self.status, self.status)

    @classmethod
    def from_row(cls, row: Row) -> Record:
        confidence = row.get("confidence")
        return cls(
            iri=row["record"],
            subject=row["subject"],
            predicate=row["predicate"],
            object=row["object"],
            justification=row.get("justification", ""),
            status=row.get("status", ""),
            negated=row.get("negated") == "true",
            confidence=float(confidence) if confidence else None,
            set=row.get("set", ""),
            crosswalk=row.get("crosswalk", ""),
            subject_label=row.get("subjectLabel", ""),
            object_label=row.get("objectLabel", ""),
            sources=_split(row.get("sources"), "|"),
        )


@dataclass(frozen=True, slots=True)
class Step:
    """One record walked from ``source`` to ``target`` (forwards: subject to object)."""

    record: Record
    forward: bool

    @property
    def source(self) -> str:
        return self.record.subject if self.forward else self.record.object

    @property
    def target(self) -> str:
        return self.record.object if self.forward else self.record.subject

    @property
    def relation(self) -> Relation | None:
        relation = self.record.relation
        if relation is None:
            return None
        return relation if self.forward else relation.inverse

    @property
    def label(self) -> str:
        return link_label(self.record.predicate, forward=self.forward, negated=self.record.negated)

    @property
    def weight(self) -> float:
        return self.record.weight


@dataclass(frozen=True, slots=True)
class GapRecord:
    """An explicit "no counterpart" record (``sssom:NoTermFound``) for one node."""

    node: str
    record: str
    set: str
    predicate: str
    missing_in: str
    status: str
    status_note: str = ""
    crosswalk: str = ""
    comment: str = ""
    sources: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: Row) -> GapRecord:
        return cls(
            node=row["node"],
            record=row["record"],
            set=row.get("set", ""),
            predicate=row.get("predicate", ""),
            missing_in=row.get("missingIn", ""),
            status=row.get("status", ""),
            status_note=row.get("statusNote", ""),
            crosswalk=row.get("crosswalk", ""),
            comment=row.get("comment", ""),
            sources=_split(row.get("sources"), "|"),
        )


@dataclass(frozen=True, slots=True)
class SchemeInfo:
    """A framework edition: slug, IRI, title, how many concepts and known gaps, the edition it revises."""

    slug: str
    iri: str
    title: str
    concepts: int
    gaps: int
    revision_of: str = ""


@dataclass
class AlignmentIndex:
    """Everything the engine reads from one build, with memoised derived results."""

    build_id: str
    nodes: dict[str, Node]
    records: tuple[Record, ...]
    schemes: dict[str, SchemeInfo]
    gap_records: dict[str, tuple[GapRecord, ...]]
    adjacency: dict[str, tuple[Step, ...]] = field(init=False)
    negated: frozenset[frozenset[str]] = field(init=False)
    children: dict[str, tuple[tuple[str, bool], ...]] = field(init=False)
    memo: dict[Any, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        adjacency: dict[str, list[Step]] = defaultdict(list)
        negated: set[frozenset[str]] = set()
        for record in self.records:
            if record.chainable:
                adjacency[record.subject].append(Step(record, True))
                adjacency[record.object].append(Step(record, False))
            elif record.negated and not record.is_gap:
                negated.add(frozenset((record.subject, record.object)))
        self.adjacency = {node: tuple(steps) for node, steps in adjacency.items()}
        self.negated = frozenset(negated)
        children: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for node in self.nodes.values():
            for parent in node.broader:
                children[parent].append((node.iri, False))
            for parent in node.candidate_broader:
                if parent not in node.broader:
                    children[parent].append((node.iri, True))
        self.children = {parent: tuple(kids) for parent, kids in children.items()}

    @classmethod
    def load(cls, store: QueryStore, registry: QueryRegistry, *, cached: bool = True) -> AlignmentIndex:
        """The index of the store's build: from the cache when ``cached`` and already read."""
        key = (str(build_folder(store)), store.info.build_id, _registry_key(registry))
        if cached:
            with _LOCK:
                hit = _CACHE.get(key)
            if hit is not None:
                return hit
        index = cls.read(store, registry)
        if cached:
            with _LOCK:
                _CACHE[key] = index
                while len(_CACHE) > _CACHE_SIZE:
                    _CACHE.pop(next(iter(_CACHE)))
        return index

    @classmethod
    def read(cls, store: QueryStore, registry: QueryRegistry) -> AlignmentIndex:
        """Read the index with four named queries (no cache); results are parsed on this thread."""
        nodes = {row["node"]: Node.from_row(row) for row in named_rows(store, registry, "alignment-nodes")}
        records = tuple(Record.from_row(row) for row in named_rows(store, registry, "alignment-edges"))
        gaps: dict[str, list[GapRecord]] = defaultdict(list)
        for row in named_rows(store, registry, "not-found-records"):
            gaps[row["node"]].append(GapRecord.from_row(row))
        concepts: dict[str, int] = defaultdict(int)
        known: dict[str, int] = defaultdict(int)
        for node in nodes.values():
            (known if node.is_gap else concepts)[node.slug] += 1
        schemes = {
            row["slug"]: SchemeInfo(
                slug=row["slug"],
                iri=row["scheme"],
                title=row.get("title", ""),
                concepts=concepts[row["slug"]],
                gaps=known[row["slug"]],
                revision_of=row.get("revisionOf", ""),
            )
            for row in named_rows(store, registry, "frameworks")
        }
        return cls(
            build_id=store.info.build_id,
            nodes=nodes,
            records=records,
            schemes=schemes,
            gap_records={node: tuple(found) for node, found in gaps.items()},
        )

    def scheme(self, slug: str) -> SchemeInfo:
        """The framework with this slug; a clear error listing the valid slugs otherwise."""
        key = slug.strip().lower()
        if key in self.schemes:
            return self.schemes[key]
        valid = sorted(self.schemes)
        close = difflib.get_close_matches(key, valid, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise UsageError(f"unknown framework {slug!r}; {hint}use one of: {', '.join(valid)}")

    def adjacent(self, node: str) -> tuple[Step, ...]:
        return self.adjacency.get(node, ())

    def label(self, iri: str) -> str:
        """The node's title, else the label a crosswalk record gives it, else its CURIE."""
        node = self.nodes.get(iri)
        if node is not None:
            return node.label
        for step in self.adjacent(iri):
            text = step.record.subject_label if step.forward else step.record.object_label
            if text:
                return text
        return compact(iri)

    def slug(self, iri: str) -> str:
        node = self.nodes.get(iri)
        return node.slug if node else ""

    def concepts_of(self, slug: str) -> list[Node]:
        """The concepts (not known gaps) of one scheme, in published order then IRI order."""
        found = [n for n in self.nodes.values() if n.slug == slug and not n.is_gap]
        return sorted(found, key=lambda n: (n.order is None, n.order or 0, n.iri))

    def fhab_facets(self, iri: str, facet: str) -> tuple[str, ...]:
        """The FHAB domains (``facet="domain"``) or tiers (``"tier"``) an FHAB concept belongs to.

        A domain belongs to itself; other concepts carry ``og:domain`` / ``og:tier``.
        """
        node = self.nodes.get(iri)
        if node is None:
            return ()
        own_type = str(OG.Domain) if facet == "domain" else str(OG.Tier)
        if node.type == own_type:
            return (iri,)
        return node.domains if facet == "domain" else node.tiers

    def facet_nodes(self, facet: str) -> list[Node]:
        """The FHAB domains or tiers, in published order."""
        own_type = str(OG.Domain) if facet == "domain" else str(OG.Tier)
        return [n for n in self.concepts_of("fhab") if n.type == own_type]

    def memoised(self, key: Any, compute: Any) -> Any:
        """``compute()`` once per key for this build (results are immutable)."""
        try:
            return self.memo[key]
        except KeyError:
            value = compute()
            self.memo[key] = value
            return value


def _registry_key(registry: QueryRegistry) -> str:
    """Which query folder the registry came from (tests load several)."""
    return next((str(query.path.parent) for query in registry), "")


_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str, str], AlignmentIndex] = {}


def clear_cache() -> None:
    """Forget every cached index (for benchmarks that measure the uncached path)."""
    with _LOCK:
        _CACHE.clear()
