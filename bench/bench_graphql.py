"""Benchmark a nested GraphQL request against the equivalent single SPARQL query, in one run.

Run with ``.venv/bin/python bench/bench_graphql.py``. It builds the real graph into a
temporary folder (or uses ``--store``), starts ``outcomes-graph serve`` on a free local
port, checks that both requests return the same facts, then sends three kinds of request
in turn and reports latency medians and the ratios to SPARQL:

- ``GraphQL cold``: the GraphQL request with ``Cache-Control: no-cache``, which makes
  the server read every resource from the store, as the first request after a build
  would if ``serve`` did not warm each build's cache first (``api/graphql/warm-up.graphql``),
  and as a request the warm-up does not cover still does;
- ``GraphQL warm``: the same request plainly, answered from what the server's GraphQL
  loaders already read from this build (the store is not queried; the GraphQL request
  itself is still parsed, validated and executed: no response is replayed);
- ``SPARQL``: the equivalent single query, each with a fresh comment so that no response
  cache can answer it.

The target is a ratio of at most 2 for the nested request. The first GraphQL request of
the run is reported too: the server's first GraphQL request (code paths warm up), sent as
soon as ``/health`` answers, so the build's warm-up may still be running.

The machines are noisy (DESIGN section 7): compare numbers only within one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from bench_support import serving

from outcomes_graph.build import build
from outcomes_graph.settings import Settings

REPO = Path(__file__).resolve().parents[1]
TARGET = 2.0

#: Each case: a framework's concepts with their parents and every crosswalk record touching them,
#: with the labels of both ends; as one nested GraphQL request, and as one SPARQL query.
CASES: dict[str, str] = {
    "lof": "https://w3id.org/common-outcomes/id/lof",
    "phof": "https://w3id.org/common-outcomes/id/phof",
}

#: The fragment the server's warm-up reads for every framework (api/graphql/warm-up.graphql), so
#: "warm" measures what a client asking for it gets after the warm-up.
WARM_UP = (REPO / "api" / "graphql" / "warm-up.graphql").read_text(encoding="utf-8")
GRAPHQL = (
    "query Nested($slug: String!) {\n  framework(slug: $slug) { ...FrameworkConcepts }\n}\n\n"
    + WARM_UP[WARM_UP.index("fragment FrameworkConcepts") :]
)

SPARQL = """# {nonce}
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX og: <https://w3id.org/common-outcomes/def/>
PREFIX sssom: <https://w3id.org/sssom/>
SELECT ?concept ?notation ?label ?status ?broader ?broaderLabel ?record ?predicate ?confidence
       ?subject ?subjectLabel ?object ?objectLabel
WHERE {{
  ?concept skos:inScheme <{scheme}> ; skos:prefLabel ?label .
  OPTIONAL {{ ?concept og:status ?status }}
  OPTIONAL {{ ?concept skos:notation ?notation }}
  OPTIONAL {{ ?concept skos:broader ?broader OPTIONAL {{ ?broader skos:prefLabel ?broaderLabel }} }}
  OPTIONAL {{
    {{ ?record sssom:subject_id ?concept }} UNION {{ ?record sssom:object_id ?concept }}
    ?record sssom:predicate_id ?predicate ; sssom:subject_id ?subject ; sssom:object_id ?object .
    OPTIONAL {{ ?record sssom:confidence ?confidence }}
    OPTIONAL {{ ?subject skos:prefLabel ?subjectLabel }}
    OPTIONAL {{ ?object skos:prefLabel ?objectLabel }}
  }}
}}"""


def graphql_facts(body: dict[str, Any]) -> tuple[set[str], set[str]]:
    assert "errors" not in body, body.get("errors")
    nodes = body["data"]["framework"]["concepts"]["nodes"]
    return {n["uri"] for n in nodes}, {m["uri"] for n in nodes for m in n["mappings"]["nodes"]}


def sparql_facts(body: dict[str, Any]) -> tuple[set[str], set[str]]:
    rows = body["results"]["bindings"]
    return {r["concept"]["value"] for r in rows}, {r["record"]["value"] for r in rows if "record" in r}


def timed(call: Callable[[], httpx.Response]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = call()
    return (time.perf_counter() - started) * 1000, response


def run_case(client: httpx.Client, url: str, slug: str, scheme: str, rounds: int) -> dict[str, Any]:
    nonce = iter(range(10**9))

    def graphql() -> httpx.Response:
        return client.post(url + "/graphql", json={"query": GRAPHQL, "variables": {"slug": slug}})

    def graphql_cold() -> httpx.Response:
        return client.post(
            url + "/graphql",
            json={"query": GRAPHQL, "variables": {"slug": slug}},
            headers={"Cache-Control": "no-cache"},
        )

    def sparql() -> httpx.Response:
        query = SPARQL.format(nonce=f"bench {next(nonce)} {time.time_ns()}", scheme=scheme)
        return client.post(
            url + "/sparql",
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )

    first_ms, g = timed(graphql)
    s = sparql()
    g.raise_for_status()
    s.raise_for_status()
    cold = graphql_cold()
    cold.raise_for_status()
    same = graphql_facts(g.json()) == sparql_facts(s.json()) == graphql_facts(cold.json())
    for _ in range(3):
        graphql_cold(), graphql(), sparql()
    times: dict[str, list[float]] = {"cold": [], "warm": [], "sparql": []}
    for _ in range(rounds):
        times["cold"].append(timed(graphql_cold)[0])
        times["warm"].append(timed(graphql)[0])
        times["sparql"].append(timed(sparql)[0])
    concepts, records = graphql_facts(g.json())
    median = {kind: statistics.median(values) for kind, values in times.items()}
    p90 = {kind: statistics.quantiles(values, n=10)[-1] for kind, values in times.items()}
    return {
        "case": slug,
        "concepts": len(concepts),
        "records": len(records),
        "sparql_rows": len(s.json()["results"]["bindings"]),
        "same_facts": same,
        "graphql_first_ms": round(first_ms, 2),
        **{f"{kind}_median_ms": round(value, 2) for kind, value in median.items()},
        **{f"{kind}_p90_ms": round(value, 2) for kind, value in p90.items()},
        "cold_ratio": round(median["cold"] / median["sparql"], 2),
        "warm_ratio": round(median["warm"] / median["sparql"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=60, help="requests of each kind per case [60]")
    parser.add_argument("--store", type=Path, help="an existing built store (default: build the real graph)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-graphql-") as tmp:
        if args.store:
            settings = Settings(store=args.store, data_dir=REPO, cache_dir=Path(tmp) / "cache")
        else:
            settings = Settings(store=Path(tmp) / "store", data_dir=REPO, cache_dir=Path(tmp) / "cache")
            print("building the real graph ...", flush=True)
            build(settings)
        with serving(settings) as url, httpx.Client(timeout=60) as client:
            results = [run_case(client, url, slug, scheme, args.rounds) for slug, scheme in CASES.items()]
    print(
        f"\nNested GraphQL request vs the equivalent single SPARQL query "
        f"({args.rounds} of each kind, in turn; milliseconds)\n"
    )
    print(
        "| case | concepts | records | same facts | GraphQL first | GraphQL cold median (p90) | "
        "GraphQL warm median (p90) | SPARQL median (p90) | cold / SPARQL | warm / SPARQL |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['case']} | {r['concepts']} | {r['records']} | {r['same_facts']} | "
            f"{r['graphql_first_ms']} | "
            f"{r['cold_median_ms']} ({r['cold_p90_ms']}) | {r['warm_median_ms']} ({r['warm_p90_ms']}) | "
            f"{r['sparql_median_ms']} ({r['sparql_p90_ms']}) | {r['cold_ratio']}x | {r['warm_ratio']}x |"
        )
    for kind in ("cold", "warm"):
        worst = max(r[f"{kind}_ratio"] for r in results)
        verdict = "meets" if worst <= TARGET else "misses"
        print(f"\n{kind}: worst ratio {worst}x, {verdict} the target of at most {TARGET}x", end="")
    print()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
