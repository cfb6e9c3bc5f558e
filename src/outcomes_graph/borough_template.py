"""The downloadable overlay templates in ``api/templates/``, generated so they can be rebuilt.

``borough-overlay.xlsx`` has the five sheets with every column, a comment on each header
explaining it, drop-down lists for the fixed choices, and the Setup fields listed;
``borough-overlay-{sheet}.csv`` are the same sheets as CSV. Rebuild them with::

    python -m outcomes_graph.borough_template api/templates

``tests/test_borough_template.py`` fails when the committed files differ from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from outcomes_graph.borough_format import CSV_NAMES, SETUP_FIELDS, tables_to_csv, tables_to_xlsx

__all__ = ["TEMPLATE_PREFIX", "XLSX_NAME", "template_files", "write_templates"]

XLSX_NAME = "borough-overlay.xlsx"
TEMPLATE_PREFIX = "borough-overlay-"
_SETUP_HELP = {
    "GSS code": "Required: your borough's GSS code, E09000001 to E09000033",
    "Borough": "Your borough's name (checked against the GSS code)",
    "Framework": "The framework edition you follow: fhab",
    "Framework version": "e.g. LGOF-aligned, September 2025",
    "Title": "A title for this overlay",
    "Contact": "Who to ask about it",
    "Date": "YYYY-MM-DD",
}


def template_files() -> dict[str, bytes]:
    """Every template file by name: the workbook and one CSV per sheet."""
    setup = [[name, "fhab" if name == "Framework" else "", _SETUP_HELP[name]] for name in SETUP_FIELDS]
    rows = {"setup": setup}
    files = {XLSX_NAME: tables_to_xlsx(rows)}
    for name, text in tables_to_csv(rows).items():
        files[TEMPLATE_PREFIX + name] = text.encode("utf-8")
    assert set(CSV_NAMES.values()) == {n.removeprefix(TEMPLATE_PREFIX) for n in files if n.endswith(".csv")}
    return files


def write_templates(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in template_files().items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in write_templates(Path(sys.argv[1] if len(sys.argv) > 1 else "api/templates")):
        print(path)
