"""The alignment commands, in-process on the fixture graph: every format, errors and help."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from alignment_support import fixture_settings
from outcomes_graph.cli import main
from outcomes_graph.settings import Settings

COMMANDS = ["align", "coverage", "gaps", "matrix", "diff", "search"]


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return fixture_settings(tmp_path_factory)


def invoke(settings: Settings, *args: str, code: int = 0):
    options = [
        "--store",
        str(settings.store),
        "--data-dir",
        str(settings.data_dir),
        "--cache-dir",
        str(settings.cache_dir),
    ]
    result = CliRunner().invoke(main, [*options, *args], catch_exceptions=False, env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_align_json_has_paths_and_provenance(settings):
    data = json.loads(invoke(settings, "align", "90631", "--format", "json").stdout)
    assert data["concept"]["curie"] == "phof:indicator/90631"
    direct = {c["curie"]: c for c in data["direct"]}
    assert direct["bsil:target/gld-75-by-2028"]["relation_label"] == "close to"
    assert direct["bsil:target/gld-75-by-2028"]["steps"][0]["crosswalk"] == "X5"
    derived = {c["curie"]: c for c in data["derived"]}
    best_start = derived["lof:outcome/best-start-in-life"]
    assert (best_start["kind"], best_start["relation"], best_start["basis"]) == (
        "derived",
        "close",
        "curated",
    )
    assert best_start["rule"] == "close to + close to = close to"
    assert [s["status"] for s in best_start["steps"]] == ["V", "P"]


def test_align_csv_and_table(settings):
    table = rows(invoke(settings, "align", "B04", "--format", "csv").stdout)
    assert {r["counterpart"]: r["relation"] for r in table}["sf:outcome/H06"] == "not close to"
    assert table[0]["records"].startswith("https://w3id.org/common-outcomes/id/mapping/")
    out = invoke(settings, "align", "B04").stdout
    assert "phof:indicator/10401  First time entrants to the youth justice system" in out
    assert "refused chain to sf:outcome/H06" in out


def test_coverage_formats(settings):
    data = json.loads(invoke(settings, "coverage", "sf", "--format", "json").stdout)
    assert data["summary"]["covered"] == 3
    assert {r["curie"]: r["status"] for r in data["rows"]}["sf:outcome/H09"] == "not-found"
    by_domain = rows(invoke(settings, "coverage", "sf", "--by", "domain", "--format", "csv").stdout)
    assert {r["group"]: r["covered"] for r in by_domain}["fhab:domain/safe"] == "2"
    grouped = json.loads(invoke(settings, "coverage", "lof", "--by", "hierarchy", "--format", "json").stdout)
    assert grouped["by"] == "hierarchy"
    table = invoke(settings, "coverage", "sf", "--strength", "all").stdout
    assert "4 of 6 covered" in table


def test_gaps_formats(settings):
    table = rows(invoke(settings, "gaps", "sf", "--format", "csv").stdout)
    assert [(r["gap_type"], r["item"]) for r in table] == [
        ("unmapped", "sf:outcome/H10"),
        ("not-found", "sf:outcome/H09"),
        ("known-gap", "sf:gap/descriptors"),
    ]
    out = invoke(settings, "gaps", "sf").stdout
    assert "Unmapped: nobody has mapped these yet (1)" in out
    assert "Not found: a crosswalk record says there is no counterpart (sssom:NoTermFound) (1)" in out


def test_matrix_formats(settings):
    records = json.loads(invoke(settings, "matrix", "--format", "json").stdout)
    assert len(records) == 12
    table = rows(invoke(settings, "matrix", "--format", "csv").stdout)
    assert {(r["domain_label"], r["framework"]): r["broad"] for r in table}[("Safe", "sf")] == "2"
    assert "2: 2 broad" in invoke(settings, "matrix").stdout


def test_diff_formats(settings):
    data = json.loads(invoke(settings, "diff", "lgof", "lof", "--format", "json").stdout)
    assert data["summary"]["stale_rows"] == 2
    table = rows(invoke(settings, "diff", "lgof", "lof", "--format", "csv").stdout)
    assert sum(r["kind"] == "stale-row" for r in table) == 2
    assert "7 added, 1 removed, 2 relabelled" in invoke(settings, "diff", "lgof", "lof").stdout


def test_search_formats(settings):
    data = json.loads(invoke(settings, "search", "Rôle play", "--format", "json").stdout)
    assert data[0]["curie"] == "fhab:example/role-play"
    table = rows(invoke(settings, "search", "B04", "--format", "csv").stdout)
    assert table[0]["match"] == "exact-notation"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("coverage", "lofx"), "unknown framework 'lofx'; did you mean 'lof'? use one of: bsil, cof,"),
        (("gaps", "nope"), "unknown framework 'nope'"),
        (("align", "B99"), "no concept matches 'B99'"),
        (("align", "1.02i"), "'1.02i' matches 2 concepts"),
        (("diff", "lgof", "lofx"), "unknown framework 'lofx'"),
        (("search", "x", "--scheme", "phofx"), "unknown framework 'phofx'"),
        (("coverage", "sf", "--strength", "strongest"), "unknown strength 'strongest'"),
    ],
)
def test_errors_say_what_is_valid(settings, args, message):
    result = invoke(settings, *args, code=1)
    assert message in " ".join(result.stderr.split())


def test_bad_depth_is_a_usage_error(settings):
    result = invoke(settings, "align", "B04", "--depth", "0", code=2)
    assert "use 1 (direct links only) or more" in result.output


def test_a_missing_store_exits_3(tmp_path):
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "none"), "coverage", "lof"])
    assert result.exit_code == 3


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_examples(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert f"outcomes-graph {command}" in result.output
    assert "--format" in result.output
