"""The borough overlay as tables: the five sheets, their columns, and reading them from XLSX or CSV.

An overlay is one workbook with sheets ``Setup``, ``Priorities``, ``Local indicators``,
``Data availability`` and ``Services``, or the same sheets as CSV files (one per sheet, in a
folder or given one by one, named ``setup.csv``, ``priorities.csv``, ``local-indicators.csv``,
``data-availability.csv``, ``services.csv``, optionally with a prefix such as
``borough-overlay-``). The same columns serve both; the README documents each one.
Turtle and JSON-LD overlays skip the tables (:mod:`outcomes_graph.borough_graph`).

>>> sheet_key("Local Indicators"), sheet_key("borough-overlay-local-indicators.csv")
('local-indicators', 'local-indicators')
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from outcomes_graph.errors import Location, SourceError
from outcomes_graph.spreadsheet import (
    DEFAULT_MAX_BYTES,
    Sheet,
    SheetSpec,
    read_csv_sheet,
    read_workbook,
    refuse_large,
    workbook_bytes,
)

__all__ = [
    "CSV_NAMES",
    "SETUP_FIELDS",
    "SHEETS",
    "OverlayFormat",
    "OverlayTables",
    "SheetColumns",
    "detect_format",
    "overlay_files",
    "read_tables",
    "sheet_key",
    "tables_to_csv",
    "tables_to_xlsx",
]

OverlayFormat = Literal["xlsx", "csv", "ttl", "jsonld"]


@dataclass(frozen=True)
class SheetColumns:
    """One sheet of the overlay: its name, required and optional columns, and help for each."""

    key: str
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    help: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


_REF_HELP = (
    "Framework concepts, separated by '|': a CURIE (phof:indicator/90631), a notation (PHOF B04), "
    "a Fingertips or LG Inform id (90631), or an exact title"
)
_RELATION_HELP = (
    "SKOS predicate: exactMatch, closeMatch (default), broadMatch, narrowMatch or relatedMatch; one for "
    "all, or one per concept separated by '|'"
)
SETUP: Final = SheetColumns(
    "setup",
    "Setup",
    ("Field", "Value"),
    ("Notes",),
    {
        "Field": "One of: "
        + ", ".join(("GSS code", "Borough", "Framework", "Framework version", "Title", "Contact", "Date")),
        "Value": "GSS code is required (E09000001 to E09000033); Framework defaults to fhab",
    },
)
PRIORITIES: Final = SheetColumns(
    "priorities",
    "Priorities",
    ("ID", "Priority"),
    ("Description", "FHAB domains", "FHAB tier", "Links to", "Relation", "Lead", "Notes"),
    {
        "ID": "Your own short ID, unique in this sheet (letters, digits, '.', '_', '-')",
        "Priority": "The priority in your own words",
        "FHAB domains": "Safe, Healthy, Happy, Learning, Engaged; separate several with '|'",
        "FHAB tier": "children, parents or system",
        "Links to": _REF_HELP,
        "Relation": _RELATION_HELP,
    },
)
INDICATORS: Final = SheetColumns(
    "local-indicators",
    "Local indicators",
    ("ID", "Indicator", "Definition", "Data source"),
    (
        "Priority",
        "Maps to",
        "Relation",
        "Confidence",
        "Justification",
        "Mapped by",
        "Mapping date",
        "FHAB domains",
        "FHAB tier",
        "Notes",
    ),
    {
        "ID": "Your own short ID, unique in this sheet",
        "Indicator": "The indicator's name as you use it",
        "Definition": "What is counted, over what population",
        "Data source": "e.g. EYFSP return (DfE), Fingertips 90631, local case management system",
        "Priority": "The ID of the priority it measures",
        "Maps to": _REF_HELP,
        "Relation": _RELATION_HELP,
        "Confidence": "0 to 1; one for all or one per concept",
        "Justification": "manual (default), or lexical for an accepted suggestion",
        "Mapped by": "Who made or accepted the mapping",
        "Mapping date": "YYYY-MM-DD",
    },
)
AVAILABILITY: Final = SheetColumns(
    "data-availability",
    "Data availability",
    ("Metric", "Availability"),
    ("Reason", "Data source", "Notes"),
    {
        "Metric": "A framework metric or indicator (CURIE, notation, id or title) or a local indicator ID",
        "Availability": "available, accessible or missing",
        "Reason": "Required when accessible or missing: why it is not used, or not there",
    },
)
SERVICES: Final = SheetColumns(
    "services",
    "Services",
    ("ID", "Service", "Aims at"),
    ("Provider", "Locality", "Description", "Notes"),
    {
        "Aims at": "Outcomes the service aims to change: concepts or priority IDs, separated by '|'",
        "Locality": "Parts of the borough it covers, separated by '|'",
    },
)
SHEETS: Final = (SETUP, PRIORITIES, INDICATORS, AVAILABILITY, SERVICES)
SETUP_FIELDS: Final = ("GSS code", "Borough", "Framework", "Framework version", "Title", "Contact", "Date")
CSV_NAMES: Final = {sheet.key: f"{sheet.key}.csv" for sheet in SHEETS}
_BY_KEY: Final = {sheet.key: sheet for sheet in SHEETS}


def sheet_key(name: str) -> str:
    """The sheet a name stands for: case, spaces, '_' and a ``.csv`` suffix or prefix ignored."""
    text = re.sub(r"[\s_]+", "-", name.strip().lower()).removesuffix(".csv")
    for key in _BY_KEY:
        if text == key or text.endswith("-" + key):
            return key
    return text


@dataclass(frozen=True)
class OverlayTables:
    """The five sheets of an overlay, as read (``source`` is the file or folder)."""

    source: Path
    format: OverlayFormat
    sheets: dict[str, Sheet]

    def sheet(self, key: str) -> Sheet:
        return self.sheets[key]


def detect_format(path: Path) -> OverlayFormat:
    """The overlay format from a path: a folder or ``.csv`` is CSV, else by suffix."""
    if path.is_dir() or path.suffix.lower() == ".csv":
        return "csv"
    suffix = path.suffix.lower()
    formats: dict[str, OverlayFormat] = {
        ".xlsx": "xlsx",
        ".ttl": "ttl",
        ".jsonld": "jsonld",
        ".json": "jsonld",
    }
    if suffix in formats:
        return formats[suffix]
    raise SourceError(
        Location(path),
        f"has suffix {suffix or '(none)'!r}; an overlay is .xlsx, a folder of .csv files (or the .csv "
        "files themselves), .ttl or .jsonld",
    )


def read_tables(
    paths: Sequence[Path], *, max_bytes: int = DEFAULT_MAX_BYTES, files: Sequence[tuple[str, bytes]] = ()
) -> OverlayTables:
    """Read an XLSX workbook, a folder of CSV files or CSV files into the five sheets.

    ``files`` gives the content as ``(name, bytes)`` instead (for uploads); otherwise each path is
    read, after its size is checked. Missing sheets and wrong columns are refused here.
    """
    if not files:
        files = overlay_files(paths, max_bytes)
    source = paths[0] if paths else Path(files[0][0])
    if len(files) == 1 and detect_format(Path(files[0][0])) == "xlsx":
        name, data = files[0]
        found = {sheet_key(s.name): s for s in read_workbook(data, Path(name), max_bytes=max_bytes).values()}
        fmt: OverlayFormat = "xlsx"
        what = "sheet"
    else:
        if sum(len(data) for _, data in files) > max_bytes:
            refuse_large(source, sum(len(data) for _, data in files), max_bytes)
        found = {}
        for name, data in files:
            if detect_format(Path(name)) != "csv":
                raise SourceError(
                    Location(Path(name)), "give either one .xlsx workbook or CSV files, not both"
                )
            key = sheet_key(Path(name).name)
            if key in _BY_KEY:
                found[key] = read_csv_sheet(_BY_KEY[key].name, data, Path(name), max_bytes=max_bytes)
        fmt, what = "csv", "file"
    sheets = {}
    for spec in SHEETS:
        if spec.key not in found:
            raise SourceError(Location(source), _missing(spec, list(found), what))
        sheets[spec.key] = _checked_header(found[spec.key], spec)
    if not any(sheet.rows for sheet in sheets.values()):
        raise SourceError(
            Location(source), "has no data in any sheet; fill in at least the Setup sheet's GSS code"
        )
    return OverlayTables(source, fmt, sheets)


def overlay_files(paths: Sequence[Path], max_bytes: int) -> list[tuple[str, bytes]]:
    """The files of an overlay given as paths (a folder means its .csv files), each checked for size first."""
    if not paths:
        raise SourceError(Location(Path()), "no overlay file given")
    listed: list[Path] = []
    for path in paths:
        if path.is_dir():
            listed.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv"))
        else:
            listed.append(path)
    if not listed:
        raise SourceError(Location(paths[0]), "holds no .csv files; put one CSV file per sheet in the folder")
    total = 0
    for path in listed:
        if not path.is_file():
            raise SourceError(Location(path), "does not exist")
        total += path.stat().st_size
        refuse_large(path, total, max_bytes)
    return [(str(path), path.read_bytes()) for path in listed]


def _missing(spec: SheetColumns, found: list[str], what: str) -> str:
    shown = ", ".join(repr(_BY_KEY[k].name if k in _BY_KEY else k) for k in found) or "none"
    close = difflib.get_close_matches(spec.key, found, n=1, cutoff=0.6)
    hint = (
        f"; is {_BY_KEY.get(close[0], spec).name if close and close[0] in _BY_KEY else close[0]!r} it?"
        if close
        else ""
    )
    needed = ", ".join(s.name if what == "sheet" else CSV_NAMES[s.key] for s in SHEETS)
    return (
        f"has no {what} {spec.name if what == 'sheet' else CSV_NAMES[spec.key]!r} "
        f"({what}s found: {shown}{hint}); "
        f"an overlay needs all of: {needed}. Download the template with `outcomes-graph borough template`"
    )


def _checked_header(sheet: Sheet, spec: SheetColumns) -> Sheet:
    if not sheet.header and not sheet.rows:
        return Sheet(spec.name, sheet.file, (), ())
    header = [h for h in sheet.header if h]
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise SourceError(sheet.where(duplicates[0], row=1), f"column {duplicates[0]!r} appears twice")
    unknown = [h for h in header if h not in spec.columns]
    if unknown:
        close = difflib.get_close_matches(unknown[0], spec.columns, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise SourceError(
            sheet.where(unknown[0], row=1),
            f"is not a column of {spec.name}{hint} Valid columns: {', '.join(spec.columns)}",
        )
    missing = [c for c in spec.required if c not in header]
    if missing:
        raise SourceError(
            sheet.where(None, row=1),
            f"lacks required column(s) {', '.join(map(repr, missing))}; {spec.name} needs "
            f"{', '.join(spec.required)} (optional: {', '.join(spec.optional)})",
        )
    return Sheet(spec.name, sheet.file, sheet.header, sheet.rows)


def _specs(rows: dict[str, list[list[str]]]) -> list[SheetSpec]:
    widths = {
        "Priority": 40,
        "Indicator": 40,
        "Definition": 50,
        "Description": 40,
        "Reason": 40,
        "Maps to": 36,
        "Links to": 36,
        "Aims at": 36,
        "Data source": 30,
        "Notes": 30,
        "Service": 36,
        "Metric": 36,
        "Value": 40,
        "Field": 20,
    }
    choices = {
        "Availability": ("available", "accessible", "missing"),
        "FHAB tier": ("children", "parents", "system"),
        "Justification": ("manual", "lexical"),
    }
    return [
        SheetSpec(
            sheet.name,
            sheet.columns,
            rows.get(sheet.key, []),
            widths=widths,
            notes=sheet.help,
            choices={c: v for c, v in choices.items() if c in sheet.columns},
        )
        for sheet in SHEETS
    ]


def table_rows(tables: OverlayTables) -> dict[str, list[list[str]]]:
    """Each sheet's rows as lists of cells in the sheet's full column order."""
    return {
        key: [[row.get(column) for column in _BY_KEY[key].columns] for row in sheet.rows]
        for key, sheet in tables.sheets.items()
    }


def tables_to_xlsx(rows: dict[str, list[list[str]]]) -> bytes:
    """A workbook with the five sheets (every column, with help on each header) and the given rows."""
    return workbook_bytes(_specs(rows))


def tables_to_csv(rows: dict[str, list[list[str]]]) -> dict[str, str]:
    """One CSV text per sheet, by file name (``priorities.csv``...)."""
    import csv
    import io

    out = {}
    for sheet in SHEETS:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(sheet.columns)
        writer.writerows(rows.get(sheet.key, []))
        out[CSV_NAMES[sheet.key]] = buffer.getvalue()
    return out
