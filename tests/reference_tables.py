"""Reading the exact titles out of the reference's Markdown tables, for the title tests.

The reference (``../shared/reference``, vendored under ``tests/data/reference``) gives
each framework's items in tables whose title column is named for what it holds
("Official title", "Metric title (exact)", ...). Only rows graded V, P or P* are facts;
NF and U rows, truncated titles ("…") and placeholders ("—", "none") are not titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: Title column → the graph the title must be in (None: any graph), and how to read the column.
TITLE_COLUMNS: dict[str, str | None] = {
    "Official title": "cof",
    "Official wording": "fhab",
    "Title (exact)": None,
    "Title (exact as used)": "ffp",
    "Title (exact, from consultation contents)": "cscnf",
    "Official title (exact, gov.uk)": "sf",
    "Press variant (S53)": "sf",
    "Exact outcome title": "lof",
    "Metric title (exact)": "lof",
    "Metric title (exact, as scraped)": "lof",
    "Exact title (as returned / published)": "phof",
    "Exact Fingertips indicator title": "phof",
    "Fingertips title": None,
    "Title (as given in source)": "lgi",
}
STATUS_COLUMNS = ("Status (code + title)", "Status (id + title)", "Status")
NOT_TITLES = re.compile(r"…|^—$|^none\b|^not confirmed$|^No metrics yet|^individual candidate|^\(|see §")
#: Tables that grade a whole section in its prose rather than per row.
SECTION_STATUS = {"8.4": "V (section note)"}
#: Annotations the reference appends to a title cell; they are not part of the title.
ANNOTATIONS = re.compile(r"\s*\((U|I|P\*?)(;[^)]*)?\)$|\s*\((label per Trafford script|Trafford label)\)$")


@dataclass(frozen=True)
class ReferenceTitle:
    section: str
    column: str
    graph: str | None
    title: str
    status: str
    #: Other spellings any one of which satisfies the check (a cell naming two things, "A / B").
    alternatives: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.section}:{self.title[:60]}"


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def read_titles(path: Path) -> list[ReferenceTitle]:
    found: list[ReferenceTitle] = []
    section = ""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("### ") or line.startswith("## "):
            section = line.lstrip("#").split()[0]
        if line.startswith("|") and i + 1 < len(lines) and re.match(r"^\|\s*-", lines[i + 1]):
            header = _cells(line)
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                row = dict(zip(header, _cells(lines[i]), strict=False))
                found.extend(_titles_in(section, header, row))
                i += 1
            continue
        i += 1
    return found


def _titles_in(section: str, header: list[str], row: dict[str, str]) -> list[ReferenceTitle]:
    status = next((row[c] for c in STATUS_COLUMNS if c in row), SECTION_STATUS.get(section, ""))
    if not status or re.match(r"^(NF|U)\b", status):
        return []
    if section == "2.2" and not re.match(r"^Tier \d$", next(iter(row.values()), "")):
        return []
    out = []
    for column, graph in TITLE_COLUMNS.items():
        if column not in header:
            continue
        for title in _split(section, row.get(column, "")):
            if title and not NOT_TITLES.search(title):
                parts = tuple(p.strip() for p in re.split(r" / |; ", title) if p.strip())
                out.append(
                    ReferenceTitle(section, column, graph, title, status, parts if len(parts) > 1 else ())
                )
    return out


def _split(section: str, cell: str) -> list[str]:
    cell = cell.split("; FingertipsNext")[0]
    cell = ANNOTATIONS.sub("", cell).strip()
    if section == "10.":
        return [part.strip() for part in cell.split(";")]
    return [cell]
