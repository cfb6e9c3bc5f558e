"""Gaps: what a framework lacks a counterpart for, in three kinds kept apart.

- **unmapped**: concepts with no counterpart in the other framework(s) at any strength,
  direct or derived, and no record saying none exists: nobody has mapped them yet;
- **not found**: explicit crosswalk records whose other side is ``sssom:NoTermFound``,
  in a mapping set with the other framework: a source says the counterpart does not
  exist, or that it exists but is not given (for example Merton's item mappings, X9);
- **known gaps**: ``og:KnownGap`` records of the framework itself, items the sources
  say exist but do not give (NF) or give only unconfirmed (U).

For a national framework the other framework is FHAB; for FHAB it is the national ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from outcomes_graph.alignment_index import AlignmentIndex, GapRecord, Node, QueryStore, named_rows
from outcomes_graph.alignment_rules import Relation
from outcomes_graph.coverage import Status, against_of, coverage
from outcomes_graph.output import compact
from outcomes_graph.queries import QueryRegistry

__all__ = ["GAP_COLUMNS", "Gaps", "gaps"]

#: The columns of the one-table (CSV) form of a gap report.
GAP_COLUMNS = ["gap_type", "item", "label", "detail", "status", "record", "sources"]


@dataclass(frozen=True)
class Gaps:
    framework: str
    against: tuple[str, ...]
    unmapped: tuple[Node, ...]
    not_found: tuple[tuple[Node, GapRecord], ...]
    known: tuple[dict[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "against": list(self.against),
            "unmapped": [
                {"iri": n.iri, "curie": n.curie, "label": n.label, "type": n.type_name} for n in self.unmapped
            ],
            "not_found": [
                {
                    "iri": n.iri,
                    "curie": n.curie,
                    "label": n.label,
                    "missing_in": g.missing_in,
                    "record": g.record,
                    "predicate": compact(g.predicate),
                    "status_note": g.status_note,
                    "crosswalk": g.crosswalk,
                    "comment": g.comment,
                    "sources": list(g.sources),
                }
                for n, g in self.not_found
            ],
            "known_gaps": [
                {
                    "iri": k["gap"],
                    "curie": compact(k["gap"]),
                    "label": k.get("label", ""),
                    "kind": compact(k["kind"]) if k.get("kind") else None,
                    "parent": compact(k["parent"]) if k.get("parent") else None,
                    "expected_count": int(k["expectedCount"]) if k.get("expectedCount") else None,
                    "status": compact(k.get("status", "")),
                    "status_note": k.get("statusNote"),
                    "sources": [s for s in k.get("sources", "").split("|") if s],
                }
                for k in self.known
            ],
        }

    def table(self) -> list[list[str]]:
        """Every gap as one row of :data:`GAP_COLUMNS`."""
        rows = [["unmapped", n.curie, n.label, n.type_name, "", "", ""] for n in self.unmapped]
        rows += [
            [
                "not-found",
                n.curie,
                n.label,
                _not_found_detail(g),
                g.status_note or compact(g.status),
                compact(g.record),
                "|".join(g.sources),
            ]
            for n, g in self.not_found
        ]
        rows += [
            [
                "known-gap",
                compact(k["gap"]),
                k.get("label", ""),
                _known_detail(k),
                k.get("statusNote") or compact(k.get("status", "")),
                "",
                k.get("sources", ""),
            ]
            for k in self.known
        ]
        return rows


def _not_found_detail(gap: GapRecord) -> str:
    crosswalk = f", {gap.crosswalk}" if gap.crosswalk else ""
    return f"no counterpart in {gap.missing_in} ({compact(gap.predicate)}{crosswalk})"


def _known_detail(row: dict[str, str]) -> str:
    parts = []
    if row.get("kind"):
        parts.append(compact(row["kind"]).removeprefix("og:"))
    if row.get("expectedCount"):
        parts.append(f"{row['expectedCount']} expected")
    if row.get("parent"):
        parts.append(f"under {compact(row['parent'])}")
    return ", ".join(parts)


def gaps(
    store: QueryStore,
    registry: QueryRegistry,
    index: AlignmentIndex,
    framework: str,
    *,
    against: tuple[str, ...] | None = None,
    depth: int = 3,
    curated_only: bool = False,
) -> Gaps:
    """The three kinds of gap of ``framework`` (see the module docstring). Memoised per build."""
    scheme = index.scheme(framework)
    targets = against_of(index, scheme.slug, against)
    key = ("gaps", scheme.slug, targets, depth, curated_only)
    found: Gaps = index.memoised(
        key, lambda: _gaps(store, registry, index, scheme.slug, targets, depth, curated_only)
    )
    return found


def _gaps(
    store: QueryStore,
    registry: QueryRegistry,
    index: AlignmentIndex,
    slug: str,
    targets: tuple[str, ...],
    depth: int,
    curated_only: bool,
) -> Gaps:
    report = coverage(
        index, slug, against=targets, strength=frozenset(Relation), depth=depth, curated_only=curated_only
    )
    unmapped = tuple(r.node for r in report.rows if r.status is Status.UNMAPPED)
    not_found = tuple(
        (node, gap)
        for node in index.concepts_of(slug)
        for gap in index.gap_records.get(node.iri, ())
        if gap.missing_in in targets
    )
    known = tuple(named_rows(store, registry, "known-gaps", scheme=index.schemes[slug].iri))
    return Gaps(slug, targets, unmapped, not_found, known)
