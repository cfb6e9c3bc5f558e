"""Alignment results as flat tables: column names plus rows of strings, for CSV and the terminal.

JSON goes through each result's ``to_dict``; these tables are what ``--format table``
and ``--format csv`` print, and what web pages can render without knowing the types.

>>> from outcomes_graph.alignment_rules import Relation
>>> _cell_text({Relation.EXACT: 1, Relation.CLOSE: 2})
'3: 1 exact, 2 close'
"""

from __future__ import annotations

from typing import Final

from outcomes_graph.alignment import Alignment
from outcomes_graph.alignment_chains import Counterpart
from outcomes_graph.alignment_index import AlignmentIndex
from outcomes_graph.alignment_rules import Relation
from outcomes_graph.coverage import Coverage, GroupBy
from outcomes_graph.edition_diff import EditionConcept, EditionDiff
from outcomes_graph.matrix import Matrix
from outcomes_graph.output import compact
from outcomes_graph.search import SearchHit

__all__ = [
    "Table",
    "alignment_table",
    "coverage_table",
    "diff_table",
    "matrix_grid",
    "search_table",
    "short_alignment_table",
    "steps_text",
    "via_text",
]

Table = tuple[list[str], list[list[str]]]
ALIGN_COLUMNS: Final = [
    "kind",
    "relation",
    "counterpart",
    "label",
    "scheme",
    "confidence",
    "basis",
    "path",
    "records",
    "sources",
]


def _confidence(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def steps_text(counterpart: Counterpart) -> str:
    """The steps after the start concept: ``[close to; V 0.95; X5] bsil:target/... [...] lof:...``."""
    parts = []
    for step in counterpart.steps:
        record = step.record
        facts = [step.label, f"{record.status_code} {record.weight:g}"] + (
            [record.crosswalk] if record.crosswalk else []
        )
        parts.append(f"[{'; '.join(facts)}] {compact(step.target)}")
    return " ".join(parts)


def via_text(counterpart: Counterpart) -> str:
    """Each step's relation, status, confidence and crosswalk, with the concepts passed through.

    e.g. ``close V 0.95 X5 > bsil:target/gld-75-by-2028 > close P 0.8 X7``
    """
    parts = []
    for number, step in enumerate(counterpart.steps):
        record = step.record
        relation = step.relation.value if step.relation else step.label
        parts.append(" ".join([relation, record.status_code, f"{record.weight:g}", record.crosswalk]).strip())
        if number < len(counterpart.steps) - 1:
            parts.append(compact(step.target))
    return " > ".join(parts)


def alignment_table(index: AlignmentIndex, result: Alignment) -> Table:
    """Direct then derived counterparts, one row each, with the path and every record."""
    rows = []
    for item in result.all():
        target = index.nodes.get(item.target)
        rows.append(
            [
                item.kind,
                item.label,
                compact(item.target),
                index.label(item.target),
                target.slug if target else "",
                _confidence(item.confidence),
                item.basis,
                steps_text(item),
                "|".join(step.record.iri for step in item.steps),
                "|".join(dict.fromkeys(s for step in item.steps for s in step.record.sources)),
            ]
        )
    return ALIGN_COLUMNS, rows


def short_alignment_table(index: AlignmentIndex, result: Alignment) -> Table:
    """The terminal view: relation, counterpart, title, confidence, basis and the way there."""
    names = ["kind", "relation", "counterpart", "label", "confidence", "basis", "via"]
    rows = [
        [
            item.kind,
            item.label,
            compact(item.target),
            index.label(item.target),
            _confidence(item.confidence),
            item.basis,
            via_text(item),
        ]
        for item in result.all()
    ]
    return names, rows


def coverage_table(index: AlignmentIndex, result: Coverage, by: GroupBy) -> Table:
    """One row per concept (``by="concept"``) or per group (domain, tier, hierarchy)."""
    if by != "concept":
        groups = result.groups(index, by)
        names = [
            "group",
            "label",
            "total",
            "covered",
            "partial",
            "not_found",
            "unmapped",
            "curated",
            "candidate",
            "percent_covered",
        ]
        return names, [[str(v) for v in g.to_dict().values()] for g in groups]
    names = [
        "concept",
        "label",
        "status",
        "how",
        "basis",
        "relation",
        "confidence",
        "counterparts",
        "narrower",
        "recorded_gap",
        "path",
    ]
    rows = []
    for row in result.rows:
        best = row.best
        narrower = f"{row.narrower_covered}/{row.narrower_total}" if row.narrower_total else ""
        rows.append(
            [
                row.node.curie,
                row.node.label,
                row.status.value,
                row.how,
                row.basis,
                best.label if best and row.how != "via narrower" else "",
                _confidence(best.confidence) if best and row.how != "via narrower" else "",
                _first(dict.fromkeys(compact(c.target) for c in row.evidence)),
                narrower,
                "yes" if row.recorded_gaps else "",
                steps_text(best) if best and row.how != "via narrower" else "",
            ]
        )
    return names, rows


def _first(items: dict[str, None], shown: int = 2) -> str:
    """The first ``shown`` items, then ``+n`` for the rest."""
    names = list(items)
    more = f" +{len(names) - shown}" if len(names) > shown else ""
    return " ".join(names[:shown]) + more


def _cell_text(counts: dict[Relation, int]) -> str:
    total = sum(counts.values())
    if not total:
        return "-"
    parts = [f"{n} {relation.value}" for relation, n in counts.items() if n]
    return f"{total}: " + ", ".join(parts)


def matrix_grid(result: Matrix) -> Table:
    """Domains as rows, frameworks as columns; each cell ``total: n exact, n close, ...``."""
    names = ["domain", *result.frameworks]
    rows = []
    for domain, label in result.domains:
        cells = [
            _cell_text({r: result.cell(domain, f).count(r) for r in Relation}) for f in result.frameworks
        ]
        rows.append([label, *cells])
    return names, rows


def _edition_text(concept: EditionConcept | None) -> str:
    if concept is None:
        return ""
    codes = f" [{', '.join(concept.notations)}]" if concept.notations else ""
    return f"{concept.label}{codes}"


def diff_table(result: EditionDiff) -> Table:
    """Every change, then every stale crosswalk row (``kind`` = ``stale-row``)."""
    names = ["kind", "item", "before", "after", "detail", "record"]
    rows = []
    for change in result.changes:
        item = change.after or change.before
        assert item is not None
        detail = f"matched by {change.matched_by}" if change.matched_by else ""
        if "moved" in change.kinds and change.before and change.after:
            detail += f"; was {compact(change.before.iri)}"
        rows.append(
            [
                ", ".join(change.kinds),
                compact(item.iri),
                _edition_text(change.before),
                _edition_text(change.after),
                detail,
                "",
            ]
        )
    for stale in result.stale:
        rows.append(
            [
                "stale-row",
                compact(stale.concept),
                f"{compact(stale.predicate)} {compact(stale.other)}",
                compact(stale.replacement) if stale.replacement else "(no replacement)",
                "points at a " + "/".join(stale.reasons) + " concept",
                stale.record,
            ]
        )
    return names, rows


def search_table(hits: list[SearchHit]) -> Table:
    names = ["match", "concept", "label", "scheme", "type", "matched"]
    rows = [
        [
            h.match,
            h.curie,
            h.label,
            h.scheme,
            h.type,
            h.field if h.value == h.label else f"{h.field}: {h.value}",
        ]
        for h in hits
    ]
    return names, rows
