"""Borough overlays: read one in any format, validate it, and check it against the national frameworks.

The check is stateless: it reads the overlay, builds its graph in memory, validates it with
SHACL on its own graph plus only the concepts it touches, and analyses it with the alignment
engine; nothing is written anywhere. :class:`BoroughTools` holds what one build offers (the
engine's index, the search index, the resolver, the suggestion ranker and the list of local
authorities) so that a server or a benchmark pays for it once::

    tools = BoroughTools.open(settings)
    report = check_overlay([Path("tower-hamlets.xlsx")], tools)
    report.valid, report.to_dict()["coverage"][0]["percent_reached"]

``files=[(name, bytes)]`` reads uploaded content instead of paths (the HTTP service's way in).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outcomes_graph.alignment_index import AlignmentIndex, QueryStore, named_rows
from outcomes_graph.borough_analysis import Analysis, analyse
from outcomes_graph.borough_format import detect_format, read_tables
from outcomes_graph.borough_model import Overlay, Problem, model_from_graph, parse_rdf
from outcomes_graph.borough_resolve import Authority, ConceptResolver
from outcomes_graph.borough_tables import OverlayBuilder
from outcomes_graph.borough_validate import (
    context_facts,
    context_graph,
    foreign_nodes,
    unknown_references,
    validate_overlay,
)
from outcomes_graph.errors import Location, SourceError
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.search import SearchIndex
from outcomes_graph.settings import Settings
from outcomes_graph.spreadsheet import DEFAULT_MAX_BYTES, refuse_large
from outcomes_graph.store import EmbeddedStore
from outcomes_graph.suggest import Ranker

__all__ = ["BoroughTools", "CheckReport", "check_overlay", "load_overlay"]


@dataclass
class BoroughTools:
    """Everything one build offers the borough tools, read once."""

    store: QueryStore
    registry: QueryRegistry
    settings: Settings
    index: AlignmentIndex
    search: SearchIndex
    ranker: Ranker
    resolver: ConceptResolver
    authorities: dict[str, Authority]
    context: dict[str, list[tuple[str, str]]]

    @classmethod
    def open(cls, settings: Settings, store: QueryStore | None = None) -> BoroughTools:
        store = store or EmbeddedStore(settings.store)
        registry = QueryRegistry.load(settings.queries_dir)
        index = AlignmentIndex.load(store, registry)
        search = SearchIndex.load(store, registry)
        ranker = Ranker(index, search)
        resolver = ConceptResolver(index, search, suggest=ranker.iris)
        authorities = {
            row["gss"]: Authority(row["borough"], row["gss"], row.get("name", row["gss"]))
            for row in named_rows(store, registry, "borough-authorities")
        }
        context = context_facts(store, registry)
        return cls(store, registry, settings, index, search, ranker, resolver, authorities, context)


@dataclass
class CheckReport:
    """The answer of ``borough check``: problems and, when the overlay could be read, the analysis."""

    source: str
    format: str
    build_id: str
    overlay: Overlay | None
    problems: list[Problem]
    analysis: Analysis | None
    borough_name: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        overlay = self.overlay
        counts = (
            {kind: len(overlay.of_kind(kind)) for kind in ("priority", "indicator", "service")}
            | {"mappings": len(overlay.links), "availability": len(overlay.availability)}
            if overlay
            else {}
        )
        analysis = self.analysis
        return {
            "valid": self.valid,
            "source": self.source,
            "format": self.format,
            "build": self.build_id,
            "borough": {"gss": overlay.gss, "name": self.borough_name, "iri": overlay.authority}
            if overlay
            else None,
            "overlay": {
                "iri": overlay.iri,
                "graph": overlay.graph_iri,
                "title": overlay.title,
                "framework": overlay.framework,
                "framework_version": overlay.framework_version,
            }
            if overlay
            else None,
            "counts": counts,
            "errors": [p.to_dict() for p in self.problems],
            "coverage": analysis.coverage if analysis else [],
            "gaps": analysis.gaps if analysis else {},
            "targets": analysis.targets if analysis else {},
            "data_availability": analysis.availability if analysis else {},
            "services": analysis.services if analysis else {},
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


def load_overlay(
    paths: Sequence[Path],
    tools: BoroughTools,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    files: Sequence[tuple[str, bytes]] = (),
) -> Overlay:
    """Read an overlay (XLSX, CSV folder or files, Turtle or JSON-LD) into its graph and model.

    Raises :class:`~outcomes_graph.errors.SourceError` when the file cannot be read at all;
    row problems are collected in ``overlay.problems``.
    """
    first = Path(files[0][0]) if files else paths[0]
    fmt = detect_format(first)
    base = tools.settings.base
    if fmt in ("xlsx", "csv"):
        tables = read_tables(paths, max_bytes=max_bytes, files=files)
        builder = OverlayBuilder(tools.resolver, tools.authorities, base)
        return builder.build(tables)
    data = files[0][1] if files else _read(first, max_bytes)
    graph = parse_rdf(data, first, fmt, max_bytes=max_bytes)  # type: ignore[arg-type]
    overlay = model_from_graph(graph, first)
    overlay.problems.extend(foreign_nodes(overlay))
    overlay.problems.extend(unknown_references(overlay, tools.index, tools.resolver, base))
    return overlay


def _read(path: Path, max_bytes: int) -> bytes:
    if not path.is_file():
        raise SourceError(Location(path), "does not exist")
    refuse_large(path, path.stat().st_size, max_bytes)
    return path.read_bytes()


def check_overlay(
    paths: Sequence[Path],
    tools: BoroughTools,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    files: Sequence[tuple[str, bytes]] = (),
    depth: int = 3,
) -> CheckReport:
    """Check an overlay: read, validate (SHACL restricted to it and what it touches), analyse."""
    started = time.perf_counter()
    source = ", ".join(Path(name).name for name, _ in files) if files else ", ".join(str(p) for p in paths)
    build_id = tools.store.info.build_id
    try:
        fmt = detect_format(Path(files[0][0]) if files else paths[0])
        overlay = load_overlay(paths, tools, max_bytes=max_bytes, files=files)
    except SourceError as exc:
        return CheckReport(
            source,
            "unknown",
            build_id,
            None,
            [Problem.of(exc)],
            None,
            timings={"total": time.perf_counter() - started},
        )
    read = time.perf_counter()
    context = context_graph(overlay.graph, tools.context)
    _, placed = validate_overlay(
        overlay, context, shapes_dir=tools.settings.shapes_dir, ontology_dir=tools.settings.ontology_dir
    )
    validated = time.perf_counter()
    problems = [*overlay.problems, *placed]
    analysis = analyse(overlay, tools.index, depth=depth)
    done = time.perf_counter()
    name = tools.authorities[overlay.gss].name if overlay.gss in tools.authorities else ""
    return CheckReport(
        source,
        fmt,
        build_id,
        overlay,
        problems,
        analysis,
        name,
        {
            "read": read - started,
            "validate": validated - read,
            "analyse": done - validated,
            "total": done - started,
        },
    )
