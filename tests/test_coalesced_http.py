"""``coalesced_http``: what is written in one step of the event loop leaves in one write, and nothing is lost.

Each test drives a real transport of uvloop (the server's loop) over a socket pair and
reads the other end; an error raised in a loop callback fails the test. (Every answer of
the real server in ``tests/web`` goes through the protocol.)
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import uvloop

from outcomes_graph.coalesced_http import CoalescingTransport

T = TypeVar("T")


def run(scenario: Coroutine[Any, Any, T]) -> T:
    """``scenario`` on a fresh uvloop loop; raises what any callback of the loop raised."""
    loop = uvloop.new_event_loop()
    failures: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: failures.append(context))
    try:
        result = loop.run_until_complete(scenario)
    finally:
        loop.close()
    assert not failures, failures
    return result


@asynccontextmanager
async def connected() -> AsyncIterator[tuple[CoalescingTransport, socket.socket]]:
    ours, theirs = socket.socketpair()
    theirs.setblocking(False)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, ours)
    try:
        yield CoalescingTransport(transport, loop), theirs  # type: ignore[arg-type]
    finally:
        transport.close()
        theirs.close()


def waiting(peer: socket.socket) -> bytes:
    try:
        return peer.recv(65536)
    except BlockingIOError:
        return b""


async def received(peer: socket.socket, size: int) -> bytes:
    data = b""
    for _ in range(200):
        data += waiting(peer)
        if len(data) >= size:
            break
        await asyncio.sleep(0.005)
    return data


def test_writes_of_one_step_are_held_and_then_sent_together() -> None:
    async def scenario() -> tuple[bytes, bytes]:
        async with connected() as (transport, peer):
            transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
            transport.write(memoryview(b"ok"))
            held = waiting(peer)
            return held, await received(peer, 40)

    held, sent = run(scenario())
    assert held == b""
    assert sent == b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


def test_closing_sends_what_is_held_first() -> None:
    async def scenario() -> bytes:
        async with connected() as (transport, peer):
            transport.write(b"last words")
            transport.close()
            return await received(peer, 10)

    assert run(scenario()) == b"last words"


def test_a_stream_leaves_chunk_by_chunk_as_the_writer_awaits() -> None:
    async def scenario() -> list[bytes]:
        async with connected() as (transport, peer):
            seen = []
            for chunk in (b"one", b"two", b"three"):
                transport.write(chunk)
                seen.append(await received(peer, len(chunk)))
            return seen

    assert run(scenario()) == [b"one", b"two", b"three"]


def test_data_written_after_the_connection_is_gone_is_dropped_quietly() -> None:
    """uvloop raises on a write to a closed transport; held data must not make the flush raise."""

    async def scenario() -> int:
        async with connected() as (transport, _):
            transport._transport.abort()
            await asyncio.sleep(0.01)
            transport.write(b"never sent")
            await asyncio.sleep(0.01)
            return transport.get_write_buffer_size()

    assert run(scenario()) == 0
