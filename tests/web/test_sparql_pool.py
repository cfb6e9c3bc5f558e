"""The query worker pool: answers, timeouts that kill and replace, busy pools, crashed workers, no network."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.sparql_exec import Job
from outcomes_graph.sparql_pool import PoolBusy, QueryTimedOut, WorkerFailed, WorkerPool

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sparql-pool")
    return build(mini_settings_in(root)).folder


def job(folder: Path, query: str = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") -> bytes:
    payload = Job(query, str(folder), None, None, "json", "turtle", max_rows=100)
    return payload.encode()


def count(answer: tuple[bytes, bytes]) -> int:
    header, body = answer
    assert json.loads(header)["status"] == 200
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_a_job_is_answered(folder):
    async def scenario() -> int:
        pool = WorkerPool(1)
        try:
            return count(await pool.run(job(folder), timeout=30))
        finally:
            pool.close()

    assert asyncio.run(scenario()) > 100


def test_a_query_past_its_deadline_kills_its_worker_and_a_new_one_serves(folder):
    async def scenario() -> tuple[int, int]:
        pool = WorkerPool(1)
        try:
            await pool.run(job(folder), timeout=30)
            (first,) = [w.proc.pid for w in pool._all]
            with pytest.raises(QueryTimedOut):
                await pool.run(job(folder, ENDLESS), timeout=1)
            (second,) = [w.proc.pid for w in pool._all]
            assert second != first
            assert pool.killed == 1
            return count(await pool.run(job(folder), timeout=30)), first
        finally:
            pool.close()

    answered, killed_pid = asyncio.run(scenario())
    assert answered > 100
    with pytest.raises(ProcessLookupError):
        os.kill(killed_pid, 0)


def test_a_busy_pool_answers_busy_without_running_the_query(folder):
    async def scenario() -> None:
        pool = WorkerPool(1)
        try:
            await pool.run(job(folder), timeout=30)
            endless = asyncio.ensure_future(pool.run(job(folder, ENDLESS), timeout=3))
            await asyncio.sleep(0.2)
            with pytest.raises(PoolBusy):
                await pool.run(job(folder), timeout=0.5)
            with pytest.raises(QueryTimedOut):
                await endless
        finally:
            pool.close()

    asyncio.run(scenario())


def test_a_waiting_query_gets_the_next_free_worker(folder):
    async def scenario() -> list[int]:
        pool = WorkerPool(1)
        try:
            runs = [pool.run(job(folder), timeout=30) for _ in range(5)]
            return [count(a) for a in await asyncio.gather(*runs)]
        finally:
            pool.close()

    assert len(set(asyncio.run(scenario()))) == 1


def test_a_dead_worker_is_reported_and_replaced(folder):
    async def scenario() -> int:
        pool = WorkerPool(1)
        try:
            await pool.run(job(folder), timeout=30)
            (worker,) = pool._all
            os.kill(worker.proc.pid, signal.SIGKILL)
            worker.proc.wait()
            with pytest.raises(WorkerFailed):
                await pool.run(job(folder), timeout=30)
            return count(await pool.run(job(folder), timeout=30))
        finally:
            pool.close()

    assert asyncio.run(scenario()) > 100


def test_close_stops_every_worker(folder):
    async def scenario() -> list[int]:
        pool = WorkerPool(2)
        pool.start()
        await pool.run(job(folder), timeout=30)
        pids = [w.proc.pid for w in pool._all]
        pool.close()
        return pids

    for pid in asyncio.run(scenario()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_worker_cannot_reach_the_network():
    """Defence in depth behind the SERVICE check: where Linux lets it, a worker has no network at all."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        probe = (
            "import socket, sys\n"
            "from outcomes_graph.sparql_worker import isolate_network\n"
            "if not isolate_network(): sys.exit(3)\n"
            "try:\n"
            f"    socket.create_connection(('127.0.0.1', {server.getsockname()[1]}), timeout=2)\n"
            "except OSError:\n"
            "    sys.exit(0)\n"
            "sys.exit(1)\n"
        )
        code = subprocess.run([sys.executable, "-c", probe], timeout=30).returncode
    if code == 3:
        pytest.skip("this kernel does not let an unprivileged process leave the network namespace")
    assert code == 0
