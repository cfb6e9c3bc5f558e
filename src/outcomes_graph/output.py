"""Writing query results for people (a table) and for tools (CSV, TSV, JSON).

CSV, TSV and JSON are serialised by pyoxigraph itself; only the table is drawn
in Python, from the parsed rows.
"""

from __future__ import annotations

import io
import sys
from typing import Any, BinaryIO, Literal

import orjson
import pyoxigraph as ox
from rich.console import Console
from rich.table import Table

from outcomes_graph.vocab import CURIE_PREFIXES

__all__ = ["OutputFormat", "compact", "rows_to_table", "write_result"]

OutputFormat = Literal["table", "csv", "tsv", "json"]
_RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}
_PREFIXES = sorted(CURIE_PREFIXES.items(), key=lambda item: -len(item[1]))


def compact(iri: str) -> str:
    """An IRI as a CURIE where a known prefix fits.

    >>> compact("https://w3id.org/common-outcomes/id/phof/indicator/90631")
    'phof:indicator/90631'
    """
    for prefix, namespace in _PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def term_text(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.Literal | ox.BlankNode):
        return str(term.value)
    return str(term)


def write_result(
    result: Any, fmt: OutputFormat, out: BinaryIO | None = None, *, console: Console | None = None
) -> int:
    """Write a pyoxigraph query result; return the number of rows (or triples) written."""
    stream = out or sys.stdout.buffer
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            stream.write(b"true\n" if bool(result) else b"false\n")
        else:
            stream.write(result.serialize(format=_RESULT_FORMATS.get(fmt, ox.QueryResultsFormat.JSON)) or b"")
        return 1
    if isinstance(result, ox.QueryTriples):
        triples = list(result)
        fmt_rdf = ox.RdfFormat.N_TRIPLES if fmt in ("csv", "tsv") else ox.RdfFormat.TURTLE
        if fmt == "json":
            fmt_rdf = ox.RdfFormat.JSON_LD
        stream.write(
            ox.serialize(
                triples, format=fmt_rdf, prefixes=CURIE_PREFIXES if fmt_rdf is ox.RdfFormat.TURTLE else None
            )
            or b""
        )
        return len(triples)
    if fmt != "table":
        data: bytes = result.serialize(format=_RESULT_FORMATS[fmt])
        stream.write(data)
        if fmt == "json":
            return len(orjson.loads(data)["results"]["bindings"])
        return max(data.count(b"\n") - 1, 0)
    names = [v.value for v in result.variables]
    rows = [[term_text(solution[name]) for name in names] for solution in result]
    rows_to_table(names, rows, console=console)
    return len(rows)


def rows_to_table(
    names: list[str], rows: list[list[str]], *, console: Console | None = None, title: str | None = None
) -> None:
    table = Table(*names, title=title, show_lines=False)
    for row in rows:
        table.add_row(*row)
    (console or Console()).print(table)


def rows_to_csv(names: list[str], rows: list[list[str]]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(rows)
    return buffer.getvalue()
