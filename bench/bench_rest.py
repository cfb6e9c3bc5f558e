"""Benchmark the REST alignment resources on a real server: repeated requests against uncached ones.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_rest.py``). In one run it:

1. builds the real graph from the repository's data into a temporary folder (or uses ``--store``);
2. for each alignment request, ``--rounds`` times: starts ``outcomes-graph serve`` afresh, warms it
   with a named query (which reads no alignment index), times the first alignment request
   (**uncached**: the engine has read nothing yet, so it pays for reading the build's alignment
   index and computing the answer), then ``--repeat`` identical requests
   (**repeated**: what every later client sees) and ``--repeat`` revalidations with the
   ``ETag`` of the first answer (**revalidated**: ``If-None-Match``, answered 304 when the
   service sends ETags), and stops the server.

Requests go over a real socket with one keep-alive httpx client, as a browser or script would.
The machines are noisy (DESIGN section 7): compare numbers only within one run. Medians are
in milliseconds; a ratio is the uncached median over the repeated (or revalidated) median.
The target (issue 4) is repeated requests at least 10 times faster than an uncached one.
A server takes about ten seconds to start here, so the default run (6 requests x 3 fresh
servers) takes a few minutes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from bench_support import serving

from outcomes_graph.build import build
from outcomes_graph.settings import Settings

REPO = Path(__file__).resolve().parents[1]
TARGET = 10.0
CASES = [
    ("counterparts 90631", "/api/counterparts?concept=90631"),
    ("coverage lof", "/api/coverage/lof"),
    ("gaps sf", "/api/gaps/sf"),
    ("matrix (CSV)", "/api/matrix.csv"),
    ("diff lgof lof", "/api/diff/lgof/lof"),
    ("search 'school readiness'", "/api/search?q=school+readiness"),
]


def timed(
    client: httpx.Client, path: str, headers: dict[str, str] | None = None
) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, response


def measure(settings: Settings, path: str, repeat: int) -> dict[str, Any]:
    """One fresh server: the first (uncached) request, then repeated and revalidated ones."""
    with serving(settings, timeout=60) as url, httpx.Client(base_url=url, timeout=120) as client:
        # Warm the connection and the REST layer (a named query reads no alignment index), so the
        # uncached time is the engine's and the caches' own, not the server's first-request costs.
        for warm_up in ("/health", "/api/queries/frameworks", "/api/queries/frameworks.csv"):
            client.get(warm_up)
        cold, first = timed(client, path)
        if first.status_code != 200:
            raise RuntimeError(f"{path} answered {first.status_code}: {first.text[:300]}")
        repeated = [timed(client, path)[0] for _ in range(repeat)]
        etag = first.headers.get("etag")
        revalidated: list[float] = []
        statuses: set[int] = set()
        if etag:
            for _ in range(repeat):
                elapsed, response = timed(client, path, {"If-None-Match": etag})
                revalidated.append(elapsed)
                statuses.add(response.status_code)
    return {
        "uncached": cold,
        "repeated": repeated,
        "revalidated": revalidated,
        "revalidated_statuses": sorted(statuses),
        "bytes": len(first.content),
        "etag": bool(etag),
    }


def fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="fresh servers (uncached samples) per request")
    parser.add_argument("--repeat", type=int, default=30, help="repeated requests timed per server")
    parser.add_argument(
        "--store", type=Path, help="serve this built store instead of building the real graph"
    )
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-rest-") as tmp:
        root = Path(tmp)
        if args.store:
            settings = Settings(store=args.store, data_dir=REPO, cache_dir=root / "cache")
        else:
            settings = Settings(store=root / "store", data_dir=REPO, cache_dir=root / "cache")
            print("building the real graph ...", file=sys.stderr)
            build(settings)
        results: dict[str, dict[str, Any]] = {}
        for name, path in CASES:
            runs = []
            for _ in range(args.rounds):
                print(f"  {name}: fresh server", file=sys.stderr)
                runs.append(measure(settings, path, args.repeat))
            uncached = statistics.median(r["uncached"] for r in runs)
            repeated = statistics.median(t for r in runs for t in r["repeated"])
            revalidated_times = [t for r in runs for t in r["revalidated"]]
            revalidated = statistics.median(revalidated_times) if revalidated_times else None
            results[name] = {
                "path": path,
                "uncached_ms": uncached,
                "repeated_ms": repeated,
                "revalidated_ms": revalidated,
                "ratio_repeated": uncached / repeated,
                "ratio_revalidated": uncached / revalidated if revalidated else None,
                "revalidated_statuses": sorted({s for r in runs for s in r["revalidated_statuses"]}),
                "bytes": runs[0]["bytes"],
                "runs": runs,
            }

    print(
        f"\nREST alignment requests on a real server: {args.rounds} fresh servers x {args.repeat} repeats\n"
    )
    print("| request | bytes | uncached | repeated | ratio | revalidated (status) | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        statuses = "/".join(str(s) for s in r["revalidated_statuses"]) or "no ETag"
        ratio_revalidated = f"{r['ratio_revalidated']:,.0f}x" if r["ratio_revalidated"] else ""
        print(
            f"| {name} | {r['bytes']:,} | {fmt(r['uncached_ms'])} | {fmt(r['repeated_ms'])} "
            f"| {r['ratio_repeated']:,.0f}x | {fmt(r['revalidated_ms'])} ({statuses}) | {ratio_revalidated} |"
        )
    ratios = [r["ratio_repeated"] for r in results.values()]
    overall = statistics.median(ratios)
    worst = min(ratios)
    verdict = "meets" if worst >= TARGET else "misses"
    print(
        f"\nrepeated vs uncached: median ratio {overall:,.0f}x, lowest {worst:,.0f}x "
        f"({verdict} the {TARGET:g}x target for every request)"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
