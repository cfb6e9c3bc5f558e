"""The command line, run as a real process (exit codes, stderr) and in-process for output shapes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from outcomes_graph.cli import main
from outcomes_graph.settings import Settings

EXE = Path(sys.executable).parent / "outcomes-graph"


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    options = ["--store", str(settings.store), "--data-dir", str(settings.data_dir),
               "--cache-dir", str(settings.cache_dir)]  # fmt: skip
    return subprocess.run(
        [str(EXE), *options, *args], capture_output=True, text=True, timeout=300, check=False
    )


def invoke(settings: Settings, *args: str) -> str:
    options = ["--store", str(settings.store), "--data-dir", str(settings.data_dir),
               "--cache-dir", str(settings.cache_dir)]  # fmt: skip
    result = CliRunner().invoke(main, [*options, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def built(mini_settings: Settings) -> Settings:
    done = run(mini_settings, "build")
    assert done.returncode == 0, done.stderr
    assert "Built " in done.stdout
    return mini_settings


def test_build_reports_counts(built):
    again = run(built, "build")
    assert again.returncode == 0
    assert "Validated 5 sources (5 from cache)" in again.stdout


def test_failed_build_exits_1_and_names_the_place(built):
    concepts = built.frameworks_dir / "sf" / "concepts.csv"
    concepts.write_text(
        concepts.read_text(encoding="utf-8").replace(",Secure housing,", ",,"), encoding="utf-8"
    )
    link_before = built.store.readlink()
    failed = run(built, "build")
    assert failed.returncode == 1
    assert "concepts.csv, row 2, line 3, column 'pref_label': is empty" in failed.stderr
    assert built.store.readlink() == link_before


def test_validate_exit_codes_and_json(built):
    assert run(built, "validate").returncode == 0
    scheme = built.frameworks_dir / "cof" / "scheme.ttl"
    scheme.write_text(
        scheme.read_text(encoding="utf-8").replace("og:slug", "og:slug og:slug"), encoding="utf-8"
    )
    failed = run(built, "validate", "--format", "json")
    assert failed.returncode == 1
    report = json.loads(failed.stdout)
    assert report["conforms"] is False
    assert report["source_errors"][0]["file"].endswith("scheme.ttl")
    assert report["source_errors"][0]["line"] is not None


def test_validate_one_file_reports_only_its_source(built):
    other = built.frameworks_dir / "cof" / "concepts.csv"
    other.write_text(other.read_text(encoding="utf-8").replace(",Healthy,", ",,"), encoding="utf-8")
    assert run(built, "validate", str(built.frameworks_dir / "sf")).returncode == 0
    assert run(built, "validate", str(other)).returncode == 1


def test_query_formats(built):
    sparql = "SELECT ?label WHERE { ?c a og:Domain ; skos:prefLabel ?label } ORDER BY ?label"
    rows = list(csv.reader(io.StringIO(invoke(built, "query", sparql, "--format", "csv"))))
    assert rows == [["label"], ["Healthy"], ["Safe"]]
    data = json.loads(invoke(built, "query", sparql, "--format", "json"))
    assert [b["label"]["value"] for b in data["results"]["bindings"]] == ["Healthy", "Safe"]
    table = invoke(built, "query", sparql)
    assert "Healthy" in table
    assert "Safe" in table


def test_query_from_file_and_named(built, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("ASK { ?c skos:prefLabel 'Secure housing'@en }", encoding="utf-8")
    assert invoke(built, "query", "--file", str(path)).strip() == "true"
    scheme = "https://w3id.org/common-outcomes/id/sf"
    out = invoke(
        built, "query", "--named", "concepts-table", "--param", f"scheme={scheme}", "--format", "csv"
    )
    labels = {row["prefLabel"] for row in csv.DictReader(io.StringIO(out))}
    assert labels == {"Children safe from abuse and exploitation", "Secure housing"}


def test_query_errors_are_clear(built):
    bad = run(built, "query", "SELECT ?x WHERE { ?x ")
    assert bad.returncode == 1
    assert "SPARQL syntax error" in bad.stderr
    unknown = run(built, "query", "--named", "nope")
    assert unknown.returncode == 1
    assert "no named query 'nope'; available:" in unknown.stderr
    assert run(built, "query", "--named", "concepts-table", "--param", "scheme=not an iri").returncode == 1


def test_missing_store_exits_3(mini_settings):
    failed = run(mini_settings, "stats")
    assert failed.returncode == 3
    assert "run `outcomes-graph build` first" in failed.stderr


def test_stats_json(built):
    stats = json.loads(invoke(built, "stats", "--format", "json"))
    per_scheme = {row["slug"]: row for row in stats["concepts-per-scheme"]}
    assert per_scheme["cof"]["concepts"] == "3"
    assert per_scheme["cof"]["gaps"] == "2"
    statuses = {(r["type"], r["status"]): r["count"] for r in stats["items-per-status"]}
    assert statuses[("concept", "og:Verified")] == "4"
    assert statuses[("gap", "og:Unverified")] == "1"
    predicates = {(r["predicate"], r["kind"]): r["count"] for r in stats["mappings-per-predicate"]}
    assert predicates[("skos:broadMatch", "candidate")] == "1"
    assert predicates[("skos:relatedMatch", "curated")] == "1"


@pytest.mark.parametrize("fmt", ["ttl", "trig", "nq", "jsonld", "csv"])
def test_export_formats_parse_back(built, tmp_path, fmt):
    import pyoxigraph as ox

    out = tmp_path / f"export.{fmt}"
    invoke(built, "export", "--format", fmt, "--output", str(out))
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert {r["prefLabel"] for r in rows} >= {"Safe", "Secure housing"}
        return
    rdf_format = {"ttl": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS,
                  "jsonld": ox.RdfFormat.JSON_LD}[fmt]  # fmt: skip
    parsed = list(ox.parse(out.read_bytes(), format=rdf_format))
    assert any(q.object == ox.Literal("Secure housing", language="en") for q in parsed)
    if fmt != "ttl":
        graphs = {q.graph_name.value for q in parsed}
        assert "https://w3id.org/common-outcomes/graph/sf" in graphs


def test_export_sssom_round_trips(built, tmp_path):
    invoke(built, "export", "--format", "sssom", "--output", str(tmp_path / "out"))
    written = (tmp_path / "out" / "sf-cof.sssom.tsv").read_text(encoding="utf-8")
    assert "sf:outcome/H06\tChildren safe from abuse and exploitation\tskos:broadMatch" in written
    assert run(built, "export", "--format", "sssom").returncode == 1


def test_queries_lists_named_queries(built):
    out = json.loads(invoke(built, "queries", "--format", "json"))
    names = {q["name"] for q in out}
    assert {"concepts-per-scheme", "items-per-status", "mappings-per-predicate", "concepts-table"} <= names


@pytest.mark.parametrize("command", ["build", "validate", "query", "export", "stats", "queries"])
def test_every_command_has_help_with_examples(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
