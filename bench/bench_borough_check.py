"""Benchmark ``borough check`` on a generated 500-row overlay, against full validation in the same run.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_borough_check.py [--rows 500] [--repeat 9]``).
In one run it:

1. builds the real graph from the repository's data into a temporary folder;
2. generates an overlay workbook of ``--rows`` rows (a tenth priorities, six tenths local indicators
   each mapped to one or two real concepts, the rest data-availability and services rows);
3. times the whole check (read the XLSX, build the overlay graph, SHACL on the overlay plus only the
   concepts it touches, coverage, gaps, targets, data, services), with the per-build tools warm as
   a server has them, and reports the median and the SHACL part of it;
4. times the baseline: the same overlay graph validated with every shape against the whole public
   graph as context (what validating without the restriction costs).

The machines are noisy (DESIGN section 7): compare numbers only within one run. The target is a
median under 1 s for 500 rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Graph

from outcomes_graph.borough_format import tables_to_xlsx
from outcomes_graph.borough_store import StoredOverlays
from outcomes_graph.borough_validate import context_graph, validate_overlay
from outcomes_graph.boroughs import BoroughTools, check_overlay, load_overlay
from outcomes_graph.build import build
from outcomes_graph.settings import Settings
from outcomes_graph.validate import load_ontology, load_shapes, validate_graph

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 1.0


def overlay_rows(tools: BoroughTools, rows: int) -> dict[str, list[list[str]]]:
    """A realistic overlay of about ``rows`` rows, mapped to real concepts of the build."""
    concepts = [
        n
        for n in tools.index.nodes.values()
        if not n.is_gap and n.slug in ("phof", "lof", "lgi", "sf", "bsil", "fingertips")
    ]
    metrics = [n for n in concepts if n.type_name in ("Indicator", "Metric")]
    domains = ["Safe", "Healthy", "Happy", "Learning", "Engaged"]
    n_priorities, n_indicators = rows // 10, rows * 6 // 10
    n_data = (rows - n_priorities - n_indicators) // 2
    n_services = rows - n_priorities - n_indicators - n_data
    priorities = [
        [
            f"P{i}",
            f"Priority {i}: {concepts[i % len(concepts)].label[:60]}",
            "",
            domains[i % 5],
            ("children", "parents", "system")[i % 3],
            concepts[(i * 7) % len(concepts)].curie,
            "closeMatch",
            "",
            "",
        ]
        for i in range(n_priorities)
    ]
    indicators = []
    for i in range(n_indicators):
        first, second = metrics[i % len(metrics)], metrics[(i * 3 + 1) % len(metrics)]
        maps = first.curie if i % 2 else f"{first.curie} | {second.curie}"
        indicators.append(
            [
                f"I{i}",
                f"Local {first.label[:70]}",
                f"Counted locally, variant {i}",
                "Local system",
                f"P{i % n_priorities}",
                maps,
                "closeMatch",
                "0.8",
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    data = [
        [
            metrics[i % len(metrics)].curie if i < len(metrics) else f"I{i}",
            ("available", "accessible", "missing")[i % 3],
            "" if i % 3 == 0 else "Held by a partner",
            "",
            "",
        ]
        for i in range(n_data)
    ]
    services = [
        [
            f"S{i}",
            f"Service {i}",
            f"P{i % n_priorities} | {concepts[i % len(concepts)].curie}",
            "Partner",
            ("North", "South", "East")[i % 3],
            "",
            "",
        ]
        for i in range(n_services)
    ]
    setup = [["GSS code", "E09000030", ""], ["Borough", "Tower Hamlets", ""], ["Framework", "fhab", ""]]
    return {
        "setup": setup,
        "priorities": priorities,
        "local-indicators": indicators,
        "data-availability": data,
        "services": services,
    }


def median_seconds(run: object, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--baseline-repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        settings = Settings(store=root / "store", data_dir=REPO, cache_dir=root / "cache")
        build(settings)
        tools = BoroughTools.open(settings)
        rows = overlay_rows(tools, args.rows)
        path = root / "overlay.xlsx"
        path.write_bytes(tables_to_xlsx(rows))
        counted = sum(len(v) for k, v in rows.items() if k != "setup")
        first = check_overlay([path], tools)
        assert first.overlay is not None
        print(
            f"overlay: {counted} rows, {len(first.overlay.graph)} triples; valid={first.valid} "
            f"({len(first.problems)} problems)"
        )
        reports = []

        def check() -> None:
            reports.append(check_overlay([path], tools))

        check_median, check_times = median_seconds(check, args.repeat)
        shacl_median = statistics.median(r.timings["validate"] for r in reports)
        overlay = load_overlay([path], tools)
        restricted_context = context_graph(overlay.graph, tools.context)

        def restricted() -> None:
            validate_overlay(
                overlay,
                restricted_context,
                shapes_dir=settings.shapes_dir,
                ontology_dir=settings.ontology_dir,
            )

        restricted_median, _ = median_seconds(restricted, args.repeat)
        everything = Graph()
        for quad in tools.store.quads():
            everything.parse(data=f"{quad.subject} {quad.predicate} {quad.object} .", format="nt")
        shapes, ontology = load_shapes(settings.shapes_dir), load_ontology(settings.ontology_dir)

        def full() -> None:
            validate_graph(overlay.graph, shapes=shapes, ontology=ontology, context=everything)

        full_median, _ = median_seconds(full, args.baseline_repeat)
        print(f"context: restricted {len(restricted_context)} triples; full {len(everything)} triples")
        print(f"{'case':<58} {'median s':>9}")
        print(f"{'check, whole (read, graph, SHACL restricted, analysis)':<58} {check_median:>9.3f}")
        print(f"{'  of which SHACL restricted to overlay + touched concepts':<58} {shacl_median:>9.3f}")
        print(f"{'SHACL restricted, on its own':<58} {restricted_median:>9.3f}")
        print(f"{'baseline: SHACL, every shape, whole graph as context':<58} {full_median:>9.3f}")
        print(f"speed-up of the restricted SHACL over the baseline: {full_median / restricted_median:.1f}x")
        print(f"check runs (s): {', '.join(f'{t:.3f}' for t in check_times)}")
        verdict = "meets" if check_median < TARGET_SECONDS else "MISSES"
        print(f"target: median under {TARGET_SECONDS:.0f} s for {args.rows} rows: {verdict} it")
        store_uploads(settings, tools, path, args.baseline_repeat)
    return 0


def store_uploads(settings: Settings, tools: BoroughTools, path: Path, repeat: int) -> None:
    """A stored upload (check, then a build derived with one graph replaced) against a full rebuild."""
    stored = StoredOverlays(settings)
    files = [(path.name, path.read_bytes())]
    timings: list[dict[str, float]] = []

    def upload() -> None:
        started = time.perf_counter()
        result = stored.upload("E09000030", files, tools, who="bench")
        timings.append({"total": time.perf_counter() - started, **result.build.timings})

    upload_median, _ = median_seconds(upload, repeat * 3)
    derive_median = statistics.median(t["derive_seconds"] for t in timings)
    rebuild_median, _ = median_seconds(lambda: build(settings), repeat)
    print(f"{'upload, whole (check, then swap in a derived build)':<58} {upload_median:>9.3f}")
    print(f"{'  of which the derived build (copy, replace one graph)':<58} {derive_median:>9.3f}")
    print(f"{'baseline: full build from the sources (SHACL cache warm)':<58} {rebuild_median:>9.3f}")
    print(f"the derived build is {rebuild_median / derive_median:.0f}x faster than a full build")


if __name__ == "__main__":
    sys.exit(main())
