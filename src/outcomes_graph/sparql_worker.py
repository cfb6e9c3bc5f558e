"""A query worker process: reads jobs on stdin, answers on stdout, one at a time.

Started by :class:`outcomes_graph.sparql_pool.WorkerPool` as
``python -m outcomes_graph.sparql_worker``. It opens each build's store with
``Store.read_only`` and reopens when a job names a newer build. It is killed when a
query runs too long, which is the only way to stop a pyoxigraph query.

Before anything else it moves into a network namespace of its own where one can be
made, so that even a query that slipped past the SERVICE check could reach no host.

Frames: a job is ``u32 length`` + JSON; an answer is ``u32 header length``,
``u32 body length``, the JSON header (an ``Outcome`` without its body), the body.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys

__all__ = ["main", "read_frame", "write_answer"]

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
LENGTH = struct.Struct(">I")
ANSWER = struct.Struct(">II")


def isolate_network() -> bool:
    """Leave the host's network (Linux namespaces); True when no outbound connection is possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    return any(libc.unshare(flags) == 0 for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET))


def read_exactly(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> bytes | None:
    head = read_exactly(fd, LENGTH.size)
    if head is None:
        return None
    return read_exactly(fd, LENGTH.unpack(head)[0])


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_answer(fd: int, header: bytes, body: bytes) -> None:
    write_all(fd, ANSWER.pack(len(header), len(body)) + header + body)


def main() -> None:
    isolated = isolate_network()
    import orjson
    import pyoxigraph as ox

    from outcomes_graph.sparql_exec import Job, Outcome, run_job

    jobs, answers = sys.stdin.fileno(), sys.stdout.fileno()
    sys.stdout = sys.stderr  # nothing else may write into the answer pipe
    write_answer(answers, orjson.dumps({"ready": True, "isolated": isolated}), b"")
    path, store = "", None
    while (frame := read_frame(jobs)) is not None:
        job = Job(**orjson.loads(frame))
        if job.store != path or store is None:
            store, path = None, job.store
            try:
                store = ox.Store.read_only(path)
            except OSError as exc:
                refusal = Outcome(
                    503, code="store-unavailable", detail=f"cannot open the store {path}: {exc}"
                )
                write_answer(answers, refusal.header(), b"")
                continue
        outcome = run_job(store, job)
        write_answer(answers, outcome.header(), outcome.body)


if __name__ == "__main__":
    main()
