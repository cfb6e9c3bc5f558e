from __future__ import annotations

from pathlib import Path

import pytest

from outcomes_graph.errors import SourceError
from outcomes_graph.tabular import TableSpec, read_table

SPEC = TableSpec(required=("kind", "ref", "pref_label"), optional=("note",))


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "concepts.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_rows_carry_their_numbers_and_lines(tmp_path):
    path = write(tmp_path, 'kind,ref,pref_label\noutcome,a,"Two\nlines"\n\noutcome,b,B\n')
    rows = list(read_table(path, SPEC))
    assert [(r.number, r.line) for r in rows] == [(1, 2), (2, 5)]
    assert rows[0].values["pref_label"] == "Two\nlines"


def test_missing_title_names_row_and_column(tmp_path):
    path = write(tmp_path, "kind,ref,pref_label\noutcome,a,A\noutcome,b,\n")
    with pytest.raises(SourceError) as err:
        list(read_table(path, SPEC))
    assert err.value.location.row == 2
    assert err.value.location.column == "pref_label"
    assert "row 2, line 3, column 'pref_label'" in str(err.value)


def test_missing_required_column(tmp_path):
    with pytest.raises(SourceError, match=r"lacks required column.*'pref_label'"):
        list(read_table(write(tmp_path, "kind,ref\noutcome,a\n"), SPEC))


def test_unknown_column_lists_valid_ones(tmp_path):
    with pytest.raises(
        SourceError, match=r"unknown column\(s\) 'titel'; valid columns: kind, ref, pref_label, note"
    ):
        list(read_table(write(tmp_path, "kind,ref,pref_label,titel\n"), SPEC))


def test_repeated_column(tmp_path):
    with pytest.raises(SourceError, match="repeats column"):
        list(read_table(write(tmp_path, "kind,ref,pref_label,note,note\n"), SPEC))


def test_wrong_number_of_cells(tmp_path):
    with pytest.raises(SourceError, match="has 4 cells but the header has 3 columns") as err:
        list(read_table(write(tmp_path, "kind,ref,pref_label\noutcome,a,A,extra\n"), SPEC))
    assert err.value.location.row == 1


def test_non_utf8_file_names_the_line(tmp_path):
    path = write(tmp_path, "kind,ref,pref_label\noutcome,a,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(SourceError, match="is not UTF-8") as err:
        list(read_table(path, SPEC))
    assert err.value.location.line == 2


def test_empty_file(tmp_path):
    with pytest.raises(SourceError, match="is empty; a header row is required"):
        list(read_table(write(tmp_path, "  \n"), SPEC))


def test_unterminated_quote_is_a_csv_error(tmp_path):
    with pytest.raises(SourceError, match="not valid CSV"):
        list(read_table(write(tmp_path, 'kind,ref,pref_label\noutcome,a,"open\n'), SPEC))


def test_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "\ufeffkind,ref,pref_label\noutcome,a,A\n".encode())
    assert [r.values["kind"] for r in read_table(path, SPEC)] == ["outcome"]
