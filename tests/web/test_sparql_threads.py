"""Query threads: answers, deadlines that abandon a job and ask for a new process, the bound, no network."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from outcomes_graph.sparql_pool import PoolBusy, QueryTimedOut
from outcomes_graph.sparql_sandbox import forbid_network
from outcomes_graph.sparql_threads import QueryThreads


class Gate:
    """Jobs that block until the test opens the gate (a stand-in for a query that never ends)."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.entered = threading.Semaphore(0)

    def job(self, value: str = "late") -> str:
        self.entered.release()
        self.open.wait(30)
        return value


@pytest.fixture
def gate() -> Iterator[Gate]:
    found = Gate()
    yield found
    found.open.set()


def test_a_job_is_answered_on_another_thread():
    async def scenario() -> tuple[int, int]:
        threads = QueryThreads(2, on_overrun=lambda: None)
        try:
            return await threads.run(threading.get_ident, timeout=10), threading.get_ident()
        finally:
            threads.close()

    worker, loop = asyncio.run(scenario())
    assert worker != loop


def test_an_error_in_a_job_reaches_the_caller_and_frees_the_slot():
    def broken() -> None:
        raise ValueError("bad query")

    async def scenario() -> int:
        threads = QueryThreads(1, on_overrun=lambda: None)
        try:
            with pytest.raises(ValueError, match="bad query"):
                await threads.run(broken, timeout=10)
            await threads.run(lambda: None, timeout=10)
            return threads.running
        finally:
            threads.close()

    assert asyncio.run(scenario()) == 0


def test_a_job_past_its_deadline_is_abandoned_keeps_its_slot_and_asks_for_a_new_process(gate):
    overruns: list[bool] = []

    async def scenario() -> tuple[int, str]:
        threads = QueryThreads(2, on_overrun=lambda: overruns.append(True))
        try:
            with pytest.raises(QueryTimedOut, match=r"more than 0\.2 s"):
                await threads.run(gate.job, timeout=0.2)
            held = threads.running
            # The other slot still serves.
            return held, await threads.run(lambda: "answered", timeout=10)
        finally:
            threads.close()

    assert asyncio.run(scenario()) == (1, "answered")
    assert overruns == [True]


def test_no_more_jobs_run_at_once_than_there_are_threads(gate):
    """The bound: with both threads taken, a third job waits, and gets 'busy' at its deadline."""

    async def scenario() -> tuple[int, str]:
        threads = QueryThreads(2, on_overrun=lambda: None)
        try:
            running = [asyncio.ensure_future(threads.run(gate.job, timeout=30)) for _ in range(2)]
            for _ in running:
                await asyncio.to_thread(gate.entered.acquire)
            with pytest.raises(PoolBusy):
                await threads.run(lambda: "never", timeout=0.3)
            taken = threads.running
            waiting = asyncio.ensure_future(threads.run(lambda: "next", timeout=30))
            await asyncio.sleep(0.1)
            assert not waiting.done()
            gate.open.set()
            await asyncio.gather(*running)
            return taken, await waiting
        finally:
            threads.close()

    assert asyncio.run(scenario()) == (2, "next")


def test_query_threads_cannot_reach_the_network():
    """Defence in depth behind the SERVICE check, for queries run in the server process itself."""

    async def scenario() -> tuple[bool, str]:
        threads = QueryThreads(1, on_overrun=lambda: None)
        try:

            def connect() -> str:
                try:
                    socket.socket().close()
                except OSError as exc:
                    return type(exc).__name__
                return "connected"

            return (await threads.run(connect, timeout=10)), threads.isolated
        finally:
            threads.close()

    outcome, isolated = asyncio.run(scenario())
    if not isolated:
        pytest.skip("this kernel does not let a thread install a seccomp filter")
    assert outcome == "PermissionError"
    socket.socket().close()  # the calling thread keeps its network


def test_a_service_call_on_a_sandboxed_thread_fails_and_opens_no_connection():
    """Even a SERVICE call that slipped past the text check reaches no server."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.5)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/sparql"
        outcome: dict[str, object] = {}

        def run() -> None:
            outcome["isolated"] = forbid_network()
            try:
                outcome["answer"] = bool(ox.Store().query(f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"))
            except OSError as exc:
                outcome["error"] = str(exc)

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(30)
        if not outcome["isolated"]:
            pytest.skip("this kernel does not let a thread install a seccomp filter")
        assert "error" in outcome
        with pytest.raises(TimeoutError):
            server.accept()
