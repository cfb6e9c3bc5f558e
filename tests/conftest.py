"""Shared fixtures: a small fixture data folder, and the real graph built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from outcomes_graph.build import BuildResult, build
from outcomes_graph.settings import Settings

REPO = Path(__file__).resolve().parents[1]
MINI = Path(__file__).parent / "data" / "mini"


def make_data_dir(target: Path, *, frameworks: Path, mappings: Path) -> Path:
    """A data folder with the real ontology, shapes and queries and the given sources."""
    for name in ("ontology", "shapes", "api"):
        shutil.copytree(REPO / name, target / name)
    shutil.copytree(frameworks, target / "frameworks")
    shutil.copytree(mappings, target / "mappings")
    return target


@pytest.fixture
def mini_settings(tmp_path: Path) -> Settings:
    """Settings over a private copy of the fixture sources (tests may edit it)."""
    data = make_data_dir(tmp_path / "data", frameworks=MINI / "frameworks", mappings=MINI / "mappings")
    return Settings(store=tmp_path / "var" / "store", data_dir=data, cache_dir=tmp_path / "var" / "cache")


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The real graph, built once from the repository's data into a temporary store."""
    root = tmp_path_factory.mktemp("real")
    settings = Settings(store=root / "store", data_dir=REPO, cache_dir=root / "cache")
    return build(settings)


@pytest.fixture(scope="session")
def real_settings(real_build: BuildResult) -> Settings:
    store = real_build.folder.parent.parent / "store"
    return Settings(store=store, data_dir=REPO, cache_dir=store.parent / "cache")
