"""Benchmark a nested GraphQL request against the equivalent single SPARQL query, in one run.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_graphql.py``). It builds the
real graph into a temporary folder (or uses ``--store``), starts ``outcomes-graph serve``
on a free local port, checks that both requests return the same facts, then sends them
alternately (uncached: GraphQL POSTs are never cached, and each SPARQL query carries a
fresh comment so no response cache can answer it) and reports latency medians and the
ratio GraphQL / SPARQL. The target is a ratio of at most 2.

The machines are noisy (DESIGN section 7): compare numbers only within one run.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from outcomes_graph.build import build
from outcomes_graph.settings import Settings

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
TARGET = 2.0

#: Each case: a framework's concepts with their parents and every crosswalk record touching them,
#: with the labels of both ends; as one nested GraphQL request, and as one SPARQL query.
CASES: dict[str, str] = {
    "lof": "https://w3id.org/common-outcomes/id/lof",
    "phof": "https://w3id.org/common-outcomes/id/phof",
}

GRAPHQL = """query Nested($slug: String!) {
  framework(slug: $slug) {
    concepts(first: 1000) {
      totalCount
      nodes {
        uri notation prefLabel status
        broader { uri prefLabel }
        mappings(first: 1000) {
          nodes { uri predicate confidence subject { uri prefLabel } object { uri prefLabel } }
        }
      }
    }
  }
}"""

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """``outcomes-graph serve`` on a free local port; yields its base URL."""
    port = free_port()
    exe = Path(sys.executable).parent / "outcomes-graph"
    args = [
        str(exe),
        "--store",
        str(settings.store),
        "--data-dir",
        str(settings.data_dir),
        "--cache-dir",
        str(settings.cache_dir),
        "serve",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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

    def sparql() -> httpx.Response:
        query = SPARQL.format(nonce=f"bench {next(nonce)} {time.time_ns()}", scheme=scheme)
        return client.post(
            url + "/sparql",
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )

    g = graphql()
    s = sparql()
    g.raise_for_status()
    s.raise_for_status()
    same = graphql_facts(g.json()) == sparql_facts(s.json())
    for _ in range(3):
        graphql(), sparql()
    g_times, s_times = [], []
    for _ in range(rounds):
        g_times.append(timed(graphql)[0])
        s_times.append(timed(sparql)[0])
    concepts, records = graphql_facts(g.json())
    g_median, s_median = statistics.median(g_times), statistics.median(s_times)
    return {
        "case": slug,
        "concepts": len(concepts),
        "records": len(records),
        "sparql_rows": len(s.json()["results"]["bindings"]),
        "same_facts": same,
        "graphql_median_ms": round(g_median, 2),
        "sparql_median_ms": round(s_median, 2),
        "graphql_p90_ms": round(statistics.quantiles(g_times, n=10)[-1], 2),
        "sparql_p90_ms": round(statistics.quantiles(s_times, n=10)[-1], 2),
        "ratio": round(g_median / s_median, 2),
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
        f"({args.rounds} of each, alternating)\n"
    )
    print(
        "| case | concepts | records | same facts | GraphQL median ms | SPARQL median ms | GraphQL p90 | "
        "SPARQL p90 | ratio |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['case']} | {r['concepts']} | {r['records']} | {r['same_facts']} | "
            f"{r['graphql_median_ms']} | "
            f"{r['sparql_median_ms']} | {r['graphql_p90_ms']} | {r['sparql_p90_ms']} | {r['ratio']}x |"
        )
    worst = max(r["ratio"] for r in results)
    verdict = "meets" if worst <= TARGET else "misses"
    print(f"\nworst ratio {worst}x: {verdict} the target of at most {TARGET}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
