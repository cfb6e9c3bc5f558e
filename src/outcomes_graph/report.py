"""The build report: source errors and SHACL violations, each placed in its file, row or line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from outcomes_graph.errors import Location, SourceError
from outcomes_graph.validate import Violation

__all__ = ["BuildReport", "PlacedViolation"]


@dataclass(frozen=True)
class PlacedViolation:
    """A SHACL violation with the source location of its focus node."""

    unit: str
    location: Location | None
    violation: Violation

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        if loc is None:
            return (self.unit, 0, 0, self.violation.focus_node)
        return (str(loc.file), loc.row or 0, loc.line or 0, self.violation.focus_node)

    def render(self) -> str:
        v = self.violation
        where = str(self.location) if self.location else self.unit
        path = f" on {v.path}" if v.path else ""
        lines = [
            f"{where}: {v.message}",
            f"    focus: {v.focus_node}",
            f"    shape: {v.shape} ({v.constraint}{path})",
        ]
        if v.value:
            lines.append(f"    value: {v.value}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        loc = self.location
        return {
            "unit": self.unit,
            "file": str(loc.file) if loc else None,
            "line": loc.line if loc else None,
            "row": loc.row if loc else None,
            "column": loc.column if loc else None,
            "focus_node": self.violation.focus_node,
            "shape": self.violation.shape,
            "constraint": self.violation.constraint,
            "path": self.violation.path,
            "value": self.violation.value,
            "severity": self.violation.severity,
            "message": self.violation.message,
        }


@dataclass
class BuildReport:
    """Everything that stops a build; empty when the sources are valid."""

    source_errors: list[SourceError] = field(default_factory=list)
    violations: list[PlacedViolation] = field(default_factory=list)
    units_checked: int = 0
    units_from_cache: int = 0
    seconds: float = 0.0
    #: True when files failed to load, so SHACL validation did not run.
    skipped_validation: bool = False

    @property
    def ok(self) -> bool:
        return not self.source_errors and not self.violations

    @property
    def violation_count(self) -> int:
        return len(self.source_errors) + len(self.violations)

    def render(self) -> str:
        parts = [f"error: {err}" for err in self.source_errors]
        parts.extend(v.render() for v in sorted(self.violations, key=PlacedViolation.sort_key))
        if self.skipped_validation:
            parts.append("SHACL validation runs once every file above loads.")
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.ok,
            "validation_skipped": self.skipped_validation,
            "units_checked": self.units_checked,
            "units_from_cache": self.units_from_cache,
            "source_errors": [
                {
                    "file": str(e.location.file),
                    "line": e.location.line,
                    "row": e.location.row,
                    "column": e.location.column,
                    "message": e.message,
                }
                for e in self.source_errors
            ],
            "violations": [v.to_json() for v in self.violations],
        }
