"""The alignment engine's in-memory view of one build: nodes, crosswalk records, gaps.

The graph is immutable between builds (DESIGN §7), so the index is read once per
build id, by four named queries, and kept: every later coverage, matrix or chain
question is answered from memory. Results are parsed on the thread that ran the
query (pyoxigraph results must not cross threads).
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

from outcomes_graph.alignment_model import (
    CURATED,
    STATUS_CODE_OF,
    GapRecord,
    Node,
    Record,
    Row,
    SchemeInfo,
    Step,
)
from outcomes_graph.errors import UsageError
from outcomes_graph.output import compact
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.store import BuildInfo, builds_dir
from outcomes_graph.vocab import OG

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
    "cache_key",
    "clear_cache",
    "named_rows",
]

_CACHE_SIZE: Final = 4


class QueryStore(Protocol):
    """What the engine needs from a store, embedded or remote: its build record and SPARQL over public graphs.

    A store with a ``path`` (the embedded one) also has a build folder, where ``build``
    wrote the search index; caches are keyed by that path and the build id.
    """

    @property
    def info(self) -> BuildInfo: ...

    def query(self, sparql: str, *, substitutions: dict[ox.Variable, Any] | None = None) -> Any: ...


def named_rows(store: QueryStore, registry: QueryRegistry, name: str, **params: str) -> list[Row]:
    """Run a named query and return its rows as ``{variable: lexical value}`` (unbound ones left out)."""
    query = registry.get(name)
    result = store.query(query.sparql, substitutions=query.substitutions(params))
    data = orjson.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
    return [{key: cell["value"] for key, cell in binding.items()} for binding in data["results"]["bindings"]]


def build_folder(store: QueryStore) -> Path | None:
    """The folder of the open build (the store path may point at a newer one by now); None if remote."""
    path = getattr(store, "path", None)
    if not isinstance(path, Path):
        return None
    here = path.resolve()
    if here.name == store.info.build_id:
        return here
    folder = builds_dir(path) / store.info.build_id
    return folder if folder.is_dir() else None


def cache_key(store: QueryStore) -> str:
    """Which store and build a cached answer belongs to."""
    return f"{getattr(store, 'path', id(store))}#{store.info.build_id}"


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
        key = (cache_key(store), store.info.build_id, _registry_key(registry))
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
