"""Running the app under uvicorn: worker processes on one port, under a supervisor.

The supervisor (``uvicorn.supervisors.Multiprocess``) runs even for one worker: it
starts a fresh worker whenever one exits, which is what lets a worker run SPARQL
queries on its own threads and leave when one of them cannot be stopped
(``web.asgi.supervised_app_factory``, ``sparql_recycle``).

On Linux each worker also listens on a socket of its own, bound to the same port with
``SO_REUSEPORT``, so the kernel spreads new connections over the workers. With only the
shared socket, the first worker to wake accepts every waiting connection at once, and a
keep-alive client's 16 connections all landed on one worker while the others idled
(bench/README.md). The shared socket stays in the group: the supervisor holds it open,
so while a worker is replaced, connections wait in its queue instead of being refused.
Elsewhere the workers share the supervisor's socket only.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess, multiprocess

from outcomes_graph.errors import UsageError
from outcomes_graph.graceful_http import GracefulHttpTools
from outcomes_graph.settings import Settings

__all__ = ["run_server"]

APP_FACTORY = "outcomes_graph.web.asgi:supervised_app_factory"


#: Whether workers listen on sockets of their own: the kernel balances SO_REUSEPORT groups only on Linux.
OWN_SOCKETS = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int, *, reuse_port: bool = OWN_SOCKETS) -> socket.socket:
    """A TCP socket created with IPPROTO_TCP, bound but not yet listening.

    uvicorn's own shared socket (``workers > 1``) is created with protocol 0, so asyncio
    never sets TCP_NODELAY on its connections and every keep-alive answer waits ~40 ms for
    a delayed ACK; creating it here avoids that. With ``reuse_port``, other sockets of
    this user may bind the same address too (each worker's own, :class:`OwnSocketProcess`).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class OwnSocketProcess(multiprocess.Process):
    """A uvicorn worker that listens on a socket of its own as well as on the supervisor's shared one.

    The kernel spreads connections over every listening socket of the group: a worker's
    own queue is accepted by that worker alone, the shared queue by whichever worker
    wakes first, and the shared one outlives every worker.
    """

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # runs in the worker
        shared = sockets or []
        own = [listening_socket(*sock.getsockname()[:2], reuse_port=True) for sock in shared]
        super().target([*own, *shared])


def refuse_taken_address(host: str, port: int) -> None:
    """``UsageError`` when something already listens on ``host:port``.

    Binding with ``SO_REUSEPORT`` succeeds beside any other ``SO_REUSEPORT`` socket of
    this user, a second ``outcomes-graph serve`` included, which would then silently
    share the port. A plain bind first makes that an error, as it always was.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}; is another server running there? "
                "Stop it, or choose another --port."
            ) from None


def run_server(settings: Settings) -> None:
    """Serve until interrupted. Workers rebuild ``settings`` from the environment (see ``web.asgi``)."""
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="warning",
        # One request per connection is rare for API clients; keep connections open a while.
        timeout_keep_alive=30,
        # At log level "warning" no access line is printed, but uvicorn still formats each one.
        access_log=False,
        # Each answer's head and body in one write (coalesced_http), a ready /sparql answer
        # written without an ASGI task (direct_http), and a connection's first request
        # answered even as the worker shuts down (graceful_http).
        http=GracefulHttpTools,
        # No "server: uvicorn" on every answer: it tells clients nothing they need.
        server_header=False,
    )
    # Again, though `serve` checked before building: the port may have been taken since, and
    # the SO_REUSEPORT bind below would then succeed beside the other server.
    refuse_taken_address(settings.host, settings.port)
    sock = listening_socket(settings.host, settings.port)
    if OWN_SOCKETS:
        # uvicorn's supervisor makes its workers from this module-level name (uvicorn is
        # pinned in pyproject.toml; test_connections_are_spread_over_the_workers checks it).
        multiprocess.Process = OwnSocketProcess  # type: ignore[misc]
    Multiprocess(config, sockets=[sock]).run()
