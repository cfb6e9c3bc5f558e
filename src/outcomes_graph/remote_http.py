"""HTTP for the remote store: SPARQL 1.1 Protocol queries and Graph Store Protocol writes.

Answers come back as pyoxigraph objects, the same kinds an embedded store returns:
``QuerySolutions`` or ``QueryBoolean`` parsed by ``pyoxigraph.parse_query_results``, and
for ``CONSTRUCT``/``DESCRIBE`` a ``QueryTriples`` over the triples ``pyoxigraph.parse`` read.
Every failure is an :class:`~outcomes_graph.errors.OutcomesGraphError` that names the
endpoint: ``QueryError`` when the endpoint refuses the query (HTTP 400), ``StoreError``
when it cannot be reached, does not answer in time, or answers something else.
Nothing here follows redirects: an endpoint is used exactly as configured.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from importlib import resources
from typing import Any, Final, Self
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from outcomes_graph.errors import QueryError, StoreError

__all__ = ["CONNECT_TIMEOUT", "GraphStoreClient", "SparqlClient", "redact"]

#: Seconds to wait for a TCP connection: an endpoint that is down fails fast.
CONNECT_TIMEOUT: Final = 5.0
#: A query with no ``FROM`` clause that reads every triple of the default graph.
ALL_TRIPLES: Final = resources.files("outcomes_graph").joinpath("remote_graph.rq").read_text("utf-8")

_RESULTS: Final = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}
_GRAPHS: Final = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: JSON results for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE; the others as fallbacks.
_ACCEPT: Final = (
    "application/sparql-results+json, application/n-triples;q=0.9, "
    "application/sparql-results+xml;q=0.5, text/turtle;q=0.5, application/rdf+xml;q=0.4"
)


def redact(url: str) -> str:
    """``url`` without a user name or password, for messages and ``/health``.

    >>> redact("https://user:secret@example.org:8443/sparql?x=1")
    'https://example.org:8443/sparql?x=1'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=host))


class _Endpoint:
    """One HTTP endpoint with a pooled, thread-safe client."""

    what = "endpoint"

    def __init__(self, url: str, *, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StoreError(f"{url!r} is not an http(s) URL of a {self.what}")
        self.url = url
        self.timeout = timeout
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)), follow_redirects=False
        )
        # Pooled connections close when the endpoint is dropped, even if nobody calls close().
        self._closer = weakref.finalize(self, self._client.close)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._closer()

    def _send(self, method: str, **request: Any) -> httpx.Response:
        shown = redact(self.url)
        try:
            return self._client.request(method, self.url, **request)
        except httpx.TimeoutException as exc:
            connecting = isinstance(exc, httpx.ConnectTimeout)
            limit = min(CONNECT_TIMEOUT, self.timeout) if connecting else self.timeout
            raise StoreError(f"the {self.what} {shown} did not answer within {limit:g} s") from None
        except httpx.TransportError as exc:
            raise StoreError(
                f"cannot reach the {self.what} {shown}: {exc or type(exc).__name__}; is the server running, "
                "and is the URL right?"
            ) from None

    def _unexpected(self, response: httpx.Response) -> StoreError:
        excerpt = " ".join(response.text[:300].split())
        return StoreError(
            f"the {self.what} {redact(self.url)} answered HTTP {response.status_code}"
            + (f": {excerpt}" if excerpt else "")
        )


class SparqlClient(_Endpoint):
    """Queries by SPARQL 1.1 Protocol: POST, form-encoded, with the dataset as protocol parameters."""

    what = "SPARQL endpoint"

    def query(
        self, sparql: str, *, default_graphs: Sequence[ox.NamedNode], named_graphs: Sequence[ox.NamedNode]
    ) -> Any:
        """The answer to ``sparql`` over exactly these graphs (they override the query's FROM clauses)."""
        form = {
            "query": sparql,
            "default-graph-uri": [g.value for g in default_graphs],
            "named-graph-uri": [g.value for g in named_graphs],
        }
        response = self._send("POST", data=form, headers={"accept": _ACCEPT})
        if response.status_code == 400:
            detail = response.text.strip() or "no reason given"
            raise QueryError(f"the SPARQL endpoint {redact(self.url)} refused the query: {detail}")
        if response.status_code != 200:
            raise self._unexpected(response)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media in _RESULTS:
            return ox.parse_query_results(response.content, format=_RESULTS[media])
        if media in _GRAPHS:
            return as_query_triples(ox.parse(response.content, format=_GRAPHS[media]))
        raise StoreError(
            f"the SPARQL endpoint {redact(self.url)} answered {media or 'no content type'}, not SPARQL "
            "results; is the URL its query endpoint?"
        )

    def triples(self, graph: ox.NamedNode) -> list[ox.Triple]:
        """Every triple of one graph."""
        return list(self.query(ALL_TRIPLES, default_graphs=[graph], named_graphs=[]))


class GraphStoreClient(_Endpoint):
    """Whole-graph reads and writes by SPARQL 1.1 Graph Store HTTP Protocol (``?graph=IRI``)."""

    what = "Graph Store Protocol endpoint"

    def put(self, graph: ox.NamedNode, ntriples: bytes) -> None:
        """Replace ``graph`` with the given N-Triples (creating it if needed)."""
        response = self._send("PUT", params={"graph": graph.value}, content=ntriples,
                              headers={"content-type": "application/n-triples"})  # fmt: skip
        if response.status_code not in (200, 201, 204):
            raise self._unexpected(response)

    def get(self, graph: ox.NamedNode) -> list[ox.Triple] | None:
        """The triples of ``graph``, or None when the store has no such graph."""
        response = self._send(
            "GET", params={"graph": graph.value}, headers={"accept": "application/n-triples"}
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._unexpected(response)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in _GRAPHS:
            raise StoreError(f"the {self.what} {redact(self.url)} answered {media or 'no content type'}")
        return [quad.triple for quad in ox.parse(response.content, format=_GRAPHS[media])]

    def delete(self, graph: ox.NamedNode) -> None:
        """Drop ``graph``; a graph that is already gone is fine."""
        response = self._send("DELETE", params={"graph": graph.value})
        if response.status_code not in (200, 202, 204, 404):
            raise self._unexpected(response)


def as_query_triples(quads: Any) -> ox.QueryTriples:
    """Parsed triples as a pyoxigraph ``QueryTriples``, the type an embedded CONSTRUCT returns.

    pyoxigraph cannot make one directly, so the triples go through a small in-memory store.
    """
    scratch = ox.Store()
    scratch.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    result = scratch.query(ALL_TRIPLES)
    assert isinstance(result, ox.QueryTriples)
    return result
