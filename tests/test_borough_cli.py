"""The borough commands end to end, and the report in each output format (HTML escaped, XLSX readable)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from outcomes_graph.borough_render import report_html
from outcomes_graph.boroughs import BoroughTools, check_overlay
from outcomes_graph.cli import main

DATA = Path(__file__).parent / "data" / "boroughs"


@pytest.fixture(scope="module")
def run(real_settings):
    def invoke(*args: str):
        return CliRunner().invoke(main, ["--store", str(real_settings.store), *args], catch_exceptions=False)

    return invoke


def test_check_table_and_exit_code(run):
    result = run("borough", "check", str(DATA / "tower-hamlets"))
    assert result.exit_code == 0, result.output
    assert "for Tower Hamlets: valid" in result.output
    assert "sf       2/10  reached (20.0%)" in result.output


def test_check_invalid_exits_1(run, tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(DATA / "merton", folder)
    (folder / "setup.csv").write_text((folder / "setup.csv").read_text().replace("E09000024", "E0900024"))
    result = run("borough", "check", str(folder), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["errors"][0]["text"].startswith(
        "Setup, row 2, column 'Value': GSS code 'E0900024' is not a London"
    )


def test_check_json_csv_html_xlsx(run, tmp_path):
    for fmt in ("json", "csv", "html", "xlsx"):
        out = tmp_path / f"report.{fmt}"
        result = run("borough", "check", str(DATA / "westminster"), "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["borough"] == {
        "gss": "E09000033",
        "name": "Westminster",
        "iri": "https://w3id.org/common-outcomes/id/borough/E09000033",
    }
    rows = list(csv.DictReader(io.StringIO((tmp_path / "report.csv").read_text())))
    assert {r["section"] for r in rows} >= {"coverage", "gap", "local-gap", "data", "service"}
    html = (tmp_path / "report.html").read_text()
    assert html.startswith("<!doctype html>")
    assert "<script" not in html
    assert "http" not in html.split("<body>")[0]
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == [
        "Summary",
        "Coverage",
        "By domain and tier",
        "Gaps",
        "Best Start and LOF",
        "Data availability",
        "Services",
        "Problems",
    ]
    assert book["Summary"]["B2"].value == "Westminster (E09000033)"


def test_html_escapes_everything(real_settings, tmp_path):
    folder = tmp_path / "x"
    shutil.copytree(DATA / "westminster", folder)
    text = (
        (folder / "priorities.csv")
        .read_text()
        .replace("Children are a healthy weight", "<script>alert(1)</script>")
    )
    (folder / "priorities.csv").write_text(text)
    report = check_overlay([folder], BoroughTools.open(real_settings)).to_dict()
    page = report_html(report).decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_suggest_and_accept_commands(run, tmp_path):
    folder = tmp_path / "th"
    shutil.copytree(DATA / "tower-hamlets", folder)
    result = run("borough", "suggest", str(folder), "--format", "json", "--limit", "2")
    found = {s["id"]: s for s in json.loads(result.output)}
    assert set(found) == {"TH-LE1", "TH-SY1", "TH-I06", "TH-I08", "TH-I11", "TH-I12"}
    result = run(
        "borough",
        "accept",
        str(folder),
        "--indicator",
        "TH-I08",
        "--concept",
        "bsil:outcome-area/parental-mental-health",
        "--user",
        "Public Health lead",
    )
    assert result.exit_code == 0, result.output
    assert "TH-I08 now maps to bsil:outcome-area/parental-mental-health" in result.output
    result = run("borough", "suggest", str(folder), "--format", "json")
    assert "TH-I08" not in {s["id"] for s in json.loads(result.output)}


def test_template_and_convert(run, tmp_path):
    result = run("borough", "template", "-o", str(tmp_path / "t"))
    assert result.exit_code == 0
    assert (tmp_path / "t" / "borough-overlay.xlsx").is_file()
    result = run("borough", "template", "--format", "csv", "-o", str(tmp_path / "c"))
    assert len(list((tmp_path / "c").glob("*.csv"))) == 5
    for target in ("merton.xlsx", "merton.ttl", "merton.jsonld", "merton-csv"):
        result = run("borough", "convert", str(DATA / "merton"), "-o", str(tmp_path / target))
        assert result.exit_code == 0, result.output
        assert run("borough", "check", str(tmp_path / target)).exit_code == 0
