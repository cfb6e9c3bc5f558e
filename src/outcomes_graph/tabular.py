"""Reading CSV tables with errors that name the file, row and column.

The same reader serves framework tables now and borough spreadsheets later, so it
knows nothing about RDF: it checks encoding, header and required cells, and hands
back rows as plain dicts with their row numbers.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_text("kind,ref\\noutcome,x\\n", encoding="utf-8")
>>> [r.values for r in read_table(p, TableSpec(required=("kind", "ref")))]
[{'kind': 'outcome', 'ref': 'x'}]
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from outcomes_graph.errors import Location, SourceError

__all__ = ["Row", "TableSpec", "read_table", "split_multi"]

MULTI_SEPARATOR = "|"


@dataclass(frozen=True)
class TableSpec:
    """The columns a table must have (and must fill), and those it may have."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    #: Required columns that may be left empty in a row.
    may_be_empty: tuple[str, ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class Row:
    """One data row. ``number`` counts data rows from 1; ``line`` is the physical line of its start."""

    path: Path
    number: int
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def where(self, column: str | None = None) -> Location:
        return Location(self.path, line=self.line, row=self.number, column=column)

    def error(self, column: str | None, message: str) -> SourceError:
        return SourceError(self.where(column), message)


def read_table(path: Path, spec: TableSpec) -> Iterator[Row]:
    """Yield the rows of a UTF-8 CSV file, checking the header and the required cells."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise SourceError(
            Location(path, line=line),
            f"is not UTF-8 (byte 0x{path.read_bytes()[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8 CSV",
        ) from None
    if not text.strip():
        raise SourceError(Location(path), "is empty; a header row is required: " + ",".join(spec.required))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise SourceError(Location(path, line=1), f"header is not valid CSV: {exc}") from None
    _check_header(path, header, spec)
    number = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceError(Location(path, line=line, row=number + 1), f"is not valid CSV: {exc}") from None
        if not any(c.strip() for c in cells):
            continue
        number += 1
        if len(cells) != len(header):
            raise SourceError(
                Location(path, line=line, row=number),
                f"has {len(cells)} cells but the header has {len(header)} columns",
            )
        row = Row(path, number, line, {h: c.strip() for h, c in zip(header, cells, strict=True)})
        for column in spec.required:
            if column not in spec.may_be_empty and not row.get(column):
                raise row.error(column, f"is empty; every row needs a {column!r}")
        yield row


def _check_header(path: Path, header: list[str], spec: TableSpec) -> None:
    where = Location(path, line=1, row=0)
    missing = [c for c in spec.required if c not in header]
    if missing:
        raise SourceError(where, f"header lacks required column(s) {', '.join(map(repr, missing))}")
    unknown = [c for c in header if c not in spec.known]
    if unknown:
        raise SourceError(
            where,
            f"header has unknown column(s) {', '.join(map(repr, unknown))}; "
            f"valid columns: {', '.join(spec.known)}",
        )
    duplicates = sorted({c for c in header if header.count(c) > 1})
    if duplicates:
        raise SourceError(where, f"header repeats column(s) {', '.join(map(repr, duplicates))}")


def split_multi(cell: str) -> list[str]:
    """Split a multi-valued cell on ``|``, dropping empty parts.

    >>> split_multi("S18| S20 |")
    ['S18', 'S20']
    """
    return [part.strip() for part in cell.split(MULTI_SEPARATOR) if part.strip()]
