"""Coverage: which concepts of one framework another covers, and how.

``coverage("lof")`` asks how much of the Local Outcomes Framework FHAB covers;
``coverage("fhab")`` asks the other way round, which FHAB concepts have a
counterpart in the national frameworks (LOF, PHOF, Best Start, Supporting
Families, CSC National Framework, Families First).

Rules, for each concept of the framework:

1. Its evidence is every counterpart in the other framework(s), direct or derived
   (chains up to ``depth`` steps; ``depth=1`` counts direct records only).
2. **covered**: some evidence has a relation in ``strength`` (by default the strong
   ones: exact, close, broad, narrow). ``how`` says whether the best is direct or derived.
3. Otherwise, a parent is **covered via narrower** when *every* concept below it
   (``skos:broader``, and ``og:candidateBroader`` marked as a candidate link) is covered.
4. Otherwise **partial**: only weaker evidence (by default ``related``), or only some
   of its narrower concepts are covered or partial.
5. Otherwise **not-found** when a crosswalk record says the counterpart does not exist
   or is not given (``sssom:NoTermFound`` in a mapping set with the other framework),
   and **unmapped** when nobody has mapped it yet.

``basis`` is ``curated`` when at least one counted link is stated by sources in every
step (V or P), else ``candidate`` (some step inferred, I, or unverified, U); a concept
covered via narrower is curated only when all its narrower concepts are, through
``skos:broader`` links. ``curated_only=True`` ignores candidate records altogether.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Literal

from outcomes_graph.alignment_chains import Counterpart, derive, render_path
from outcomes_graph.alignment_index import AlignmentIndex, GapRecord, Node
from outcomes_graph.alignment_rules import STRONG, Relation
from outcomes_graph.errors import UsageError
from outcomes_graph.output import compact

__all__ = ["FHAB", "NATIONAL", "Coverage", "CoverageRow", "GroupRow", "Status", "against_of", "coverage"]

FHAB: Final = "fhab"
#: The national frameworks, in the order matrices and reports list them.
NATIONAL: Final = ("lof", "phof", "bsil", "sf", "cscnf", "ffp")
GroupBy = Literal["concept", "hierarchy", "domain", "tier"]
NONE_GROUP: Final = "(none)"


class Status(StrEnum):
    COVERED = "covered"
    PARTIAL = "partial"
    NOT_FOUND = "not-found"
    UNMAPPED = "unmapped"


@dataclass(frozen=True)
class CoverageRow:
    """One concept of the framework and how it is covered."""

    node: Node
    status: Status
    how: str
    basis: str
    evidence: tuple[Counterpart, ...]
    narrower_covered: int = 0
    narrower_total: int = 0
    recorded_gaps: tuple[GapRecord, ...] = ()
    #: Links that exist but do not count at the chosen strength (e.g. ``related`` beside a covering link).
    weaker: tuple[Counterpart, ...] = ()

    @property
    def best(self) -> Counterpart | None:
        return self.evidence[0] if self.evidence else None

    def to_dict(self) -> dict[str, Any]:
        best = self.best
        return {
            "iri": self.node.iri,
            "curie": self.node.curie,
            "label": self.node.label,
            "type": self.node.type_name,
            "notation": self.node.notation or None,
            "status": self.status.value,
            "how": self.how or None,
            "basis": self.basis or None,
            "relation": best.relation.value if best and best.relation else None,
            "relation_label": best.label if best else None,
            "confidence": round(best.confidence, 4) if best and best.confidence is not None else None,
            "counterparts": [compact(c.target) for c in self.evidence],
            "path": render_path(best) if best else None,
            "narrower": {"covered": self.narrower_covered, "total": self.narrower_total}
            if self.narrower_total
            else None,
            "recorded_gap": bool(self.recorded_gaps),
            "recorded_gap_records": [g.record for g in self.recorded_gaps],
        }


@dataclass(frozen=True)
class GroupRow:
    """Counts for one group: an FHAB domain or tier, or a top concept of the framework."""

    group: str
    label: str
    total: int
    covered: int
    partial: int
    not_found: int
    unmapped: int
    curated: int
    candidate: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.covered / self.total, 1) if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "label": self.label,
            "total": self.total,
            "covered": self.covered,
            "partial": self.partial,
            "not_found": self.not_found,
            "unmapped": self.unmapped,
            "curated": self.curated,
            "candidate": self.candidate,
            "percent_covered": self.percent,
        }


@dataclass(frozen=True)
class Coverage:
    framework: str
    against: tuple[str, ...]
    strength: frozenset[Relation]
    depth: int
    curated_only: bool
    rows: tuple[CoverageRow, ...]

    def row(self, iri: str) -> CoverageRow:
        for row in self.rows:
            if row.node.iri == iri:
                return row
        raise KeyError(iri)

    def summary(self) -> dict[str, Any]:
        covered = [r for r in self.rows if r.status is Status.COVERED]
        count = len(self.rows)
        return {
            "framework": self.framework,
            "against": list(self.against),
            "strength": sorted(r.value for r in self.strength),
            "depth": self.depth,
            "curated_only": self.curated_only,
            "total": count,
            "covered": len(covered),
            "covered_direct": sum(r.how == "direct" for r in covered),
            "covered_derived": sum(r.how == "derived" for r in covered),
            "covered_via_narrower": sum(r.how == "via narrower" for r in covered),
            "covered_curated": sum(r.basis == "curated" for r in covered),
            "covered_candidate": sum(r.basis == "candidate" for r in covered),
            "partial": sum(r.status is Status.PARTIAL for r in self.rows),
            "not_found": sum(r.status is Status.NOT_FOUND for r in self.rows),
            "unmapped": sum(r.status is Status.UNMAPPED for r in self.rows),
            "with_recorded_gap": sum(bool(r.recorded_gaps) for r in self.rows),
            "percent_covered": round(100.0 * len(covered) / count, 1) if count else 0.0,
        }

    def groups(self, index: AlignmentIndex, by: GroupBy) -> list[GroupRow]:
        """Counts per FHAB domain or tier, or per top concept of the framework (``hierarchy``)."""
        if by == "hierarchy":
            return _by_hierarchy(index, self.rows)
        if by in ("domain", "tier"):
            return _by_facet(index, self, by)
        raise UsageError(f"cannot group coverage by {by!r}; use one of: concept, hierarchy, domain, tier")


def against_of(index: AlignmentIndex, framework: str, against: tuple[str, ...] | None) -> tuple[str, ...]:
    """The frameworks that count as covering: FHAB for a national one, the national ones for FHAB."""
    if against:
        return tuple(dict.fromkeys(index.scheme(slug).slug for slug in against))
    if framework == FHAB:
        return tuple(slug for slug in NATIONAL if slug in index.schemes)
    return (FHAB,)


def coverage(
    index: AlignmentIndex,
    framework: str,
    *,
    against: tuple[str, ...] | None = None,
    strength: frozenset[Relation] = STRONG,
    depth: int = 3,
    curated_only: bool = False,
) -> Coverage:
    """How the concepts of ``framework`` are covered by ``against`` (see the module docstring)."""
    slug = index.scheme(framework).slug
    targets = against_of(index, slug, against)
    if not strength:
        raise UsageError("choose at least one relation for --strength")
    key = ("coverage", slug, targets, strength, depth, curated_only)
    result: Coverage = index.memoised(
        key, lambda: _compute(index, slug, targets, strength, depth, curated_only)
    )
    return result


def _compute(
    index: AlignmentIndex,
    slug: str,
    targets: tuple[str, ...],
    strength: frozenset[Relation],
    depth: int,
    curated_only: bool,
) -> Coverage:
    nodes = index.concepts_of(slug)
    members = {n.iri for n in nodes}
    done: dict[str, CoverageRow] = {}

    def evidence(node: Node) -> tuple[list[Counterpart], list[Counterpart]]:
        reached, _ = derive(index, node.iri, depth=depth, curated_only=curated_only)
        found = [
            c
            for c in reached.values()
            if index.slug(c.target) in targets and not index.nodes[c.target].is_gap
        ]
        found.sort(key=lambda c: (not c.curated, *c.sort_key()))
        return [c for c in found if c.relation in strength], [c for c in found if c.relation not in strength]

    def visit(node: Node, path: frozenset[str]) -> CoverageRow:
        if node.iri in done:
            return done[node.iri]
        strong, weak = evidence(node)
        gaps = tuple(g for g in index.gap_records.get(node.iri, ()) if g.missing_in in targets)
        kids = [
            (index.nodes[c], cand)
            for c, cand in index.children.get(node.iri, ())
            if c in members and c not in path
        ]
        kid_rows = [(visit(kid, path | {node.iri}), cand) for kid, cand in kids]
        covered_kids = [r for r, _ in kid_rows if r.status is Status.COVERED]

        def make(
            status: Status,
            how: str,
            basis: str,
            found: tuple[Counterpart, ...] = (),
            other: list[Counterpart] = weak,
        ) -> CoverageRow:
            return CoverageRow(
                node, status, how, basis, found, len(covered_kids), len(kid_rows), gaps, tuple(other)
            )

        if strong:
            row = make(Status.COVERED, _how(strong), _basis(strong), tuple(strong))
        elif kid_rows and len(covered_kids) == len(kid_rows):
            curated = all(r.basis == "curated" and not candidate for r, candidate in kid_rows)
            found = tuple(c for r in covered_kids for c in r.evidence)
            row = make(Status.COVERED, "via narrower", "curated" if curated else "candidate", found)
        elif weak:
            row = make(Status.PARTIAL, _how(weak), _basis(weak), tuple(weak), [])
        elif any(r.status in (Status.COVERED, Status.PARTIAL) for r, _ in kid_rows):
            found = tuple(c for r, _ in kid_rows for c in r.evidence)
            row = make(Status.PARTIAL, "via narrower", _basis(found), found)
        else:
            row = make(Status.NOT_FOUND if gaps else Status.UNMAPPED, "", "")
        done[node.iri] = row
        return row

    rows = tuple(visit(node, frozenset()) for node in nodes)
    return Coverage(slug, targets, strength, depth, curated_only, rows)


def _basis(evidence: tuple[Counterpart, ...] | list[Counterpart]) -> str:
    return "curated" if any(c.curated for c in evidence) else "candidate"


def _how(evidence: list[Counterpart]) -> str:
    return "direct" if any(c.kind == "direct" for c in evidence) else "derived"


def _by_hierarchy(index: AlignmentIndex, rows: tuple[CoverageRow, ...]) -> list[GroupRow]:
    by_iri = {r.node.iri: r for r in rows}
    groups: list[GroupRow] = []
    for row in rows:
        parents = [p for p in (*row.node.broader, *row.node.candidate_broader) if p in by_iri]
        if parents:
            continue
        members: dict[str, CoverageRow] = {}
        stack = [row.node.iri]
        while stack:
            iri = stack.pop()
            if iri in members or iri not in by_iri:
                continue
            members[iri] = by_iri[iri]
            stack.extend(child for child, _ in index.children.get(iri, ()))
        groups.append(_count(row.node.curie, row.node.label, list(members.values())))
    return groups


def _by_facet(index: AlignmentIndex, result: Coverage, facet: Literal["domain", "tier"]) -> list[GroupRow]:
    """FHAB concepts by their own domain or tier; a national framework's concepts by their counterparts'.

    For a national framework a concept counts as covered in a domain when a counted link
    reaches an FHAB concept of that domain, and as partial there when only weaker links do.
    """
    order = [n.iri for n in index.facet_nodes(facet)] + [NONE_GROUP]
    if result.framework == FHAB:
        members: dict[str, list[CoverageRow]] = {key: [] for key in order}
        for row in result.rows:
            for key in set(index.fhab_facets(row.node.iri, facet)) or {NONE_GROUP}:
                members.setdefault(key, []).append(row)
        return [
            _count(_group_name(key), _group_label(index, key, facet), found) for key, found in members.items()
        ]

    def facets(found: tuple[Counterpart, ...]) -> set[str]:
        return {f for c in found for f in index.fhab_facets(c.target, facet)} or (
            {NONE_GROUP} if found else set()
        )

    counts = {key: [0, 0, 0, 0] for key in order}  # covered, partial, curated, candidate
    for row in result.rows:
        counted = facets(row.evidence) if row.status is Status.COVERED else set()
        weaker = facets(row.evidence + row.weaker if row.status is Status.PARTIAL else row.weaker) - counted
        for key in counted:
            tally = counts.setdefault(key, [0, 0, 0, 0])
            tally[0] += 1
            in_key = [
                c for c in row.evidence if key in (set(index.fhab_facets(c.target, facet)) or {NONE_GROUP})
            ]
            curated = row.basis == "curated" if row.how == "via narrower" else any(c.curated for c in in_key)
            tally[2 if curated else 3] += 1
        for key in weaker:
            counts.setdefault(key, [0, 0, 0, 0])[1] += 1
    total = len(result.rows)
    return [
        GroupRow(_group_name(key), _group_label(index, key, facet), total, c[0], c[1], 0, 0, c[2], c[3])
        for key, c in counts.items()
    ]


def _group_name(key: str) -> str:
    return key if key == NONE_GROUP else compact(key)


def _group_label(index: AlignmentIndex, key: str, facet: str) -> str:
    return f"no FHAB {facet}" if key == NONE_GROUP else index.label(key)


def _count(group: str, label: str, rows: list[CoverageRow]) -> GroupRow:
    covered = [r for r in rows if r.status is Status.COVERED]
    return GroupRow(
        group=group,
        label=label,
        total=len(rows),
        covered=len(covered),
        partial=sum(r.status is Status.PARTIAL for r in rows),
        not_found=sum(r.status is Status.NOT_FOUND for r in rows),
        unmapped=sum(r.status is Status.UNMAPPED for r in rows),
        curated=sum(r.basis == "curated" for r in covered),
        candidate=sum(r.basis == "candidate" for r in covered),
    )
