"""Every source file of the repository parses on its own, one case per source."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from outcomes_graph.discover import discover_units, load_registry, load_unit
from outcomes_graph.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SETTINGS = Settings(data_dir=REPO)
UNITS = discover_units(SETTINGS)


def test_every_framework_folder_and_mapping_file_is_a_source():
    folders = {p.name for p in (REPO / "frameworks").iterdir() if p.is_dir()}
    keys = {u.key for u in UNITS}
    assert folders <= keys
    assert {
        f"mappings/{p.name.removesuffix('.sssom.tsv')}" for p in (REPO / "mappings").glob("*.sssom.tsv")
    } <= keys


@pytest.mark.parametrize("unit", UNITS, ids=[u.key for u in UNITS])
def test_source_loads(unit):
    loaded = load_unit(unit, SETTINGS, load_registry(SETTINGS))
    assert len(loaded.graph) > 0
    # Every subject a source defines can be traced back to its file.
    assert all(loc.file in unit.files for loc in loaded.origins.values())


@pytest.mark.parametrize("path", sorted((REPO / "shapes").glob("*.ttl")), ids=lambda p: p.name)
def test_shapes_file_parses(path):
    assert len(Graph().parse(path, format="turtle")) > 0
