"""Query threads inside the server process: a bounded number of queries at once, each with a deadline.

A query on a thread costs no process hop (pyoxigraph releases the GIL while it
evaluates and serialises), but it cannot be stopped: pyoxigraph has no cancellation.
So a query that outruns its deadline is abandoned, its thread keeps its slot, and
``on_overrun`` is called, which is expected to replace the whole process
(``sparql_recycle``). Each job is one synchronous call that both runs the query and
serialises its answer, so no pyoxigraph result ever crosses threads (DESIGN §7).

Every thread takes the network away from itself before its first job
(``sparql_sandbox``). The threads are daemons: an abandoned query must never hold up
the process's exit.

Raises the pool's errors, so callers handle both runners alike: ``PoolBusy`` when no
slot comes free before the deadline (the job never started), ``QueryTimedOut`` when
the job ran past it.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from outcomes_graph.sparql_pool import PoolBusy, QueryTimedOut, WorkerFailed
from outcomes_graph.sparql_sandbox import forbid_network

__all__ = ["QueryThreads"]

T = TypeVar("T")
_Job = tuple[Callable[[], Any], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


class _Overran(Exception):
    """Set on a job's future when its deadline passes first."""


class QueryThreads:
    """``size`` threads; :meth:`run` runs one job on a free one and awaits it until the deadline."""

    def __init__(self, size: int, *, on_overrun: Callable[[], None]) -> None:
        if size < 1:
            raise ValueError("a query thread pool needs at least one thread")
        self.size = size
        self.on_overrun = on_overrun
        self.overruns = 0
        self._free = size
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._threads: list[threading.Thread] = []
        self._isolated: list[bool] = []
        self._closed = False

    @property
    def running(self) -> int:
        """Jobs holding a slot now, abandoned ones included."""
        return self.size - self._free

    @property
    def isolated(self) -> bool:
        """Whether every started thread has lost its network."""
        return bool(self._isolated) and all(self._isolated)

    def start(self) -> None:
        while len(self._threads) < self.size and not self._closed:
            ready = threading.Event()
            thread = threading.Thread(
                target=self._serve, args=(ready,), name=f"sparql-query-{len(self._threads)}", daemon=True
            )
            thread.start()
            ready.wait()
            self._threads.append(thread)

    async def run(self, job: Callable[[], T], *, timeout: float) -> T:
        """``job()`` on a query thread; raises ``PoolBusy`` or ``QueryTimedOut`` past ``timeout`` seconds."""
        if self._closed:
            raise WorkerFailed("the query threads are closed")
        if not self._threads:
            self.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if self._free:
            self._free -= 1
        else:
            await self._acquire(loop, deadline)
        answer: asyncio.Future[T] = loop.create_future()
        timer = loop.call_at(deadline, _expire, answer)
        self._jobs.put((job, loop, answer))
        try:
            return await answer
        except _Overran:
            self.overruns += 1
            self.on_overrun()
            raise QueryTimedOut(f"the query ran for more than {timeout:g} s") from None
        finally:
            timer.cancel()

    def close(self) -> None:
        """Stop the idle threads (a running job finishes first); waiting callers are cancelled."""
        self._closed = True
        for waiter in self._waiters:
            waiter.cancel()
        for _ in self._threads:
            self._jobs.put(None)

    async def _acquire(self, loop: asyncio.AbstractEventLoop, deadline: float) -> None:
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_at(deadline, _expire, waiter)
        try:
            await waiter
        except _Overran:
            raise PoolBusy("every query thread stayed busy") from None
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release()  # the slot was handed over as this caller gave up: pass it on
            raise
        finally:
            timer.cancel()
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _release(self) -> None:
        """A slot came free (called on the event loop): hand it to the next waiter, else keep it."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1

    def _settle(self, answer: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
        self._release()
        if answer.done():  # overran (or its caller went away): nobody reads it
            return
        if error is None:
            answer.set_result(result)
        else:
            answer.set_exception(error)

    def _serve(self, ready: threading.Event) -> None:
        self._isolated.append(forbid_network())
        ready.set()
        while (item := self._jobs.get()) is not None:
            job, loop, answer = item
            result: Any = None
            error: BaseException | None = None
            try:
                result = job()
            except Exception as exc:  # handed to the caller, who re-raises it on the loop
                error = exc
            try:
                loop.call_soon_threadsafe(self._settle, answer, result, error)
            except RuntimeError:  # the loop is closed: the process is going down
                return


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(_Overran())
