"""``outcomes-graph build``: sources to named graphs, validated, then swapped in atomically.

Nothing is written to the store until every source has parsed and conformed; the
new store is written beside the old one and only then linked into place.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from outcomes_graph.check import check_sources, files_digest
from outcomes_graph.discover import discover_units, load_units, unit_for_path
from outcomes_graph.errors import StoreError, UsageError, ValidationFailed
from outcomes_graph.remote_build import Publication, publish
from outcomes_graph.report import BuildReport
from outcomes_graph.search import write_search_index
from outcomes_graph.settings import Settings
from outcomes_graph.sources import LoadedSource
from outcomes_graph.store import BuildInfo, install_build, new_build_dir
from outcomes_graph.store_derive import GraphChange, writer_lock

__all__ = ["BuildResult", "build", "validate_sources"]

#: ``progress(stage, item)``: called once per unit in each stage, for a progress display.
Progress = Callable[[str, str], None]


@dataclass(frozen=True)
class BuildResult:
    info: BuildInfo
    #: The new build folder; None when the build went to a remote store (``remote`` says where).
    folder: Path | None
    report: BuildReport
    remote: Publication | None = None


def validate_sources(
    settings: Settings, paths: list[Path] | None = None, *, progress: Progress | None = None
) -> tuple[BuildReport, list[LoadedSource]]:
    """Load and validate the sources (all, or the units holding ``paths``) without writing anything."""
    started = time.perf_counter()
    units = discover_units(settings)
    if paths:
        wanted = {unit_for_path(p, units).key for p in paths}
    loaded, errors = load_units(units, settings)
    if progress:
        for unit in units:
            progress("load", unit.key)
    report = BuildReport(source_errors=errors)
    if errors:
        # A file that did not load makes every link into it look dangling; SHACL would
        # bury the real error under those echoes, so it waits until every file loads.
        report.skipped_validation = True
        report.seconds = time.perf_counter() - started
        if paths:
            report.source_errors = [e for e in errors if unit_for_path(e.location.file, units).key in wanted]
        return report, loaded
    # Every loaded unit is checked (cached ones cost nothing) so that the chosen
    # units see their context; only the chosen units' violations are reported.
    shacl = check_sources(
        loaded,
        shapes_dir=settings.shapes_dir,
        ontology_dir=settings.ontology_dir,
        cache_dir=settings.cache_dir,
        progress=(lambda key: progress("validate", key)) if progress else None,
    )
    report.violations = [v for v in shacl.violations if not paths or v.unit in wanted]
    if paths:
        report.source_errors = [e for e in errors if unit_for_path(e.location.file, units).key in wanted]
    report.units_checked, report.units_from_cache = shacl.units_checked, shacl.units_from_cache
    if paths:
        report.units_checked = len(wanted)
    report.seconds = time.perf_counter() - started
    return report, loaded


def build(settings: Settings, *, progress: Progress | None = None) -> BuildResult:
    """Build the store from the sources; raise ``ValidationFailed`` (store untouched) if any is invalid.

    With ``gsp_endpoint`` set the validated graphs go to that remote store instead
    (:func:`outcomes_graph.remote_build.publish`).
    """
    if settings.sparql_endpoint and not settings.gsp_endpoint:
        raise UsageError("a build in remote mode writes by Graph Store Protocol: give --gsp-endpoint URL too")
    t0 = time.perf_counter()
    report, loaded = validate_sources(settings, progress=progress)
    t1 = time.perf_counter()
    if not report.ok:
        raise ValidationFailed(report)
    built_at = datetime.now(UTC)
    digest = hashlib.sha256("".join(files_digest(s.unit.files) for s in loaded).encode()).hexdigest()[:12]
    # Milliseconds keep two builds of the same sources within one second apart.
    build_id = f"{built_at:%Y%m%dT%H%M%S}{built_at.microsecond // 1000:03d}Z-{digest}"
    if settings.gsp_endpoint:
        from outcomes_graph.borough_store import StoredOverlays  # see _build_locally

        with writer_lock(settings):
            sent = publish(settings, loaded, [graph_record(s) for s in loaded], build_id=build_id,
                           built_at=built_at.isoformat(timespec="seconds"),
                           timings={"validate_seconds": round(t1 - t0, 3)}, progress=progress,
                           stored=StoredOverlays(settings).graph_changes())  # fmt: skip
        return BuildResult(sent.info, None, report, sent)
    # The writer lock keeps a borough upload from deriving a build from the one this replaces.
    with writer_lock(settings):
        return _build_locally(settings, loaded, report, build_id, built_at, t0, t1, progress)


def _build_locally(
    settings: Settings,
    loaded: list[LoadedSource],
    report: BuildReport,
    build_id: str,
    built_at: datetime,
    t0: float,
    t1: float,
    progress: Progress | None,
) -> BuildResult:
    # Imported here: the borough tools import much, and only builds with stored overlays need them.
    from outcomes_graph.borough_store import StoredOverlays

    stored = StoredOverlays(settings).graph_changes()
    folder = new_build_dir(settings.store, build_id)
    try:
        graphs = _write_store(folder, loaded, stored, progress)
        write_search_index(folder, graphs, settings.queries_dir)
        info = BuildInfo(
            build_id=build_id,
            built_at=built_at.isoformat(timespec="seconds"),
            graphs=graphs,
            timings={
                "validate_seconds": round(t1 - t0, 3),
                "write_seconds": round(time.perf_counter() - t1, 3),
            },
        )
        info.write(folder)
        install_build(settings.store, folder, keep=settings.keep_builds)
    except BaseException:
        if settings.store.resolve() != folder.resolve():
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return BuildResult(info, folder, report)


def _write_store(
    folder: Path, loaded: list[LoadedSource], stored: dict[str, GraphChange], progress: Progress | None
) -> list[dict[str, object]]:
    try:
        store = ox.Store(str(folder))
    except OSError as exc:
        raise StoreError(f"cannot create a store at {folder}: {exc}") from None
    graphs: list[dict[str, object]] = []
    for source in loaded:
        if progress:
            progress("write", source.unit.key)
        data = source.graph.serialize(format="nt", encoding="utf-8")
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(source.graph_iri)))
        graphs.append(graph_record(source))
    # Stored borough overlays were validated when uploaded; they keep their own visibility.
    for iri, change in stored.items():
        if change.ntriples is not None and change.record is not None:
            store.bulk_load(change.ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri))
            graphs.append(change.record)
    store.flush()
    store.optimize()
    del store
    return graphs


def graph_record(source: LoadedSource) -> dict[str, object]:
    """What the build record says about one source's graph."""
    return {
        "key": source.unit.key,
        "iri": str(source.graph_iri),
        "kind": source.unit.kind,
        "visibility": "public",
        "triples": len(source.graph),
        "sha256": files_digest(source.unit.files),
        "files": [_relative(p) for p in source.unit.files],
    }


def _relative(path: Path) -> str:
    """A source path as ``frameworks/lof/concepts.csv``: the last parts under the data folder."""
    parts = path.parts
    for anchor in ("ontology", "frameworks", "mappings"):
        if anchor in parts:
            return "/".join(parts[len(parts) - 1 - parts[::-1].index(anchor) :])
    return path.name
