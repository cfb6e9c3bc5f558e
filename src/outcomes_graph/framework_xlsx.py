"""The whole framework as a spreadsheet, and an edited spreadsheet back into the source tables.

``export --format xlsx`` writes one sheet per FHAB tier (and one for FHAB items with no tier),
one per national framework, then the other schemes. Each row is a concept: its ``Ref`` (the
CURIE, the row's key), its place in the hierarchy (``Domain`` → ``Outcome`` → ``Indicator`` →
``Metric``, titles of itself and its ancestors), the editable cells (:data:`EDITABLE`), its
data-source ids, its FHAB domains and tier, one crosswalk column per framework (the direct
links, as ``relation: CURIE``) and its sources.

``framework import`` (:func:`import_workbook`) compares every row with the same view regenerated
from the store, and writes each changed editable cell into the ``concepts.csv`` row it comes from,
changing nothing else in the file: after ``build`` the graph differs by exactly those edits.
A change to a read-only cell (crosswalks live in ``mappings/``, hierarchy in ``broader``), a row
that is not a concept, a formula or a merged cell is refused, naming sheet, row and column.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from outcomes_graph.alignment_index import AlignmentIndex, Node
from outcomes_graph.coverage import NATIONAL
from outcomes_graph.errors import Location, SourceError, UsageError
from outcomes_graph.output import compact
from outcomes_graph.spreadsheet import SheetLocation, SheetSpec, read_workbook, workbook_bytes
from outcomes_graph.store import GraphStore
from outcomes_graph.vocab import DCTERMS, KINDS, OG, RDF, SKOS

__all__ = ["EDITABLE", "HEADER", "Edit", "framework_sheets", "framework_workbook", "import_workbook"]

#: Editable columns and the ``concepts.csv`` column each is written to.
EDITABLE: Final = {
    "Title": "pref_label",
    "Alternative titles": "alt_labels",
    "Notation": "notation",
    "Fingertips id": "fingertips_id",
    "Description": "description",
    "Status": "status",
}
_LEVELS: Final = ("Domain", "Outcome", "Indicator", "Metric")
_CROSSWALKS: Final = ("fhab", *NATIONAL)
_NAMES: Final = {
    "fhab": "FHAB",
    "lof": "LOF",
    "phof": "PHOF",
    "bsil": "Best Start in Life",
    "sf": "Supporting Families",
    "cscnf": "CSC National Framework",
    "ffp": "Families First",
    "cof": "COF",
    "lgof": "LGOF (draft)",
    "fingertips": "Fingertips",
    "lgi": "LG Inform",
    "ecm": "ECM",
    "related": "Related",
}
HEADER: Final = (
    "Ref",
    "Kind",
    *_LEVELS,
    "Title",
    "Alternative titles",
    "Notation",
    "Candidate code",
    "Fingertips id",
    "LG Inform id",
    "Description",
    "Status",
    "FHAB domains",
    "FHAB tier",
    *(f"Crosswalk {_NAMES[s]}" for s in _CROSSWALKS),
    "Sources",
)
_KIND_OF: Final = {str(cls): kind for kind, cls in KINDS.items()}
_STATUS: Final = {str(OG.Verified): "V", str(OG.PartlyVerified): "P"}
README_SHEET: Final = "Read me"


@dataclass(frozen=True)
class Edit:
    ref: str
    column: str
    before: str
    after: str
    table: Path
    table_column: str
    where: SheetLocation


def _facts(store: GraphStore) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """Every subject's properties as (value, datatype) pairs, from the public graphs."""
    facts: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for quad in store.quads():
        obj = quad.object
        datatype = getattr(getattr(obj, "datatype", None), "value", "")
        facts[str(getattr(quad.subject, "value", quad.subject))][quad.predicate.value].append(
            (str(getattr(obj, "value", obj)), datatype)
        )
    return facts


def framework_sheets(store: GraphStore, index: AlignmentIndex) -> dict[str, list[list[str]]]:
    """The rows of every sheet, by sheet name, in hierarchy order."""
    facts = _facts(store)
    sheets: dict[str, list[list[str]]] = {}
    tiers = {n.iri: n for n in index.facet_nodes("tier")}
    for tier in tiers.values():
        sheets[f"FHAB {tier.iri.rsplit('/', 1)[-1]}"] = []
    sheets["FHAB (no tier)"] = []
    for slug in (*NATIONAL, *sorted(s for s in index.schemes if s not in (*NATIONAL, "fhab"))):
        if slug in index.schemes:
            sheets[_NAMES.get(slug, slug)] = []
    for slug in index.schemes:
        for iri in _ordered(index, slug):
            row = _row(index, facts, iri)
            if slug == "fhab":
                own = index.nodes[iri]
                placed = iri if iri in tiers else (own.tiers[0] if own.tiers else "")
                name = f"FHAB {placed.rsplit('/', 1)[-1]}" if placed else "FHAB (no tier)"
            else:
                name = _NAMES.get(slug, slug)
            sheets.setdefault(name, []).append(row)
    return sheets


def _ordered(index: AlignmentIndex, slug: str) -> list[str]:
    nodes = index.concepts_of(slug)
    members = {n.iri for n in nodes}
    seen: list[str] = []

    def visit(iri: str) -> None:
        if iri in seen:
            return
        seen.append(iri)
        kids = sorted(
            (c for c, _ in index.children.get(iri, ()) if c in members),
            key=lambda c: (index.nodes[c].order is None, index.nodes[c].order or 0, c),
        )
        for kid in kids:
            visit(kid)

    for node in nodes:
        if not any(p in members for p in node.broader):
            visit(node.iri)
    return seen


def _row(index: AlignmentIndex, facts: dict[str, dict[str, list[tuple[str, str]]]], iri: str) -> list[str]:
    node = index.nodes[iri]
    props = facts.get(iri, {})

    def values(prop: object) -> list[str]:
        return sorted(v for v, _ in props.get(str(prop), []))

    fingertips = values(OG.fingertipsId)
    notations = sorted(v for v, _ in props.get(str(SKOS.notation), []) if v not in fingertips)
    levels = dict.fromkeys(_LEVELS, "")
    chain: list[Node] = []
    current: Node | None = node
    while current is not None and len(chain) < 8:
        chain.append(current)
        parent = next((p for p in current.broader if p in index.nodes), None)
        current = index.nodes[parent] if parent else None
    for ancestor in reversed(chain):
        if ancestor.type_name in levels:
            levels[ancestor.type_name] = ancestor.label
    if node.slug == "fhab" and not levels["Domain"]:
        levels["Domain"] = " | ".join(index.label(d) for d in node.domains)
    crosswalks = []
    for slug in _CROSSWALKS:
        links = sorted(
            {
                f"{step.label}: {compact(step.target)}"
                for step in index.adjacent(iri)
                if index.slug(step.target) == slug and step.target != iri
            }
        )
        crosswalks.append("; ".join(links))
    kind = next((_KIND_OF[v] for v, _ in props.get(str(RDF.type), []) if v in _KIND_OF), node.type_name)
    return [
        compact(iri),
        kind,
        *levels.values(),
        node.label,
        " | ".join(values(SKOS.altLabel)),
        " | ".join(notations),
        " | ".join(values(OG.candidateNotation)),
        " | ".join(fingertips),
        " | ".join(values(OG.lgInformId)),
        " ".join(values(DCTERMS.description)),
        "".join(_STATUS.get(v, v) for v in values(OG.status)),
        " | ".join(compact(d) for d in node.domains),
        " | ".join(compact(t) for t in node.tiers),
        *crosswalks,
        " | ".join(values(DCTERMS.source)),
    ]


def framework_workbook(store: GraphStore, index: AlignmentIndex) -> bytes:
    readme = [
        ["What", "outcomes-graph framework workbook: every concept of every framework, one row each."],
        ["Build", store.info.build_id],
        [
            "Edit",
            "Only these columns may be edited: "
            + ", ".join(EDITABLE)
            + ". Separate several values with '|'.",
        ],
        [
            "Import",
            "outcomes-graph framework import FILE writes edits into frameworks/*/concepts.csv; then run "
            "outcomes-graph build. Rows may not be added; crosswalks are edited in mappings/*.sssom.tsv.",
        ],
        ["Do not", "Use formulas, merge cells, rename sheets or change the Ref column."],
    ]
    widths = {
        "Ref": 34,
        "Title": 50,
        "Description": 50,
        "Domain": 20,
        "Outcome": 30,
        "Indicator": 30,
        "Metric": 30,
        **{f"Crosswalk {_NAMES[s]}": 34 for s in _CROSSWALKS},
        "Sources": 40,
        "Value": 100,
    }
    specs = [SheetSpec(README_SHEET, ("Item", "Value"), readme, widths=widths, wrap=True)]
    specs += [
        SheetSpec(name, HEADER, rows, widths=widths) for name, rows in framework_sheets(store, index).items()
    ]
    return workbook_bytes(specs)


def import_workbook(
    path: Path, *, store: GraphStore, index: AlignmentIndex, frameworks_dir: Path, dry_run: bool = False
) -> list[Edit]:
    """Write the workbook's edits into the concepts tables; return them (nothing is written on any error)."""
    sheets = read_workbook(path.read_bytes(), path)
    expected = {
        compact_row[0]: compact_row
        for rows in framework_sheets(store, index).values()
        for compact_row in rows
    }
    edits: list[Edit] = []
    seen: dict[str, SheetLocation] = {}
    for sheet in sheets.values():
        if sheet.name == README_SHEET or not sheet.rows:
            continue
        unknown = [h for h in sheet.header if h and h not in HEADER]
        if unknown or "Ref" not in sheet.header:
            problem = (
                f"column {unknown[0]!r} is not part of the framework layout"
                if unknown
                else "has no Ref column"
            )
            raise SourceError(
                sheet.where(unknown[0] if unknown else None, row=1),
                f"{problem}; export a fresh workbook with `outcomes-graph export --format xlsx`",
            )
        for row in sheet.rows:
            ref = row.get("Ref")
            if ref in seen:
                raise row.error("Ref", f"{ref!r} appears twice (first in {seen[ref]})")
            seen[ref] = row.where("Ref")
            if ref not in expected:
                raise row.error(
                    "Ref",
                    f"{ref!r} is not a concept of the graph; rows cannot be added here: add the "
                    "concept to frameworks/{slug}/concepts.csv",
                )
            now = dict(zip(HEADER, expected[ref], strict=True))
            for column in (c for c in sheet.header if c in HEADER and c != "Ref"):
                before, after = now[column], row.get(column)
                if _same(column, before, after):
                    continue
                if column not in EDITABLE:
                    raise row.error(
                        column,
                        f"is read-only (it was {before!r}); only {', '.join(EDITABLE)} may be "
                        "edited: crosswalks live in mappings/*.sssom.tsv, hierarchy in 'broader'",
                    )
                edits.append(
                    Edit(
                        ref,
                        column,
                        before,
                        after,
                        _table(frameworks_dir, ref, row.where(column)),
                        EDITABLE[column],
                        row.where(column),
                    )
                )
    if edits and not dry_run:
        _apply(edits)
    return edits


def _same(column: str, before: str, after: str) -> bool:
    if column == "Alternative titles":
        return sorted(v.strip() for v in before.split("|") if v.strip()) == sorted(
            v.strip() for v in after.split("|") if v.strip()
        )
    if column == "Status":
        return before.strip() == after.strip().replace("P*", "P")
    return before.strip() == after.strip()


def _table(frameworks_dir: Path, ref: str, where: SheetLocation) -> Path:
    slug = ref.split(":", 1)[0]
    table = frameworks_dir / slug / "concepts.csv"
    if not table.is_file():
        raise SourceError(
            where,
            f"{ref} is not defined in a concepts.csv (it comes from frameworks/{slug}/*.ttl); "
            "edit that file instead",
        )
    return table


def _apply(edits: list[Edit]) -> None:
    """Change each edited cell in its table, leaving every other line byte for byte as it was."""
    by_table: dict[Path, list[Edit]] = defaultdict(list)
    for edit in edits:
        by_table[edit.table].append(edit)
    planned: dict[Path, str] = {}
    for table, changes in by_table.items():
        planned[table] = _edited(table, changes)
    for table, text in planned.items():
        tmp = table.with_name(f".{table.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(table)


def _edited(table: Path, changes: list[Edit]) -> str:
    text = table.read_bytes().decode("utf-8")
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    spans: dict[str, tuple[int, int, list[str]]] = {}
    start = reader.line_num
    for cells in reader:
        record = dict(zip(header, cells, strict=False))
        spans[f"{record.get('kind')}/{record.get('ref')}"] = (start, reader.line_num, cells)
        start = reader.line_num
    slug = table.parent.name
    for edit in changes:
        key = edit.ref.removeprefix(f"{slug}:")
        if key not in spans:
            raise SourceError(
                Location(table),
                f"has no row for {edit.ref}; the store is older than the tables: "
                "run `outcomes-graph build`, export again and redo the edit",
            )
        first, last, cells = spans[key]
        column = header.index(edit.table_column)
        current = cells[column] if column < len(cells) else ""
        if not _same(edit.column, edit.before, _view(edit.column, current, cells, header)):
            raise UsageError(
                f"{table}, {edit.ref}, column {edit.table_column!r} holds {current!r} but the store "
                f"says {edit.before!r}: run `outcomes-graph build` and export again"
            )
        cells[column] = edit.after.replace(" | ", "|") if edit.column == "Alternative titles" else edit.after
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(cells)
        ending = "\r\n" if lines[last - 1].endswith("\r\n") else "\n"
        lines[first:last] = [buffer.getvalue().removesuffix("\n") + ending] + [""] * (last - first - 1)
    return "".join(lines)


def _view(column: str, cell: str, cells: list[str], header: list[str]) -> str:
    """A table cell as the workbook shows it (notations equal to the Fingertips id are not shown)."""
    if column == "Notation":
        fingertips = cells[header.index("fingertips_id")] if "fingertips_id" in header else ""
        return "" if cell == fingertips else cell
    if column == "Status":
        return cell.replace("P*", "P")
    return cell


def export_xlsx(store: GraphStore, output: Path | None, *, queries_dir: Path) -> str:
    """``export --format xlsx``: write the framework workbook to ``output`` (or stdout)."""
    import sys
    from typing import cast

    from outcomes_graph.alignment_index import QueryStore
    from outcomes_graph.queries import QueryRegistry

    index = AlignmentIndex.load(cast(QueryStore, store), QueryRegistry.load(queries_dir))
    data = framework_workbook(store, index)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    concepts = sum(1 for n in index.nodes.values() if not n.is_gap)
    return f"{concepts} concepts in a workbook"
