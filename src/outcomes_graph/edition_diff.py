"""Edition diff: what changed between two editions of a framework, and which crosswalk rows went stale.

Each edition is read with the named query ``edition-concepts``; the crosswalk rows
touching the older edition with ``edition-mappings``. A concept of edition A is
matched to one of edition B by, in order:

1. the same key (the IRI after the scheme, ``{kind}/{ref}``);
2. an explicit link between the two: a curated ``skos:exactMatch``, ``skos:closeMatch``
   or ``dct:isReplacedBy`` record;
3. the same title, ignoring case, accents and punctuation.

A matched pair is **relabelled** when the exact titles differ, **renumbered** when the
notations differ, and **moved** when the key (so the IRI) differs. Unmatched concepts
of A are **removed**, of B **added**. A crosswalk row is **stale** when it points at a
concept of A that was removed or changed (edition links themselves are not stale);
the replacement, if any, is the matched concept of B.

Only concepts the graph holds are compared: the editions' known gaps (items the
sources do not give) are counted beside the diff, so a short list is not misread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from outcomes_graph.alignment_index import CURATED, AlignmentIndex, QueryStore, SchemeInfo, named_rows
from outcomes_graph.output import compact
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.search import normalise
from outcomes_graph.vocab import DCTERMS, SKOS

__all__ = ["CHANGE_KINDS", "Change", "EditionConcept", "EditionDiff", "StaleRow", "edition_diff"]

CHANGE_KINDS: Final = ("added", "removed", "relabelled", "renumbered", "moved")
_LINKS: Final = frozenset({str(SKOS.exactMatch), str(SKOS.closeMatch), str(DCTERMS.isReplacedBy)})


@dataclass(frozen=True)
class EditionConcept:
    iri: str
    key: str
    type: str
    label: str
    notations: tuple[str, ...]

    @classmethod
    def from_row(cls, row: dict[str, str]) -> EditionConcept:
        notations = tuple(sorted(n for n in row.get("notations", "").split("|") if n))
        return cls(
            row["concept"],
            row.get("key", ""),
            row.get("type", "").rsplit("/", 1)[-1],
            row.get("label", ""),
            notations,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "curie": compact(self.iri),
            "key": self.key,
            "type": self.type,
            "label": self.label,
            "notations": list(self.notations),
        }


@dataclass(frozen=True)
class Change:
    """One concept's change: ``("added",)``, ``("removed",)``, or some of relabelled, renumbered, moved."""

    kinds: tuple[str, ...]
    before: EditionConcept | None
    after: EditionConcept | None
    matched_by: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kinds": list(self.kinds),
            "matched_by": self.matched_by or None,
            "before": self.before.to_dict() if self.before else None,
            "after": self.after.to_dict() if self.after else None,
        }


@dataclass(frozen=True)
class StaleRow:
    record: str
    concept: str
    other: str
    predicate: str
    status: str
    reasons: tuple[str, ...]
    replacement: str | None
    mapping_set: str
    crosswalk: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "concept": compact(self.concept),
            "other": compact(self.other),
            "predicate": compact(self.predicate),
            "status": compact(self.status),
            "reasons": list(self.reasons),
            "replacement": compact(self.replacement) if self.replacement else None,
            "mapping_set": self.mapping_set or None,
            "crosswalk": self.crosswalk or None,
        }


@dataclass(frozen=True)
class EditionDiff:
    before: str
    after: str
    changes: tuple[Change, ...]
    unchanged: int
    stale: tuple[StaleRow, ...]
    gaps_before: int
    gaps_after: int

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if kind in c.kinds]

    def summary(self) -> dict[str, int]:
        counts = {kind: len(self.of_kind(kind)) for kind in CHANGE_KINDS}
        return {
            **counts,
            "unchanged": self.unchanged,
            "stale_rows": len(self.stale),
            "known_gaps_before": self.gaps_before,
            "known_gaps_after": self.gaps_after,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "summary": self.summary(),
            "changes": [c.to_dict() for c in self.changes],
            "stale": [s.to_dict() for s in self.stale],
        }


def edition_diff(
    store: QueryStore, registry: QueryRegistry, index: AlignmentIndex, before: str, after: str
) -> EditionDiff:
    """Compare edition ``before`` with ``after`` (slugs, e.g. ``lgof`` and ``lof``). Memoised per build."""
    a, b = index.scheme(before), index.scheme(after)
    result: EditionDiff = index.memoised(("diff", a.slug, b.slug), lambda: _diff(store, registry, a, b))
    return result


def _diff(store: QueryStore, registry: QueryRegistry, a: SchemeInfo, b: SchemeInfo) -> EditionDiff:
    old = [EditionConcept.from_row(r) for r in named_rows(store, registry, "edition-concepts", edition=a.iri)]
    new = [EditionConcept.from_row(r) for r in named_rows(store, registry, "edition-concepts", edition=b.iri)]
    rows = named_rows(store, registry, "edition-mappings", edition=a.iri)
    new_by_iri = {c.iri: c for c in new}
    pairs = _match(old, new, rows, new_by_iri)
    changes: list[Change] = []
    unchanged = 0
    changed_kinds: dict[str, tuple[tuple[str, ...], str | None]] = {}
    for concept in old:
        if concept.iri not in pairs:
            changes.append(Change(("removed",), concept, None))
            changed_kinds[concept.iri] = (("removed",), None)
            continue
        target, how = pairs[concept.iri]
        kinds = tuple(
            k
            for k, differs in (
                ("relabelled", concept.label != target.label),
                ("renumbered", concept.notations != target.notations),
                ("moved", concept.key != target.key),
            )
            if differs
        )
        if kinds:
            changes.append(Change(kinds, concept, target, how))
            changed_kinds[concept.iri] = (kinds, target.iri)
        else:
            unchanged += 1
    matched_new = {target.iri for target, _ in pairs.values()}
    changes += [Change(("added",), None, c) for c in new if c.iri not in matched_new]
    stale = tuple(
        StaleRow(
            row["record"],
            row["concept"],
            row["other"],
            row["predicate"],
            row.get("status", ""),
            changed_kinds[row["concept"]][0],
            changed_kinds[row["concept"]][1],
            row.get("set", ""),
            row.get("crosswalk", ""),
        )
        for row in rows
        if row["concept"] in changed_kinds and row["other"] not in new_by_iri
    )
    return EditionDiff(a.slug, b.slug, tuple(changes), unchanged, stale, a.gaps, b.gaps)


def _match(
    old: list[EditionConcept],
    new: list[EditionConcept],
    rows: list[dict[str, str]],
    new_by_iri: dict[str, EditionConcept],
) -> dict[str, tuple[EditionConcept, str]]:
    """Pairs old IRI → (new concept, how matched), each new concept used once."""
    pairs: dict[str, tuple[EditionConcept, str]] = {}
    used: set[str] = set()

    def pair(concept: EditionConcept, target: EditionConcept, how: str) -> None:
        if concept.iri not in pairs and target.iri not in used:
            pairs[concept.iri] = (target, how)
            used.add(target.iri)

    by_key = {c.key: c for c in new}
    for concept in old:
        if concept.key in by_key:
            pair(concept, by_key[concept.key], "key")
    for row in rows:
        linked = row["other"] in new_by_iri and row["predicate"] in _LINKS and row.get("negated") != "true"
        if linked and row.get("status") in CURATED:
            source = next((c for c in old if c.iri == row["concept"]), None)
            if source is not None:
                pair(source, new_by_iri[row["other"]], "link")
    by_label: dict[str, list[EditionConcept]] = {}
    for c in new:
        by_label.setdefault(normalise(c.label), []).append(c)
    for concept in old:
        same = [c for c in by_label.get(normalise(concept.label), []) if c.iri not in used]
        if len(same) == 1:
            pair(concept, same[0], "label")
    return pairs
