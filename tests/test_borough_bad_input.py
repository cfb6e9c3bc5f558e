"""Ten kinds of bad overlay, each refused or reported with a clear message naming sheet, row and column.

A check never writes anything, so the store is unchanged whatever the input (last test).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from outcomes_graph.borough_format import read_tables, table_rows, tables_to_xlsx
from outcomes_graph.boroughs import BoroughTools, check_overlay

DATA = Path(__file__).parent / "data" / "boroughs"


@pytest.fixture(scope="module")
def tools(real_settings) -> BoroughTools:
    return BoroughTools.open(real_settings)


def _folder(tmp_path: Path, edit: tuple[str, str, str] | None = None) -> Path:
    folder = tmp_path / "overlay"
    shutil.copytree(DATA / "tower-hamlets", folder)
    if edit:
        name, old, new = edit
        text = (folder / name).read_text(encoding="utf-8")
        assert old in text
        (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def _workbook(tmp_path: Path) -> Path:
    path = tmp_path / "overlay.xlsx"
    path.write_bytes(tables_to_xlsx(table_rows(read_tables([DATA / "tower-hamlets"]))))
    return path


def _only(report) -> dict:
    errors = report.to_dict()["errors"]
    assert errors, "expected a problem"
    assert not report.valid
    return errors[0]


def test_wrong_gss_code(tools, tmp_path):
    folder = _folder(tmp_path, ("setup.csv", "GSS code,E09000030", "GSS code,E09000099"))
    error = _only(check_overlay([folder], tools))
    assert (error["sheet"], error["row"], error["column"]) == ("Setup", 2, "Value")
    assert error["message"] == "GSS code 'E09000099' is not a London borough; Tower Hamlets is E09000030"


def test_gss_code_of_another_borough(tools, tmp_path):
    folder = _folder(tmp_path, ("setup.csv", "GSS code,E09000030", "GSS code,E09000024"))
    error = _only(check_overlay([folder], tools))
    assert error["message"] == "GSS code E09000024 is Merton, but Borough says 'Tower Hamlets' (E09000030)"


def test_unknown_concept_has_a_suggestion(tools, tmp_path):
    folder = _folder(tmp_path, ("local-indicators.csv", "PHOF C08b,exactMatch", "PHOF B2a,exactMatch"))
    error = _only(check_overlay([folder], tools))
    assert (error["sheet"], error["row"], error["column"]) == ("Local indicators", 6, "Maps to")
    assert error["message"].startswith("'PHOF B2a' is not a known concept; did you mean PHOF B02a")
    assert "phof:indicator/90631" in error["message"]
    assert error["text"].startswith(
        "Local indicators, row 6, column 'Maps to': 'PHOF B2a' is not a known concept"
    )


def test_bad_predicate(tools, tmp_path):
    folder = _folder(
        tmp_path, ("local-indicators.csv", "phof:indicator/92517,exactMatch", "phof:indicator/92517,sameAs")
    )
    error = _only(check_overlay([folder], tools))
    assert (error["sheet"], error["row"], error["column"]) == ("Local indicators", 3, "Relation")
    assert "'sameAs' is not a SKOS mapping predicate" in error["message"]
    assert "exactMatch, closeMatch, broadMatch, narrowMatch, relatedMatch" in error["message"]


def test_missing_sheet(tools, tmp_path):
    path = _workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    del book["Services"]
    book.save(path)
    error = _only(check_overlay([path], tools))
    assert error["message"].startswith("has no sheet 'Services' (sheets found: ")
    assert "Setup, Priorities, Local indicators, Data availability, Services" in error["message"]


def test_missing_csv_file(tools, tmp_path):
    folder = _folder(tmp_path)
    (folder / "services.csv").unlink()
    error = _only(check_overlay([folder], tools))
    assert error["message"].startswith("has no file 'services.csv'")


def test_duplicate_row(tools, tmp_path):
    folder = _folder(tmp_path, ("local-indicators.csv", "TH-I03,Women booking", "TH-I02,Women booking"))
    error = _only(check_overlay([folder], tools))
    assert (error["sheet"], error["row"], error["column"]) == ("Local indicators", 4, "ID")
    assert error["message"] == "duplicate row: ID 'TH-I02' is already used in row 3"


def test_duplicate_data_availability_row(tools, tmp_path):
    folder = _folder(tmp_path, ("data-availability.csv", "phof:indicator/92517,available", "20101,available"))
    error = _only(check_overlay([folder], tools))
    assert (error["sheet"], error["row"], error["column"]) == ("Data availability", 3, "Metric")
    assert error["message"].startswith("duplicate row: '20101' already has a statement in row 2")


def test_formula_cells(tools, tmp_path):
    path = _workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Local indicators"]["H5"] = "=0.5+0.3"
    book.save(path)
    error = _only(check_overlay([path], tools))
    assert (error["sheet"], error["row"], error["cell"]) == ("Local indicators", 5, "H5")
    assert error["message"].startswith("holds a formula (=0.5+0.3); paste values only")


def test_merged_cells(tools, tmp_path):
    path = _workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Priorities"].merge_cells("D2:D3")
    book.save(path)
    error = _only(check_overlay([path], tools))
    assert (error["sheet"], error["row"], error["cell"]) == ("Priorities", 2, "D2")
    assert error["message"].startswith("cells D2:D3 are merged; unmerge them")


def test_empty_file(tools, tmp_path):
    path = tmp_path / "overlay.xlsx"
    path.write_bytes(b"")
    error = _only(check_overlay([path], tools))
    assert error["message"] == "is empty; save the workbook from Excel or use the template"


def test_empty_sheets(tools, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    for name in ("setup", "priorities", "local-indicators", "data-availability", "services"):
        (folder / f"{name}.csv").write_text("")
    error = _only(check_overlay([folder], tools))
    assert error["message"].startswith("has no data in any sheet")


def test_fifty_megabyte_file_is_refused_by_size_before_parsing(tools, tmp_path, monkeypatch):
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)

    def never(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", never)
    error = _only(check_overlay([path], tools))
    assert error["message"].startswith("is 50.0 MB; the limit is 10.0 MB")


def test_zip_bomb_is_refused(tools, tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 1024 * 1024))
    error = _only(check_overlay([path], tools))
    assert error["message"].startswith("unpacks to 120 MB")


def test_non_utf8_csv(tools, tmp_path):
    folder = _folder(tmp_path)
    text = (
        (folder / "priorities.csv")
        .read_text(encoding="utf-8")
        .replace("Public Health,", "Santé publique,", 1)
    )
    (folder / "priorities.csv").write_bytes(text.encode("latin-1"))
    error = _only(check_overlay([folder], tools))
    assert (error["sheet"], error["row"]) == ("Priorities", 2)
    assert error["message"].startswith("is not UTF-8 (byte 0xe9 at offset")
    assert "CSV UTF-8" in error["message"]


def test_not_a_workbook(tools, tmp_path):
    path = tmp_path / "overlay.xlsx"
    path.write_text("GSS code,E09000030\n")
    error = _only(check_overlay([path], tools))
    assert error["message"].startswith("is not an XLSX workbook")


def test_unknown_column_has_a_suggestion(tools, tmp_path):
    folder = _folder(tmp_path, ("local-indicators.csv", "Maps to,Relation", "Map to,Relation"))
    error = _only(check_overlay([folder], tools))
    assert (error["sheet"], error["row"], error["column"]) == ("Local indicators", 1, "Map to")
    assert error["message"].startswith("is not a column of Local indicators; did you mean 'Maps to'?")


def test_reason_required_for_missing_data(tools, tmp_path):
    folder = _folder(
        tmp_path,
        (
            "data-availability.csv",
            "TH-I08,missing,No perinatal mental health service data is shared with the council",
            "TH-I08,missing,",
        ),
    )
    error = _only(check_overlay([folder], tools))
    assert (error["sheet"], error["row"], error["column"]) == ("Data availability", 8, "Reason")


def test_turtle_with_unknown_concept(tools, tmp_path):
    overlay = check_overlay([DATA / "westminster"], tools).overlay
    text = overlay.graph.serialize(format="turtle").replace("indicator/20602", "indicator/20603")
    path = tmp_path / "westminster.ttl"
    path.write_text(text)
    errors = check_overlay([path], tools).to_dict()["errors"]
    assert errors[0]["focus_node"].endswith("/indicator/W-I3/mapping/1")
    assert "did you mean" in errors[0]["message"]


def test_store_unchanged_by_bad_input(tools, tmp_path):
    before = (tools.store.info.build_id, sorted(str(q) for q in tools.store.quads()))
    folder = _folder(tmp_path, ("setup.csv", "GSS code,E09000030", "GSS code,E09000099"))
    check_overlay([folder], tools)
    assert (tools.store.info.build_id, sorted(str(q) for q in tools.store.quads())) == before
