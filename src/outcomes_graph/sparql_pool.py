"""A pool of query worker processes that asyncio code can wait on, time out and replace.

pyoxigraph has no timeout and no cancellation, so a query that must be stopped is
stopped by killing the process that runs it; a fresh worker takes its place. The
event loop never blocks on a worker: it waits for the answer pipe to become readable.

Exceptions::

    PoolError
    ├── PoolBusy         no worker came free before the deadline (the query never started)
    ├── QueryTimedOut    the query ran past the deadline; its worker was killed and replaced
    └── WorkerFailed     the worker died while it ran the query; it was replaced
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections import deque
from collections.abc import Sequence

from outcomes_graph.sparql_worker import ANSWER, LENGTH

__all__ = ["PoolBusy", "PoolError", "QueryTimedOut", "WorkerFailed", "WorkerPool", "default_pool_size"]

WORKER_COMMAND: tuple[str, ...] = (sys.executable, "-m", "outcomes_graph.sparql_worker")


def default_pool_size() -> int:
    """One worker per CPU, at least two (so one runaway query never blocks all), at most eight."""
    return max(2, min(os.cpu_count() or 2, 8))


class PoolError(Exception):
    """Base class of the pool's failures."""


class PoolBusy(PoolError):
    """Every worker stayed busy until the deadline."""


class QueryTimedOut(PoolError):
    """The query outran its deadline and its worker was killed."""


class WorkerFailed(PoolError):
    """The worker exited or broke its pipe while it ran a query."""


class _Worker:
    def __init__(self, command: Sequence[str]) -> None:
        self.proc = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        stdin, stdout = self.proc.stdin, self.proc.stdout
        if stdin is None or stdout is None:  # pragma: no cover (both are PIPE)
            raise WorkerFailed("the query worker has no pipes")
        self.jobs, self.answers = stdin.fileno(), stdout.fileno()
        os.set_blocking(self.answers, False)
        self.buffer = bytearray()
        self.ready = False
        self.isolated = False

    def send(self, payload: bytes) -> None:
        data = memoryview(LENGTH.pack(len(payload)) + payload)
        try:
            while data:
                data = data[os.write(self.jobs, data) :]
        except OSError as exc:
            raise WorkerFailed(f"the query worker {self.proc.pid} is gone: {exc}") from None

    async def answer(self, deadline: float) -> tuple[bytes, bytes]:
        """The next answer (the worker's ready frame is skipped); TimeoutError after ``deadline``."""
        frame = self._next()
        if frame is not None:
            return frame
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[tuple[bytes, bytes]] = loop.create_future()

        def readable() -> None:
            try:
                chunk = os.read(self.answers, 1 << 16)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if waiter.done():
                return
            if not chunk:
                waiter.set_exception(WorkerFailed(f"the query worker {self.proc.pid} exited"))
                return
            self.buffer += chunk
            taken = self._next()
            if taken is not None:
                waiter.set_result(taken)

        def expire() -> None:
            if not waiter.done():
                waiter.set_exception(TimeoutError())

        loop.add_reader(self.answers, readable)
        timer = loop.call_at(deadline, expire)
        try:
            return await waiter
        finally:
            timer.cancel()
            loop.remove_reader(self.answers)

    def _next(self) -> tuple[bytes, bytes] | None:
        while (frame := self._take()) is not None:
            if self.ready:
                return frame
            self.ready = True
            self.isolated = b'"isolated":true' in frame[0]
        return None

    def _take(self) -> tuple[bytes, bytes] | None:
        if len(self.buffer) < ANSWER.size:
            return None
        head, size = ANSWER.unpack_from(self.buffer)
        end = ANSWER.size + head + size
        if len(self.buffer) < end:
            return None
        frame = (
            bytes(self.buffer[ANSWER.size : ANSWER.size + head]),
            bytes(self.buffer[ANSWER.size + head : end]),
        )
        del self.buffer[:end]
        return frame

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


class WorkerPool:
    """``size`` worker processes; :meth:`run` sends one job to a free one and awaits its answer.

    Workers start on first use (or :meth:`start`). :meth:`close` stops them all.
    """

    def __init__(self, size: int | None = None, *, command: Sequence[str] = WORKER_COMMAND) -> None:
        self.size = size or default_pool_size()
        self.command = tuple(command)
        self.killed = 0
        self._idle: deque[_Worker] = deque()
        self._all: set[_Worker] = set()
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._closed = False

    def start(self) -> None:
        while len(self._all) < self.size and not self._closed:
            self._release(self._spawn())

    async def run(self, payload: bytes, *, timeout: float) -> tuple[bytes, bytes]:
        """Run one job; its header and body. Raises a :class:`PoolError` on busy, timeout or crash."""
        if self._closed:
            raise WorkerFailed("the query pool is closed")
        self.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        worker = self._idle.popleft() if self._idle else await self._acquire(deadline)
        try:
            worker.send(payload)
            answer = await worker.answer(deadline)
        except TimeoutError:
            self.killed += 1
            self._replace(worker)
            raise QueryTimedOut(f"the query ran for more than {timeout:g} s") from None
        except BaseException:
            # A crash, or the request was cancelled mid-query: the worker's state is unknown.
            self._replace(worker)
            raise
        self._release(worker)
        return answer

    def close(self) -> None:
        self._closed = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.cancel()
        for worker in list(self._all):
            worker.stop()
        self._all.clear()
        self._idle.clear()

    @property
    def isolated(self) -> bool:
        """Whether every started worker runs without network access."""
        started = [w for w in self._all if w.ready]
        return bool(started) and all(w.isolated for w in started)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.command)
        self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.stop()
        if not self._closed:
            self._release(self._spawn())

    async def _acquire(self, deadline: float) -> _Worker:
        if self._idle:
            return self._idle.popleft()
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[_Worker] = loop.create_future()
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter, max(deadline - loop.time(), 0.001))
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())
            if isinstance(exc, TimeoutError):
                raise PoolBusy("every query worker stayed busy") from None
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def _release(self, worker: _Worker) -> None:
        if self._closed or worker not in self._all:
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)
