"""Benchmark every alignment question and named query on the real graph and on one 100 times larger.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_alignment.py``). In one run it:

1. builds the real graph from the repository's data into a temporary folder;
2. generates a graph 100 times larger by replicating every quad with fresh IRIs
   (copy k appends ``-rk`` to every ``id/...`` and LG Inform IRI; schemes, graphs,
   the vocabulary and literals are shared), and writes its search index;
3. times, on both, each engine function cached (the per-build index and memo warm, as
   a long-running server sees it) and uncached (a fresh index read for every call,
   the baseline), and each named query on its own.

The machines are noisy (DESIGN section 7): compare numbers only within one run.
Medians are in milliseconds; ``speed-up`` is uncached median / cached median.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from outcomes_graph.alignment import Aligner
from outcomes_graph.alignment_index import build_folder, clear_cache, named_rows
from outcomes_graph.build import build
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.search import INDEX_FILE, SearchIndex, write_search_index
from outcomes_graph.settings import Settings
from outcomes_graph.store import BuildInfo, EmbeddedStore
from outcomes_graph.vocab import BASE, LGI

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "api" / "queries"
ID = BASE + "id/"


def _fresh(term: Any, suffix: str) -> Any:
    """The term of copy ``suffix``: concept, record, gap and LG Inform IRIs get the suffix."""
    if isinstance(term, ox.NamedNode):
        value = term.value
        if (value.startswith(ID) and value[len(ID) :].count("/") >= 1) or value.startswith(str(LGI)):
            return ox.NamedNode(value + suffix)
    return term


def replicate(source: EmbeddedStore, folder: Path, copies: int) -> EmbeddedStore:
    """A new store holding ``copies`` copies of every quad of ``source``; copy 0 keeps the real IRIs."""
    quads = [q for q in source.raw if isinstance(q.graph_name, ox.NamedNode)]

    def all_copies() -> Iterator[ox.Quad]:
        yield from quads
        for k in range(1, copies):
            suffix = f"-r{k}"
            for q in quads:
                yield ox.Quad(_fresh(q.subject, suffix), q.predicate, _fresh(q.object, suffix), q.graph_name)

    folder.mkdir(parents=True)
    store = ox.Store(str(folder))
    store.bulk_extend(all_copies())
    store.flush()
    store.optimize()
    triples = len(store)
    del store
    info = source.info
    graphs = [dict(g, triples=None) for g in info.graphs]
    write_search_index(folder, graphs, QUERIES)
    BuildInfo(f"bench-x{copies}", info.built_at, graphs, {"quads": float(triples)}).write(folder)
    return EmbeddedStore(folder)


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def engine_cases(concept: str) -> dict[str, Callable[[Aligner], object]]:
    """Each engine function, as a call on an Aligner."""
    return {
        "index read": lambda a: a.index,
        f"align {concept}": lambda a: a.counterparts(concept),
        "coverage lof": lambda a: a.coverage("lof"),
        "coverage sf --by domain": lambda a: a.coverage("sf").groups(a.index, "domain"),
        "coverage fhab": lambda a: a.coverage("fhab"),
        "gaps sf": lambda a: a.gaps("sf"),
        "matrix": lambda a: a.matrix(),
        "diff lgof lof": lambda a: a.diff("lgof", "lof"),
    }


def query_cases(store: EmbeddedStore) -> dict[str, dict[str, str]]:
    scheme = {
        row["slug"]: row["scheme"] for row in named_rows(store, QueryRegistry.load(QUERIES), "frameworks")
    }
    concept = ID + "phof/indicator/90631"
    return {
        "alignment-nodes": {},
        "alignment-edges": {},
        "frameworks": {},
        "not-found-records": {},
        "known-gaps": {"scheme": scheme["sf"]},
        "concept-mappings": {"concept": concept},
        "concept-lookup": {"text": "B04"},
        "coverage-direct": {"scheme": scheme["lof"], "against": scheme["fhab"]},
        "edition-concepts": {"edition": scheme["lof"]},
        "edition-mappings": {"edition": scheme["lgof"]},
        "search-index-rows": {},
    }


def bench_graph(name: str, store: EmbeddedStore, repeat: int, uncached_repeat: int) -> list[dict[str, Any]]:
    registry = QueryRegistry.load(QUERIES)
    results: list[dict[str, Any]] = []
    warm = Aligner(store, registry)
    for case, call in engine_cases("phof:indicator/90631").items():
        call(warm)  # fill the per-build index and memo once

        def cold(call: Callable[[Aligner], object] = call) -> object:
            clear_cache()
            return call(Aligner(store, registry, cached=False))

        uncached = median_ms(cold, uncached_repeat)
        cached = median_ms(lambda call=call: call(warm), repeat)
        results.append(
            {"graph": name, "kind": "engine", "case": case, "cached_ms": cached, "uncached_ms": uncached}
        )
    # Search: cached = the side index in memory; uncached = read the side file again, and,
    # as a second baseline, rebuild the index from the store (what a build without it would cost).
    index = SearchIndex.load(store, registry)
    folder = build_folder(store)
    assert folder is not None
    side_file = folder / INDEX_FILE
    for case, text, rebuild in [("search 'school readiness'", "school readiness", False),
                                ("search '90631' (no side index)", "90631", True)]:  # fmt: skip

        def cold(text: str = text, rebuild: bool = rebuild) -> object:
            fresh = (
                SearchIndex.from_rows(named_rows(store, registry, "search-index-rows"))
                if rebuild
                else SearchIndex.from_json(side_file.read_bytes())
            )
            return fresh.search(text)

        results.append({
            "graph": name, "kind": "engine", "case": case,
            "cached_ms": median_ms(lambda text=text: index.search(text), repeat),
            "uncached_ms": median_ms(cold, uncached_repeat),
        })  # fmt: skip
    for query, params in query_cases(store).items():
        ms = median_ms(lambda q=query, p=params: named_rows(store, registry, q, **p), uncached_repeat)
        results.append({"graph": name, "kind": "query", "case": query, "cached_ms": None, "uncached_ms": ms})
    return results


def report(results: list[dict[str, Any]]) -> str:
    real = {(r["kind"], r["case"]): r for r in results if r["graph"] == "real"}
    big = {(r["kind"], r["case"]): r for r in results if r["graph"] != "real"}
    size = next(r["graph"] for r in results if r["graph"] != "real")
    heads = ["kind", "case", "real cached", "real uncached", "speed-up", f"{size} cached", f"{size} uncached",
             "speed-up", f"{size} / real"]  # fmt: skip
    lines = ["| " + " | ".join(heads) + " |", "|---|---|" + "---:|" * (len(heads) - 2)]

    def cell(value: float | None) -> str:
        if value is None:
            return ""
        return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"

    def ratio(row: dict[str, Any]) -> str:
        return f"{row['uncached_ms'] / row['cached_ms']:,.0f}x" if row["cached_ms"] else ""

    for key, r in real.items():
        b = big[key]
        lines.append(
            f"| {key[0]} | {key[1]} | {cell(r['cached_ms'])} | {cell(r['uncached_ms'])} | {ratio(r)} | "
            f"{cell(b['cached_ms'])} | {cell(b['uncached_ms'])} | {ratio(b)} | "
            f"{b['uncached_ms'] / r['uncached_ms']:.1f}x |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--copies", type=int, default=100, help="size of the generated graph (copies of the real one)"
    )
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per cached case")
    parser.add_argument(
        "--uncached-repeat", type=int, default=5, help="timed runs per uncached case and query"
    )
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="og-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        settings = Settings(store=root / "real" / "store", data_dir=REPO, cache_dir=root / "cache")
        build(settings)
        real = EmbeddedStore(settings.store)
        built = time.perf_counter()
        big = replicate(real, root / "big" / f"bench-x{args.copies}", args.copies)
        made = time.perf_counter()
        triples = sum(int(g["triples"]) for g in real.info.graphs)
        quads = int(big.info.timings["quads"])
        print(f"real graph: {triples} triples, built in {built - started:.1f}s", file=sys.stderr)
        print(f"x{args.copies} graph: {quads} quads, generated in {made - built:.1f}s", file=sys.stderr)
        results = bench_graph("real", real, args.repeat, args.uncached_repeat)
        results += bench_graph(f"x{args.copies}", big, args.repeat, args.uncached_repeat)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
