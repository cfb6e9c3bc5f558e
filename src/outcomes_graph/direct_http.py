"""uvicorn's protocol, answering the requests an app can answer at once without making an ASGI task.

For every request uvicorn builds a scope, a ``RequestResponseCycle`` with its event, a
task that runs the app, and two ``send`` messages that it checks and turns into bytes.
For a point lookup on ``/sparql`` that machinery costs about as much Python as the
endpoint's own work. :class:`DirectHttpTools` asks the app first: an app with an
``answer_at_once(method, query_string, headers)`` method (:class:`AnswersAtOnce`;
``web.asgi.SparqlFirst``) returns the status, headers and body of a GET or HEAD to
``/sparql`` when it needs no waiting, and the protocol writes them itself. When it
returns None (a query that needs a query runner, a fault), the request takes uvicorn's
own way, untouched.

Only the plainest requests are asked about: GET or HEAD, HTTP/1.1, ``/sparql?`` with
a query string, no body, no upgrade, no earlier request of the connection still
being answered (a pipelined request waits its turn as before), and a client that reads
its answers (while the transport's buffer is over its high-water mark, uvicorn's way
waits for it to drain and stops reading). The answer is framed
as uvicorn frames it: its default headers (``date``) first, ``connection: close``
when the client asked for it (and the connection is then closed), and the
keep-alive timer armed again afterwards.

Unseen point lookups at concurrency 1 went from 0.69x to 1.02x of a bare uvicorn app
that only runs the query, in interleaved rounds on 2 CPUs (bench/README.md, run K).
"""

from __future__ import annotations

import asyncio
from typing import Protocol, cast

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.httptools_impl import STATUS_LINE

from outcomes_graph.coalesced_http import CoalescedHttpTools, CoalescingTransport

__all__ = ["PATH_PREFIX", "AnswersAtOnce", "DirectHttpTools"]

Headers = list[tuple[bytes, bytes]]
#: The request target the protocol asks the app about: ``/sparql`` with a query string.
PATH_PREFIX = b"/sparql?"
_BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})


class AnswersAtOnce(Protocol):
    def answer_at_once(
        self, method: str, query_string: bytes, headers: Headers
    ) -> tuple[int, Headers, bytes] | None: ...


def answering_app(app: object) -> AnswersAtOnce | None:
    """The app behind uvicorn's proxy-headers wrapper, if it answers at once (any other wrapper: None)."""
    if isinstance(app, ProxyHeadersMiddleware):
        app = app.app
    return cast("AnswersAtOnce", app) if callable(getattr(app, "answer_at_once", None)) else None


class DirectHttpTools(CoalescedHttpTools):
    """:class:`CoalescedHttpTools` that writes an app's ready answers without an ASGI task."""

    _answering: AnswersAtOnce | None = None
    _direct = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        plain = not self.root_path and self.limit_concurrency is None
        self._answering = answering_app(self.app) if plain else None

    def on_headers_complete(self) -> None:
        if self._answering is not None and self._can_ask():
            # Answered (or handed to uvicorn's own way) once the message is complete.
            self._direct = True
            return
        super().on_headers_complete()

    def _can_ask(self) -> bool:
        parser = self.parser
        url = self.url
        if not url.startswith(PATH_PREFIX) or b"#" in url or parser.get_method() not in (b"GET", b"HEAD"):
            return False
        if parser.get_http_version() != "1.1" or parser.should_upgrade():
            return False
        if self.cycle is not None and not self.cycle.response_complete:
            return False  # an earlier request of this connection is still being answered
        if self.flow.write_paused:
            # The client is not reading: uvicorn's way waits for the buffer to drain and stops
            # reading meanwhile, where answering at once would buffer without bound.
            return False
        # Without Content-Length or Transfer-Encoding an HTTP/1.1 request has no body.
        return not any(name in _BODY_HEADERS for name, _ in self.headers)

    def on_message_complete(self) -> None:
        if not self._direct:
            super().on_message_complete()
            return
        self._direct = False
        method = self.parser.get_method().decode("ascii")
        assert self._answering is not None
        reply = self._answering.answer_at_once(method, self.url[len(PATH_PREFIX) :], self.headers)
        if reply is None:
            super().on_headers_complete()
            super().on_message_complete()
            return
        keep_alive = self._keep_alive()
        self._write(*reply, keep_alive=keep_alive)
        if not keep_alive:
            self.transport.close()
        self.on_response_complete()

    def _keep_alive(self) -> bool:
        """Whether the connection stays open after a direct answer (the client's wish, by default)."""
        return bool(self.parser.should_keep_alive())

    def _write(self, status: int, headers: Headers, body: bytes, *, keep_alive: bool) -> None:
        content = [STATUS_LINE[status]]
        for name, value in (*self.server_state.default_headers, *headers):
            content += (name, b": ", value, b"\r\n")
        if not keep_alive:
            content.append(b"connection: close\r\n")
        content += (b"\r\n", body)
        cast("CoalescingTransport", self.transport).write_now(b"".join(content))
