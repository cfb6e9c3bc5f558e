"""The check report as JSON, CSV, a self-contained HTML page, and a short terminal summary.

HTML is one file with its own CSS and no script or external resource; every value from the
overlay or the graph is escaped. CSV is one flat table (``section, framework, group, item,
label, status, value, detail``) that spreadsheet tools filter easily. The XLSX workbook for a
committee paper is :mod:`outcomes_graph.borough_report_xlsx`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from html import escape
from typing import Any

import orjson

__all__ = [
    "COVERAGE_COLUMNS",
    "CSV_COLUMNS",
    "coverage_row",
    "report_csv",
    "report_html",
    "report_json",
    "report_rows",
    "summary_lines",
]

CSV_COLUMNS = ("section", "framework", "group", "item", "label", "status", "value", "detail")
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem;color:#1b1b1b;
max-width:72rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #1d70b8}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}
th,td{border:1px solid #b1b4b6;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f2f1}td.n{text-align:right}.ok{color:#00703c}.bad{color:#d4351c}
.muted{color:#505a5f}code{font-size:.9em}.bar{background:#1d70b8;height:.7rem;display:inline-block}
"""


def report_json(report: dict[str, Any]) -> bytes:
    return orjson.dumps(report, option=orjson.OPT_INDENT_2)


def report_rows(report: dict[str, Any]) -> Iterator[list[str]]:
    """The report as flat rows (see :data:`CSV_COLUMNS`)."""
    for error in report["errors"]:
        where = ", ".join(
            str(p) for p in (error["sheet"], error["row"] and f"row {error['row']}", error["column"]) if p
        )
        yield ["error", "", error["sheet"] or "", where, "", error["severity"], "", error["message"]]
    for cov in report["coverage"]:
        yield [
            "coverage",
            cov["framework"],
            "all",
            "",
            cov["title"],
            "",
            f"{cov['reached']}/{cov['total']}",
            f"{cov['percent_reached']}% reached; {cov['partial']} partial",
        ]
        for facet in ("by_domain", "by_tier"):
            for group in cov[facet]:
                yield [
                    "coverage",
                    cov["framework"],
                    facet.removeprefix("by_"),
                    group["group"],
                    group["label"],
                    "",
                    f"{group['covered']}/{group['total']}",
                    f"{group['partial']} partial",
                ]
        for item in cov["reached_items"]:
            yield [
                "reached",
                cov["framework"],
                "",
                item["curie"],
                item["label"],
                item["how"],
                item["relation"] or "",
                "; ".join(item["by"]),
            ]
    gaps = report.get("gaps") or {}
    for gap in gaps.get("national_not_reached", []):
        yield [
            "gap",
            gap["framework"],
            gap["type"],
            gap["curie"],
            gap["label"],
            gap["status"],
            "",
            "recorded gap" if gap["recorded_gap"] else "",
        ]
    for key in ("priorities_without_counterpart", "indicators_without_counterpart"):
        for item in gaps.get(key, []):
            yield [
                "local-gap",
                "",
                key.split("_")[0],
                item["id"],
                item["label"],
                item["status"],
                "",
                item["note"],
            ]
    targets = report.get("targets") or {}
    for item in targets.get("gld_target", {}).get("priorities", []):
        yield [
            "best-start-gld",
            "bsil",
            "",
            item["priority"],
            item["label"],
            item["relation"],
            "",
            item["path"],
        ]
    for entry in targets.get("lof_outcomes", []):
        for outcome in entry["outcomes"]:
            yield [
                "lof-outcome",
                "lof",
                entry["priority"],
                outcome["curie"],
                outcome["label"],
                outcome["relation"],
                outcome["how"],
                f"through {outcome['through']}",
            ]
    data = report.get("data_availability") or {}
    for record in data.get("records", []):
        yield [
            "data",
            record["framework"],
            "",
            record["metric"],
            record["label"],
            record["status"],
            record["source"],
            record["reason"],
        ]
    for service in (report.get("services") or {}).get("services", []):
        yield [
            "service",
            "",
            "; ".join(service["localities"]),
            service["id"],
            service["label"],
            "",
            service["provider"],
            "; ".join(service["aims_at"]),
        ]


def report_csv(report: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(report_rows(report))
    return buffer.getvalue().encode("utf-8")


def summary_lines(report: dict[str, Any]) -> list[str]:
    """A few lines for the terminal."""
    borough = report.get("borough") or {}
    lines = [
        f"Overlay {report['source']} ({report['format']}) for "
        f"{borough.get('name') or borough.get('gss', '?')}: "
        + ("valid" if report["valid"] else f"{len(report['errors'])} problem(s)")
    ]
    lines += [f"  {e['text']}" for e in report["errors"][:50]]
    if report["counts"]:
        counts = report["counts"]
        lines.append(
            f"  {counts['priority']} priorities, {counts['indicator']} indicators, {counts['mappings']} "
            f"mappings, {counts['availability']} data statements, {counts['service']} services"
        )
    for cov in report["coverage"]:
        lines.append(
            f"  {cov['framework']:<6} {cov['reached']:>3}/{cov['total']:<3} "
            f"reached ({cov['percent_reached']}%),"
            f" {cov['partial']} partial"
        )
    return lines


def _table(head: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    out = ["<table><thead><tr>", *(f"<th>{escape(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        cells = (
            f'<td class="n">{escape(str(v))}</td>' if i in numeric else f"<td>{escape(str(v))}</td>"
            for i, v in enumerate(row)
        )
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


#: A framework's coverage, as the HTML and spreadsheet reports show it (:func:`coverage_row`).
COVERAGE_COLUMNS = ("Framework", "Reached", "Of", "%", "Direct", "Through crosswalks", "Partial")


def coverage_row(coverage: dict[str, Any]) -> list[Any]:
    """One framework's coverage under :data:`COVERAGE_COLUMNS`."""
    c = coverage
    derived = c["reached_derived"] + c["reached_via_narrower"]
    return [
        c["title"], c["reached"], c["total"], c["percent_reached"], c["reached_direct"], derived, c["partial"]
    ]  # fmt: skip


def report_html(report: dict[str, Any]) -> bytes:
    """A self-contained page: every value escaped, no script, no external resource."""
    borough = report.get("borough") or {}
    name = borough.get("name") or borough.get("gss") or "unknown borough"
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>Borough alignment check: {escape(name)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Alignment check: {escape(name)}</h1>",
        f"<p class=muted>Overlay {escape(report['source'])} ({escape(report['format'])}); graph build "
        f"{escape(report['build'])}.</p>",
    ]
    overlay = report.get("overlay") or {}
    if overlay.get("title"):
        parts.append(f"<p>{escape(overlay['title'])}</p>")
    parts.append("<h2>Validation</h2>")
    if report["valid"]:
        parts.append("<p class=ok>The overlay is valid.</p>")
    else:
        rows = [[e["sheet"] or "", e["row"] or "", e["column"] or "", e["message"]] for e in report["errors"]]
        parts.append(
            f"<p class=bad>{len(rows)} problem(s).</p>" + _table(["Sheet", "Row", "Column", "Problem"], rows)
        )
    parts.append("<h2>Coverage of the national frameworks</h2>")
    parts.append(
        _table(
            list(COVERAGE_COLUMNS),
            [coverage_row(c) for c in report["coverage"]],
            {1, 2, 3, 4, 5, 6},
        )
    )
    for cov in report["coverage"]:
        parts.append(f"<h3>{escape(cov['title'])} by FHAB domain and tier</h3>")
        rows = [
            [g["label"], g["covered"], g["partial"], g["total"]] for g in cov["by_domain"] + cov["by_tier"]
        ]
        parts.append(_table(["Domain or tier", "Reached", "Partial", "Of"], rows, {1, 2, 3}))
    gaps = report.get("gaps") or {}
    parts.append("<h2>Gaps</h2><h3>National outcomes not reached</h3>")
    parts.append(
        _table(
            ["Framework", "Concept", "Title", "Kind"],
            [
                [g["framework"], g["curie"], g["label"], g["type"]]
                for g in gaps.get("national_not_reached", [])
                if g["type"] in ("Outcome", "Target", "OutcomeArea")
            ],
        )
    )
    for key, title in (
        ("priorities_without_counterpart", "Local priorities with no national counterpart"),
        ("indicators_without_counterpart", "Local indicators with no national counterpart"),
    ):
        parts.append(f"<h3>{title}</h3>")
        parts.append(
            _table(["ID", "Title", "Note"], [[i["id"], i["label"], i["note"]] for i in gaps.get(key, [])])
        )
    targets = report.get("targets") or {}
    gld = targets.get("gld_target") or {}
    parts.append(f"<h2>Best Start in Life: {escape(gld.get('label', ''))}</h2>")
    parts.append(
        _table(
            ["Priority", "Title", "Relation", "Through", "Path"],
            [
                [p["priority"], p["label"], p["relation"], p["through"], p["path"]]
                for p in gld.get("priorities", [])
            ],
        )
    )
    parts.append("<h2>Local Outcomes Framework outcomes served</h2>")
    parts.append(
        _table(
            ["Priority", "LOF outcome", "Relation", "How"],
            [
                [e["label"], o["label"], o["relation"], o["how"]]
                for e in targets.get("lof_outcomes", [])
                for o in e["outcomes"]
            ],
        )
    )
    data = report.get("data_availability") or {}
    counts = data.get("counts", {})
    parts.append("<h2>Data availability</h2>")
    parts.append(
        _table(
            ["Available", "Accessible", "Missing"],
            [[counts.get("available", 0), counts.get("accessible", 0), counts.get("missing", 0)]],
            {0, 1, 2},
        )
    )
    parts.append(
        _table(
            ["Metric", "Title", "Status", "Reason"],
            [[r["metric"], r["label"], r["status"], r["reason"]] for r in data.get("records", [])],
        )
    )
    services = report.get("services") or {}
    parts.append("<h2>Services</h2>")
    parts.append(
        _table(
            ["Service", "Provider", "Localities", "Aims at"],
            [
                [s["label"], s["provider"], ", ".join(s["localities"]), "; ".join(s["aims_at"])]
                for s in services.get("services", [])
            ],
        )
    )
    parts.append(
        _table(
            ["Locality", "Services"],
            [[loc["locality"], loc["services"]] for loc in services.get("by_locality", [])],
            {1},
        )
    )
    parts.append(
        "<p class=muted>The data-availability categories (available, accessible, missing) are "
        "outcomes-graph's overlay format; no source confirms them as the FHAB working group's own.</p>"
    )
    parts.append("</body></html>\n")
    return "".join(parts).encode("utf-8")
