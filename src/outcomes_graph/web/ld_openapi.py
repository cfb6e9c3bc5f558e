"""OpenAPI descriptions of the linked-data routes: their media types, statuses, headers and JSON shapes.

schemathesis (``tests/web/test_openapi.py``) holds every answer of these routes to what is
written here, so each entry says exactly what the handlers in :mod:`.linked_data` and
:mod:`.ld_publish` answer. Content is negotiated by ``Accept`` (which OpenAPI 3 does not let a
parameter describe) or by a format extension, so a 200 lists every media type a route offers.

>>> sorted(document_responses([LdFormat.TURTLE, LdFormat.JSON], missing=True, iri=True))
[200, 400, 404, 406, 422, 503]
>>> list(document_responses([LdFormat.TURTLE], missing=False, iri=False)[200]["content"])
['text/turtle']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Final

from fastapi import Path

from outcomes_graph.web.ld_negotiate import ALL_FORMATS, LdFormat
from outcomes_graph.web.rest_schemas import ERROR, STR, Schema, error_responses

__all__ = [
    "DOWNLOAD_MEDIA_TYPES",
    "FORMATS_NOTE",
    "IF_NONE_MATCH",
    "JSONLD_CONTEXT",
    "DownloadName",
    "Extension",
    "GraphKey",
    "IdPath",
    "MappingSetName",
    "TermName",
    "document_responses",
    "download_responses",
    "index_responses",
    "redirect_responses",
]

_TEXT: Final[Schema] = {"type": "string", "description": "The document as text"}

# Path parameters. The examples name things every build holds (the Supporting Families framework,
# its crosswalk to the Children's Social Care outcomes), so that schemathesis also reaches the 200s.
IdPath = Annotated[str, Path(
    description="The thing's IRI after `{base}id/`, optionally with a format extension",
    examples=["sf", "sf.json", "sf.jsonld", "sf/outcome/H06.ttl", "phof/indicator/90631"],
)]  # fmt: skip
MappingSetName = Annotated[str, Path(
    description="The mapping set's IRI after `{base}mappings/`, optionally with a format extension",
    examples=["sf-cof", "sf-cof.json"],
)]  # fmt: skip
GraphKey = Annotated[str, Path(
    description="The named graph's IRI after `{base}graph/`, optionally with a format extension",
    examples=["sf", "sf.jsonld", "mappings/sf-cof.json"],
)]  # fmt: skip
TermName = Annotated[str, Path(
    description="The term's local name in the og: namespace, or `index`, optionally with a format extension",
    examples=["Outcome", "Outcome.json", "index.jsonld"],
)]  # fmt: skip
Extension = Annotated[str, Path(
    description="A format extension without its dot", examples=["ttl", "jsonld", "json", "xlsx"]
)]  # fmt: skip
DownloadName = Annotated[str, Path(
    description="A file name from the index (`index.html` and `index.json` are the index itself)",
    examples=["outcomes-graph.trig", "concepts.csv", "graph/sf.ttl", "sssom/sf-cof.sssom.tsv", "index.json"],
)]  # fmt: skip

_EXTENSIONS: Final = " ".join(f.extension for f in ALL_FORMATS)
FORMATS_NOTE: Final = (
    f"The format is chosen by a path extension ({_EXTENSIONS}) or else by `Accept`; 406 Not Acceptable "
    "when nothing offered fits."
)

#: The ``.json`` form of a document (``ld_render._json``).
_STATEMENT: Final[Schema] = {
    "type": "object",
    "required": ["subject", "predicate", "object", "object_type"],
    "additionalProperties": False,
    "properties": {
        "subject": STR,
        "predicate": STR,
        "object": STR,
        "object_type": {"enum": ["iri", "literal", "bnode"]},
        "datatype": STR,
        "language": STR,
    },
}
_MAPPING: Final[Schema] = {
    "type": "object",
    "required": ["record"],
    "properties": {
        "record": STR,
        "confidence": {"type": "number"},
        "sources": {"type": "array", "items": STR},
    },
    "additionalProperties": STR,
}
_DOCUMENT_JSON: Final[Schema] = {
    "type": "object",
    "required": [
        "topic",
        "title",
        "document",
        "build",
        "license",
        "capped",
        "labels",
        "statements",
        "mappings",
    ],
    "additionalProperties": False,
    "properties": {
        "topic": STR,
        "title": STR,
        "document": {"type": ["string", "null"]},
        "build": STR,
        "license": STR,
        "capped": {"type": "object", "additionalProperties": {"type": "integer"}},
        "labels": {"type": "object", "additionalProperties": STR},
        "statements": {"type": "array", "items": _STATEMENT},
        "mappings": {"type": "array", "items": _MAPPING},
    },
}
#: Compact JSON-LD (``linked_data_jsonld.to_jsonld``): the context by reference, then the nodes.
_DOCUMENT_JSONLD: Final[Schema] = {
    "type": "object",
    "required": ["@context", "@graph"],
    "additionalProperties": False,
    "properties": {
        "@context": STR,
        "@graph": {"type": "array", "items": {"type": "object", "required": ["id"]}},
    },
}
JSONLD_CONTEXT: Final[Schema] = {
    "type": "object",
    "required": ["@context"],
    "properties": {"@context": {"type": "object"}},
}
_SCHEMAS: Final[dict[LdFormat, Schema]] = {LdFormat.JSON: _DOCUMENT_JSON, LdFormat.JSONLD: _DOCUMENT_JSONLD}

_VARY: Final[Schema] = {"description": "Always `Accept`: the answer depends on it", "schema": STR}
_DOCUMENT_HEADERS: Final[Schema] = {
    "Vary": {**_VARY, "required": True},
    "Link": {
        "description": "The other formats of the document (rel=alternate)",
        "schema": STR,
        "required": True,
    },
    "Content-Location": {
        "description": "The document's path in the format sent",
        "schema": STR,
        "required": True,
    },
}
_NOT_FOUND: Final[Schema] = {
    "description": "Not in the public graphs of this build: an HTML page for browsers (asked for by "
    "`Accept: text/html` or a `.html` path), the error shape for everyone else",
    "headers": {"Vary": _VARY},
    "content": {"application/json": {"schema": ERROR}, "text/html": {"schema": _TEXT}},
}


def _errors(
    *, missing: bool, iri: bool, negotiated: bool = True, extension: bool = False
) -> dict[int | str, Schema]:
    statuses: tuple[int, ...] = (400,) if iri else ()
    statuses += (406,) if negotiated else ()
    # 422 is FastAPI's answer to a path parameter that fails validation; documented so that its own
    # schema is not, though a string parameter never fails. 503: the store (remote mode) is unreachable.
    responses = error_responses((*statuses, 422, 503))
    if missing:
        responses[404] = _NOT_FOUND
    elif extension:
        responses |= error_responses((404,))
        responses[404]["description"] = "No format has that extension"
    return responses


def document_responses(
    formats: Sequence[LdFormat] = ALL_FORMATS, *, missing: bool, iri: bool, extension: bool = False
) -> dict[int | str, Schema]:
    """A negotiated document: 200 in each of ``formats``; 404 when ``missing`` can happen (or, with
    ``extension``, when the extension in the path names no format); 400 when the path becomes an IRI
    that may be malformed."""
    content = {f.media_type: {"schema": _SCHEMAS.get(f, _TEXT)} for f in formats}
    ok = {
        "description": "The document, in the format asked for",
        "headers": _DOCUMENT_HEADERS,
        "content": content,
    }
    return {200: ok, **_errors(missing=missing, iri=iri, extension=extension)}


def redirect_responses() -> dict[int | str, Schema]:
    """``/id/...``: 303 See Other to the document (there is no body), or 404."""
    see_other = {
        "description": "See Other: the document about the thing, at /doc/... (same extension and query)",
        "headers": {"Location": {"schema": STR, "required": True}, "Vary": {**_VARY, "required": True}},
    }
    return {303: see_other, **_errors(missing=True, iri=True, negotiated=False)}


#: Media types of the dump files (``linked_data_dumps``).
DOWNLOAD_MEDIA_TYPES: Final = (
    "application/trig",
    "application/n-quads",
    "text/turtle",
    "text/tab-separated-values",
    "text/csv",
)
_FILE = {
    "type": "object",
    "required": ["name", "title", "media_type", "kind", "bytes", "sha256", "url", "version", "license"],
    "additionalProperties": False,
    "properties": {
        "name": STR,
        "title": STR,
        "media_type": STR,
        "kind": {"enum": ["dataset", "graph", "mapping-set", "table"]},
        "bytes": {"type": "integer", "minimum": 0},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "subject": STR,
        "url": STR,
        "version": STR,
        "license": STR,
    },
}
_INDEX_JSON: Final[Schema] = {
    "type": "object",
    "required": ["version", "license", "catalog", "files"],
    "additionalProperties": False,
    "properties": {
        "version": STR,
        "license": STR,
        "catalog": STR,
        "files": {"type": "array", "items": _FILE},
    },
}
_INDEX_CONTENT: Final[Schema] = {"text/html": {"schema": _TEXT}, "application/json": {"schema": _INDEX_JSON}}
IF_NONE_MATCH: Final[Schema] = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETags (the file's SHA-256, quoted) already held: a match gets 304 Not Modified",
    "schema": STR,
}


def index_responses() -> dict[int | str, Schema]:
    """``/download/``: the index, in HTML or JSON."""
    ok = {"description": "Every download with its version, licence and checksum", "content": _INDEX_CONTENT}
    return {200: ok, **_errors(missing=False, iri=False)}


def download_responses() -> dict[int | str, Schema]:
    """``/download/{name}``: one file (or the index in the format its extension names), 304 or 404."""
    file_headers = {
        "ETag": {"description": "The file's SHA-256, quoted", "schema": STR},
        "Repr-Digest": {"description": "sha-256 of the file (RFC 9530)", "schema": STR},
        "Link": {"description": "The licence (rel=license)", "schema": STR},
        "X-Build-Id": {"description": "The build the file was made from", "schema": STR},
    }
    content = {media: {"schema": _TEXT} for media in DOWNLOAD_MEDIA_TYPES} | _INDEX_CONTENT
    ok = {"description": "The file (or, for index.html and index.json, the index)", "headers": file_headers,
          "content": content}  # fmt: skip
    not_modified = {"description": "Not Modified: the If-None-Match ETag is current", "headers": file_headers}
    missing = error_responses((404,))
    missing[404]["description"] = "No such file in this build (or no index in that format)"
    return {200: ok, 304: not_modified, **missing, **_errors(missing=False, iri=False)}
