"""Shared fixtures: a small fixture data folder, and the real graph built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

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


def mini_settings_in(root: Path, **options: Any) -> Settings:
    """Settings over a private copy of the fixture sources under ``root`` (tests may edit it).

    ``options`` are further Settings fields, such as ``max_request_bytes``.
    """
    data = make_data_dir(root / "data", frameworks=MINI / "frameworks", mappings=MINI / "mappings")
    return Settings(store=root / "var" / "store", data_dir=data, cache_dir=root / "var" / "cache", **options)


@pytest.fixture
def mini_settings(tmp_path: Path) -> Settings:
    """Settings over a private copy of the fixture sources (tests may edit it)."""
    return mini_settings_in(tmp_path)


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
