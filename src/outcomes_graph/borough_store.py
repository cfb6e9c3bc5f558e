"""Stored borough overlays: upload (validate, then replace the borough's graph), publish, unpublish, remove.

The files under ``settings.overlays_dir`` (default ``var/store.boroughs``) say what the store should
hold; every write updates them and then derives a new build (:mod:`outcomes_graph.store_derive`),
so a full ``outcomes-graph build`` from the sources puts every stored overlay back::

    var/store.boroughs/tokens.json                  hashed bearer tokens (outcomes_graph.borough_tokens)
    var/store.boroughs/E09000030/state.json         visibility, the current upload and its files
    var/store.boroughs/E09000030/overlay.nt         the current overlay's triples, as validated
    var/store.boroughs/E09000030/uploads/<id>/      each accepted upload's files, exactly as sent
    var/store.boroughs/E09000030/provenance.jsonl   one record per write: who, when, content hash, counts

An upload is checked exactly as ``borough check`` checks a file; an invalid one raises
:class:`OverlayRejected` carrying the report, and nothing is written. The borough's named
graph ``graph/borough/{gss}`` holds the overlay plus a PROV-O record of every upload, and is
private (left out of every public dataset) until :meth:`StoredOverlays.publish`.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral

from outcomes_graph.borough_model import Problem, overlay_graph_iri
from outcomes_graph.borough_tokens import check_gss
from outcomes_graph.boroughs import BoroughTools, CheckReport, check_overlay
from outcomes_graph.errors import OutcomesGraphError, UsageError
from outcomes_graph.settings import Settings
from outcomes_graph.store import BuildInfo
from outcomes_graph.store_derive import GraphChange, derive_build, writer_lock
from outcomes_graph.vocab import DCTERMS, OG, PROV, RDF, XSD, borough_iri

__all__ = ["NoOverlay", "OverlayRejected", "OverlayState", "StoredOverlays", "Visibility", "WriteResult"]

Visibility = Literal["private", "public"]
STATE_FILE = "state.json"
OVERLAY_FILE = "overlay.nt"
PROVENANCE_FILE = "provenance.jsonl"
UPLOADS = "uploads"
_COUNTS = {"priorities": OG.priorityCount, "indicators": OG.indicatorCount, "services": OG.serviceCount,
           "mappings": OG.mappingCount, "availability": OG.availabilityCount}  # fmt: skip


class OverlayRejected(OutcomesGraphError):
    """The upload did not pass the check; ``report`` says why, in the borough's terms."""

    def __init__(self, report: CheckReport) -> None:
        errors = [p for p in report.problems if p.severity == "error"]
        first = str(errors[0]) if errors else "the overlay is not valid"
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        super().__init__(f"the overlay was not stored: {first}{more}")
        self.report = report


class NoOverlay(OutcomesGraphError):
    """No overlay is stored for this borough."""


@dataclass(frozen=True)
class OverlayState:
    """What ``state.json`` says about one borough's stored overlay."""

    gss: str
    visibility: Visibility
    upload: str
    files: list[str]
    format: str
    updated_at: str
    published_at: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WriteResult:
    """What a write did: the overlay's new state (None once removed), its record, the build it made."""

    state: OverlayState | None
    record: dict[str, Any]
    build: BuildInfo
    report: CheckReport | None = None

    def to_dict(self) -> dict[str, Any]:
        """The answer of the HTTP API (and what the command line prints from)."""
        body: dict[str, Any] = {
            "overlay": self.state.to_dict() if self.state else None,
            "record": self.record | {"build": self.build.build_id},
            "build": self.build.build_id,
        }
        if self.report is not None:
            summary = self.report.to_dict()
            body["check"] = {key: summary[key] for key in ("valid", "counts", "errors", "timings")}
        return body


class StoredOverlays:
    """The stored overlays of one deployment: read their state, and write them (one writer at a time)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.overlays_dir

    # Reading

    def state(self, gss: str) -> OverlayState | None:
        path = self._folder(gss) / STATE_FILE
        try:
            data = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        return OverlayState(**data)

    def states(self) -> list[OverlayState]:
        if not self.root.is_dir():
            return []
        found = (self.state(p.name) for p in sorted(self.root.iterdir()) if (p / STATE_FILE).is_file())
        return [s for s in found if s is not None]

    def records(self, gss: str) -> list[dict[str, Any]]:
        """Every write to this borough's overlay, oldest first."""
        path = self._folder(gss) / PROVENANCE_FILE
        try:
            lines = path.read_bytes().splitlines()
        except FileNotFoundError:
            return []
        return [orjson.loads(line) for line in lines if line.strip()]

    def uploaded_files(self, gss: str) -> list[tuple[str, bytes]]:
        """The current overlay's files exactly as uploaded, for a re-check in the borough's own terms."""
        state = self._require(gss)
        folder = self._folder(gss) / UPLOADS / state.upload
        return [(name, (folder / name).read_bytes()) for name in state.files]

    def overlay_ntriples(self, gss: str) -> bytes:
        """The current overlay's triples (without the upload records), as validated."""
        self._require(gss)
        return (self._folder(gss) / OVERLAY_FILE).read_bytes()

    def graph_changes(self) -> dict[str, GraphChange]:
        """Every stored overlay's graph, for a full build to write beside the sources."""
        changes = {}
        for state in self.states():
            nt = (self._folder(state.gss) / OVERLAY_FILE).read_bytes()
            changes[self._graph(state.gss)] = self._change(state, nt, self.records(state.gss))
        return changes

    # Writing

    def upload(
        self, gss: str, files: Sequence[tuple[str, bytes]], tools: BoroughTools, *, who: str
    ) -> WriteResult:
        """Check ``files`` as borough ``gss``'s overlay; if valid, store it and make it the borough's graph.

        Raises :class:`OverlayRejected` (nothing written) when the check finds an error or the
        overlay belongs to another borough. A new upload keeps the overlay's visibility.
        """
        check_gss(gss)
        if not files:
            raise UsageError("no file was uploaded; send an .xlsx workbook, the CSV sheets, .ttl or .jsonld")
        report = check_overlay([], tools, files=files, max_bytes=self.settings.max_upload_bytes)
        overlay = report.overlay
        if overlay is not None and overlay.gss and overlay.gss != gss:
            name = tools.authorities[overlay.gss].name if overlay.gss in tools.authorities else overlay.gss
            sent = f"this overlay is for {name} ({overlay.gss}); it was sent to {gss}"
            report.problems.insert(0, Problem(sent, sheet="Setup", column="Value"))
        if not report.valid or overlay is None:
            raise OverlayRejected(report)
        ntriples = overlay.graph.serialize(format="nt", encoding="utf-8")
        summary = report.to_dict()
        counts = {
            "priorities": summary["counts"]["priority"],
            "indicators": summary["counts"]["indicator"],
            "services": summary["counts"]["service"],
            "mappings": summary["counts"]["mappings"],
            "availability": summary["counts"]["availability"],
        }
        now = _now()
        digest = content_hash(files)
        names = [Path(name).name for name, _ in files]
        upload_id = f"{now.replace('-', '').replace(':', '').replace('+0000', 'Z')}-{digest[:8]}"
        record: dict[str, Any] = {
            "action": "upload",
            "upload": upload_id,
            "gss": gss,
            "by": who,
            "at": now,
            "sha256": digest,
            "bytes": sum(len(data) for _, data in files),
            "files": names,
            "format": report.format,
            "counts": counts,
            "triples": len(overlay.graph),
        }
        with writer_lock(self.settings):
            previous = self.state(gss)
            state = OverlayState(
                gss=gss,
                visibility=previous.visibility if previous else "private",
                upload=upload_id,
                files=names,
                format=report.format,
                updated_at=now,
                published_at=previous.published_at if previous else "",
                counts=counts,
            )
            folder = self._folder(gss) / UPLOADS / upload_id
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in files:
                (folder / Path(name).name).write_bytes(data)
            info = self._commit(gss, state, record, ntriples)
        return WriteResult(state, record, info, report)

    def publish(self, gss: str, *, who: str, public: bool = True) -> WriteResult:
        """Make the overlay public (or private again); a no-op write when it already is."""
        with writer_lock(self.settings):
            previous = self._require(gss)
            visibility: Visibility = "public" if public else "private"
            now = _now()
            state = replace(previous, visibility=visibility,
                            published_at=now if public else "")  # fmt: skip
            record = {"action": "publish" if public else "unpublish", "upload": previous.upload,
                      "gss": gss, "by": who, "at": now}  # fmt: skip
            nt = (self._folder(gss) / OVERLAY_FILE).read_bytes()
            info = self._commit(gss, state, record, nt)
        return WriteResult(state, record, info)

    def remove(self, gss: str, *, who: str) -> WriteResult:
        """Drop the borough's overlay from the store; its upload records stay in ``provenance.jsonl``."""
        with writer_lock(self.settings):
            previous = self._require(gss)
            record = {"action": "remove", "upload": previous.upload, "gss": gss, "by": who, "at": _now()}
            info = self._commit(gss, None, record, None)
            shutil.rmtree(self._folder(gss) / UPLOADS, ignore_errors=True)
        return WriteResult(None, record, info)

    # Internals

    def _commit(
        self, gss: str, state: OverlayState | None, record: dict[str, Any], ntriples: bytes | None
    ) -> BuildInfo:
        """Write the state files (``state`` None: remove them), then derive the build; put the old
        files back if the build fails. ``record`` joins the journal, with the build's id, only then."""
        folder = self._folder(gss)
        folder.mkdir(parents=True, exist_ok=True)
        saved = {name: (folder / name).read_bytes() if (folder / name).exists() else None
                 for name in (STATE_FILE, OVERLAY_FILE)}  # fmt: skip
        try:
            if state is None or ntriples is None:
                (folder / STATE_FILE).unlink(missing_ok=True)
                (folder / OVERLAY_FILE).unlink(missing_ok=True)
                change = GraphChange(None, None)
            else:
                _write_atomic(folder / OVERLAY_FILE, ntriples)
                _write_atomic(folder / STATE_FILE, orjson.dumps(state.to_dict(), option=orjson.OPT_INDENT_2))
                change = self._change(state, ntriples, [*self.records(gss), record])
            info = derive_build(self.settings, {self._graph(gss): change})
        except BaseException:
            for name, data in saved.items():
                if data is None:
                    (folder / name).unlink(missing_ok=True)
                else:
                    _write_atomic(folder / name, data)
            raise
        self._append(gss, record | {"build": info.build_id})
        return info

    def _change(self, state: OverlayState, ntriples: bytes, records: list[dict[str, Any]]) -> GraphChange:
        provenance = self._provenance(state.gss, records).serialize(format="nt", encoding="utf-8")
        content = ntriples + b"\n" + provenance
        return GraphChange(content, {
            "key": f"borough/{state.gss}",
            "iri": self._graph(state.gss),
            "kind": "borough",
            "visibility": state.visibility,
            "triples": len([line for line in content.splitlines() if line.strip()]),
            "sha256": hashlib.sha256(content).hexdigest(),
            "files": [f"{self.root.name}/{state.gss}/{OVERLAY_FILE}"],
        })  # fmt: skip

    def _provenance(self, gss: str, records: list[dict[str, Any]]) -> Graph:
        """One prov:Activity per upload: who, when, the content hash and the counts."""
        graph = Graph()
        base = self.settings.base
        overlay = URIRef(borough_iri(gss, "overlay", base=base))
        for record in records:
            if record.get("action") != "upload":
                continue
            node = URIRef(borough_iri(gss, "upload", record["upload"], base=base))
            graph.add((node, RDF.type, OG.OverlayUpload))
            graph.add((node, PROV.generated, overlay))
            graph.add((node, PROV.endedAtTime, RdfLiteral(record["at"], datatype=XSD.dateTime)))
            graph.add((node, OG.uploadedBy, RdfLiteral(record["by"])))
            graph.add((node, OG.contentHash, RdfLiteral("sha256:" + record["sha256"])))
            graph.add((node, DCTERMS.format, RdfLiteral(record["format"])))
            for name, term in _COUNTS.items():
                graph.add((node, term, RdfLiteral(int(record["counts"].get(name, 0)))))
        return graph

    def _append(self, gss: str, record: dict[str, Any]) -> None:
        path = self._folder(gss) / PROVENANCE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as out:
            out.write(orjson.dumps(record) + b"\n")

    def _require(self, gss: str) -> OverlayState:
        state = self.state(gss)
        if state is None:
            raise NoOverlay(f"no overlay is stored for {gss}; upload one first")
        return state

    def _folder(self, gss: str) -> Path:
        return self.root / check_gss(gss)

    def _graph(self, gss: str) -> str:
        return overlay_graph_iri(gss, self.settings.base)


def content_hash(files: Sequence[tuple[str, bytes]]) -> str:
    """SHA-256 of the file for one file; for several, of their names and hashes in name order."""
    if len(files) == 1:
        return hashlib.sha256(files[0][1]).hexdigest()
    lines = sorted(f"{Path(name).name}\0{hashlib.sha256(data).hexdigest()}\n" for name, data in files)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
