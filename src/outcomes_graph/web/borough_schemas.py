"""JSON Schemas of the borough resources, for OpenAPI (schemathesis checks every answer against them)."""

from __future__ import annotations

from typing import Any, Final

from outcomes_graph.web.rest_schemas import BOOL, INT, STR, array, nullable, obj

__all__ = ["BOROUGH_LIST", "CHECK_REPORT", "OVERLAY_STATE", "UPLOADS", "UPLOAD_BODY", "WRITE_RESULT"]

OBJECT: Final = {"type": "object"}

PROBLEM: Final = obj(
    sheet=nullable("string"),
    row=nullable("integer"),
    column=nullable("string"),
    cell=nullable("string"),
    message=STR,
    text=STR,
    severity={"enum": ["error", "warning"]},
    focus_node=nullable("string"),
    rule=nullable("string"),
)

CHECK_REPORT: Final = obj(
    valid=BOOL,
    source=STR,
    format=STR,
    build=STR,
    borough={"type": ["object", "null"]},
    overlay={"type": ["object", "null"]},
    counts=OBJECT,
    errors=array(PROBLEM),
    coverage=array(OBJECT),
    gaps=OBJECT,
    targets=OBJECT,
    data_availability=OBJECT,
    services=OBJECT,
    timings=OBJECT,
)

OVERLAY_STATE: Final = obj(
    gss=STR,
    visibility={"enum": ["private", "public"]},
    upload=STR,
    files=array(STR),
    format=STR,
    updated_at=STR,
    published_at=STR,
    counts=OBJECT,
)

RECORD: Final = {
    "type": "object",
    "required": ["action", "upload", "gss", "by", "at"],
    "properties": {
        "action": {"enum": ["upload", "publish", "unpublish", "remove"]},
        "upload": STR,
        "gss": STR,
        "by": STR,
        "at": STR,
        "sha256": STR,
        "bytes": INT,
        "files": array(STR),
        "format": STR,
        "counts": OBJECT,
        "triples": INT,
        "build": STR,
    },
}

WRITE_RESULT: Final = {
    "type": "object",
    "required": ["overlay", "record", "build"],
    "properties": {
        "overlay": {"oneOf": [OVERLAY_STATE, {"type": "null"}]},
        "record": RECORD,
        "build": STR,
        "check": OBJECT,
    },
}

UPLOADS: Final = obj(gss=STR, records=array(RECORD))

BOROUGH_LIST: Final = obj(
    boroughs=array(obj(gss=STR, name=STR, iri=STR, overlay={"oneOf": [OVERLAY_STATE, {"type": "null"}]}))
)

_BINARY: Final = {"type": "string", "format": "binary"}
UPLOAD_BODY: Final[dict[str, Any]] = {
    "required": True,
    "description": "The overlay: one XLSX workbook, Turtle or JSON-LD file, or the CSV sheets as multipart "
    "form data (the fields may have any name; the file names tell the sheets apart).",
    "content": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": _BINARY},
        "text/turtle": {"schema": {"type": "string"}},
        "application/ld+json": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": {"type": "array", "items": _BINARY}}}
        },
    },
}
