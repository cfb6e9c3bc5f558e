"""The framework as a spreadsheet: export, edit one cell, import, rebuild; only the edited triple changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import REPO, make_data_dir
from outcomes_graph.alignment_index import AlignmentIndex
from outcomes_graph.build import build
from outcomes_graph.errors import SourceError
from outcomes_graph.export import export
from outcomes_graph.framework_xlsx import HEADER, import_workbook
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.settings import Settings
from outcomes_graph.store import EmbeddedStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Settings:
    """A private copy of the repository's data, built once."""
    root = tmp_path_factory.mktemp("fwx")
    data = make_data_dir(root / "data", frameworks=REPO / "frameworks", mappings=REPO / "mappings")
    settings = Settings(store=root / "store", data_dir=data, cache_dir=root / "cache")
    build(settings)
    return settings


def _quads(settings: Settings) -> tuple[set[str], int]:
    """The quads without blank nodes (whose ids change on every parse), and how many have one."""
    quads = [str(q) for q in EmbeddedStore(settings.store).quads()]
    named = {q for q in quads if "_:" not in q}
    return named, len(quads) - len(named)


def _export(settings: Settings, path: Path) -> Path:
    export(EmbeddedStore(settings.store), "xlsx", path, queries_dir=settings.queries_dir)
    return path


def _import(settings: Settings, path: Path, *, dry_run: bool = False):
    store = EmbeddedStore(settings.store)
    index = AlignmentIndex.load(store, QueryRegistry.load(settings.queries_dir))
    return import_workbook(
        path, store=store, index=index, frameworks_dir=settings.frameworks_dir, dry_run=dry_run
    )


def _edit(path: Path, sheet: str, ref: str, column: str, value: str) -> str:
    book = openpyxl.load_workbook(path)
    rows = list(book[sheet].iter_rows(min_row=2))
    row = next(r for r in rows if r[0].value == ref)
    cell = row[HEADER.index(column)]
    cell.value = value
    book.save(path)
    return cell.coordinate


def test_layout(workspace, tmp_path):
    book = openpyxl.load_workbook(_export(workspace, tmp_path / "f.xlsx"))
    assert book.sheetnames[:11] == [
        "Read me",
        "FHAB children",
        "FHAB parents",
        "FHAB system",
        "FHAB (no tier)",
        "LOF",
        "PHOF",
        "Best Start in Life",
        "Supporting Families",
        "CSC National Framework",
        "Families First",
    ]
    header = [c.value for c in book["PHOF"][1]]
    assert header[:6] == ["Ref", "Kind", "Domain", "Outcome", "Indicator", "Metric"]
    assert "Crosswalk LOF" in header
    assert "Fingertips id" in header
    assert "LG Inform id" in header
    lof = {r[0].value: [c.value for c in r] for r in book["LOF"].iter_rows(min_row=2)}
    gld = dict(zip(header, lof["lof:metric/gld-at-5"], strict=True))
    assert gld["Metric"] == gld["Title"]
    assert "close to: phof:indicator/90631" in (gld["Crosswalk PHOF"] or "") or gld["Crosswalk FHAB"]


def test_unchanged_workbook_imports_nothing(workspace, tmp_path):
    assert _import(workspace, _export(workspace, tmp_path / "f.xlsx")) == []


@pytest.mark.parametrize(
    ("sheet", "ref", "column", "value", "removed", "added"),
    [
        (
            "Supporting Families",
            "sf:outcome/H05",
            "Title",
            "Improved family relationships (edited)",
            '"Improved family relationships"@en',
            '"Improved family relationships (edited)"@en',
        ),
        ("PHOF", "phof:indicator/10401", "Notation", "B04a", '"B04"^^', '"B04a"^^'),
    ],
    ids=["title", "notation"],
)
def test_round_trip_changes_exactly_the_edited_triple(
    workspace, tmp_path, sheet, ref, column, value, removed, added
):
    data = tmp_path / "data"
    shutil.copytree(workspace.data_dir, data)
    settings = Settings(store=tmp_path / "store", data_dir=data, cache_dir=workspace.cache_dir)
    build(settings)
    before, blank_before = _quads(settings)
    table = data / "frameworks" / ref.split(":")[0] / "concepts.csv"
    original = table.read_text(encoding="utf-8")
    path = _export(settings, tmp_path / "f.xlsx")
    _edit(path, sheet, ref, column, value)
    (edit,) = _import(settings, path)
    assert (edit.ref, edit.column, edit.after, edit.where.sheet) == (ref, column, value, sheet)
    changed_lines = [
        (a, b)
        for a, b in zip(original.splitlines(), table.read_text(encoding="utf-8").splitlines(), strict=True)
        if a != b
    ]
    assert len(changed_lines) == 1
    build(settings)
    after, blank_after = _quads(settings)
    assert blank_after == blank_before
    gone, new = before - after, after - before
    assert len(gone) == 1, (gone, new)
    assert len(new) == 1, (gone, new)
    assert removed in gone.pop()
    assert added in new.pop()


def test_read_only_edit_is_refused(workspace, tmp_path):
    path = _export(workspace, tmp_path / "f.xlsx")
    cell = _edit(path, "LOF", "lof:metric/gld-at-5", "Crosswalk PHOF", "same as: phof:indicator/1")
    with pytest.raises(SourceError) as caught:
        _import(workspace, path, dry_run=True)
    assert str(caught.value).startswith("LOF, row ")
    assert f"column 'Crosswalk PHOF', cell {cell}: is read-only" in str(caught.value)
    assert "mappings/*.sssom.tsv" in str(caught.value)


def test_added_row_is_refused(workspace, tmp_path):
    path = _export(workspace, tmp_path / "f.xlsx")
    book = openpyxl.load_workbook(path)
    book["Supporting Families"].append(["sf:outcome/H11", "outcome"])
    book.save(path)
    with pytest.raises(
        SourceError, match="'sf:outcome/H11' is not a concept of the graph; rows cannot be added"
    ):
        _import(workspace, path, dry_run=True)


def test_formula_and_merged_cells_are_refused(workspace, tmp_path):
    path = _export(workspace, tmp_path / "f.xlsx")
    book = openpyxl.load_workbook(path)
    book["Supporting Families"]["G2"] = '=UPPER("x")'
    book.save(path)
    with pytest.raises(SourceError, match=r"Supporting Families, row 2, cell G2: holds a formula"):
        _import(workspace, path, dry_run=True)
    path = _export(workspace, tmp_path / "g.xlsx")
    book = openpyxl.load_workbook(path)
    book["LOF"].merge_cells("C2:C4")
    book.save(path)
    with pytest.raises(SourceError, match=r"LOF, row 2, cell C2: cells C2:C4 are merged"):
        _import(workspace, path, dry_run=True)


def test_turtle_defined_concepts_are_not_edited_here(workspace, tmp_path):
    path = _export(workspace, tmp_path / "f.xlsx")
    _edit(path, "LG Inform", "lgi:19346", "Title", "GLD at 5")
    with pytest.raises(SourceError, match=r"lgi:19346 is not defined in a concepts.csv"):
        _import(workspace, path, dry_run=True)
