"""The alignment fixture graph (tests/data/alignment), built once per test session.

The fixture is small and made up, each link chosen to exercise one rule: see the
mapping files under tests/data/alignment/mappings and the expectations in the tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_data_dir
from outcomes_graph.alignment import Aligner
from outcomes_graph.build import build
from outcomes_graph.settings import Settings

FIXTURE = Path(__file__).parent / "data" / "alignment"
ID = "https://w3id.org/common-outcomes/id/"
_BUILT: dict[str, Settings] = {}


def fixture_settings(factory: pytest.TempPathFactory) -> Settings:
    """Settings over a built copy of the fixture (one build per session)."""
    if "settings" not in _BUILT:
        root = factory.mktemp("alignment")
        data = make_data_dir(root / "data", frameworks=FIXTURE / "frameworks", mappings=FIXTURE / "mappings")
        settings = Settings(store=root / "var" / "store", data_dir=data, cache_dir=root / "var" / "cache")
        build(settings)
        _BUILT["settings"] = settings
    return _BUILT["settings"]


def fixture_aligner(factory: pytest.TempPathFactory) -> Aligner:
    return Aligner.open(fixture_settings(factory))


def iri(curie: str) -> str:
    """``sf:outcome/H02`` as a full IRI."""
    prefix, _, rest = curie.partition(":")
    return f"{ID}{prefix}/{rest}"
