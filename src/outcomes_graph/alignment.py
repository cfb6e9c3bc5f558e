"""The alignment engine: counterparts, derived chains, coverage, gaps, matrix, edition diff, search.

:class:`Aligner` is the entry point; each question is answered by a named query
(``api/queries/*.rq``) where SPARQL can answer it, and in Python only where it
cannot: composing chains (:mod:`outcomes_graph.alignment_chains`, rules in
:mod:`outcomes_graph.alignment_rules`) and ranking search hits
(:mod:`outcomes_graph.search`). Coverage, gaps and the matrix live in
:mod:`outcomes_graph.coverage`, :mod:`outcomes_graph.gaps` and
:mod:`outcomes_graph.matrix`; the edition diff in :mod:`outcomes_graph.edition_diff`.

Counterparts of a concept are of two kinds:

- **direct**: every crosswalk record that names the concept, whatever its predicate,
  with its confidence, justification, status, crosswalk number and sources
  (negated records are shown as "not close to" and so on; ``sssom:NoTermFound``
  records are listed apart, as recorded gaps);
- **derived**: concepts reached through shared concepts, up to ``depth`` steps,
  composed by the rules in :mod:`outcomes_graph.alignment_rules`; each shows its
  path with every step's provenance. A concept with a direct record is never
  also listed as derived.

Each counterpart says whether it is *curated* (every step stated by a source, V or P)
or a *candidate* (some step inferred, I, or unverified, U).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from outcomes_graph.alignment_chains import Counterpart, Refusal, derive, render_path
from outcomes_graph.alignment_index import (
    AlignmentIndex,
    GapRecord,
    Node,
    QueryStore,
    Record,
    SchemeInfo,
    Step,
    named_rows,
)
from outcomes_graph.alignment_rules import STRONG, Relation
from outcomes_graph.coverage import Coverage, coverage
from outcomes_graph.edition_diff import EditionDiff, edition_diff
from outcomes_graph.errors import UsageError
from outcomes_graph.gaps import Gaps, gaps
from outcomes_graph.matrix import Matrix, alignment_matrix
from outcomes_graph.output import compact
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.search import SearchHit, SearchIndex
from outcomes_graph.settings import Settings
from outcomes_graph.store import open_store
from outcomes_graph.vocab import CURIE_PREFIXES

__all__ = ["DEFAULT_DEPTH", "Aligner", "Alignment", "counterpart_dict", "step_dict"]

#: How many crosswalk steps a derived chain may take by default.
DEFAULT_DEPTH = 3


@dataclass(frozen=True)
class Alignment:
    """The counterparts of one concept."""

    concept: Node
    direct: tuple[Counterpart, ...]
    derived: tuple[Counterpart, ...]
    gaps: tuple[GapRecord, ...]
    refused: tuple[Refusal, ...]
    depth: int
    curated_only: bool

    def all(self) -> tuple[Counterpart, ...]:
        return self.direct + self.derived

    def to_dict(self, index: AlignmentIndex) -> dict[str, Any]:
        return {
            "concept": _node_dict(self.concept),
            "depth": self.depth,
            "curated_only": self.curated_only,
            "direct": [counterpart_dict(index, c) for c in self.direct],
            "derived": [counterpart_dict(index, c) for c in self.derived],
            "recorded_gaps": [_gap_dict(g) for g in self.gaps],
            "refused": [
                {"target": r.target, "curie": compact(r.target), "reason": r.reason, "path": render_path(r)}
                for r in self.refused
            ],
        }


class Aligner:
    """The alignment engine over one open store. Reads the build once, then answers from memory.

    Example::

        aligner = Aligner.open(Settings())
        aligner.counterparts("phof:indicator/90631").derived
        aligner.coverage("lof").summary()
    """

    def __init__(self, store: QueryStore, registry: QueryRegistry, *, cached: bool = True) -> None:
        self.store = store
        self.registry = registry
        self.cached = cached
        self._index: AlignmentIndex | None = None

    @classmethod
    def open(cls, settings: Settings) -> Aligner:
        """The engine over the store the settings name (embedded, or a remote SPARQL endpoint)."""
        return cls(open_store(settings), QueryRegistry.load(settings.queries_dir))

    @property
    def index(self) -> AlignmentIndex:
        if self._index is None:
            self._index = AlignmentIndex.load(self.store, self.registry, cached=self.cached)
        return self._index

    def scheme(self, slug: str) -> SchemeInfo:
        return self.index.scheme(slug)

    def search_index(self) -> SearchIndex:
        return SearchIndex.load(self.store, self.registry)

    def search(self, text: str, *, limit: int = 20, scheme: str | None = None) -> list[SearchHit]:
        """Concepts whose titles, codes or identifiers match ``text``, best first."""
        if scheme:
            scheme = self.scheme(scheme).slug
        return self.search_index().search(text, limit=limit, scheme=scheme)

    def resolve(self, text: str) -> Node:
        """A concept from a URI, a CURIE (``phof:indicator/90631``), a notation (``B04``) or an identifier."""
        value = text.strip()
        if not value:
            raise UsageError(
                "give a concept: a URI, a CURIE such as phof:indicator/90631, a notation such as B04, "
                "or a Fingertips or LG Inform id"
            )
        index = self.index
        iri = _expand(value)
        if iri is not None:
            if iri in index.nodes:
                return index.nodes[iri]
            raise UsageError(f"no concept has the IRI <{iri}>{self._suggest(value)}")
        rows: list[dict[str, str]] = index.memoised(("lookup", value), lambda: self._lookup(value))
        best: dict[str, int] = {}
        for row in rows:
            best[row["node"]] = min(best.get(row["node"], 99), int(row["rank"]))
        if not best:
            raise UsageError(f"no concept matches {value!r}{self._suggest(value)}")
        top = min(best.values())
        chosen = sorted(node for node, rank in best.items() if rank == top)
        if len(chosen) > 1:
            listed = "; ".join(f"{compact(n)} ({index.label(n)})" for n in chosen)
            raise UsageError(
                f"{value!r} matches {len(chosen)} concepts: {listed}. Give one of these CURIEs instead"
            )
        return index.nodes[chosen[0]]

    def _lookup(self, value: str) -> list[dict[str, str]]:
        """concept-lookup rows for the text as written, else in lower case, else in upper case."""
        rows: list[dict[str, str]] = []
        for spelling in dict.fromkeys((value, value.lower(), value.upper())):
            rows = named_rows(self.store, self.registry, "concept-lookup", text=spelling)
            if rows:
                break
        return rows

    def _suggest(self, value: str) -> str:
        """'; did you mean ...' from the search index and close notations, or a hint."""
        names: list[str] = []
        for hit in self.search(value, limit=3):
            names.append(f"{hit.curie} ({hit.label})")
        codes = {n: node for node in self.index.nodes.values() for n in node.notations}
        for code in difflib.get_close_matches(value, list(codes), n=3, cutoff=0.6):
            names.append(f"{code} ({codes[code].curie})")
        unique = list(dict.fromkeys(names))[:4]
        if unique:
            return "; did you mean " + ", ".join(unique) + "?"
        return "; search with `outcomes-graph search TEXT`"

    def counterparts(
        self,
        concept: str,
        *,
        depth: int = DEFAULT_DEPTH,
        curated_only: bool = False,
        min_confidence: float = 0.0,
    ) -> Alignment:
        """Direct and derived counterparts of a concept (see the module docstring)."""
        if depth < 1:
            raise UsageError(f"depth must be at least 1, not {depth}")
        node = self.resolve(concept)
        key = ("counterparts", node.iri, depth, curated_only, min_confidence)
        result: Alignment = self.index.memoised(
            key,
            lambda: self._counterparts(
                node, depth=depth, curated_only=curated_only, min_confidence=min_confidence
            ),
        )
        return result

    def _counterparts(
        self, node: Node, *, depth: int, curated_only: bool, min_confidence: float
    ) -> Alignment:
        index = self.index
        direct: list[Counterpart] = []
        for row in named_rows(self.store, self.registry, "concept-mappings", concept=node.iri):
            record = Record.from_row(row)
            if record.is_gap or (curated_only and not record.curated) or record.weight < min_confidence:
                continue
            step = Step(record, forward=record.subject == node.iri)
            direct.append(Counterpart(node.iri, step.target, step.relation, record.confidence, (step,)))
        reached, refused = derive(
            index, node.iri, depth=depth, curated_only=curated_only, min_confidence=min_confidence
        )
        named = {c.target for c in direct}
        derived = [c for target, c in reached.items() if target not in named and len(c.steps) > 1]
        return Alignment(
            concept=node,
            direct=tuple(sorted(direct, key=lambda c: (c.negated, *c.sort_key()))),
            derived=tuple(sorted(derived, key=Counterpart.sort_key)),
            gaps=index.gap_records.get(node.iri, ()),
            refused=tuple(sorted(refused.values(), key=lambda r: r.target)),
            depth=depth,
            curated_only=curated_only,
        )

    def coverage(
        self,
        framework: str,
        *,
        against: tuple[str, ...] | None = None,
        strength: frozenset[Relation] = STRONG,
        depth: int = DEFAULT_DEPTH,
        curated_only: bool = False,
    ) -> Coverage:
        """Which concepts of ``framework`` FHAB covers (or, for ``fhab``, the national frameworks cover)."""
        return coverage(
            self.index, framework, against=against, strength=strength, depth=depth, curated_only=curated_only
        )

    def gaps(
        self,
        framework: str,
        *,
        against: tuple[str, ...] | None = None,
        depth: int = DEFAULT_DEPTH,
        curated_only: bool = False,
    ) -> Gaps:
        """Unmapped concepts, explicit no-counterpart records and known gaps, kept apart."""
        return gaps(
            self.store,
            self.registry,
            self.index,
            framework,
            against=against,
            depth=depth,
            curated_only=curated_only,
        )

    def matrix(
        self,
        *,
        frameworks: tuple[str, ...] | None = None,
        depth: int = DEFAULT_DEPTH,
        curated_only: bool = False,
    ) -> Matrix:
        """FHAB domains by national frameworks, counts by relation."""
        return alignment_matrix(self.index, frameworks=frameworks, depth=depth, curated_only=curated_only)

    def diff(self, before: str, after: str) -> EditionDiff:
        """Concepts added, removed, relabelled, renumbered or moved between two editions, and stale rows."""
        return edition_diff(self.store, self.registry, self.index, before, after)


def _expand(value: str) -> str | None:
    """An absolute IRI for a URI or CURIE; ``None`` for anything else (a notation or id)."""
    if "://" in value:
        try:
            return ox.NamedNode(value).value
        except ValueError:
            raise UsageError(f"{value!r} is not a valid IRI") from None
    prefix, sep, rest = value.partition(":")
    if sep and prefix in CURIE_PREFIXES and rest:
        try:
            return ox.NamedNode(CURIE_PREFIXES[prefix] + rest).value
        except ValueError:
            raise UsageError(f"{value!r} is not a valid CURIE") from None
    return None


def _node_dict(node: Node) -> dict[str, Any]:
    return {
        "iri": node.iri,
        "curie": node.curie,
        "label": node.label,
        "scheme": node.slug,
        "type": node.type_name,
        "notations": list(node.notations),
    }


def _gap_dict(gap: GapRecord) -> dict[str, Any]:
    return {
        "record": gap.record,
        "predicate": compact(gap.predicate),
        "missing_in": gap.missing_in,
        "status_note": gap.status_note,
        "crosswalk": gap.crosswalk,
        "comment": gap.comment,
        "sources": list(gap.sources),
    }


def step_dict(step: Step) -> dict[str, Any]:
    record = step.record
    return {
        "from": step.source,
        "to": step.target,
        "relation": step.relation.value if step.relation else None,
        "label": step.label,
        "record": record.iri,
        "predicate": compact(record.predicate),
        "direction": "forward" if step.forward else "inverse",
        "negated": record.negated,
        "confidence": record.confidence,
        "justification": compact(record.justification),
        "status": record.status_code,
        "curated": record.curated,
        "crosswalk": record.crosswalk or None,
        "mapping_set": record.set or None,
        "sources": list(record.sources),
    }


def counterpart_dict(index: AlignmentIndex, counterpart: Counterpart) -> dict[str, Any]:
    """A counterpart as plain JSON data, with its path and every step's provenance."""
    target = index.nodes.get(counterpart.target)
    return {
        "iri": counterpart.target,
        "curie": compact(counterpart.target),
        "label": index.label(counterpart.target),
        "scheme": target.slug if target else None,
        "type": target.type_name if target else None,
        "kind": counterpart.kind,
        "relation": counterpart.relation.value if counterpart.relation else None,
        "relation_label": counterpart.label,
        "confidence": None if counterpart.confidence is None else round(counterpart.confidence, 4),
        "basis": counterpart.basis,
        "negated": counterpart.negated,
        "rule": counterpart.rule or None,
        "path": render_path(counterpart),
        "steps": [step_dict(s) for s in counterpart.steps],
    }
