"""The README documents every setting and every command (a test fails when one is added undocumented)."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes_graph.cli import main
from outcomes_graph.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(Settings.descriptions()))
def test_setting_is_documented(name):
    assert f"| `{name}` |" in README


@pytest.mark.parametrize("command", sorted(main.commands))
def test_command_is_documented(command):
    assert f"`outcomes-graph {command}" in README


@pytest.mark.parametrize("name", list(Settings.descriptions()))
def test_setting_has_a_description(name):
    assert len(Settings.descriptions()[name]) > 20
