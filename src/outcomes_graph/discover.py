"""Finding the source units under the data folder and loading each into RDF.

A unit is one named graph: ``ontology/og.ttl`` → ``graph/ontology/og``,
``frameworks/lof/`` → ``graph/lof`` (a framework edition is one graph, as DESIGN §2
asks), ``mappings/fhab-lof.sssom.tsv`` → ``graph/mappings/fhab-lof``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node, URIRef

from outcomes_graph.errors import Location, SourceError
from outcomes_graph.framework_tables import (
    SourceRegistry,
    add_boroughs,
    add_concepts,
    add_gaps,
    add_sources,
)
from outcomes_graph.settings import Settings
from outcomes_graph.sources import LoadedSource, SourceUnit
from outcomes_graph.sssom import load_sssom
from outcomes_graph.turtle import parse_turtle
from outcomes_graph.vocab import OG, graph_iri, scheme_iri

__all__ = ["SOURCES_KEY", "discover_units", "load_registry", "load_unit", "load_units", "unit_for_path"]

SOURCES_KEY = "sources"
SSSOM_SUFFIX = ".sssom.tsv"
FRAMEWORK_FILES = ("scheme.ttl", "concepts.csv", "gaps.csv", "sources.csv", "boroughs.csv")


def discover_units(settings: Settings) -> list[SourceUnit]:
    """Every source unit, in load order: ontology, frameworks (sources first), mappings."""
    units = [
        SourceUnit(f"ontology/{p.stem}", "ontology", (p,))
        for p in sorted(settings.ontology_dir.glob("*.ttl"))
    ]
    folders = (
        sorted(p for p in settings.frameworks_dir.iterdir() if p.is_dir())
        if settings.frameworks_dir.is_dir()
        else []
    )
    folders.sort(key=lambda p: p.name != SOURCES_KEY)
    for folder in folders:
        files = tuple(sorted(p for p in folder.iterdir() if p.is_file() and _is_framework_file(p)))
        if files:
            units.append(SourceUnit(folder.name, "framework", files))
    units.extend(
        SourceUnit(f"mappings/{p.name.removesuffix(SSSOM_SUFFIX)}", "mappings", (p,))
        for p in sorted(settings.mappings_dir.glob(f"*{SSSOM_SUFFIX}"))
    )
    return units


def unit_for_path(path: Path, units: Iterable[SourceUnit]) -> SourceUnit:
    """The unit a file or folder belongs to (for ``validate FILES``)."""
    target = path.resolve()
    for unit in units:
        if any(f.resolve() == target or f.resolve().parent == target for f in unit.files):
            return unit
    raise SourceError(
        Location(path), "is not a source file of this project (ontology/, frameworks/, mappings/)"
    )


def _is_framework_file(path: Path) -> bool:
    return path.name in FRAMEWORK_FILES or path.suffix == ".ttl"


def load_units(units: list[SourceUnit], settings: Settings) -> tuple[list[LoadedSource], list[SourceError]]:
    """Load every unit; collect every file's error rather than stopping at the first."""
    loaded: list[LoadedSource] = []
    errors: list[SourceError] = []
    try:
        registry = load_registry(settings)
    except SourceError as exc:
        return [], [exc]
    for unit in units:
        try:
            loaded.append(load_unit(unit, settings, registry))
        except SourceError as exc:
            errors.append(exc)
    return loaded, errors


def load_registry(settings: Settings) -> SourceRegistry:
    """Source ids to IRIs, from ``frameworks/sources/sources.csv`` (every table cites by id)."""
    path = settings.frameworks_dir / SOURCES_KEY / "sources.csv"
    if not path.is_file():
        raise SourceError(Location(path), "is missing; every framework table cites its sources by id from it")
    return add_sources(Graph(), path, base=settings.base, origins={})


def load_unit(unit: SourceUnit, settings: Settings, registry: SourceRegistry) -> LoadedSource:
    graph = Graph()
    origins: dict[Node, Location] = {}
    iri = graph_iri(unit.key, settings.base)
    if unit.kind == "mappings":
        return load_sssom(unit.files[0], unit=unit, graph_iri=iri)
    if unit.kind == "ontology":
        parse_turtle(unit.files[0], graph, origins)
        return LoadedSource(unit, iri, graph, origins)
    source = LoadedSource(unit, iri, graph, origins)
    by_name = {f.name: f for f in unit.files}
    for path in unit.files:
        if path.suffix == ".ttl":
            parse_turtle(path, graph, origins)
    if "sources.csv" in by_name:
        add_sources(graph, by_name["sources.csv"], base=settings.base, origins=origins)
    if "boroughs.csv" in by_name:
        add_boroughs(graph, by_name["boroughs.csv"], base=settings.base, sources=registry, origins=origins)
    if "concepts.csv" in by_name:
        datatype = _notation_datatype(graph, unit.key, settings.base)
        add_concepts(graph, by_name["concepts.csv"], slug=unit.key, base=settings.base, sources=registry,
                     notation_datatype=datatype, origins=origins)  # fmt: skip
    if "gaps.csv" in by_name:
        add_gaps(
            graph, by_name["gaps.csv"], slug=unit.key, base=settings.base, sources=registry, origins=origins
        )
    return source


def _notation_datatype(graph: Graph, slug: str, base: str) -> URIRef | None:
    value = graph.value(scheme_iri(slug, base), OG.notationDatatype)
    return value if isinstance(value, URIRef) else None
