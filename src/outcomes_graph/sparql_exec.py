"""Run one free-form SPARQL query and serialise its answer, all in one synchronous call.

This is the code a query worker process runs (``sparql_worker``); nothing here knows
HTTP. pyoxigraph evaluates, serialises and (when rows must be cut) re-parses, so no
row is ever formatted in Python, and the result never leaves the thread that made it
(DESIGN §7).

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://a"), ox.NamedNode("http://p"), ox.Literal("x"), ox.NamedNode("http://g")))
>>> job = Job(query="SELECT ?s WHERE { ?s ?p ?o }", store="", default_graphs=["http://g"], named_graphs=[],
...           results_format="tsv", graph_format="turtle", max_rows=10)
>>> outcome = run_job(store, job)
>>> outcome.status, outcome.content_type, outcome.body
(200, 'text/tab-separated-values; charset=utf-8', b'?s\\n<http://a>\\n')
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import orjson
import pyoxigraph as ox

__all__ = [
    "GRAPH_FORMATS",
    "RESULTS_FORMATS",
    "GraphFormat",
    "Job",
    "Outcome",
    "Queryable",
    "ResultsFormat",
    "run_job",
]

ResultsFormat = Literal["json", "xml", "csv", "tsv"]
GraphFormat = Literal["turtle", "ntriples", "jsonld", "rdfxml"]

#: Each results format: the pyoxigraph format and the Content-Type it is answered with.
RESULTS_FORMATS: dict[str, tuple[ox.QueryResultsFormat, str]] = {
    "json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (ox.QueryResultsFormat.CSV, "text/csv; charset=utf-8"),
    "tsv": (ox.QueryResultsFormat.TSV, "text/tab-separated-values; charset=utf-8"),
}
GRAPH_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
}
_WHERE = re.compile(r"error at (\d+):(\d+)")


class Queryable(Protocol):
    """What ``run_job`` needs: ``pyoxigraph.Store.query``'s dataset and prefix options."""

    def query(
        self,
        query: str,
        *,
        prefixes: dict[str, str] | None = ...,
        use_default_graph_as_union: bool = ...,
        default_graph: Any = ...,
        named_graphs: Any = ...,
    ) -> Any: ...


@dataclass(slots=True)
class Job:
    """One query to run.

    ``default_graphs``/``named_graphs`` are already cut to the public graphs; None means
    every graph of the store (only when every graph is public): the default graph is
    then their union, which pyoxigraph evaluates far faster than a long list of graphs.
    ``prefixes`` are the predeclared prefixes the query relies on. ``original`` is the
    text as sent when ``query`` carries an added ``LIMIT``; a syntax error is then
    reported against the original, so its line and column are the user's.
    """

    query: str
    store: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    results_format: str | None
    graph_format: str | None
    max_rows: int
    prefixes: dict[str, str] = field(default_factory=dict)
    original: str | None = None

    def encode(self) -> bytes:
        """The job as JSON, for a worker's pipe."""
        return orjson.dumps(self)


@dataclass
class Outcome:
    """An answer (``status`` 200) or a refusal, in the terms of ``web/errors.py``."""

    status: int
    content_type: str = ""
    body: bytes = b""
    truncated: bool = False
    code: str = ""
    detail: str = ""
    location: dict[str, int] = field(default_factory=dict)

    def header(self) -> bytes:
        """Everything but the body, as JSON."""
        return orjson.dumps(
            {"status": self.status, "content_type": self.content_type, "truncated": self.truncated,
             "code": self.code, "detail": self.detail, "location": self.location}
        )  # fmt: skip


def run_job(store: Queryable, job: Job) -> Outcome:
    """Evaluate ``job`` on ``store`` and serialise the answer in the job's format."""
    options: dict[str, Any] = {"prefixes": job.prefixes or None}
    if job.default_graphs is None:
        options["use_default_graph_as_union"] = True
    else:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs is not None:
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        return _serialise(store.query(job.query, **options), job)
    except SyntaxError as exc:
        return _syntax_error(exc, job)
    except OSError as exc:
        return Outcome(503, code="store-unavailable", detail=f"the store could not be read: {exc}")
    except (RuntimeError, ValueError, TypeError) as exc:
        return Outcome(400, code="query-evaluation", detail=f"the query failed while it ran: {exc}")


def _serialise(result: Any, job: Job) -> Outcome:
    if isinstance(result, ox.QueryTriples):
        if job.graph_format is None:
            return _not_acceptable("CONSTRUCT and DESCRIBE", "graph")
        rdf_format, content_type = GRAPH_FORMATS[job.graph_format]
        head = itertools.islice(result, job.max_rows)
        body = ox.serialize(head, format=rdf_format) or b""
        truncated = next(iter(result), None) is not None
        return Outcome(200, content_type, body, truncated)
    if job.results_format is None:
        return _not_acceptable("SELECT and ASK", "results")
    results_format, content_type = RESULTS_FORMATS[job.results_format]
    if isinstance(result, ox.QueryBoolean) or job.original is None:
        return Outcome(200, content_type, result.serialize(format=results_format) or b"")
    if results_format == ox.QueryResultsFormat.CSV:  # CSV cannot be read back: cut it as TSV
        return _cut_rows(result.serialize(format=ox.QueryResultsFormat.TSV) or b"", results_format,
                         content_type, job.max_rows)  # fmt: skip
    body = result.serialize(format=results_format) or b""
    # Every row takes at least a byte, so a short answer needs no counting.
    if len(body) <= job.max_rows or _rows_at_most(body, results_format) <= job.max_rows:
        return Outcome(200, content_type, body)
    tsv = ox.parse_query_results(body, format=results_format).serialize(format=ox.QueryResultsFormat.TSV)
    return _cut_rows(tsv or b"", results_format, content_type, job.max_rows)


def _rows_at_most(body: bytes, results_format: ox.QueryResultsFormat) -> int:
    """A cheap upper bound of the rows in a serialised answer (exact for TSV and XML).

    JSON: every row opens one object, and so do the document, its head and its results;
    braces inside strings only raise the bound. XML: ``<result>`` never occurs in
    escaped text. TSV: one line per row after the header.
    """
    if results_format == ox.QueryResultsFormat.JSON:
        return body.count(b"{") - 3
    if results_format == ox.QueryResultsFormat.XML:
        return body.count(b"<result>")
    return body.count(b"\n") - 1


def _cut_rows(tsv: bytes, results_format: ox.QueryResultsFormat, content_type: str, max_rows: int) -> Outcome:
    """At most ``max_rows`` of the solutions in ``tsv``, of a query whose LIMIT is ``max_rows + 1``.

    Most answers are shorter than the limit and are served as pyoxigraph serialised them
    (:func:`_serialise` checks that cheaply). pyoxigraph cannot serialise part of a
    result, so the others go through TSV, where each solution is exactly one line (tabs
    and newlines in literals are escaped): count the lines, cut after ``max_rows``, and
    let pyoxigraph parse and serialise the rest.
    """
    lines = tsv.count(b"\n") - 1
    truncated = lines > max_rows
    if truncated:
        end = -1
        for _ in range(max_rows + 1):
            end = tsv.index(b"\n", end + 1)
        tsv = tsv[: end + 1]
    if results_format == ox.QueryResultsFormat.TSV:
        return Outcome(200, content_type, tsv, truncated)
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return Outcome(200, content_type, parsed.serialize(format=results_format) or b"", truncated)


def _syntax_error(exc: SyntaxError, job: Job) -> Outcome:
    message = str(exc)
    if job.original is not None:
        # Report against the text the user sent; parsing it on an empty store cannot
        # reach any data, and SERVICE was refused before the job was made.
        try:
            ox.Store().query(job.original, prefixes=job.prefixes or None)
        except SyntaxError as first:
            message = str(first)
        except Exception:
            pass  # the original parsed: keep the rewritten query's message
    found = _WHERE.search(message)
    location = {"line": int(found.group(1)), "column": int(found.group(2))} if found else {}
    return Outcome(400, code="query-syntax", detail=f"SPARQL syntax error: {message}", location=location)


def _not_acceptable(forms: str, kind: str) -> Outcome:
    offered = RESULTS_FORMATS if kind == "results" else GRAPH_FORMATS
    types = ", ".join(ct.split(";")[0] for _, ct in offered.values())
    return Outcome(
        406,
        code="not-acceptable",
        detail=f"{forms} queries answer in one of: {types}; the Accept header allows none of them",
    )
