"""HTTP caching for every GET: an ETag per build and request, 304s, and a bounded in-process cache.

The graph is immutable between builds, so the answer to a GET is fixed by the build
and the request: its ETag is ``"<build id>.<hash of path, query, Accept, Host>"``
and can be known before the handler runs. ``If-None-Match`` with that tag answers
304 at once; otherwise a 200 answer to a request asked for before is kept in a
least-recently-used cache keyed by (build id, path, query, Accept, Host) and replayed
until the next build is served.

Not cached: other methods, ``/health``, requests with ``Authorization`` or
``Cookie``, answers other than 200, answers that say ``Cache-Control`` themselves or
set cookies, and bodies over :data:`MAX_ENTRY_BYTES` (they still get an ETag).

>>> cache = ResponseCache(max_bytes=100, max_entry_bytes=60)
>>> cache.put(("b", "/a"), CachedResponse(200, [], b"x" * 60, b'"t"'))
>>> cache.put(("b", "/b"), CachedResponse(200, [], b"y" * 60, b'"u"'))
>>> cache.get(("b", "/a")) is None, len(cache)
(True, 1)
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MAX_AGE", "CachedResponse", "Lookup", "ResponseCache", "ResponseCaching", "look_up"]

#: Seconds a client or proxy may reuse an answer before it revalidates (a 304 is cheap).
MAX_AGE: Final = 60
MAX_CACHE_BYTES: Final = 64 * 1024 * 1024
MAX_ENTRY_BYTES: Final = 1024 * 1024
UNCACHED_PATHS: Final = frozenset({"/health"})
_PRIVATE = frozenset({b"authorization", b"cookie"})
#: An answer with one of these is not kept: it sets a cookie, or says how it may be cached.
_SAYS_ITS_OWN_CACHING = frozenset({b"set-cookie", b"cache-control"})
_CACHE_CONTROL = f"public, max-age={MAX_AGE}".encode()
#: (build id, path, query string, Accept, Host)
Key = tuple[str, str, bytes, bytes, bytes]


@dataclass(frozen=True)
class CachedResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


@dataclass
class ResponseCache:
    """A least-recently-used map of answers, bounded in total and per-entry bytes."""

    max_bytes: int = MAX_CACHE_BYTES
    max_entry_bytes: int = MAX_ENTRY_BYTES
    hits: int = 0
    misses: int = 0
    build_id: str = ""
    #: How many first sightings :meth:`admit` remembers before it starts afresh.
    max_seen: int = 65_536
    _entries: OrderedDict[Hashable, CachedResponse] = field(default_factory=OrderedDict)
    _size: int = 0
    _seen: set[int] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> CachedResponse | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, entry: CachedResponse) -> None:
        if len(entry.body) > self.max_entry_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._size -= len(old.body)
        self._entries[key] = entry
        self._size += len(entry.body)
        while self._size > self.max_bytes and self._entries:
            _, evicted = self._entries.popitem(last=False)
            self._size -= len(evicted.body)

    def admit(self, key: Hashable) -> bool:
        """Whether an answer to ``key`` should be kept: only once it has been asked for before.

        Most free-form SPARQL texts are sent once. Keeping every answer on first sight
        filled the cache with answers nobody asks for again, and made unseen queries 13%
        slower (2,947 against 3,381 req/s on one worker, 8 interleaved rounds); a set of
        hashes of the keys seen once costs almost nothing. It starts afresh when it holds
        ``max_seen`` of them.
        """
        marker = hash(key)
        if marker in self._seen:
            return True
        if len(self._seen) >= self.max_seen:
            self._seen.clear()
        self._seen.add(marker)
        return False

    def clear(self) -> None:
        self._entries.clear()
        self._seen.clear()
        self._size = 0

    def follow(self, build_id: str) -> None:
        """Forget every answer when the served build changes."""
        if build_id != self.build_id:
            self.clear()
            self.build_id = build_id


@dataclass(slots=True)
class Lookup:
    """What the cache knows of a GET or HEAD before its handler runs (:func:`look_up`)."""

    cache: ResponseCache
    key: Key
    etag: bytes
    entry: CachedResponse | None
    #: ``If-None-Match`` names the answer's tag: answer 304.
    not_modified: bool
    #: Keep the handler's answer, if it is cacheable (asked for before: ``ResponseCache.admit``).
    keep: bool

    def reply(self, method: str) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """The answer without the handler (304, or a kept answer), with its headers; None on a miss."""
        if self.not_modified:
            return 304, _validators(self.etag), b""
        entry = self.entry
        if entry is None:
            return None
        headers = [*entry.headers, (b"content-length", str(len(entry.body)).encode())]
        return entry.status, headers, b"" if method == "HEAD" else entry.body

    def stamp(self, status: int, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        """The handler's headers with the validators added, when its answer is cacheable.

        An answer that is not (not 200, sets a cookie, speaks of its own caching, varies
        by more than Accept) keeps its headers and is not kept.
        """
        etag = vary = None
        cacheable = status == 200
        for name, value in headers:
            name = name.lower()
            if name in _SAYS_ITS_OWN_CACHING:
                cacheable = False
            elif name == b"etag":
                etag = value
            elif name == b"vary":
                vary = value
        if not cacheable or (vary is not None and not _varies_by_accept_only(vary)):
            self.keep = False
            return headers
        headers = list(headers)
        if etag is not None:
            self.etag = etag
        else:
            headers.append((b"etag", self.etag))
        headers.append((b"cache-control", _CACHE_CONTROL))
        if vary is None:
            headers.append((b"vary", b"accept"))
        return headers

    def keep_answer(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        """Keep a stamped answer, if :attr:`keep` still holds (``ResponseCache.put`` refuses a large one)."""
        if self.keep:
            kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            self.cache.put(self.key, CachedResponse(status, kept, body, self.etag))


def look_up(scope: Scope) -> Lookup | None:
    """The cache's view of a request, or None for one it leaves alone.

    Left alone: methods other than GET and HEAD, :data:`UNCACHED_PATHS`, requests with
    ``Authorization`` or ``Cookie``, and apps without ``state.og``.
    """
    if scope["method"] not in ("GET", "HEAD") or scope["path"] in UNCACHED_PATHS:
        return None
    state = getattr(scope["app"].state, "og", None)
    accept = host = if_none_match = b""
    for name, value in scope["headers"]:
        if name == b"accept":
            accept = value
        elif name == b"host":
            host = value
        elif name == b"if-none-match":
            if_none_match = value
        elif name in _PRIVATE:
            return None
    if state is None:
        return None
    build: str = state.build_id
    cache: ResponseCache = state.response_cache
    cache.follow(build)
    key = (build, scope["path"], scope["query_string"], accept, host)
    entry = cache.get(key)
    etag = entry.etag if entry else _etag(key)
    not_modified = bool(if_none_match) and _matches(if_none_match, etag)
    keep = not not_modified and entry is None and scope["method"] == "GET" and cache.admit(key)
    return Lookup(cache, key, etag, entry, not_modified, keep)


class ResponseCaching:
    """ASGI middleware: ETag, ``Cache-Control``, 304 and the response cache for GET and HEAD.

    The build id and the cache come from ``app.state.og`` (``AppState.build_id`` and
    ``AppState.response_cache``); without them, requests pass through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lookup = look_up(scope) if scope["type"] == "http" else None
        if lookup is None:
            await self.app(scope, receive, send)
            return
        reply = lookup.reply(scope["method"])
        if reply is not None:
            status, headers, body = reply
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, _recorder(lookup, send))


def _recorder(lookup: Lookup, send: Send) -> Send:
    """``send``, adding the validators and keeping a copy of a cacheable answer."""
    start: Message = {}
    chunks: list[bytes] = []
    size = 0

    async def record(message: Message) -> None:
        nonlocal start, size
        if message["type"] == "http.response.start":
            headers = lookup.stamp(message["status"], list(message.get("headers", [])))
            start = message = {**message, "headers": headers}
        elif message["type"] == "http.response.body" and lookup.keep:
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > lookup.cache.max_entry_bytes:
                lookup.keep = False
                chunks.clear()
            else:
                chunks.append(chunk)
                if not message.get("more_body", False):
                    lookup.keep_answer(start["status"], start["headers"], b"".join(chunks))
        await send(message)

    return record


def _varies_by_accept_only(vary: bytes) -> bool:
    return {v.strip().lower() for v in vary.split(b",")} <= {b"accept", b"accept-encoding", b""}


def _etag(key: Key) -> bytes:
    build, path, query, accept, host = key
    digest = hashlib.blake2b(b"\0".join((path.encode(), query, accept, host)), digest_size=8).hexdigest()
    return f'"{build}.{digest}"'.encode()


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``W/`` prefixes do not count."""
    return any(tag.strip().removeprefix(b"W/") == etag for tag in if_none_match.split(b","))


def _validators(etag: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"etag", etag), (b"cache-control", _CACHE_CONTROL), (b"vary", b"accept")]
