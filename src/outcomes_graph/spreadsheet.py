"""Reading and writing spreadsheets (XLSX workbooks, CSV sheets), with errors naming sheet, row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1 and the first data row
is row 2, in XLSX and CSV alike, so a message points at the row a person sees. A workbook
is refused, before anything is parsed, when it is larger than ``max_bytes`` or unpacks to
more than :data:`MAX_UNPACKED_BYTES`; formula cells and merged cells are refused with
the cell they sit in, because what a formula shows is not what the file stores and a merged
cell's value belongs to one row only. CSV must be UTF-8.

>>> sheet = read_csv_sheet("Priorities", b"ID,Priority\\nP1,Best start\\n")
>>> [(row.number, row.values) for row in sheet.rows]
[(2, {'ID': 'P1', 'Priority': 'Best start'})]
>>> str(sheet.rows[0].where("Priority"))
"Priorities, row 2, column 'Priority'"
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from outcomes_graph.errors import Location, SourceError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_UNPACKED_BYTES",
    "Sheet",
    "SheetLocation",
    "SheetRow",
    "SheetSpec",
    "read_csv_sheet",
    "read_workbook",
    "refuse_large",
    "workbook_bytes",
]

#: The largest file read by default: an overlay of thousands of rows is well under 1 MB.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: The most a workbook may unpack to (an XLSX is a zip; this refuses zip bombs).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)
_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


@dataclass(frozen=True)
class SheetLocation(Location):
    """A place in a spreadsheet: the sheet, the row as the spreadsheet numbers it, the column header,
    and the cell reference (``C14``) for XLSX."""

    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        parts = [self.sheet] if self.sheet else [_shown(self.file)]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        if self.cell:
            parts.append(f"cell {self.cell}")
        return ", ".join(parts)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class SheetRow:
    """One data row; ``number`` is the spreadsheet's row number (the header is row 1)."""

    sheet: str
    file: Path
    number: int
    values: dict[str, str]
    cells: dict[str, str] = field(default_factory=dict)  # column header -> cell reference

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def where(self, column: str | None = None) -> SheetLocation:
        return SheetLocation(
            self.file, row=self.number, column=column, sheet=self.sheet, cell=self.cells.get(column or "")
        )

    def error(self, column: str | None, message: str) -> SourceError:
        return SourceError(self.where(column), message)


@dataclass(frozen=True)
class Sheet:
    """A sheet's header and data rows (blank rows dropped)."""

    name: str
    file: Path
    header: tuple[str, ...]
    rows: tuple[SheetRow, ...]

    def where(self, column: str | None = None, row: int | None = None) -> SheetLocation:
        return SheetLocation(self.file, row=row, column=column, sheet=self.name)


@dataclass(frozen=True)
class SheetSpec:
    """What one sheet must look like, for writing a workbook: name, headers, widths, notes, rows."""

    name: str
    header: tuple[str, ...]
    rows: Sequence[Sequence[Any]] = ()
    widths: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # header -> comment shown on the header cell
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # header -> drop-down list
    wrap: bool = False


def refuse_large(file: Path, size: int, max_bytes: int) -> None:
    """Refuse a file by its size alone, before reading it."""
    if size > max_bytes:
        raise SourceError(
            Location(file),
            f"is {size / 1024 / 1024:.1f} MB; the limit is {max_bytes / 1024 / 1024:.1f} MB. "
            "An overlay or framework workbook is normally well under 1 MB: remove images, pivot "
            "caches and unrelated sheets",
        )


def read_workbook(data: bytes, file: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, Sheet]:
    """Every sheet of an XLSX workbook, by name; refuses formulas, merged cells and oversized files."""
    refuse_large(file, len(data), max_bytes)
    if not data.strip():
        raise SourceError(Location(file), "is empty; save the workbook from Excel or use the template")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise SourceError(
            Location(file),
            "is not an XLSX workbook (an XLSX file is a zip archive); an old .xls or a CSV renamed "
            "to .xlsx cannot be read: save it as 'Excel Workbook (.xlsx)'",
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise SourceError(
            Location(file),
            f"unpacks to {unpacked // 1024 // 1024} MB; the limit is {MAX_UNPACKED_BYTES // 1024 // 1024} MB",
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_links=False, keep_vba=False)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError...) for broken files
        raise SourceError(Location(file), f"cannot be read as an XLSX workbook: {exc}") from None
    sheets = {}
    for sheet in book.worksheets:
        sheets[sheet.title] = _read_sheet(sheet, file)
    return sheets


def _read_sheet(sheet: Any, file: Path) -> Sheet:
    name = str(sheet.title)
    for merged in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        top = f"{get_column_letter(merged.min_col)}{merged.min_row}"
        raise SourceError(
            SheetLocation(file, row=merged.min_row, sheet=name, cell=top),
            f"cells {merged.coord} are merged; unmerge them (Home > Merge & Center > Unmerge Cells) and "
            "write the value in every row it applies to",
        )
    grid: list[list[str]] = []
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            if _is_formula(cell):
                raise SourceError(
                    SheetLocation(file, row=cell.row, sheet=name, cell=cell.coordinate),
                    f"holds a formula ({str(cell.value)[:60]}); paste values only "
                    "(Copy, then Paste Special > Values) so the file states what it shows",
                )
            cells.append(_text(cell.value))
        grid.append(cells)
    while grid and not any(grid[-1]):
        grid.pop()
    if not grid:
        return Sheet(name, file, (), ())
    header = tuple(h.strip() for h in grid[0])
    width = max((i + 1 for i, h in enumerate(header) if h), default=0)
    header = header[:width]
    rows = []
    for number, raw in enumerate(grid[1:], start=2):
        stray = next((i for i, c in enumerate(raw) if c.strip() and (i >= width or not header[i])), None)
        if stray is not None:
            raise SourceError(
                SheetLocation(file, row=number, sheet=name, cell=f"{get_column_letter(stray + 1)}{number}"),
                f"has a value ({raw[stray][:40]!r}) in a column with no header; "
                "add a header or clear the cell",
            )
        cells = (raw + [""] * width)[:width]
        if not any(c.strip() for c in cells):
            continue
        values = {h: c.strip() for h, c in zip(header, cells, strict=True) if h}
        refs = {h: f"{get_column_letter(i + 1)}{number}" for i, h in enumerate(header) if h}
        rows.append(SheetRow(name, file, number, values, refs))
    return Sheet(name, file, header, tuple(rows))


def _is_formula(cell: Any) -> bool:
    if getattr(cell, "data_type", None) == "f":
        return True
    return type(cell.value).__name__ in ("ArrayFormula", "DataTableFormula")


def _text(value: Any) -> str:
    """A cell value as the text a person typed: 12 not 12.0, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_csv_sheet(
    name: str, data: bytes, file: Path | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Sheet:
    """One sheet from a UTF-8 CSV file (a byte-order mark is allowed)."""
    path = file or Path(f"{name}.csv")
    refuse_large(path, len(data), max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            SheetLocation(path, row=line, sheet=name),
            f"is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}, row {line}); in Excel "
            "use 'Save As' > 'CSV UTF-8 (Comma delimited)'",
        ) from None
    if not text.strip():
        return Sheet(name, path, (), ())
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    grid: list[list[str]] = []
    try:
        for cells in reader:
            grid.append(cells)
    except csv.Error as exc:
        raise SourceError(
            SheetLocation(path, row=reader.line_num, sheet=name), f"is not valid CSV: {exc}"
        ) from None
    header = tuple(h.strip() for h in grid[0])
    rows = []
    for number, cells in enumerate(grid[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise SourceError(
                SheetLocation(path, row=number, sheet=name),
                f"has {len(cells)} cells but the header has {len(header)} columns",
            )
        padded = (cells + [""] * len(header))[: len(header)]
        rows.append(
            SheetRow(name, path, number, {h: c.strip() for h, c in zip(header, padded, strict=True) if h})
        )
    return Sheet(name, path, header, tuple(rows))


def workbook_bytes(sheets: Iterable[SheetSpec], *, freeze: bool = True) -> bytes:
    """An XLSX workbook, byte-for-byte the same for the same content (fixed timestamps)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    fixed = dt.datetime(*_FIXED_TIME)
    book.properties.created = fixed
    book.properties.creator = "outcomes-graph"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for spec in sheets:
        sheet = book.create_sheet(spec.name)
        sheet.append(list(spec.header))
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        for number, row in enumerate(spec.rows, start=2):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(number, column, value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula stays text
        for index, name in enumerate(spec.header, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = spec.widths.get(name, max(12, min(len(name) + 4, 40)))
            if name in spec.notes:
                sheet[f"{letter}1"].comment = openpyxl.comments.Comment(spec.notes[name], "outcomes-graph")
            if name in spec.choices:
                listed = ",".join(spec.choices[name])
                rule = openpyxl.worksheet.datavalidation.DataValidation(
                    type="list", formula1=f'"{listed}"', allow_blank=True
                )
                rule.add(f"{letter}2:{letter}1048576")
                sheet.add_data_validation(rule)
        if spec.wrap:
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    cell.alignment = Alignment(vertical="top", wrap_text=True)
        if freeze and spec.header:
            sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return _deterministic(buffer.getvalue())


def _deterministic(data: bytes) -> bytes:
    """Rewrite the zip with fixed entry times and 'modified' date: equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIME.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return out.getvalue()
