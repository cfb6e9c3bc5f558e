"""One linked-data document in each format, with the headers that make negotiation cacheable.

RDF formats are serialised by pyoxigraph; JSON-LD is compacted with the published context
(:mod:`outcomes_graph.linked_data_jsonld`); JSON and CSV are plain tables of the statements.
Every answer carries ``Vary: Accept`` and a ``Link`` header naming its alternates.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

import orjson
import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from outcomes_graph.errors import UsageError
from outcomes_graph.linked_data_describe import LdDocument, sorted_triples
from outcomes_graph.linked_data_graph import GraphBuilder, iri, literal
from outcomes_graph.linked_data_jsonld import Context, to_jsonld
from outcomes_graph.linked_data_void import dataset_iri
from outcomes_graph.vocab import DCTERMS, FOAF, OGL_V3, RDF, RDFS, VOID
from outcomes_graph.web.errors import ApiError
from outcomes_graph.web.ld_html import Alternate, ld_page, not_found_page
from outcomes_graph.web.ld_negotiate import ALL_FORMATS, LdFormat, negotiate, wants_html
from outcomes_graph.web.ld_state import LinkedData

__all__ = ["alternates", "choose_format", "not_found", "render", "statement_rows"]

_RDF = {
    LdFormat.TURTLE: ox.RdfFormat.TURTLE,
    LdFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    LdFormat.RDFXML: ox.RdfFormat.RDF_XML,
}
_PLAIN_LOCAL = re.compile(r"([A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")
_CSV_COLUMNS = ("subject", "predicate", "object", "object_type", "datatype", "language")


def alternates(path: str, formats: Sequence[LdFormat] = ALL_FORMATS) -> list[Alternate]:
    return [(fmt, path + fmt.extension) for fmt in formats]


def choose_format(
    request: Request, extension: LdFormat | None, offered: Sequence[LdFormat] = ALL_FORMATS
) -> LdFormat:
    """The extension's format, else the best for ``Accept``; 406 in the error shape when none fits."""
    if extension is not None:
        if extension not in offered:
            raise _not_acceptable(f"this resource has no {extension.extension} form", offered)
        return extension
    accept = request.headers.get("accept")
    chosen = negotiate(accept, offered)
    if chosen is None:
        raise _not_acceptable(f"nothing this resource offers fits Accept: {accept!r}", offered)
    return chosen


def _not_acceptable(reason: str, offered: Sequence[LdFormat]) -> ApiError:
    media = ", ".join(f.media_type for f in offered)
    extensions = " ".join(f.extension for f in offered)
    detail = f"{reason}; it is available as {media} (or add one of the extensions {extensions} to the path)"
    return ApiError(406, "not-acceptable", detail, headers={"Vary": "Accept"})


def not_found(request: Request, iri: str, what: str = "resource") -> Response:
    """404: an HTML page for browsers, the JSON error shape for everyone else."""
    detail = f"no {what} {iri} in the public graphs of this build"
    if wants_html(request.headers.get("accept")) or request.url.path.endswith(".html"):
        return HTMLResponse(not_found_page(iri, detail), status_code=404, headers={"Vary": "Accept"})
    raise ApiError(404, "not-found", detail, headers={"Vary": "Accept"})


def document_triples(doc: LdDocument, *, document: str, base: str) -> list[ox.Triple]:
    """What the page says about itself: its topic, licence, dataset, and whether it was capped."""
    g = GraphBuilder()
    g.add(document, RDF.type, iri(FOAF.Document))
    g.add(document, FOAF.primaryTopic, doc.topic)
    g.add(document, DCTERMS.license, iri(OGL_V3))
    g.add(document, VOID.inDataset, iri(dataset_iri(base)))
    if doc.capped:
        caps = ", ".join(f"{part} at {limit}" for part, limit in sorted(doc.capped.items()))
        g.add(
            document,
            RDFS.comment,
            literal(f"This description is capped ({caps}); query /sparql for the rest."),
        )
    return g.triples


def statement_rows(triples: Sequence[ox.Triple]) -> list[dict[str, str]]:
    rows = []
    for t in triples:
        obj = t.object
        row = {"subject": _text(t.subject), "predicate": t.predicate.value, "object": _text(obj)}
        if isinstance(obj, ox.Literal):
            row["object_type"] = "literal"
            row["datatype"] = obj.datatype.value
            if obj.language:
                row["language"] = obj.language
        else:
            row["object_type"] = "bnode" if isinstance(obj, ox.BlankNode) else "iri"
        rows.append(row)
    return rows


def _text(term: Any) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else str(term.value)


def _json(doc: LdDocument, triples: Sequence[ox.Triple], ld: LinkedData, document: str | None) -> bytes:
    body: dict[str, Any] = {
        "topic": doc.topic.value,
        "title": doc.title,
        "document": document,
        "build": ld.state.build_id,
        "license": str(OGL_V3),
        "capped": doc.capped,
        "labels": doc.labels,
        "statements": statement_rows(triples),
        "mappings": [m.as_json() for m in doc.mappings],
    }
    return orjson.dumps(body, option=orjson.OPT_INDENT_2)


def _csv(triples: Sequence[ox.Triple]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(statement_rows(triples))
    return out.getvalue().encode("utf-8")


def used_prefixes(triples: Sequence[ox.Triple], ctx: Context) -> dict[str, str]:
    """The context's prefixes these triples use, leaving out any under which some local name would need
    escaping (``phof:indicator\\/90631``): those IRIs read better written out in full."""
    values: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                values.add(term.value)
            elif isinstance(term, ox.Literal):
                values.add(term.datatype.value)
    used: dict[str, str] = {}
    unclean: set[str] = set()
    for value in values:
        for prefix, namespace in ctx.prefixes.items():
            if value.startswith(namespace):
                used[prefix] = namespace
                if not _PLAIN_LOCAL.fullmatch(value[len(namespace) :]):
                    unclean.add(prefix)
    return {k: v for k, v in sorted(used.items()) if k not in unclean}


def serialize(doc: LdDocument, fmt: LdFormat, ld: LinkedData, *, path: str, document: str | None) -> bytes:
    triples = doc.triples
    if document is not None:
        triples = sorted_triples([*triples, *document_triples(doc, document=document, base=ld.base)])
    triples = sorted(triples, key=lambda t: t.subject != doc.topic)  # the topic first, the rest in order
    if fmt in _RDF:
        prefixes = used_prefixes(triples, ld.context) if fmt is not LdFormat.NTRIPLES else None
        return ox.serialize(triples, format=_RDF[fmt], prefixes=prefixes) or b""
    if fmt is LdFormat.JSONLD:
        return to_jsonld(triples, ld.context, first=doc.topic)
    if fmt is LdFormat.JSON:
        return _json(doc, triples, ld, document)
    if fmt is LdFormat.CSV:
        return _csv(triples)
    if fmt is LdFormat.HTML:
        return ld_page(doc, ld.context, base=ld.base, alternates=alternates(path)).encode("utf-8")
    raise UsageError(f"no serialiser for {fmt}")


def render(
    doc: LdDocument, fmt: LdFormat, ld: LinkedData, *, path: str, document: str | None = None
) -> Response:
    """The response for ``doc`` in ``fmt``; ``path`` is the document's path without an extension."""
    links = ", ".join(f'<{href}>; rel="alternate"; type="{f.media_type}"' for f, href in alternates(path))
    headers = {"Vary": "Accept", "Link": links, "Content-Location": path + fmt.extension}
    body = serialize(doc, fmt, ld, path=path, document=document)
    return Response(body, media_type=fmt.content_type, headers=headers)
