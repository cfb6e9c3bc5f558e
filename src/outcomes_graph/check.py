"""SHACL validation of loaded sources, one unit at a time, cached by content hash.

Each unit is validated together with the units it refers to (its context), so a
mapping file sees the concepts it links; violations are reported only for the
unit's own nodes. A unit whose content, context, shapes and ontology are unchanged
reuses its cached result: pyshacl is the slow part of a build.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, replace
from pathlib import Path

from rdflib import Graph
from rdflib.term import URIRef

from outcomes_graph.errors import Location
from outcomes_graph.framework_tables import PROPERTY_COLUMNS
from outcomes_graph.report import BuildReport, PlacedViolation
from outcomes_graph.sources import LoadedSource
from outcomes_graph.validate import ValidationReport, Violation, load_ontology, load_shapes, validate_graph
from outcomes_graph.vocab import QUERY_PREFIXES

__all__ = ["CACHE_VERSION", "check_sources", "code_digest", "files_digest"]

CACHE_VERSION = "1"
Progress = Callable[[str], None]


def files_digest(paths: Iterable[Path]) -> str:
    """A digest of files' names and bytes. Files, not graphs, are hashed: blank nodes get
    fresh ids on every parse, so a graph's serialisation is not stable between runs."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def code_digest() -> str:
    """The loaders and validator are part of what a cached result depends on."""
    return files_digest(Path(__file__).parent.glob("*.py"))


def check_sources(
    sources: list[LoadedSource],
    *,
    shapes_dir: Path,
    ontology_dir: Path,
    cache_dir: Path | None,
    progress: Progress | None = None,
) -> BuildReport:
    shapes = load_shapes(shapes_dir)
    ontology = load_ontology(ontology_dir)
    rules = [*shapes_dir.glob("*.ttl"), *ontology_dir.glob("*.ttl")]
    rules_digest = hashlib.sha256((files_digest(rules) + code_digest() + CACHE_VERSION).encode()).hexdigest()
    digests = {s.unit.key: files_digest(s.unit.files) for s in sources}
    definers = _definers(sources)
    report = BuildReport()
    for source in sources:
        if progress:
            progress(source.unit.key)
        if source.unit.kind == "ontology":
            continue
        context_keys = _context_keys(source, definers)
        key = hashlib.sha256(
            "|".join([rules_digest, digests[source.unit.key], *(digests[k] for k in context_keys)]).encode()
        ).hexdigest()
        result = _cached(cache_dir, key)
        if result is None:
            context = Graph()
            for other in sources:
                if other.unit.key in context_keys:
                    context += other.graph
            result = validate_graph(source.graph, shapes=shapes, ontology=ontology, context=context or None)
            _store_cache(cache_dir, key, result)
        else:
            report.units_from_cache += 1
        report.units_checked += 1
        report.violations.extend(
            PlacedViolation(source.unit.key, _place(source, v), v) for v in result.violations
        )
    return report


def _place(source: LoadedSource, violation: Violation) -> Location | None:
    """The focus node's file and row, with the table column its path comes from."""
    location = source.locate(URIRef(violation.focus_node))
    if location is None or location.row is None or not violation.path or location.file.suffix != ".csv":
        return location
    prefix, _, local = violation.path.partition(":")
    namespace = QUERY_PREFIXES.get(prefix)
    column = PROPERTY_COLUMNS.get(URIRef(namespace + local)) if namespace else None
    return replace(location, column=column) if column else location


def _definers(sources: list[LoadedSource]) -> dict[URIRef, str]:
    """Which unit describes each IRI (as a subject)."""
    found: dict[URIRef, str] = {}
    for source in sources:
        for subject in source.graph.subjects(unique=True):
            if isinstance(subject, URIRef):
                found.setdefault(subject, source.unit.key)
    return found


def _context_keys(source: LoadedSource, definers: dict[URIRef, str]) -> list[str]:
    keys = {
        definers[obj]
        for obj in source.graph.objects(unique=True)
        if isinstance(obj, URIRef) and obj in definers and definers[obj] != source.unit.key
    }
    return sorted(k for k in keys if not k.startswith("ontology/"))


def _cached(cache_dir: Path | None, key: str) -> ValidationReport | None:
    if cache_dir is None:
        return None
    path = cache_dir / "shacl" / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return ValidationReport(data["conforms"], tuple(Violation(**v) for v in data["violations"]))


def _store_cache(cache_dir: Path | None, key: str, result: ValidationReport) -> None:
    if cache_dir is None:
        return
    folder = cache_dir / "shacl"
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"conforms": result.conforms, "violations": [asdict(v) for v in result.violations]}
    tmp = folder / f"{key}.json.tmp"
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    tmp.replace(folder / f"{key}.json")
