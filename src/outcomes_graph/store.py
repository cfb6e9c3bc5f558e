"""The embedded on-disk Oxigraph store: where builds go, how they are swapped in, how they are read.

Layout under ``settings.store`` (default ``var/store``)::

    var/store                -> store.builds/20261122T101500Z-3f2a9c   (a symlink, swapped atomically)
    var/store.builds/<id>/   one complete Oxigraph store per build, with build.json beside its files

A build writes a new folder and only then repoints the link with ``os.replace``, so
a failed build never touches the store that readers have open.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox

from outcomes_graph.errors import QueryError, StoreError
from outcomes_graph.vocab import QUERY_PREFIXES

if TYPE_CHECKING:
    from outcomes_graph.settings import Settings

#: FROM outside comment lines (a named query's ``# description:`` may well say "from").
_FROM = re.compile(r"^(?![ \t]*#).*\bfrom\b", re.IGNORECASE | re.MULTILINE)

__all__ = [
    "BUILD_INFO",
    "BuildInfo",
    "EmbeddedStore",
    "GraphStore",
    "builds_dir",
    "install_build",
    "is_public",
    "new_build_dir",
    "open_store",
    "rows_of",
]

BUILD_INFO = "build.json"


@dataclass(frozen=True)
class BuildInfo:
    """What ``build.json`` records about one build."""

    build_id: str
    built_at: str
    graphs: list[dict[str, Any]]
    timings: dict[str, float]
    #: The build this one was derived from by a borough write (empty for a build from the sources).
    parent: str = ""

    @property
    def public_records(self) -> list[dict[str, Any]]:
        """The records of the graphs anyone may read (a borough's unpublished overlay is not one)."""
        return [g for g in self.graphs if is_public(g)]

    @property
    def public_graph_iris(self) -> list[str]:
        return [g["iri"] for g in self.public_records]

    @classmethod
    def read(cls, folder: Path) -> BuildInfo:
        path = folder / BUILD_INFO
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StoreError(
                f"{folder} has no {BUILD_INFO}; it is not a complete build. Run `outcomes-graph build`."
            ) from None
        timings, parent = data.get("timings", {}), data.get("parent", "")
        return cls(data["build_id"], data["built_at"], data["graphs"], timings, parent)

    def write(self, folder: Path) -> None:
        payload = {
            "build_id": self.build_id,
            "built_at": self.built_at,
            "graphs": self.graphs,
            "timings": self.timings,
        }
        if self.parent:
            payload["parent"] = self.parent
        (folder / BUILD_INFO).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def is_public(record: dict[str, Any]) -> bool:
    """Whether a graph record of ``build.json`` is public (records without a visibility are)."""
    return bool(record.get("visibility", "public") == "public")


def builds_dir(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".builds")


def new_build_dir(store_path: Path, build_id: str) -> Path:
    folder = builds_dir(store_path) / build_id
    if folder.exists():
        # Never reuse a folder: it may be the store readers have open.
        raise StoreError(f"a build folder {folder} already exists; build again")
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def install_build(store_path: Path, build_folder: Path, *, keep: int = 1) -> None:
    """Point ``store_path`` at ``build_folder`` atomically, then prune old builds beyond ``keep``."""
    if store_path.exists() and not store_path.is_symlink():
        raise StoreError(
            f"{store_path} is a real folder, not a link made by `outcomes-graph build`; "
            "move it away or choose another --store"
        )
    previous = store_path.resolve() if store_path.is_symlink() else None
    link = store_path.with_name(store_path.name + ".link-tmp")
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(build_folder, store_path.parent))
    link.replace(store_path)
    _prune(builds_dir(store_path), keep_current=build_folder.resolve(), keep_previous=previous, keep=keep)


def _prune(folder: Path, *, keep_current: Path, keep_previous: Path | None, keep: int) -> None:
    """Delete old builds, keeping the current one, the one it replaced, and the newest up to ``keep``."""
    protected = {keep_current} | ({keep_previous} if keep_previous and keep > 0 else set())
    room = max(keep - (len(protected) - 1), 0)
    others = sorted(
        (p for p in folder.iterdir() if p.is_dir() and p.resolve() not in protected), reverse=True
    )
    for stale in others[room:]:
        shutil.rmtree(stale, ignore_errors=True)


def rows_of(solutions: Any) -> list[dict[str, Any]]:
    """The rows of pyoxigraph ``QuerySolutions`` as plain dicts, read on the calling thread."""
    names = [v.value for v in solutions.variables]
    return [{name: row[name] for name in names} for row in solutions]


class GraphStore(Protocol):
    """What the library and the service need from a store: the embedded one, or a remote SPARQL 1.1 endpoint.

    Query results are pyoxigraph objects either way (a remote store parses the endpoint's
    answer with ``pyoxigraph.parse_query_results``), so callers never branch on the kind.
    """

    @property
    def info(self) -> BuildInfo: ...

    @property
    def public_graphs(self) -> list[ox.NamedNode]: ...

    def query(
        self,
        sparql: str,
        *,
        substitutions: dict[ox.Variable, Any] | None = None,
        graphs: Sequence[ox.NamedNode] | None = None,
        prefixes: bool = False,
    ) -> Any: ...

    def select(
        self, sparql: str, *, substitutions: dict[ox.Variable, Any] | None = None
    ) -> list[dict[str, Any]]: ...

    def quads(self, graphs: Iterable[ox.NamedNode] | None = None) -> Iterator[ox.Quad]: ...


class EmbeddedStore:
    """A built store opened for reading. Queries see the public graphs only (DESIGN §6)."""

    def __init__(self, path: Path, *, read_only: bool = True) -> None:
        folder = path.resolve()
        if not folder.is_dir():
            raise StoreError(f"no store at {path}; run `outcomes-graph build` first (or pass --store)")
        self.path = path
        self.info = BuildInfo.read(folder)
        try:
            self._store = ox.Store.read_only(str(folder)) if read_only else ox.Store(str(folder))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
        self._public = [ox.NamedNode(iri) for iri in self.info.public_graph_iris]
        # Naming every graph in the dataset costs 10-30x a plain union query, so when the
        # store holds nothing but public graphs the union is used; otherwise (a private
        # overlay, an undeclared graph) the dataset is spelt out and the rest stays unseen.
        # A query with FROM takes the spelt-out path too, where the given dataset overrides
        # FROM as the SPARQL Protocol does (and as a remote store answers).
        public = {g.value for g in self._public}
        self._everything_public = all(g.value in public for g in self._store.named_graphs()) and not any(
            True for _ in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        )

    @property
    def raw(self) -> ox.Store:
        return self._store

    @property
    def public_graphs(self) -> list[ox.NamedNode]:
        return list(self._public)

    def query(
        self,
        sparql: str,
        *,
        substitutions: dict[ox.Variable, Any] | None = None,
        graphs: Sequence[ox.NamedNode] | None = None,
        prefixes: bool = False,
    ) -> Any:
        """Run a SPARQL query over the union of ``graphs`` (default: every public graph).

        ``FROM``/``FROM NAMED``/``GRAPH`` can only reach the graphs passed here, so a
        graph left out is invisible to the query. Values go in ``substitutions``, never
        into the query text.
        """
        visible: list[ox.NamedNode | ox.BlankNode] = list(self._public if graphs is None else graphs)
        try:
            if graphs is None and self._everything_public and not _FROM.search(sparql):
                return self._store.query(
                    sparql,
                    use_default_graph_as_union=True,
                    substitutions=substitutions,
                    prefixes=QUERY_PREFIXES if prefixes else None,
                )
            return self._store.query(
                sparql,
                default_graph=list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph](visible),
                named_graphs=visible,
                substitutions=substitutions,
                prefixes=QUERY_PREFIXES if prefixes else None,
            )
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None

    def select(
        self, sparql: str, *, substitutions: dict[ox.Variable, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Rows of a SELECT as plain dicts of pyoxigraph terms (for library code, not for big results)."""
        return rows_of(self.query(sparql, substitutions=substitutions))

    def quads(self, graphs: Iterable[ox.NamedNode] | None = None) -> Iterator[ox.Quad]:
        """Every quad of the public graphs (or of ``graphs``, which must be public)."""
        wanted = self._public if graphs is None else [g for g in graphs if g in self._public]
        for graph in wanted:
            yield from self._store.quads_for_pattern(None, None, None, graph)


def open_store(settings: Settings) -> GraphStore:
    """The store the settings name: the ``sparql_endpoint`` if set (remote mode), else the embedded one."""
    if settings.sparql_endpoint:
        from outcomes_graph.remote_store import RemoteStore  # the remote store imports this module

        return RemoteStore(settings.sparql_endpoint, base=settings.base, timeout=settings.query_timeout)
    return EmbeddedStore(settings.store)
