"""Counterparts of many concepts from the engine's in-memory index, with no store query per concept.

``Aligner.counterparts`` reads a concept's direct records with one named query per
call, which would make a list of N concepts cost N queries. This thin adapter
applies the same rules to the records the engine's index already holds (the same
columns, read once per build by ``alignment-edges``), and reuses the engine's
chain search for derived counterparts.
"""

from __future__ import annotations

from collections import defaultdict

from outcomes_graph.alignment_chains import Counterpart, derive
from outcomes_graph.alignment_index import AlignmentIndex, Record, Step
from outcomes_graph.alignment_rules import Relation
from outcomes_graph.web.graphql.errors import bad_input

__all__ = ["find_counterparts", "records_of"]


def records_of(index: AlignmentIndex, iri: str) -> tuple[Record, ...]:
    """Every record with ``iri`` as subject or object (memoised per build)."""

    def by_node() -> dict[str, tuple[Record, ...]]:
        found: dict[str, list[Record]] = defaultdict(list)
        for record in index.records:
            found[record.subject].append(record)
            if record.object != record.subject:
                found[record.object].append(record)
        return {node: tuple(records) for node, records in found.items()}

    table: dict[str, tuple[Record, ...]] = index.memoised(("graphql-records-by-node",), by_node)
    return table.get(iri, ())


def find_counterparts(
    index: AlignmentIndex,
    iri: str,
    *,
    direct: bool = True,
    derived: bool = True,
    min_strength: Relation | None = None,
    depth: int = 3,
    curated_only: bool = False,
    min_confidence: float = 0.0,
) -> list[Counterpart]:
    """Direct then derived counterparts, as ``Aligner.counterparts`` orders them.

    ``min_strength`` keeps positive SKOS links whose relation is at least that strong
    (BROAD and NARROW are equally strong); without it, every link is kept, including
    negated ones and scheme-level references.
    """
    if not 1 <= depth <= 6:
        raise bad_input(f"depth must be between 1 and 6, not {depth}")
    if not 0.0 <= min_confidence <= 1.0:
        raise bad_input(f"minConfidence must be between 0 and 1, not {min_confidence}")
    found: list[Counterpart] = []
    named: set[str] = set()
    for record in records_of(index, iri):
        if record.is_gap or (curated_only and not record.curated) or record.weight < min_confidence:
            continue
        step = Step(record, forward=record.subject == iri)
        named.add(step.target)
        found.append(Counterpart(iri, step.target, step.relation, record.confidence, (step,)))
    chosen = sorted(found, key=lambda c: (c.negated, *c.sort_key())) if direct else []
    if derived:
        reached, _ = derive(index, iri, depth=depth, curated_only=curated_only, min_confidence=min_confidence)
        chains = [c for target, c in reached.items() if target not in named and len(c.steps) > 1]
        chosen += sorted(chains, key=Counterpart.sort_key)
    if min_strength is not None:
        chosen = [c for c in chosen if c.relation and not c.negated and c.relation.rank <= min_strength.rank]
    return chosen
