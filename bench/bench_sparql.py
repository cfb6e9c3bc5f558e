"""Benchmark ``/sparql`` against ``oxigraph serve`` (the limit) and rdflib-endpoint (the Python peer).

All three serve the same data (the public graphs of the built store, exported as
N-Quads) on loopback, and get the same queries in one run, at concurrency 1 and 16:

- ``point``: ``SELECT ?p ?o WHERE { <concept> ?p ?o }``, cycling through concepts
  (repeated: measured in the steady state, after every worker has seen each text
  twice, since our response cache keeps an answer once it is asked for twice);
- ``point-uncached``: the same, each request made unique by a comment, so nothing is
  served from a cache: the engine and the HTTP stack are measured;
- ``join``: concepts of one scheme with their broader concept's label (uncached);
- ``aggregation``: concepts per scheme (uncached).

With ``--ceiling`` a fourth server joins: a bare ASGI app under uvicorn that runs each
query on the event loop with nothing else (``bare_asgi.py``), to show what any Python
server on uvicorn can reach here at best.

With ``--scale N`` the store is first copied and given N synthetic triples (observations:
ten triples each, in a public graph), to compare at the size DESIGN section 7 measured
(3.5M triples); unseen point lookups then pick among the synthetic subjects, and
rdflib-endpoint is left out (it needs minutes and gigabytes to load that much).

Run: ``make bench``, or ``.venv/bin/python bench/bench_sparql.py`` with ``--workers 4``,
``--quick``, ``--ceiling`` or ``--scale N`` as wanted.
Every run is bounded by a request count and a time limit. The load generator is an
asyncio HTTP/1.1 keep-alive client with one connection per unit of concurrency; it
shares the machine's CPUs with the servers, as every one of them does.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
from bench_support import BIN, HOST, free_port, stop

from outcomes_graph.build import build
from outcomes_graph.settings import Settings
from outcomes_graph.store import EmbeddedStore
from outcomes_graph.vocab import SKOS

ACCEPT = "application/sparql-results+json"
SKOS_NS = str(SKOS)
#: Requests before each measured run (a whole round of the 200 point-lookup concepts); "uncached"
#: workloads number their queries, so the measured ones are never among these.
WARM_UP = 200
#: ``point`` measures the steady state of clients re-reading resources. Each worker keeps its
#: own response cache and keeps an answer at its second sighting, and a keep-alive connection
#: stays with one worker; so before it, its 200 texts go round this many times over 16
#: connections, which lets every worker see each of them twice.
STEADY_CYCLES = 8


@dataclass
class Server:
    name: str
    port: int
    path: str
    proc: subprocess.Popen[bytes]


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(int(len(ordered) * p), len(ordered) - 1)] * 1000 if ordered else 0.0


def wait_ready(server: Server, timeout: float = 300) -> None:
    url = f"http://{HOST}:{server.port}{server.path}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s")


@contextmanager
def running(name: str, args: list[str], path: str, port: int) -> Iterator[Server]:
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(name, port, path, proc)
    try:
        wait_ready(server)
        yield server
    finally:
        stop(proc)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            body += await reader.readexactly(size + 2)
            if size == 0:
                return status, bytes(body)
    raise RuntimeError("response without length")


async def _client(port: int, requests: list[bytes], deadline: float, out: Result) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        for request in requests:
            if time.perf_counter() > deadline:
                break
            started = time.perf_counter()
            writer.write(request)
            status, _ = await _read_response(reader)
            out.latencies.append(time.perf_counter() - started)
            out.requests += 1
            out.errors += status != 200
    finally:
        writer.close()


async def _load(port: int, requests: list[bytes], concurrency: int, seconds: float) -> Result:
    out = Result(0, 0, 0.0, [])
    shares = [requests[i::concurrency] for i in range(concurrency)]
    started = time.perf_counter()
    await asyncio.gather(*(_client(port, share, started + seconds, out) for share in shares))
    out.seconds = time.perf_counter() - started
    return out


def load(server: Server, queries: list[str], concurrency: int, seconds: float) -> Result:
    requests = [
        (
            f"GET {server.path}?query={quote(q)} HTTP/1.1\r\nHost: {HOST}:{server.port}\r\n"
            f"Accept: {ACCEPT}\r\nConnection: keep-alive\r\n\r\n"
        ).encode()
        for q in queries
    ]
    return asyncio.run(_load(server.port, requests, concurrency, seconds))


def workloads(store: EmbeddedStore, unseen: list[str] | None = None) -> dict[str, Callable[[int], list[str]]]:
    """Each workload makes n query texts (IRIs from the store itself).

    The uncached ones end in a comment numbered across the whole run, so no text is
    ever sent twice: no server can answer one from a cache.
    """
    serial = itertools.count()

    def fresh() -> str:
        return f" # {next(serial)}"

    in_scheme = f"<{SKOS_NS}inScheme>"
    found = store.select(f"SELECT DISTINCT ?c ?s WHERE {{ ?c {in_scheme} ?s }} ORDER BY ?c")
    concepts = [row["c"].value for row in found][:200]
    schemes = sorted({row["s"].value for row in found})

    def point(n: int, unique: bool = False) -> list[str]:
        pool = (unseen or concepts) if unique else concepts
        return [
            f"SELECT ?p ?o WHERE {{ <{pool[i % len(pool)]}> ?p ?o }}" + (fresh() if unique else "")
            for i in range(n)
        ]

    def join(n: int) -> list[str]:
        return [
            f"SELECT ?c ?label ?up WHERE {{ ?c {in_scheme} <{schemes[i % len(schemes)]}> ; "
            f"<{SKOS_NS}prefLabel> ?label ; <{SKOS_NS}broader> ?b . ?b <{SKOS_NS}prefLabel> ?up }}{fresh()}"
            for i in range(n)
        ]

    def aggregation(n: int) -> list[str]:
        text = f"SELECT ?s (COUNT(?c) AS ?n) WHERE {{ ?c {in_scheme} ?s }} GROUP BY ?s ORDER BY DESC(?n)"
        return [text + fresh() for _ in range(n)]

    return {
        "point": point,
        "point-uncached": lambda n: point(n, unique=True),
        "join": join,
        "aggregation": aggregation,
    }


def scaled_copy(settings: Settings, target: Path, triples: int) -> tuple[Settings, list[str]]:
    """A copy of the store with ``triples`` synthetic triples added: its settings, and 20,000 new subjects.

    Observations of ten triples each (type, label, indicator, area, period, value, unit,
    source, status, comment), bulk-loaded into a public graph of the build (the first
    framework's), so that every server sees them and ours serves them as public.
    """
    shutil.copytree(settings.store.resolve(), target)
    store = ox.Store(str(target))
    info = EmbeddedStore(settings.store).info
    graph = ox.NamedNode(next(g["iri"] for g in info.graphs if g["kind"] == "framework"))
    concepts = [q.subject for q in store.quads_for_pattern(None, ox.NamedNode(SKOS_NS + "inScheme"), None)]
    ex = "https://w3id.org/common-outcomes/id/bench/"
    p = {name: ox.NamedNode(ex + name) for name in
         ("indicator", "area", "period", "value", "unit", "source", "status", "comment")}  # fmt: skip
    kind, label = ox.NamedNode(ex + "Observation"), ox.NamedNode(SKOS_NS + "prefLabel")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    count = triples // 10

    def quads() -> Iterator[ox.Quad]:
        for i in range(count):
            s = ox.NamedNode(f"{ex}obs/{i}")
            for predicate, value in (
                (rdf_type, kind), (label, ox.Literal(f"Observation {i}", language="en")),
                (p["indicator"], concepts[i % len(concepts)]),
                (p["area"], ox.Literal(f"E{9000000 + i % 317}")),
                (p["period"], ox.Literal(str(2010 + i % 15))), (p["value"], ox.Literal(str(i % 1000 / 10))),
                (p["unit"], ox.Literal("per cent")), (p["source"], ox.NamedNode(f"{ex}source/{i % 50}")),
                (p["status"], ox.NamedNode(f"{ex}status/{i % 3}")),
                (p["comment"], ox.Literal(f"synthetic observation {i} for the scale benchmark")),
            ):  # fmt: skip
                yield ox.Quad(s, predicate, value, graph)

    store.bulk_extend(quads())
    store.flush()
    del store
    picked = random.Random(7).sample(range(count), min(20_000, count))
    return replace(settings, store=target), [f"{ex}obs/{i}" for i in picked]


def export(store: EmbeddedStore, folder: Path) -> Path:
    target = folder / "data.nq"
    with target.open("wb") as out:
        ox.serialize(store.quads(), out, format=ox.RdfFormat.N_QUADS)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of our server [1]")
    parser.add_argument(
        "--requests", type=int, default=3000, help="requests per run at concurrency 16 [3000]"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median counts [3]")
    parser.add_argument("--seconds", type=float, default=8.0, help="time limit of one run [8]")
    parser.add_argument("--quick", action="store_true", help="a tenth of the requests and one round")
    parser.add_argument(
        "--ceiling", action="store_true", help="also measure a bare uvicorn app that only runs the query"
    )
    parser.add_argument(
        "--scale", type=int, default=0, help="add this many synthetic triples to a copy of the store [0]"
    )
    args = parser.parse_args()
    # A terminated run still stops the servers it started (the ExitStack below unwinds).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    per_run = {1: max(args.requests // 6, 50), 16: args.requests}
    if args.quick:
        per_run = {c: max(n // 10, 20) for c, n in per_run.items()}
        args.rounds = 1

    settings = Settings.from_env()
    if not settings.store.exists():
        print(f"No store at {settings.store}; building it first.", file=sys.stderr)
        build(settings)
    with tempfile.TemporaryDirectory(prefix="og-bench-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        unseen = None
        if args.scale:
            settings, unseen = scaled_copy(settings, folder / "scaled", args.scale)
        store = EmbeddedStore(settings.store)
        loads = workloads(store, unseen)
        data = export(store, folder)
        size = data.stat().st_size // 1024
        print(f"Data: {len(store.raw)} triples, {size} KiB of N-Quads")
        specs = commands(settings, data, folder, args.workers, ceiling=args.ceiling, rdflib=not args.scale)
        servers = [stack.enter_context(running(*spec)) for spec in specs]
        check_same_answers(servers, loads)
        results = measure(servers, loads, per_run, args.rounds, args.seconds)
    report(results, loads, per_run, args.workers, args.rounds)


def commands(
    settings: Settings, data: Path, folder: Path, workers: int, *, ceiling: bool = False, rdflib: bool = True
) -> list[tuple[str, list[str], str, int]]:
    """How to start each server: name, command, SPARQL path, port."""
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(folder / "ox"), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    ox_port, our_port, rdflib_port = free_port(), free_port(), free_port()
    found = [
        ("oxigraph", [str(BIN / "oxigraph"), "serve", "--location", str(folder / "ox"),
                      "--bind", f"{HOST}:{ox_port}", "--union-default-graph"], "/query", ox_port),
        ("ours", [str(BIN / "outcomes-graph"), "--store", str(settings.store), "serve",
                  "--port", str(our_port), "--workers", str(workers)], "/sparql", our_port),
        ("rdflib", [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host", HOST,
                    "--port", str(rdflib_port)], "/", rdflib_port),
    ]  # fmt: skip
    if not rdflib:
        found = [spec for spec in found if spec[0] != "rdflib"]
    if ceiling:
        bare_port = free_port()
        bare = [sys.executable, str(Path(__file__).parent / "bare_asgi.py"), str(settings.store.resolve()),
                HOST, str(bare_port), str(workers)]  # fmt: skip
        found.append(("bare", bare, "/sparql", bare_port))
    return found


def check_same_answers(servers: list[Server], loads: dict[str, Callable[[int], list[str]]]) -> None:
    """The three servers must agree on every workload's answers (compared as sets of rows)."""
    for workload, make in loads.items():
        query = make(1)[0]
        answers = []
        for server in servers:
            response = httpx.get(
                f"http://{HOST}:{server.port}{server.path}",
                params={"query": query},
                headers={"accept": ACCEPT},
                timeout=60,
            )
            response.raise_for_status()
            rows = response.json()["results"]["bindings"]
            answers.append({tuple(sorted((k, v["value"]) for k, v in row.items())) for row in rows})
        if any(a != answers[0] for a in answers):
            sizes = {s.name: len(a) for s, a in zip(servers, answers, strict=True)}
            raise SystemExit(f"the servers disagree on {workload}: rows {sizes}")


def measure(
    servers: list[Server],
    loads: dict[str, Callable[[int], list[str]]],
    per_run: dict[int, int],
    rounds: int,
    seconds: float,
) -> dict[tuple[str, str, int], Result]:
    """Each (workload, concurrency) runs on every server in turn, ``rounds`` times; the median run counts.

    Interleaving keeps a change in the machine's load from favouring one server.
    """
    runs: dict[tuple[str, str, int], list[Result]] = {}
    for workload, make in loads.items():
        for concurrency, count in per_run.items():
            for _ in range(rounds):
                for server in servers:
                    if workload == "point":
                        load(server, make(WARM_UP * STEADY_CYCLES), 16, seconds)
                    queries = make(WARM_UP + count)
                    load(server, queries[:WARM_UP], concurrency, seconds)
                    r = load(server, queries[WARM_UP:], concurrency, seconds)
                    runs.setdefault((workload, server.name, concurrency), []).append(r)
                    print(
                        f"  {server.name:8} {workload:15} c={concurrency:<2} {r.throughput:8.0f} req/s  "
                        f"p50 {r.percentile(0.5):6.2f} ms  p99 {r.percentile(0.99):7.2f} ms  "
                        f"errors {r.errors}",
                        file=sys.stderr,
                    )
    return {key: sorted(found, key=lambda r: r.throughput)[len(found) // 2] for key, found in runs.items()}


def report(
    results: dict[tuple[str, str, int], Result],
    loads: dict[str, Callable[[int], list[str]]],
    per_run: dict[int, int],
    workers: int,
    rounds: int,
) -> None:
    print(
        f"\n/sparql (uvicorn workers: {workers}) vs oxigraph serve (on disk) vs rdflib-endpoint; "
        f"{os.cpu_count()} CPUs; median of {rounds} interleaved round(s)\n"
    )
    print(
        "| workload | conc. | oxigraph req/s | ours req/s | rdflib req/s | ours/oxigraph | ours/rdflib "
        "| p50 ms (ox / ours / rdflib) | p99 ms (ox / ours / rdflib) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for workload in loads:
        for concurrency in per_run:
            ox_r, ours = results[workload, "oxigraph", concurrency], results[workload, "ours", concurrency]
            rdf = results.get((workload, "rdflib", concurrency))  # left out at --scale
            p50 = " / ".join(f"{r.percentile(0.5):.2f}" if r else "-" for r in (ox_r, ours, rdf))
            p99 = " / ".join(f"{r.percentile(0.99):.2f}" if r else "-" for r in (ox_r, ours, rdf))
            versus_rdflib = f"{ours.throughput / max(rdf.throughput, 1e-9):.1f}x" if rdf else "-"
            print(
                f"| {workload} | {concurrency} | {ox_r.throughput:.0f} | {ours.throughput:.0f} "
                f"| {f'{rdf.throughput:.0f}' if rdf else '-'} | {ours.throughput / ox_r.throughput:.2f}x "
                f"| {versus_rdflib} | {p50} | {p99} |"
            )
    bare = [key for key in results if key[1] == "bare"]
    if bare:
        print("\nCeiling: a bare uvicorn app that only runs the query (bare_asgi.py)\n")
        print("| workload | conc. | bare req/s | bare/oxigraph | ours/bare |")
        print("|---|---|---|---|---|")
        for workload, _, concurrency in bare:
            top, ours, ox_r = (results[workload, name, concurrency] for name in ("bare", "ours", "oxigraph"))
            print(
                f"| {workload} | {concurrency} | {top.throughput:.0f} "
                f"| {top.throughput / ox_r.throughput:.2f}x | {ours.throughput / top.throughput:.2f}x |"
            )
    errors = {k: r.errors for k, r in results.items() if r.errors}
    if errors:
        print(f"\nNon-200 answers: {errors}")


if __name__ == "__main__":
    main()
