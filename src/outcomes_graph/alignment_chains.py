"""Derived alignments: chains of crosswalk records through shared concepts.

A chain walks positive SKOS mapping records (never negated ones, never
``sssom:NoTermFound`` gaps, never scheme-level links) in either direction, up to
``depth`` steps, and composes the relations by the rules in
:mod:`outcomes_graph.alignment_rules`. Its confidence is the product of its steps'
confidences, so it never rises. A chain is *curated* only when every step is a
curated record (status V or P); one inferred or unverified step makes the whole
chain a candidate. A chain is never stored: it is recomputed from the records.

For each reachable concept the best chain wins: the strongest relation, then the
highest confidence, then the fewest steps. A chain between two concepts that a
record says must not be matched (``predicate_modifier`` Not) is refused, and so is
every chain through that pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from outcomes_graph.alignment_index import AlignmentIndex, Step
from outcomes_graph.alignment_rules import Relation, compose, refusal_reason
from outcomes_graph.output import compact

__all__ = ["Counterpart", "Refusal", "derive", "render_path"]

NEGATED_REASON = "a crosswalk record says these two must not be matched (predicate_modifier Not)"


@dataclass(frozen=True, slots=True)
class Counterpart:
    """A concept reached from ``start``, with the relation, confidence and the steps taken."""

    start: str
    target: str
    relation: Relation | None
    confidence: float | None
    steps: tuple[Step, ...]

    @property
    def kind(self) -> Literal["direct", "derived"]:
        return "direct" if len(self.steps) == 1 else "derived"

    @property
    def curated(self) -> bool:
        return all(step.record.curated for step in self.steps)

    @property
    def basis(self) -> Literal["curated", "candidate"]:
        return "curated" if self.curated else "candidate"

    @property
    def negated(self) -> bool:
        return any(step.record.negated for step in self.steps)

    @property
    def label(self) -> str:
        """Plain words: "same as", "broader than", ... (or the record's own wording for other links)."""
        if len(self.steps) == 1:
            return self.steps[0].label
        return self.relation.label if self.relation else ""

    @property
    def rule(self) -> str:
        """How the relation was composed, e.g. ``close to + same as = close to``."""
        if len(self.steps) < 2:
            return ""
        labels = [step.relation.label for step in self.steps if step.relation]
        return " + ".join(labels) + f" = {self.label}"

    def sort_key(self) -> tuple[int, float, int, str]:
        rank = self.relation.rank if self.relation else 9
        return (rank, -(self.confidence or 0.0), len(self.steps), self.target)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A concept reachable only by chains the rules refuse, with the first reason found."""

    start: str
    target: str
    steps: tuple[Step, ...]
    reason: str


def derive(
    index: AlignmentIndex,
    start: str,
    *,
    depth: int = 3,
    curated_only: bool = False,
    min_confidence: float = 0.0,
) -> tuple[dict[str, Counterpart], dict[str, Refusal]]:
    """The best chain to every concept reachable from ``start`` in 1..``depth`` steps, and the refusals.

    Memoised per build: the index is immutable, so the same question is answered once.
    """
    key = ("derive", start, depth, curated_only, min_confidence)
    result: tuple[dict[str, Counterpart], dict[str, Refusal]] = index.memoised(
        key,
        lambda: _search(index, start, depth=depth, curated_only=curated_only, min_confidence=min_confidence),
    )
    return result


def _search(
    index: AlignmentIndex, start: str, *, depth: int, curated_only: bool, min_confidence: float
) -> tuple[dict[str, Counterpart], dict[str, Refusal]]:
    best: dict[str, Counterpart] = {}
    refused: dict[str, Refusal] = {}
    seen: dict[tuple[str, Relation], float] = {}
    frontier: list[tuple[str, Relation | None, float, tuple[Step, ...]]] = [(start, None, 1.0, ())]
    for _ in range(depth):
        following: list[tuple[str, Relation | None, float, tuple[Step, ...]]] = []
        for node, relation, confidence, steps in frontier:
            visited = {start, *(step.target for step in steps)}
            for step in index.adjacent(node):
                target, step_relation = step.target, step.relation
                if target in visited or step_relation is None or (curated_only and not step.record.curated):
                    continue
                path = (*steps, step)
                composed = step_relation if relation is None else compose(relation, step_relation)
                if composed is None:
                    assert relation is not None
                    refused.setdefault(
                        target, Refusal(start, target, path, refusal_reason(relation, step_relation))
                    )
                    continue
                if frozenset((start, target)) in index.negated:
                    refused.setdefault(target, Refusal(start, target, path, NEGATED_REASON))
                    continue
                weight = confidence * step.weight
                if weight < min_confidence or seen.get((target, composed), -1.0) >= weight:
                    continue
                seen[(target, composed)] = weight
                found = Counterpart(start, target, composed, weight, path)
                if target not in best or found.sort_key() < best[target].sort_key():
                    best[target] = found
                following.append((target, composed, weight, path))
        frontier = following
    return best, {target: why for target, why in refused.items() if target not in best}


def render_path(counterpart: Counterpart | Refusal) -> str:
    """A chain as one line: each step's relation, status, confidence and crosswalk, then the node.

    For example::

        phof:indicator/90631 -[close to; I 0.5; X44]-> lgi:19346
            -[close to; P 0.8; X22]-> lof:metric/gld-at-5
    """
    parts = [compact(counterpart.start)]
    for step in counterpart.steps:
        record = step.record
        facts = [step.label, f"{record.status_code} {record.weight:g}"]
        if record.crosswalk:
            facts.append(record.crosswalk)
        parts.append(f"-[{'; '.join(facts)}]-> {compact(step.target)}")
    return " ".join(parts)
