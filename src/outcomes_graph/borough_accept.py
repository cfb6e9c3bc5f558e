"""Suggestions for unmapped items, and writing an accepted one back into the overlay file.

Nothing is stored until a named person accepts a candidate: ``accept`` appends the concept to
the row's ``Maps to`` (``Links to`` for a priority) with relation ``closeMatch`` (or the one
given), justification ``lexical`` (``semapv:LexicalMatching``), the accepting person in
``Mapped by``, the date, and the suggestion's score as confidence. Other mappings in the row
keep their values: a single shared value is spelt out once per concept when needed.
In Turtle or JSON-LD the same record is added as an ``og:LocalMapping``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pyoxigraph as ox
from rdflib import Literal, URIRef

from outcomes_graph.borough_format import INDICATORS, PRIORITIES, detect_format, read_tables, sheet_key
from outcomes_graph.borough_model import LocalItem, Overlay
from outcomes_graph.borough_resolve import display
from outcomes_graph.borough_tables import split_cell
from outcomes_graph.boroughs import BoroughTools, load_overlay
from outcomes_graph.errors import Location, SourceError, UsageError
from outcomes_graph.output import compact
from outcomes_graph.suggest import Candidate, ItemKind
from outcomes_graph.vocab import CURIE_PREFIXES, DCTERMS, OG, RDF, SEMAPV, SKOS, SSSOM, XSD

__all__ = ["Accepted", "Suggestion", "accept", "suggest"]

_ALIGNED = ("Relation", "Confidence", "Justification", "Mapped by", "Mapping date")


@dataclass(frozen=True)
class Suggestion:
    item: LocalItem
    row: int | None
    candidates: list[Candidate]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.item.kind,
            "id": self.item.id,
            "label": self.item.label,
            "row": self.row,
            "candidates": [c.to_dict() for c in self.candidates],
        }


@dataclass(frozen=True)
class Accepted:
    item: str
    concept: str
    score: float | None
    reason: str
    file: Path


def suggest(
    overlay: Overlay, tools: BoroughTools, *, limit: int = 3, all_items: bool = False
) -> list[Suggestion]:
    """Ranked candidates for every local indicator and priority that has no mapping yet."""
    mapped = {link.subject for link in overlay.links}
    found = []
    for item in overlay.items.values():
        if item.kind == "service" or (item.iri in mapped and not all_items):
            continue
        kind: ItemKind = "indicator" if item.kind == "indicator" else "priority"
        candidates = tools.ranker.rank(item.label, kind=kind, context=item.data_source, limit=limit)
        where = overlay.origins.get(item.iri)
        found.append(Suggestion(item, where.row if where else None, candidates))
    return found


def accept(
    path: Path,
    tools: BoroughTools,
    *,
    item: str,
    concept: str,
    user: str,
    priority: bool = False,
    relation: str = "closeMatch",
    today: dt.date | None = None,
) -> Accepted:
    """Write one accepted mapping into the overlay file at ``path`` (in place)."""
    if not user.strip():
        raise UsageError("--user is required: name the person who accepts the mapping")
    overlay = load_overlay([path], tools)
    target = _find(overlay, item, "priority" if priority else "indicator")
    node = tools.resolver.resolve(concept)
    if any(link.subject == target.iri and link.object == node.iri for link in overlay.links):
        raise UsageError(f"{target.id} already maps to {display(node)}")
    ranked = tools.ranker.rank(
        target.label,
        kind="priority" if target.kind == "priority" else "indicator",
        context=target.data_source,
        limit=len(tools.ranker.docs),
    )
    hit = next((c for c in ranked if c.iri == node.iri), None)
    score = hit.score if hit else None
    reason = hit.reason if hit else "accepted without a lexical match"
    values = {
        "curie": compact(node.iri),
        "relation": relation,
        "score": "" if score is None else f"{score:g}",
        "user": user.strip(),
        "date": (today or dt.date.today()).isoformat(),
    }
    fmt = detect_format(path)
    if fmt == "xlsx":
        _accept_xlsx(path, target, values)
    elif fmt == "csv":
        _accept_csv(path, target, values)
    else:
        _accept_rdf(path, fmt, overlay, target, node.iri, values, reason)
    return Accepted(target.id, compact(node.iri), score, reason, path)


def _find(overlay: Overlay, wanted: str, kind: str) -> LocalItem:
    items = overlay.of_kind(kind)  # type: ignore[arg-type]
    for item in items:
        where = overlay.origins.get(item.iri)
        if item.id.lower() == wanted.strip().lower() or (where and str(where.row) == wanted.strip()):
            return item
    listed = ", ".join(i.id for i in items[:12]) or "none"
    raise UsageError(f"no {kind} {wanted!r} (give its ID or its row number); {kind} IDs: {listed}")


def appended(cells: dict[str, str], column: str, values: dict[str, str]) -> dict[str, str]:
    """The row's cells with one more aligned mapping (see the module docstring).

    >>> appended({"Maps to": "B04", "Relation": "exactMatch"}, "Maps to",
    ...          {"curie": "phof:indicator/90631", "relation": "closeMatch", "score": "0.7", "user": "Ann",
    ...           "date": "2026-04-01"})["Relation"]
    'exactMatch | closeMatch'
    """
    before = split_cell(cells.get(column, ""))
    count = len(before)
    out = dict(cells)
    out[column] = " | ".join([*before, values["curie"]])
    new = {
        "Relation": values["relation"],
        "Confidence": values["score"],
        "Justification": "lexical",
        "Mapped by": values["user"],
        "Mapping date": values["date"],
    }
    for name in _ALIGNED:
        old = (
            [v.strip() for v in re.split(r"[|;]", cells.get(name, ""))] if cells.get(name, "").strip() else []
        )
        if count and len(old) <= 1:
            old = [old[0] if old else ""] * count
        old = (old + [""] * count)[:count]
        if name == "Relation":
            old = [v or "closeMatch" for v in old]
        if name == "Justification":
            old = [v or "manual" for v in old]
        out[name] = " | ".join([*old, new[name]]) if any([*old, new[name]]) else ""
    return out


def _column(item: LocalItem) -> str:
    return "Links to" if item.kind == "priority" else "Maps to"


def _accept_xlsx(path: Path, item: LocalItem, values: dict[str, str]) -> None:
    read_tables([path])  # refuses formulas, merged cells and wrong layouts first
    book = openpyxl.load_workbook(path)
    spec = PRIORITIES if item.kind == "priority" else INDICATORS
    sheet = next(ws for ws in book.worksheets if sheet_key(ws.title) == spec.key)
    header = {str(c.value).strip(): c.column for c in sheet[1] if c.value}
    for name in (_column(item), *_ALIGNED):
        if name not in header:
            header[name] = sheet.max_column + 1
            sheet.cell(1, header[name], name)
    row = next(
        r[0].row
        for r in sheet.iter_rows(min_row=2)
        if str(r[header["ID"] - 1].value or "").strip() == item.id
    )
    cells = {
        name: "" if sheet.cell(row, col).value is None else str(sheet.cell(row, col).value)
        for name, col in header.items()
    }
    for name, value in appended(cells, _column(item), values).items():
        if name in header and value != cells.get(name):
            sheet.cell(row, header[name], value)
    _replace(path, lambda tmp: book.save(tmp))


def _accept_csv(path: Path, item: LocalItem, values: dict[str, str]) -> None:
    spec = PRIORITIES if item.kind == "priority" else INDICATORS
    files = [
        p for p in (sorted(path.glob("*.csv")) if path.is_dir() else [path]) if sheet_key(p.name) == spec.key
    ]
    if not files:
        raise SourceError(Location(path), f"has no {spec.key}.csv to write the mapping into")
    file = files[0]
    rows = list(csv.reader(io.StringIO(file.read_bytes().decode("utf-8-sig"), newline="")))
    header = [h.strip() for h in rows[0]]
    for name in (_column(item), *_ALIGNED):
        if name not in header:
            header.append(name)
    for row in rows[1:]:
        cells = dict(zip(header, [*row, *[""] * (len(header) - len(row))], strict=True))
        if cells.get("ID", "").strip() == item.id:
            new = appended(cells, _column(item), values)
            row[:] = [new.get(h, "") for h in header]
    rows[0] = header
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    _replace(file, lambda tmp: Path(tmp).write_text(buffer.getvalue(), encoding="utf-8"))


def _accept_rdf(
    path: Path, fmt: str, overlay: Overlay, item: LocalItem, concept: str, values: dict[str, str], reason: str
) -> None:
    graph = overlay.graph
    n = 1 + sum(1 for _ in graph.subjects(SSSOM.subject_id, URIRef(item.iri)))
    record = URIRef(f"{item.iri}/mapping/{n}")
    for triple in (
        (record, RDF.type, OG.LocalMapping),
        (record, DCTERMS.isPartOf, URIRef(overlay.iri)),
        (record, SSSOM.subject_id, URIRef(item.iri)),
        (record, SSSOM.object_id, URIRef(concept)),
        (record, SSSOM.predicate_id, SKOS[values["relation"]]),
        (record, SSSOM.mapping_justification, SEMAPV.LexicalMatching),
        (record, SSSOM.author_label, Literal(values["user"])),
        (record, SSSOM.mapping_date, Literal(values["date"], datatype=XSD.date)),
        (record, SSSOM.comment, Literal(reason)),
    ):
        graph.add(triple)
    if values["score"]:
        graph.add((record, SSSOM.confidence, Literal(float(values["score"]), datatype=XSD.double)))
    quads = [ox.Triple(ox.NamedNode(str(s)), ox.NamedNode(str(p)), _ox(o)) for s, p, o in graph]
    rdf = ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.JSON_LD
    data = ox.serialize(sorted(quads, key=str), format=rdf, prefixes=CURIE_PREFIXES if fmt == "ttl" else None)
    _replace(path, lambda tmp: Path(tmp).write_bytes(data or b""))


def _ox(term: Any) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    return ox.NamedNode(str(term))


def _replace(path: Path, write: Any) -> None:
    """Write beside the file, then rename over it: an interrupted write leaves the old file whole."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(str(tmp))
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
