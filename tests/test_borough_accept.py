"""``borough suggest`` and ``borough accept``: candidates are stored only once a named person accepts one."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from outcomes_graph.borough_accept import accept, appended, suggest
from outcomes_graph.borough_format import read_tables, table_rows, tables_to_xlsx
from outcomes_graph.boroughs import BoroughTools, check_overlay, load_overlay
from outcomes_graph.errors import UsageError
from outcomes_graph.vocab import SEMAPV, SSSOM

DATA = Path(__file__).parent / "data" / "boroughs"
TODAY = dt.date(2026, 4, 1)


@pytest.fixture(scope="module")
def tools(real_settings) -> BoroughTools:
    return BoroughTools.open(real_settings)


def test_suggest_lists_unmapped_items_only(tools):
    found = suggest(load_overlay([DATA / "tower-hamlets"], tools), tools, limit=3)
    ids = [s.item.id for s in found]
    assert ids == ["TH-LE1", "TH-SY1", "TH-I06", "TH-I08", "TH-I11", "TH-I12"]
    youth = next(s for s in found if s.item.id == "TH-I11")
    assert youth.row == 12
    assert all(0 < c.score <= 1 and c.reason for c in youth.candidates)
    assert len(youth.candidates) == 3


def _mapping_of(tools, path: Path, item: str) -> dict:
    overlay = load_overlay([path], tools)
    links = [link for link in overlay.links if link.subject.endswith(f"/{item}")]
    return {"links": links, "graph": overlay.graph}


def test_accept_into_a_workbook(tools, tmp_path):
    path = tmp_path / "th.xlsx"
    path.write_bytes(tables_to_xlsx(table_rows(read_tables([DATA / "tower-hamlets"]))))
    done = accept(
        path,
        tools,
        item="TH-I11",
        concept="fhab:example/youth-activity-participation",
        user="A. Khan",
        today=TODAY,
    )
    assert done.concept == "fhab:example/youth-activity-participation"
    sheet = openpyxl.load_workbook(path)["Local indicators"]
    row = [c.value for c in sheet[12]]
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, row, strict=True))
    assert cells["Maps to"] == "fhab:example/youth-activity-participation"
    assert (cells["Justification"], cells["Mapped by"], cells["Mapping date"]) == (
        "lexical",
        "A. Khan",
        "2026-04-01",
    )
    (link,) = _mapping_of(tools, path, "TH-I11")["links"]
    assert link.justification == str(SEMAPV.LexicalMatching)
    assert link.author == "A. Khan"
    report = check_overlay([path], tools)
    assert report.valid, [str(p) for p in report.problems]


def test_accept_by_row_number_into_csv_keeps_other_mappings(tools, tmp_path):
    folder = tmp_path / "th"
    shutil.copytree(DATA / "tower-hamlets", folder)
    accept(folder, tools, item="5", concept="lof:metric/gld-fsm-gap", user="jsmith", today=TODAY)  # TH-I04
    links = _mapping_of(tools, folder, "TH-I04")["links"]
    assert [(link.object.rsplit("/", 1)[-1], link.justification.rsplit("/", 1)[-1]) for link in links] == [
        ("90631", "ManualMappingCuration"),
        ("gld-at-5", "ManualMappingCuration"),
        ("gld-fsm-gap", "LexicalMatching"),
    ]
    assert check_overlay([folder], tools).valid


def test_accept_a_priority_into_turtle(tools, tmp_path):
    overlay = load_overlay([DATA / "tower-hamlets"], tools)
    path = tmp_path / "th.ttl"
    overlay.graph.serialize(path, format="turtle")
    accept(
        path,
        tools,
        item="TH-SY1",
        concept="cscnf:outcome/O1",
        user="Early Help lead",
        priority=True,
        today=TODAY,
    )
    graph = load_overlay([path], tools).graph
    records = list(graph.subjects(SSSOM.mapping_justification, SEMAPV.LexicalMatching))
    assert len(records) == 1
    assert graph.value(records[0], SSSOM.mapping_justification) == SEMAPV.LexicalMatching
    assert str(graph.value(records[0], SSSOM.comment)).startswith("label match")
    assert check_overlay([path], tools).valid


def test_accept_refuses_unknown_items_and_repeats(tools, tmp_path):
    folder = tmp_path / "th"
    shutil.copytree(DATA / "tower-hamlets", folder)
    with pytest.raises(UsageError, match="no indicator 'TH-I99'"):
        accept(folder, tools, item="TH-I99", concept="B04", user="x")
    with pytest.raises(
        UsageError,
        match=r"TH-I01 already maps to PHOF C04 'Low birth weight of term babies' \(phof:indicator/20101\)",
    ):
        accept(folder, tools, item="TH-I01", concept="20101", user="x")
    with pytest.raises(UsageError, match="--user is required"):
        accept(folder, tools, item="TH-I11", concept="B04", user=" ")


def test_appended_spells_out_shared_values():
    cells = appended(
        {"Maps to": "a | b", "Relation": "exactMatch", "Confidence": "0.9"},
        "Maps to",
        {"curie": "c", "relation": "closeMatch", "score": "0.5", "user": "u", "date": "2026-04-01"},
    )
    assert cells["Relation"] == "exactMatch | exactMatch | closeMatch"
    assert cells["Confidence"] == "0.9 | 0.9 | 0.5"
    assert cells["Justification"] == "manual | manual | lexical"
    assert cells["Mapped by"] == " |  | u"
