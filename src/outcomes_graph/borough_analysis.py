"""The alignment check of one overlay: coverage, gaps, Best Start and LOF links, data, services.

The overlay's priorities and indicators join the alignment engine's index as one more
"framework" (slug ``borough-{gss}``): its mappings become records (stated by the borough, so
curated), an indicator sits under the priority it measures (``skos:broader`` in the engine's
sense), and each item carries the FHAB domains and tier it serves (an indicator without its own
inherits its priority's). The engine's :func:`~outcomes_graph.coverage.coverage` then answers,
unchanged, how much of each national framework the borough reaches, directly or through the
crosswalks, grouped by FHAB domain and tier; and, the other way round, which local priorities
reach no national framework. Nothing is stored: the joined index lives for one check.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Final

from outcomes_graph.alignment_chains import Counterpart, derive, render_path
from outcomes_graph.alignment_index import AlignmentIndex, Node, Record, SchemeInfo
from outcomes_graph.alignment_rules import STRONG
from outcomes_graph.borough_model import LocalItem, Overlay
from outcomes_graph.coverage import NATIONAL, Coverage, CoverageRow, Status, coverage
from outcomes_graph.output import compact
from outcomes_graph.vocab import ID, OG, SEMAPV

__all__ = ["GLD_TARGET", "OUTCOME_TYPES", "Analysis", "analyse", "borough_slug", "joined_index"]

#: The Best Start in Life ambition: 75% of five-year-olds with a good level of development by 2028.
GLD_TARGET: Final = str(ID["bsil/target/gld-75-by-2028"])
#: The kinds of national concept a borough's coverage is counted over (not documents, roles...).
OUTCOME_TYPES: Final = frozenset({"Outcome", "OutcomeArea", "Target", "Measure", "Indicator", "Metric"})
_NOT_REACHED: Final = (Status.UNMAPPED, Status.NOT_FOUND)
_TYPE_OF: Final = {"priority": str(OG.LocalPriority), "indicator": str(OG.LocalIndicator)}


def borough_slug(gss: str) -> str:
    return f"borough-{gss.lower()}"


@dataclass(frozen=True)
class Analysis:
    """Everything the check reports besides validation, as plain data (see :meth:`to_dict`)."""

    coverage: list[dict[str, Any]]
    gaps: dict[str, Any]
    targets: dict[str, Any]
    availability: dict[str, Any]
    services: dict[str, Any]


def joined_index(index: AlignmentIndex, overlay: Overlay) -> tuple[AlignmentIndex, str]:
    """The engine's index plus the overlay's priorities and indicators as one more framework."""
    slug = borough_slug(overlay.gss)
    items = [i for i in overlay.items.values() if i.kind in _TYPE_OF]
    domains_of = {i.iri: i.domains for i in items}
    tiers_of = {i.iri: (i.tier,) if i.tier else () for i in items}
    nodes = dict(index.nodes)
    for item in items:
        parent = item.priority if item.priority in domains_of else None
        nodes[item.iri] = Node(
            iri=item.iri,
            slug=slug,
            type=_TYPE_OF[item.kind],
            label=item.label or item.id,
            notations=(item.id,),
            domains=item.domains or (domains_of.get(parent, ()) if parent else ()),
            tiers=tiers_of[item.iri] or (tiers_of.get(parent, ()) if parent else ()),
            broader=(parent,) if parent else (),
        )
    records = list(index.records)
    for link in overlay.links:
        if link.subject not in nodes or link.object not in index.nodes:
            continue
        manual = link.justification == str(SEMAPV.ManualMappingCuration)
        records.append(
            Record(
                iri=link.record,
                subject=link.subject,
                predicate=link.predicate,
                object=link.object,
                justification=link.justification,
                status=str(OG.Verified if manual else OG.PartlyVerified),
                confidence=link.confidence,
                set=overlay.iri,
                subject_label=nodes[link.subject].label,
            )
        )
    schemes = dict(index.schemes)
    schemes[slug] = SchemeInfo(slug, overlay.iri, overlay.title or f"Overlay of {overlay.gss}", len(items), 0)
    joined = AlignmentIndex(f"{index.build_id}+{slug}", nodes, tuple(records), schemes, index.gap_records)
    return joined, slug


def analyse(overlay: Overlay, index: AlignmentIndex, *, depth: int = 3) -> Analysis:
    joined, slug = joined_index(index, overlay)
    national = tuple(s for s in NATIONAL if s in index.schemes)
    per_framework = [_framework(joined, slug, s, depth) for s in national]
    local = coverage(joined, slug, against=national, depth=depth)
    return Analysis(
        coverage=[summary for summary, _ in per_framework],
        gaps=_gaps(joined, [c for _, c in per_framework], local),
        targets=_targets(joined, overlay, slug, depth),
        availability=_availability(overlay, index),
        services=_services(overlay, index),
    )


def _framework(
    joined: AlignmentIndex, slug: str, framework: str, depth: int
) -> tuple[dict[str, Any], Coverage]:
    full = coverage(joined, framework, against=(slug,), depth=depth)
    rows = tuple(r for r in full.rows if r.node.type_name in OUTCOME_TYPES) or full.rows
    counted = replace(full, rows=rows)
    summary = counted.summary()
    reached = [r for r in rows if r.status is Status.COVERED]
    info = joined.schemes[framework]
    return {
        "framework": framework,
        "title": info.title,
        "counted": sorted({r.node.type_name for r in rows}),
        "total": summary["total"],
        "reached": summary["covered"],
        "reached_direct": summary["covered_direct"],
        "reached_derived": summary["covered_derived"],
        "reached_via_narrower": summary["covered_via_narrower"],
        "partial": summary["partial"],
        "not_reached": summary["unmapped"] + summary["not_found"],
        "percent_reached": summary["percent_covered"],
        "by_domain": [g.to_dict() for g in counted.groups(joined, "domain")],
        "by_tier": [g.to_dict() for g in counted.groups(joined, "tier")],
        "reached_items": [_row(joined, r) for r in reached],
    }, counted


def _row(joined: AlignmentIndex, row: CoverageRow) -> dict[str, Any]:
    best = row.best
    return {
        "curie": row.node.curie,
        "label": row.node.label,
        "type": row.node.type_name,
        "how": row.how,
        "relation": best.label if best else None,
        "by": sorted({joined.label(c.target) for c in row.evidence}),
        "path": render_path(best) if best else None,
    }


def _gaps(joined: AlignmentIndex, frameworks: list[Coverage], local: Coverage) -> dict[str, Any]:
    not_reached = [
        {
            "framework": cov.framework,
            "curie": r.node.curie,
            "label": r.node.label,
            "type": r.node.type_name,
            "status": r.status.value,
            "recorded_gap": bool(r.recorded_gaps),
        }
        for cov in frameworks
        for r in cov.rows
        if r.status in _NOT_REACHED
    ]
    not_reached.sort(
        key=lambda g: (g["type"] not in ("Outcome", "Target", "OutcomeArea"), NATIONAL.index(g["framework"]))
    )
    alone = {"priority": [], "indicator": []}  # type: dict[str, list[dict[str, Any]]]
    for row in local.rows:
        if row.status in _NOT_REACHED or (
            row.status is Status.PARTIAL and row.node.type == _TYPE_OF["priority"]
        ):
            kind = "priority" if row.node.type == _TYPE_OF["priority"] else "indicator"
            alone[kind].append(
                {
                    "id": row.node.notation,
                    "iri": row.node.iri,
                    "label": row.node.label,
                    "status": row.status.value,
                    "note": "only related or partial links"
                    if row.status is Status.PARTIAL
                    else "no national counterpart",
                }
            )
    return {
        "national_not_reached": not_reached,
        "priorities_without_counterpart": alone["priority"],
        "indicators_without_counterpart": alone["indicator"],
    }


def _reach(joined: AlignmentIndex, start: str, depth: int) -> dict[str, Counterpart]:
    found, _ = derive(joined, start, depth=depth)
    return found


def _targets(joined: AlignmentIndex, overlay: Overlay, slug: str, depth: int) -> dict[str, Any]:
    indicators: dict[str, list[LocalItem]] = {}
    for item in overlay.of_kind("indicator"):
        if item.priority:
            indicators.setdefault(item.priority, []).append(item)
    lof_outcomes = (
        {n.iri for n in joined.concepts_of("lof") if n.type_name == "Outcome"}
        if "lof" in joined.schemes
        else set()
    )
    gld: list[dict[str, Any]] = []
    lof: list[dict[str, Any]] = []
    for priority in overlay.of_kind("priority"):
        starts = [priority, *indicators.get(priority.iri, [])]
        best: Counterpart | None = None
        via = ""
        outcomes: dict[str, dict[str, Any]] = {}
        for item in starts:
            reached = _reach(joined, item.iri, depth)
            hit = reached.get(GLD_TARGET)
            if hit is not None and (best is None or hit.sort_key() < best.sort_key()):
                best, via = hit, item.label
            for target, counterpart in reached.items():
                node = joined.nodes.get(target)
                parents = (
                    (target,)
                    if target in lof_outcomes
                    else (
                        tuple(p for p in (*node.broader, *node.candidate_broader) if p in lof_outcomes)
                        if node
                        else ()
                    )
                )
                for outcome in parents:
                    how = (
                        "direct"
                        if outcome == target and counterpart.kind == "direct"
                        else ("derived" if outcome == target else f"via metric {compact(target)}")
                    )
                    entry = {
                        "curie": compact(outcome),
                        "label": joined.label(outcome),
                        "relation": counterpart.label,
                        "how": how,
                        "strong": counterpart.relation in STRONG,
                        "through": item.label,
                    }
                    current = outcomes.get(outcome)
                    if current is None or (entry["strong"] and not current["strong"]):
                        outcomes[outcome] = entry
        if best is not None:
            gld.append(
                {
                    "priority": priority.id,
                    "label": priority.label,
                    "relation": best.label,
                    "strong": best.relation in STRONG,
                    "through": via,
                    "path": render_path(best),
                }
            )
        lof.append(
            {
                "priority": priority.id,
                "label": priority.label,
                "outcomes": sorted(outcomes.values(), key=lambda e: e["curie"]),
            }
        )
    return {
        "gld_target": {"curie": compact(GLD_TARGET), "label": joined.label(GLD_TARGET), "priorities": gld},
        "lof_outcomes": lof,
    }


def _availability(overlay: Overlay, index: AlignmentIndex) -> dict[str, Any]:
    counts = {"available": 0, "accessible": 0, "missing": 0}
    by_framework: dict[str, dict[str, int]] = {}
    listed = []
    stated = set()
    for record in overlay.availability:
        counts[record.status] += 1
        node = index.nodes.get(record.metric)
        framework = node.slug if node else "local"
        by_framework.setdefault(framework, {"available": 0, "accessible": 0, "missing": 0})[
            record.status
        ] += 1
        stated.add(record.metric)
        label = (
            node.label
            if node
            else overlay.items[record.metric].label
            if record.metric in overlay.items
            else ""
        )
        listed.append(
            {
                "metric": compact(record.metric),
                "label": label,
                "framework": framework,
                "status": record.status,
                "reason": record.reason,
                "source": record.source,
            }
        )
    mapped = {
        link.object
        for link in overlay.links
        if overlay.items.get(link.subject, None) is not None
        and overlay.items[link.subject].kind == "indicator"
    }
    unstated = sorted(
        m for m in mapped - stated if m in index.nodes and index.nodes[m].type_name in ("Indicator", "Metric")
    )
    return {
        "counts": counts,
        "total": sum(counts.values()),
        "by_framework": [{"framework": k, **v} for k, v in sorted(by_framework.items())],
        "records": listed,
        "mapped_but_not_recorded": [{"metric": compact(m), "label": index.nodes[m].label} for m in unstated],
    }


def _services(overlay: Overlay, index: AlignmentIndex) -> dict[str, Any]:
    services = overlay.of_kind("service")

    def name(iri: str) -> str:
        if iri in overlay.items:
            return f"{overlay.items[iri].id} {overlay.items[iri].label}"
        return f"{compact(iri)} {index.label(iri)}" if iri in index.nodes else compact(iri)

    by_outcome: dict[str, list[str]] = {}
    by_locality: dict[str, list[str]] = {}
    for service in services:
        for aim in service.aims:
            by_outcome.setdefault(aim, []).append(service.label)
        for place in service.localities or ("(borough-wide)",):
            by_locality.setdefault(place, []).append(service.label)
    return {
        "count": len(services),
        "services": [
            {
                "id": s.id,
                "label": s.label,
                "provider": s.provider,
                "localities": list(s.localities),
                "aims_at": [name(a) for a in s.aims],
            }
            for s in services
        ],
        "by_outcome": [
            {"outcome": name(k), "services": v}
            for k, v in sorted(by_outcome.items(), key=lambda kv: name(kv[0]))
        ],
        "by_locality": [
            {"locality": k, "services": len(v), "names": v} for k, v in sorted(by_locality.items())
        ],
    }
