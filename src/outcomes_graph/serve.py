"""Running the app under uvicorn: worker processes sharing one listening socket, under a supervisor.

The supervisor (``uvicorn.supervisors.Multiprocess``) runs even for one worker: it
starts a fresh worker whenever one exits, which is what lets a worker run SPARQL
queries on its own threads and leave when one of them cannot be stopped
(``web.asgi.supervised_app_factory``, ``sparql_recycle``).
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from outcomes_graph.settings import Settings

__all__ = ["run_server"]

APP_FACTORY = "outcomes_graph.web.asgi:supervised_app_factory"


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket created with IPPROTO_TCP.

    uvicorn's own shared socket (``workers > 1``) is created with protocol 0, so asyncio
    never sets TCP_NODELAY on its connections and every keep-alive answer waits ~40 ms for
    a delayed ACK; creating it here avoids that.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


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
    )
    sock = listening_socket(settings.host, settings.port)
    Multiprocess(config, sockets=[sock]).run()
