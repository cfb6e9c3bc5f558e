"""The check report as an XLSX workbook fit for a committee paper.

One sheet per section (Summary, Coverage, By domain and tier, Gaps, Best Start and LOF,
Data availability, Services, Problems), plain values only (no formulas), headers in bold,
frozen, wrapped and sized for printing.
"""

from __future__ import annotations

from typing import Any

from outcomes_graph.borough_render import COVERAGE_COLUMNS, coverage_row
from outcomes_graph.spreadsheet import SheetSpec, workbook_bytes

__all__ = ["report_xlsx"]


def report_xlsx(report: dict[str, Any]) -> bytes:
    borough = report.get("borough") or {}
    overlay = report.get("overlay") or {}
    counts = report.get("counts") or {}
    summary = [
        ["Borough", f"{borough.get('name', '')} ({borough.get('gss', '')})"],
        ["Overlay", overlay.get("title") or report["source"]],
        [
            "Framework followed",
            f"{overlay.get('framework', '')} {overlay.get('framework_version', '')}".strip(),
        ],
        ["Valid", "yes" if report["valid"] else f"no: {len(report['errors'])} problem(s), see Problems"],
        ["Priorities", counts.get("priority", 0)],
        ["Local indicators", counts.get("indicator", 0)],
        ["Mappings", counts.get("mappings", 0)],
        ["Data statements", counts.get("availability", 0)],
        ["Services", counts.get("service", 0)],
        ["Graph build", report["build"]],
        [
            "Note",
            "Data availability (available / accessible / missing) is outcomes-graph's overlay format; no "
            "source confirms these categories as the FHAB working group's own.",
        ],
    ]
    coverage = [[*coverage_row(c), c["not_reached"]] for c in report["coverage"]]
    facets = [
        [c["title"], facet.removeprefix("by_"), g["label"], g["covered"], g["partial"], g["total"]]
        for c in report["coverage"]
        for facet in ("by_domain", "by_tier")
        for g in c[facet]
    ]
    gaps = report.get("gaps") or {}
    gap_rows = [
        ["National, not reached", g["framework"], g["curie"], g["label"], g["type"]]
        for g in gaps.get("national_not_reached", [])
    ]
    gap_rows += [
        ["Local priority, no national counterpart", "", i["id"], i["label"], i["note"]]
        for i in gaps.get("priorities_without_counterpart", [])
    ]
    gap_rows += [
        ["Local indicator, no national counterpart", "", i["id"], i["label"], i["note"]]
        for i in gaps.get("indicators_without_counterpart", [])
    ]
    targets = report.get("targets") or {}
    target_rows = [
        ["Best Start 75% GLD by 2028", p["priority"], p["label"], p["relation"], p["through"]]
        for p in (targets.get("gld_target") or {}).get("priorities", [])
    ]
    target_rows += [
        [f"LOF: {o['label']}", e["priority"], e["label"], o["relation"], o["through"]]
        for e in targets.get("lof_outcomes", [])
        for o in e["outcomes"]
    ]
    data = report.get("data_availability") or {}
    data_rows = [
        [r["metric"], r["label"], r["framework"], r["status"], r["reason"], r["source"]]
        for r in data.get("records", [])
    ]
    services = report.get("services") or {}
    service_rows = [
        [s["id"], s["label"], s["provider"], ", ".join(s["localities"]), "; ".join(s["aims_at"])]
        for s in services.get("services", [])
    ]
    problems = [[e["sheet"] or "", e["row"] or "", e["column"] or "", e["message"]] for e in report["errors"]]
    wide = {
        "Title": 50,
        "Label": 50,
        "Priority": 40,
        "Reason": 50,
        "Aims at": 60,
        "Problem": 80,
        "Value": 70,
        "Framework": 36,
        "Group": 30,
    }
    return workbook_bytes(
        [
            SheetSpec("Summary", ("Item", "Value"), summary, widths=wide, wrap=True),
            SheetSpec(
                "Coverage",
                (*COVERAGE_COLUMNS, "Not reached"),
                coverage,
                widths=wide,
            ),
            SheetSpec(
                "By domain and tier",
                ("Framework", "By", "Group", "Reached", "Partial", "Of"),
                facets,
                widths=wide,
            ),
            SheetSpec(
                "Gaps",
                ("Gap", "Framework", "Concept", "Title", "Kind or note"),
                gap_rows,
                widths=wide,
                wrap=True,
            ),
            SheetSpec(
                "Best Start and LOF",
                ("Target or outcome", "Priority ID", "Priority", "Relation", "Through"),
                target_rows,
                widths=wide | {"Target or outcome": 50},
                wrap=True,
            ),
            SheetSpec(
                "Data availability",
                ("Metric", "Title", "Framework", "Availability", "Reason", "Data source"),
                data_rows,
                widths=wide,
                wrap=True,
            ),
            SheetSpec(
                "Services",
                ("ID", "Service", "Provider", "Localities", "Aims at"),
                service_rows,
                widths=wide,
                wrap=True,
            ),
            SheetSpec("Problems", ("Sheet", "Row", "Column", "Problem"), problems, widths=wide, wrap=True),
        ]
    )
