"""A new build made from the current one with some named graphs replaced: how borough writes reach the store.

A full build re-reads and re-validates every source; a borough upload changes one graph.
So the current build is copied with ``Store.backup`` (a RocksDB checkpoint: hard links,
milliseconds whatever the size), the changed graphs are dropped and reloaded in the copy,
``build.json`` gets the new graph records, and the copy is swapped in exactly like a full
build. Readers never see a half-written store, and an error before the swap leaves the
current build untouched.

The caller holds :func:`writer_lock`, so two writers (an upload, a publish, a full build)
never derive from the same build and lose each other's change.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from outcomes_graph.errors import StoreError
from outcomes_graph.search import INDEX_FILE, write_search_index
from outcomes_graph.settings import Settings
from outcomes_graph.store import BuildInfo, install_build, is_public, new_build_dir

__all__ = ["GraphChange", "changed_records", "derive_build", "derived_info", "new_build_id", "writer_lock"]

LOCK_FILE = ".writer.lock"


@dataclass(frozen=True)
class GraphChange:
    """The new content of one named graph: N-Triples and its build record, or ``None`` to drop it."""

    ntriples: bytes | None
    record: dict[str, Any] | None


def new_build_id(digest_of: str) -> str:
    """``20261122T101500123Z-<12 hex>``: sortable by time, with a digest of what went in."""
    now = datetime.now(UTC)
    digest = hashlib.sha256(digest_of.encode("utf-8")).hexdigest()[:12]
    return f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{digest}"


@contextmanager
def writer_lock(settings: Settings) -> Iterator[None]:
    """Hold the store's one writer lock (across processes) for the duration of the block."""
    folder = settings.overlays_dir
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def derive_build(settings: Settings, changes: Mapping[str, GraphChange]) -> BuildInfo:
    """Install a copy of the current build with ``changes`` (graph IRI → new content) applied.

    Call with :func:`writer_lock` held. Returns the new build's record. In remote mode the
    changes go to the remote store instead (:func:`outcomes_graph.remote_derive.derive_remote`).
    """
    if settings.sparql_endpoint:
        from outcomes_graph.remote_derive import derive_remote  # it imports this module

        digest = "".join(str(c.record.get("sha256", "")) for c in changes.values() if c.record)
        return derive_remote(settings, changes, new_build_id(digest + str(time.time())))
    started = time.perf_counter()
    current = settings.store.resolve()
    if not current.is_dir():
        raise StoreError(f"no store at {settings.store}; run `outcomes-graph build` first")
    before = BuildInfo.read(current)
    graphs = changed_records(before, changes)
    build_id = new_build_id(before.build_id + "".join(str(g.get("sha256", "")) for g in graphs))
    folder = new_build_dir(settings.store, build_id)
    try:
        _copy_with_changes(current, folder, changes)
        if _public(graphs) == _public(before.graphs) and (current / INDEX_FILE).is_file():
            # The same public graphs with the same content: the search index cannot have changed.
            shutil.copyfile(current / INDEX_FILE, folder / INDEX_FILE)
        else:
            write_search_index(folder, graphs, settings.queries_dir)
        info = derived_info(before, build_id, graphs, started)
        info.write(folder)
        install_build(settings.store, folder, keep=settings.keep_builds)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return info


def changed_records(before: BuildInfo, changes: Mapping[str, GraphChange]) -> list[dict[str, Any]]:
    """The graph records of ``before`` with ``changes`` applied (a changed graph's record goes last)."""
    kept = [g for g in before.graphs if g["iri"] not in changes]
    return kept + [c.record for c in changes.values() if c.record is not None]


def derived_info(before: BuildInfo, build_id: str, graphs: list[dict[str, Any]], started: float) -> BuildInfo:
    """The record of a build derived from ``before``; ``started`` is its ``perf_counter`` start."""
    return BuildInfo(
        build_id=build_id,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        graphs=graphs,
        timings={"derive_seconds": round(time.perf_counter() - started, 3)},
        parent=before.build_id,
    )


def _public(graphs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((str(g["iri"]), str(g.get("sha256", ""))) for g in graphs if is_public(g))


def _copy_with_changes(current: Path, folder: Path, changes: Mapping[str, GraphChange]) -> None:
    try:
        ox.Store.read_only(str(current)).backup(str(folder))
        store = ox.Store(str(folder))
    except OSError as exc:
        raise StoreError(f"cannot copy the store {current} to {folder}: {exc}") from None
    for iri, change in changes.items():
        graph = ox.NamedNode(iri)
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
        if change.ntriples is not None:
            # One transaction: for an overlay-sized graph (at most max_upload_bytes) it is several
            # times faster than bulk_load, which writes new files to disk for every call.
            store.load(change.ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    store.flush()
    del store
