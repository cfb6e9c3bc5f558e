"""The committed templates (api/templates/) are exactly what borough_template generates."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes_graph.borough_format import SHEETS, read_tables
from outcomes_graph.borough_template import template_files

TEMPLATES = Path(__file__).resolve().parents[1] / "api" / "templates"


@pytest.mark.parametrize("name", sorted(template_files()))
def test_committed_template_equals_generated(name):
    committed = TEMPLATES / name
    assert committed.is_file(), (
        f"{committed} is missing: run python -m outcomes_graph.borough_template api/templates"
    )
    assert committed.read_bytes() == template_files()[name], (
        f"{committed} is stale: run python -m outcomes_graph.borough_template api/templates"
    )


def test_templates_have_every_sheet_and_column():
    for source in ([TEMPLATES / "borough-overlay.xlsx"], sorted(TEMPLATES.glob("borough-overlay-*.csv"))):
        tables = read_tables(source)
        for spec in SHEETS:
            assert tables.sheet(spec.key).header == spec.columns
        setup = {row.get("Field") for row in tables.sheet("setup").rows}
        assert {"GSS code", "Framework"} <= setup
