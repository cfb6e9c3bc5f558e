"""The SDL snapshot in api/schema.graphql matches the schema, and the enums match the vocabulary."""

from __future__ import annotations

from pathlib import Path

from outcomes_graph.vocab import KINDS, STATUS_CODES
from outcomes_graph.web.graphql import sdl
from outcomes_graph.web.graphql.enums import ConceptKind, Status

SNAPSHOT = Path(__file__).resolve().parents[2] / "api" / "schema.graphql"
REGENERATE = ".venv/bin/python -m outcomes_graph.web.graphql > api/schema.graphql"


def test_the_sdl_snapshot_is_current():
    current = sdl()
    assert SNAPSHOT.is_file(), f"api/schema.graphql is missing; write it with: {REGENERATE}"
    assert SNAPSHOT.read_text(encoding="utf-8") == current, (
        f"the GraphQL schema changed but api/schema.graphql did not; review the change, "
        f"then run: {REGENERATE}"
    )


def test_every_concept_kind_has_an_enum_value():
    assert {k.value for k in ConceptKind} == set(KINDS) | {"other"}
    for kind, iri in KINDS.items():
        assert ConceptKind.of(str(iri)).value == kind


def test_every_status_has_an_enum_value():
    assert {Status.of(str(iri)) for iri in STATUS_CODES.values()} == set(Status)


def test_the_schema_has_the_documented_entry_points():
    text = sdl()
    for field in (
        "frameworks(",
        "framework(",
        "concept(",
        "concepts(",
        "mappingSets(",
        "counterparts(",
        "coverage(",
        "gaps(",
        "matrix(",
        "search(",
        "boroughs(",
        "borough(",
        "knownGaps(",
    ):
        assert f"  {field}" in text, field
    for name in (
        "interface Concept",
        "type Domain implements Concept",
        "type Metric implements Concept",
        "type Target implements Concept",
        "type OtherConcept implements Concept",
        "type PageInfo",
    ):
        assert name in text, name
