"""The overlay's sheets to RDF, with every problem named by sheet, row and column.

Row problems are collected, not raised, so one check reports them all; a row with a
problem is still added as far as it can be, so the rest of the report stays useful.
Cells with several values separate them with ``|`` (or ``;``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from rdflib import Graph, Literal
from rdflib.term import URIRef

from outcomes_graph.alignment_index import Node
from outcomes_graph.borough_format import SETUP_FIELDS, OverlayTables
from outcomes_graph.borough_model import Overlay, Problem, model_from_graph
from outcomes_graph.borough_resolve import (
    AVAILABILITY,
    JUSTIFICATIONS,
    RELATIONS,
    Authority,
    ConceptResolver,
    ResolveError,
    parse_choice,
)
from outcomes_graph.spreadsheet import SheetLocation, SheetRow
from outcomes_graph.vocab import DCTERMS, OG, RDF, SEMAPV, SKOS, SSSOM, XSD

__all__ = ["OverlayBuilder", "split_cell"]

_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_GSS: Final = re.compile(r"^E09000[0-9]{3}$")
_SPLIT: Final = re.compile(r"\s*[|;]\s*")
RELATION_WORDS: Final = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")


def split_cell(cell: str) -> list[str]:
    """The values of a multi-valued cell.

    >>> split_cell(" phof:indicator/90631 | B04;")
    ['phof:indicator/90631', 'B04']
    """
    return [part for part in _SPLIT.split(cell.strip()) if part]


@dataclass
class OverlayBuilder:
    """Builds one overlay graph from tables; ``problems`` collects every row problem."""

    resolver: ConceptResolver
    authorities: dict[str, Authority]
    base: str
    graph: Graph = field(default_factory=lambda: Graph(store="SimpleMemory"))
    problems: list[Problem] = field(default_factory=list)
    origins: dict[str, SheetLocation] = field(default_factory=dict)
    gss: str = "unknown"
    _priority_ids: dict[str, tuple[str, URIRef]] | None = None

    def build(self, tables: OverlayTables) -> Overlay:
        overlay = self._setup(tables)
        priorities = self._items(tables, "priorities", "Priority", OG.LocalPriority, "priority")
        indicators = self._items(tables, "local-indicators", "Indicator", OG.LocalIndicator, "indicator")
        for row, iri in indicators:
            self._indicator(row, iri, overlay, priorities)
        for row, iri in priorities:
            self._facets(row, iri)
            self._links(row, iri, "Links to", overlay)
        self._availability(tables, overlay, {r.get("ID"): iri for r, iri in indicators})
        services = self._items(tables, "services", "Service", OG.LocalService, "service")
        by_priority_id = {r.get("ID"): iri for r, iri in priorities}
        for row, iri in services:
            self._service(row, iri, by_priority_id)
        model = model_from_graph(self.graph, tables.source, origins=self.origins)
        model.problems = self.problems
        return model

    # -- Setup ---------------------------------------------------------------------------------

    def _setup(self, tables: OverlayTables) -> URIRef:
        sheet = tables.sheet("setup")
        values: dict[str, tuple[str, SheetRow]] = {}
        for row in sheet.rows:
            name = next((f for f in SETUP_FIELDS if f.lower() == row.get("Field").strip().lower()), None)
            if name is None:
                close = difflib.get_close_matches(row.get("Field"), SETUP_FIELDS, n=1, cutoff=0.5)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self._problem(
                    row,
                    "Field",
                    f"{row.get('Field')!r} is not a Setup field{hint} Fields: " + ", ".join(SETUP_FIELDS),
                )
            elif name in values:
                self._problem(
                    row, "Field", f"{name!r} is given twice (first in row {values[name][1].number})"
                )
            else:
                values[name] = (row.get("Value"), row)
        gss, gss_row = values.get("GSS code", ("", None))
        authority = self._authority(gss.strip().upper(), gss_row, values.get("Borough", ("", None))[0])
        if authority is not None:
            self.gss = authority.gss
        elif _ID.match(gss.strip()):
            self.gss = gss.strip()
        overlay = URIRef(f"{self.base}id/borough/{self.gss}/overlay")
        if gss_row is not None:
            self.origins[str(overlay)] = gss_row.where("Value")
        add = self.graph.add
        add((overlay, RDF.type, OG.BoroughOverlay))
        if authority is not None:
            add((overlay, OG.localAuthority, URIRef(authority.iri)))
        slug, slug_row = values.get("Framework", ("fhab", None))
        schemes = self.resolver.index.schemes
        if slug.strip().lower() in schemes:
            add((overlay, OG.followsFramework, URIRef(schemes[slug.strip().lower()].iri)))
        elif slug_row is not None:
            self._problem(
                slug_row,
                "Value",
                f"Framework {slug!r} is not a framework edition of the graph; use "
                f"one of: {', '.join(sorted(schemes))} (an overlay normally follows fhab)",
            )
        for name, prop in (("Framework version", OG.frameworkVersion), ("Title", DCTERMS.title)):
            if values.get(name, ("", None))[0]:
                add((overlay, prop, Literal(values[name][0])))
        if values.get("Date", ("", None))[0]:
            date, row = values["Date"]
            if self._date(row, "Value", date):
                add((overlay, DCTERMS.modified, Literal(date, datatype=XSD.date)))
        return overlay

    def _authority(self, gss: str, row: SheetRow | None, name: str) -> Authority | None:
        if row is None or not gss:
            where = row or None
            message = (
                "GSS code is missing; add a Setup row 'GSS code' with your borough's code "
                "(E09000001 to E09000033)"
            )
            if where is None:
                self.problems.append(Problem(message, "Setup", None, "Field"))
            else:
                self._problem(where, "Value", message)
            return None
        found = self.authorities.get(gss)
        by_name = {a.name.lower(): a for a in self.authorities.values()}
        named = by_name.get(name.strip().lower()) if name.strip() else None
        if found is None:
            if named is not None:
                hint = f"; {named.name} is {named.gss}"
            else:
                close = difflib.get_close_matches(gss, list(self.authorities), n=1, cutoff=0.8)
                hint = f"; did you mean {close[0]} ({self.authorities[close[0]].name})?" if close else ""
            shape = "" if _GSS.match(gss) else " (a London borough's code is E09000 and three digits)"
            self._problem(row, "Value", f"GSS code {gss!r} is not a London borough{shape}{hint}")
            return None
        if named is not None and named.gss != gss:
            self._problem(
                row, "Value", f"GSS code {gss} is {found.name}, but Borough says {name!r} ({named.gss})"
            )
        return found

    # -- Items ---------------------------------------------------------------------------------

    def _items(
        self, tables: OverlayTables, key: str, title: str, cls: URIRef, kind: str
    ) -> list[tuple[SheetRow, URIRef]]:
        found: list[tuple[SheetRow, URIRef]] = []
        seen: dict[str, SheetRow] = {}
        overlay = URIRef(f"{self.base}id/borough/{self.gss}/overlay")
        for row in tables.sheet(key).rows:
            ident = row.get("ID")
            if not ident:
                self._problem(row, "ID", f"is empty; every row of {row.sheet} needs an ID")
                continue
            if not _ID.match(ident):
                self._problem(row, "ID", f"{ident!r} is not a valid ID; use letters, digits, '.', '_' or '-'")
                continue
            if ident.lower() in seen:
                self._problem(
                    row,
                    "ID",
                    f"duplicate row: ID {ident!r} is already used in row {seen[ident.lower()].number}",
                )
                continue
            seen[ident.lower()] = row
            if not row.get(title):
                self._problem(row, title, f"is empty; every row needs a {title!r}")
            iri = URIRef(f"{self.base}id/borough/{self.gss}/{kind}/{ident}")
            self.graph.add((iri, RDF.type, cls))
            self.graph.add((iri, DCTERMS.identifier, Literal(ident)))
            self.graph.add((iri, DCTERMS.isPartOf, overlay))
            if row.get(title):
                self.graph.add((iri, SKOS.prefLabel, Literal(row.get(title), lang="en")))
            for column in ("Description", "Notes", "Lead"):
                if row.get(column):
                    prop = DCTERMS.description if column == "Description" else SKOS.note
                    text = row.get(column) if column != "Lead" else f"Lead: {row.get(column)}"
                    self.graph.add((iri, prop, Literal(text, lang="en")))
            self.origins[str(iri)] = row.where()
            found.append((row, iri))
        return found

    def _indicator(
        self, row: SheetRow, iri: URIRef, overlay: URIRef, priorities: list[tuple[SheetRow, URIRef]]
    ) -> None:
        for column, prop in (("Definition", SKOS.definition), ("Data source", OG.dataSource)):
            if not row.get(column):
                self._problem(row, column, f"is empty; every local indicator needs a {column.lower()}")
            elif prop == SKOS.definition:
                self.graph.add((iri, prop, Literal(row.get(column), lang="en")))
            else:
                self.graph.add((iri, prop, Literal(row.get(column))))
        if row.get("Priority"):
            ids = self._ids(priorities)
            found = ids.get(row.get("Priority").lower())
            if found is None:
                close = difflib.get_close_matches(
                    row.get("Priority"), [v[0] for v in ids.values()], n=1, cutoff=0.5
                )
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self._problem(
                    row, "Priority", f"{row.get('Priority')!r} is not the ID of a row in Priorities{hint}"
                )
            else:
                self.graph.add((iri, OG.measures, found[1]))
        self._facets(row, iri)
        self._links(row, iri, "Maps to", overlay)

    def _ids(self, priorities: list[tuple[SheetRow, URIRef]]) -> dict[str, tuple[str, URIRef]]:
        if self._priority_ids is None:
            self._priority_ids = {r.get("ID").lower(): (r.get("ID"), p) for r, p in priorities}
        return self._priority_ids

    def _facets(self, row: SheetRow, iri: URIRef) -> None:
        for value in split_cell(row.get("FHAB domains")):
            self._resolved(
                row, "FHAB domains", functools.partial(self.resolver.domain, value), iri, OG.servesDomain
            )
        if row.get("FHAB tier"):
            self._resolved(
                row, "FHAB tier", lambda: self.resolver.tier(row.get("FHAB tier")), iri, OG.servesTier
            )

    def _resolved(
        self, row: SheetRow, column: str, find: Callable[[], Node], iri: URIRef, prop: URIRef
    ) -> None:
        try:
            self.graph.add((iri, prop, URIRef(find().iri)))
        except ResolveError as exc:
            self._problem(row, column, str(exc))

    def _links(self, row: SheetRow, iri: URIRef, column: str, overlay: URIRef) -> None:
        targets = split_cell(row.get(column))
        if not targets:
            return
        aligned = {
            name: self._aligned(row, name, len(targets))
            for name in ("Relation", "Confidence", "Justification", "Mapped by", "Mapping date")
        }
        for n, text in enumerate(targets):
            try:
                node = self.resolver.resolve(text)
            except ResolveError as exc:
                self._problem(row, column, str(exc))
                continue
            record = URIRef(f"{iri}/mapping/{n + 1}")
            self._mapping(row, record, iri, node, overlay, {k: v[n] for k, v in aligned.items()})

    def _aligned(self, row: SheetRow, column: str, count: int) -> list[str]:
        """One value per concept: a single value is shared; several keep their places (empty ones too)."""
        cell = row.get(column).strip()
        values = [v.strip() for v in _SPLIT.split(cell)] if cell else []
        if values and not values[-1] and len(values) > count:
            values.pop()  # a trailing separator
        if len(values) <= 1:
            return [values[0] if values else ""] * count
        if len(values) != count:
            self._problem(
                row,
                column,
                f"has {len(values)} values for {count} concepts; give one for all, or one "
                "per concept in the same order, separated by '|'",
            )
        return (values + [""] * count)[:count]

    def _mapping(
        self,
        row: SheetRow,
        record: URIRef,
        subject: URIRef,
        node: Node,
        overlay: URIRef,
        cells: dict[str, str],
    ) -> None:
        add = self.graph.add
        add((record, RDF.type, OG.LocalMapping))
        add((record, DCTERMS.isPartOf, overlay))
        add((record, SSSOM.subject_id, subject))
        add((record, SSSOM.object_id, URIRef(node.iri)))
        self.origins[str(record)] = row.where("Maps to" if row.sheet != "Priorities" else "Links to")
        try:
            predicate = parse_choice(
                cells["Relation"] or "closeMatch", RELATIONS, "SKOS mapping predicate", RELATION_WORDS
            )
            add((record, SSSOM.predicate_id, predicate))
        except ResolveError as exc:
            self._problem(row, "Relation", str(exc))
        justification = SEMAPV.ManualMappingCuration
        try:
            justification = parse_choice(
                cells["Justification"] or "manual",
                JUSTIFICATIONS,
                "mapping justification",
                ("manual", "lexical", "semantic"),
            )
            add((record, SSSOM.mapping_justification, justification))
        except ResolveError as exc:
            self._problem(row, "Justification", str(exc))
        if cells["Confidence"]:
            try:
                value = float(cells["Confidence"])
                if not 0.0 <= value <= 1.0:
                    raise ValueError(value)
                add((record, SSSOM.confidence, Literal(value, datatype=XSD.double)))
            except ValueError:
                self._problem(
                    row, "Confidence", f"{cells['Confidence']!r} is not a number from 0 to 1 (e.g. 0.8)"
                )
        if cells["Mapped by"]:
            add((record, SSSOM.author_label, Literal(cells["Mapped by"])))
        elif justification != SEMAPV.ManualMappingCuration:
            self._problem(
                row, "Mapped by", "is empty, but the mapping is an accepted suggestion; name who accepted it"
            )
        if cells["Mapping date"] and self._date(row, "Mapping date", cells["Mapping date"]):
            add((record, SSSOM.mapping_date, Literal(cells["Mapping date"], datatype=XSD.date)))

    # -- Data availability and services --------------------------------------------------------

    def _availability(self, tables: OverlayTables, overlay: URIRef, indicators: dict[str, URIRef]) -> None:
        seen: dict[str, SheetRow] = {}
        local = {k.lower(): v for k, v in indicators.items()}
        for n, row in enumerate(tables.sheet("data-availability").rows, start=1):
            record = URIRef(f"{self.base}id/borough/{self.gss}/availability/{n}")
            metric = local.get(row.get("Metric").lower())
            if metric is None:
                try:
                    metric = URIRef(self.resolver.resolve(row.get("Metric")).iri)
                except ResolveError as exc:
                    self._problem(row, "Metric", str(exc))
                    continue
            if str(metric) in seen:
                self._problem(
                    row,
                    "Metric",
                    f"duplicate row: {row.get('Metric')!r} already has a statement in row "
                    f"{seen[str(metric)].number}; keep one per metric",
                )
                continue
            seen[str(metric)] = row
            add = self.graph.add
            add((record, RDF.type, OG.DataAvailability))
            add((record, DCTERMS.isPartOf, overlay))
            add((record, OG.metric, metric))
            self.origins[str(record)] = row.where()
            try:
                status = parse_choice(
                    row.get("Availability"), AVAILABILITY, "data availability", AVAILABILITY
                )
                add((record, OG.availability, status))
                if status != OG.Available and not row.get("Reason"):
                    self._problem(
                        row,
                        "Reason",
                        f"is empty; data marked {row.get('Availability').lower()} needs "
                        "a reason: why it is not used, or not there",
                    )
            except ResolveError as exc:
                self._problem(row, "Availability", str(exc))
            if row.get("Reason"):
                add((record, OG.reason, Literal(row.get("Reason"))))
            if row.get("Data source"):
                add((record, OG.dataSource, Literal(row.get("Data source"))))

    def _service(self, row: SheetRow, iri: URIRef, priorities: dict[str, URIRef]) -> None:
        local = {k.lower(): v for k, v in priorities.items()}
        aims = split_cell(row.get("Aims at"))
        if not aims:
            self._problem(
                row, "Aims at", "is empty; name the outcomes the service aims at (concepts or priority IDs)"
            )
        for text in aims:
            target = local.get(text.lower())
            if target is None:
                try:
                    target = URIRef(self.resolver.resolve(text).iri)
                except ResolveError as exc:
                    self._problem(row, "Aims at", f"{exc} (or give a priority ID)")
                    continue
            self.graph.add((iri, OG.aimsAt, target))
        if row.get("Provider"):
            self.graph.add((iri, OG.provider, Literal(row.get("Provider"))))
        for place in split_cell(row.get("Locality")):
            self.graph.add((iri, OG.locality, Literal(place)))

    # -- Helpers -------------------------------------------------------------------------------

    def _problem(self, row: SheetRow, column: str | None, message: str) -> None:
        where = row.where(column)
        self.problems.append(Problem(message, where.sheet, where.row, where.column, where.cell))

    def _date(self, row: SheetRow, column: str, text: str) -> bool:
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            self._problem(row, column, f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2026-03-31")
            return False
        return True
