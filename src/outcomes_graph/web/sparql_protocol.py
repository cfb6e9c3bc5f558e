"""The request side of the SPARQL 1.1 Protocol: operations, their parameters, content negotiation.

Three ways to send a query (§2.1): GET with ``query=`` in the URL, POST with a
``application/x-www-form-urlencoded`` body, POST with an ``application/sparql-query``
body (graphs then in the URL). The endpoint is read-only, so every update operation
(§2.2) is refused.

>>> negotiate("text/csv;q=0.5, application/sparql-results+json", RESULTS_OFFERS)
'json'
>>> negotiate("text/turtle", RESULTS_OFFERS) is None
True
>>> negotiate(None, GRAPH_OFFERS)
'turtle'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs

from outcomes_graph.web.errors import ApiError

__all__ = [
    "ALLOWED_METHODS",
    "GRAPH_OFFERS",
    "RESULTS_OFFERS",
    "Operation",
    "negotiate",
    "offered_types",
    "parse_get",
    "parse_post",
]

ALLOWED_METHODS = "GET, HEAD, POST"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"

#: What each query form can answer in, best first: (media type, format name).
RESULTS_OFFERS: tuple[tuple[str, str], ...] = (
    ("application/sparql-results+json", "json"),
    ("application/json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
)
GRAPH_OFFERS: tuple[tuple[str, str], ...] = (
    ("text/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("application/n-triples", "ntriples"),
    ("text/plain", "ntriples"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/xml", "rdfxml"),
    ("text/xml", "rdfxml"),
)


@dataclass(frozen=True)
class Operation:
    """A query operation: the query (None asks for the service description) and its protocol dataset."""

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def parse_get(query_string: bytes) -> Operation:
    """A GET request's operation (§2.1.1); a GET that carries ``update`` has the wrong method."""
    params = _params(query_string)
    if "update" in params:
        raise ApiError(
            405,
            "method-not-allowed",
            "SPARQL Update is never sent with GET (SPARQL 1.1 Protocol §2.2), and this endpoint is "
            "read-only: it answers queries only",
            headers={"Allow": ALLOWED_METHODS},
        )
    if "query" not in params:
        return Operation(None)
    return _operation(params)


def parse_post(content_type: str, body: bytes, query_string: bytes) -> Operation:
    """A POST request's operation (§2.1.2 and §2.1.3); updates are refused with 403."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == FORM:
        params = _params(body)
        if "update" in params:
            raise _read_only()
        if "query" not in params:
            raise ApiError(400, "missing-query", "the form has no 'query' field; send query=<SPARQL>")
        return _operation(params)
    if media == DIRECT:
        params = _params(query_string)
        try:
            query = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiError(400, "bad-encoding", f"the query is not UTF-8: {exc}") from None
        return Operation(query, *_graphs(params))
    if media == UPDATE:
        raise _read_only()
    raise ApiError(
        415,
        "unsupported-media-type",
        f"a POST must be {FORM} or {DIRECT}, not {media or 'untyped'!r}",
    )


def offered_types(offers: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(dict.fromkeys(media for media, _ in offers))


@lru_cache(maxsize=512)
def negotiate(accept: str | None, offers: tuple[tuple[str, str], ...]) -> str | None:
    """The format of the best offer for ``accept`` (RFC 9110 §12.5.1), or None when none is acceptable.

    Each offer takes the quality of the most specific range that matches it; ties go to
    the earlier offer.
    """
    if not accept or not accept.strip():
        return offers[0][1]
    ranges: list[tuple[str, str, float]] = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        kind, _, sub = media.lower().partition("/")
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((kind, sub or "*", quality))
    best, best_quality = None, 0.0
    for media, name in offers:
        kind, _, sub = media.partition("/")
        quality, specificity = 0.0, -1
        for r_kind, r_sub, r_quality in ranges:
            if r_kind == kind and r_sub == sub:
                rank = 2
            elif r_kind == kind and r_sub == "*":
                rank = 1
            elif r_kind == "*":
                rank = 0
            else:
                continue
            if rank > specificity:
                quality, specificity = r_quality, rank
        if quality > best_quality:
            best, best_quality = name, quality
    return best


def _params(raw: bytes) -> dict[str, list[str]]:
    """The fields of a query string or form body, as ``parse_qs(..., keep_blank_values=True)`` reads them."""
    if raw.isascii():
        try:
            return _ascii_params(raw)
        except UnicodeDecodeError:
            pass  # a stray "%" or escaped bytes that are not UTF-8: parse_qs says what it makes of them
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "bad-encoding", f"the parameters are not UTF-8: {exc}") from None
    return parse_qs(text, keep_blank_values=True)


def _ascii_params(raw: bytes) -> dict[str, list[str]]:
    """``parse_qs`` for ASCII text, with the percent-decoding done in C.

    Every query on the endpoint arrives percent-encoded, and ``urllib``'s decoder, a
    Python loop over the escapes, cost more than reading the query itself. Here each
    ``%XX`` becomes ``\\xXX`` (after doubling any backslash) for the ``unicode_escape``
    codec, and the bytes it makes are read as strict UTF-8. A malformed escape or bytes
    that are not UTF-8 raise UnicodeDecodeError, for ``parse_qs`` to handle as it does.
    """
    params: dict[str, list[str]] = {}
    for field in raw.split(b"&"):
        if field:
            name, _, value = field.partition(b"=")
            params.setdefault(_unquote(name), []).append(_unquote(value))
    return params


def _unquote(text: bytes) -> str:
    text = text.replace(b"+", b" ")
    if b"%" not in text:
        return text.decode("ascii")
    escaped = text.replace(b"\\", b"\\\\").replace(b"%", b"\\x")
    return escaped.decode("unicode_escape").encode("latin-1").decode("utf-8")


def _operation(params: dict[str, list[str]]) -> Operation:
    queries = params["query"]
    if len(queries) != 1:
        raise ApiError(400, "bad-request", f"send exactly one 'query' parameter, not {len(queries)}")
    return Operation(queries[0], *_graphs(params))


def _graphs(params: dict[str, list[str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(params.get("default-graph-uri", ())), tuple(params.get("named-graph-uri", ()))


def _read_only() -> ApiError:
    return ApiError(
        403,
        "read-only",
        "this SPARQL endpoint is read-only: updates are refused. The graph changes only through "
        "`outcomes-graph build`.",
    )
