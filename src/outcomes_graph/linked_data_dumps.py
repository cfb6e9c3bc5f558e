"""Download files (``/download/``), generated once per build and kept on disk beside the store.

``var/store.downloads/<build id>/`` holds::

    outcomes-graph.trig        every public graph, as TriG
    outcomes-graph.nq          the same quads, as N-Quads
    graph/<key>.ttl            one public named graph (a framework edition, a crosswalk, ...) as Turtle
    sssom/<set>.sssom.tsv      one SSSOM TSV file per mapping set
    concepts.csv               every concept as a flat table (the ``concepts-table`` query)
    mappings.csv               every mapping record as a flat table (the ``alignment-edges`` query)
    manifest.json              name, title, media type, size and SHA-256 of each file (written last)

A build's folder is written under a temporary name and renamed into place, so a reader (or
another worker) sees either no folder or a complete one; folders of older builds are pruned.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from outcomes_graph.errors import StoreError
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.sssom_export import export_mapping_sets
from outcomes_graph.store import GraphStore

__all__ = ["DumpFile", "DumpSet", "downloads_root", "ensure_dumps"]

MANIFEST = "manifest.json"
WHOLE_TRIG = "outcomes-graph.trig"
WHOLE_NQUADS = "outcomes-graph.nq"
_LOCK = threading.Lock()
#: The CSV dumps: file name, the named query that fills it, and its title.
TABLES = (
    ("concepts.csv", "concepts-table", "Every concept, one row each (CSV)"),
    ("mappings.csv", "alignment-edges", "Every mapping record, one row each (CSV)"),
)


@dataclass(frozen=True)
class DumpFile:
    """One download: its path under ``/download/``, what it holds, its size and checksum."""

    name: str
    title: str
    media_type: str
    kind: str  # "dataset" (all public graphs), "graph", "mapping-set" or "table"
    bytes: int
    sha256: str
    subject: str | None = None  # the graph or mapping set IRI it holds, if one

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class DumpSet:
    build_id: str
    folder: Path
    files: tuple[DumpFile, ...]

    def get(self, name: str) -> DumpFile | None:
        return next((f for f in self.files if f.name == name), None)

    def path(self, file: DumpFile) -> Path:
        return self.folder / file.name

    @property
    def complete(self) -> bool:
        """Whether the files are still on disk (the manifest is written last and removed first)."""
        return (self.folder / MANIFEST).is_file()


def downloads_root(store_path: Path) -> Path:
    """``var/store`` → ``var/store.downloads`` (beside the store, like ``store.builds``)."""
    return store_path.with_name(store_path.name + ".downloads")


def ensure_dumps(
    store: GraphStore, registry: QueryRegistry, *, root: Path, prefixes: dict[str, str]
) -> DumpSet:
    """The dumps of the store's build: read from disk, or generated now if this build has none yet."""
    build_id = store.info.build_id
    folder = root / build_id
    with _LOCK:
        if not (folder / MANIFEST).is_file():
            _generate(store, registry, root=root, folder=folder, prefixes=prefixes)
    return _read(folder, build_id)


def _read(folder: Path, build_id: str) -> DumpSet:
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return DumpSet(build_id, folder, tuple(DumpFile(**f) for f in data["files"]))


def _generate(store: GraphStore, registry: QueryRegistry, *, root: Path, folder: Path,
              prefixes: dict[str, str]) -> None:  # fmt: skip
    tmp = root / f".{folder.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir(parents=True)
        files = list(_write_all(store, registry, tmp, prefixes))
        manifest = {"build_id": folder.name, "files": [f.as_json() for f in files]}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        try:
            tmp.rename(folder)
        except OSError:
            if not (folder / MANIFEST).is_file():  # not simply another worker that finished first
                raise
    except OSError as exc:
        raise StoreError(f"cannot write the download files under {root}: {exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(root, keep=folder)


def _prune(root: Path, *, keep: Path) -> None:
    """Remove the downloads of older builds, keeping the newest other one for slow readers."""
    others = sorted((p for p in root.iterdir() if p.is_dir() and p != keep and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)  # fmt: skip
    for stale in others[1:]:
        shutil.rmtree(stale, ignore_errors=True)


def _write_all(store: GraphStore, registry: QueryRegistry, folder: Path,
               prefixes: dict[str, str]) -> Iterator[DumpFile]:  # fmt: skip
    public = store.public_graphs
    ox.serialize(store.quads(), str(folder / WHOLE_TRIG), format=ox.RdfFormat.TRIG, prefixes=prefixes)
    yield _describe(folder, WHOLE_TRIG, "Every public graph (TriG)", ox.RdfFormat.TRIG.media_type, "dataset")
    ox.serialize(store.quads(), str(folder / WHOLE_NQUADS), format=ox.RdfFormat.N_QUADS)
    yield _describe(folder, WHOLE_NQUADS, "Every public graph (N-Quads)", ox.RdfFormat.N_QUADS.media_type,
                    "dataset")  # fmt: skip
    keys = {g["iri"]: g["key"] for g in store.info.graphs}
    for graph in public:
        name = f"graph/{keys.get(graph.value, graph.value.rsplit('/', 1)[-1])}.ttl"
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        triples = (q.triple for q in store.quads([graph]))
        ox.serialize(triples, str(folder / name), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        yield _describe(folder, name, f"Named graph {graph.value} (Turtle)", ox.RdfFormat.TURTLE.media_type,
                        "graph", graph.value)  # fmt: skip
    export_mapping_sets(store, folder / "sssom", registry=registry)
    sets = registry.get("mapping-sets")
    for row in store.select(sets.sparql, substitutions=sets.substitutions({})):
        iri = row["set"].value
        name = f"sssom/{iri.rstrip('/').rsplit('/', 1)[-1]}.sssom.tsv"
        if (folder / name).is_file():
            yield _describe(folder, name, f"Mapping set {iri} (SSSOM TSV)", "text/tab-separated-values",
                            "mapping-set", iri)  # fmt: skip
    for name, query, title in TABLES:
        named = registry.get(query)
        result = store.query(named.sparql, substitutions=named.substitutions({}))
        (folder / name).write_bytes(result.serialize(format=ox.QueryResultsFormat.CSV))
        yield _describe(folder, name, title, "text/csv", "table")


def _describe(folder: Path, name: str, title: str, media_type: str, kind: str,
              subject: str | None = None) -> DumpFile:  # fmt: skip
    digest = hashlib.sha256()
    path = folder / name
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return DumpFile(name, title, media_type, kind, path.stat().st_size, digest.hexdigest(), subject)
