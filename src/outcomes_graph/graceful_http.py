"""uvicorn's protocol, answering the first request of a connection that arrives as the server shuts down.

When a uvicorn worker stops (``sparql_recycle`` after an abandoned query, or SIGTERM),
it stops accepting and closes every connection that has no request in flight. A
client that has just connected has usually sent its request already, but the bytes
may not have been read yet: closing then makes the kernel reset the connection, and
the client sees ``Connection reset by peer`` for a request it sent to a live server.
:class:`GracefulHttpTools` gives a connection that has sent nothing yet
:data:`FIRST_REQUEST_GRACE` seconds to do so; its request is answered with
``connection: close``, and then it closes. Connections that have served requests
before are closed as uvicorn closes them: a keep-alive client expects that.
"""

from __future__ import annotations

from typing import Final

from outcomes_graph.direct_http import DirectHttpTools

__all__ = ["FIRST_REQUEST_GRACE", "GracefulHttpTools"]

#: Seconds a connection accepted just before shutdown has to send its first request.
FIRST_REQUEST_GRACE: Final = 2.0


class GracefulHttpTools(DirectHttpTools):
    """:class:`DirectHttpTools` that lets a fresh connection's first request through a shutdown."""

    _received = False
    _started = False
    _draining = False

    def data_received(self, data: bytes) -> None:
        self._received = True
        super().data_received(data)

    def shutdown(self) -> None:
        if self._received or self.transport.is_closing():
            super().shutdown()
            return
        self._draining = True
        self.loop.call_later(FIRST_REQUEST_GRACE, self._give_up)

    def _give_up(self) -> None:
        # Not even a whole request head in time (nothing, or a trickle): close as uvicorn would have.
        if not self._started and not self.transport.is_closing():
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._started = True
        super().on_headers_complete()
        if self._draining and self.cycle is not None:
            self.cycle.keep_alive = False

    def _keep_alive(self) -> bool:
        return not self._draining and super()._keep_alive()
