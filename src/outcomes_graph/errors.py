"""The error hierarchy. Every message names the input and says how to fix it.

::

    OutcomesGraphError
    ├── SourceError          a source file cannot be read: names file, line/row and column
    ├── ValidationFailed     sources parsed but break SHACL shapes: carries the report
    ├── StoreError           the store is missing, locked or unreadable
    ├── QueryError           a SPARQL query or named query is malformed or refused
    └── UsageError           an argument or setting is not one of the valid values
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from outcomes_graph.report import BuildReport

__all__ = [
    "Location",
    "OutcomesGraphError",
    "QueryError",
    "SourceError",
    "StoreError",
    "UsageError",
    "ValidationFailed",
]


@dataclass(frozen=True)
class Location:
    """Where something sits in a source file. ``row`` counts data rows of a table from 1
    (the header is row 0), ``line`` counts physical lines from 1."""

    file: Path
    line: int | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        try:
            shown = self.file.resolve().relative_to(Path.cwd())
        except ValueError:
            shown = self.file
        parts = [str(shown)]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


class OutcomesGraphError(Exception):
    """Base class of every error this package raises on purpose."""


class SourceError(OutcomesGraphError):
    """A source file is malformed. ``str()`` gives ``file, row N, column 'x': message``."""

    def __init__(self, location: Location, message: str) -> None:
        self.location = location
        self.message = message
        super().__init__(f"{location}: {message}")


class ValidationFailed(OutcomesGraphError):
    """The sources parsed but do not conform to the SHACL shapes."""

    def __init__(self, report: BuildReport) -> None:
        self.report = report
        super().__init__(f"{report.violation_count} SHACL violation(s); nothing was written")


class StoreError(OutcomesGraphError):
    """The store cannot be opened, read or swapped."""


class QueryError(OutcomesGraphError):
    """A query is malformed, refused or too large."""


class UsageError(OutcomesGraphError):
    """An argument or setting is invalid; the message lists the valid values."""
