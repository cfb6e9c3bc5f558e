"""JSON Schemas of the REST answers, for OpenAPI (and so for schemathesis, which checks every answer).

They mirror the ``to_dict`` methods of the alignment results and the error shape of
:mod:`outcomes_graph.web.errors`; ``tests/web/test_openapi.py`` fails when an answer drifts.

>>> nullable("string")
{'type': ['string', 'null']}
>>> sorted(ERROR["properties"]["error"]["required"])
['code', 'detail', 'status', 'title']
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Final

__all__ = [
    "ALIGNMENT",
    "BOOL",
    "COVERAGE",
    "DIFF",
    "ERROR",
    "GAPS",
    "INT",
    "MATRIX",
    "QUERY_LIST",
    "SEARCH",
    "SPARQL_RESULTS",
    "STR",
    "Schema",
    "array",
    "error_responses",
    "nullable",
    "obj",
]

Schema = dict[str, Any]
STR: Final[Schema] = {"type": "string"}
INT: Final[Schema] = {"type": "integer"}
NUM: Final[Schema] = {"type": "number"}
BOOL: Final[Schema] = {"type": "boolean"}


def nullable(kind: str) -> Schema:
    return {"type": [kind, "null"]}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def obj(**properties: Schema) -> Schema:
    """An object whose listed properties are all required (``None`` values are typed nullable)."""
    return {"type": "object", "required": sorted(properties), "properties": properties}


STRINGS: Final = array(STR)

ERROR: Final = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "title", "detail"],
            "additionalProperties": False,
            "properties": {
                "status": INT,
                "code": STR,
                "title": STR,
                "detail": STR,
                "location": {"type": "object"},
            },
        }
    },
}

#: The error statuses every REST resource may answer with.
ERROR_STATUSES: Final = (400, 404, 406, 413, 422, 503)


def error_responses(statuses: tuple[int, ...] = ERROR_STATUSES) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the error shape (replacing FastAPI's own 422 schema)."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {"application/json": {"schema": ERROR}},
        }
        for status in statuses
    }


_TERM: Final = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {
        "type": {"enum": ["uri", "literal", "bnode", "triple"]},
        "value": {},
        "datatype": STR,
        "xml:lang": STR,
    },
}
SPARQL_RESULTS: Final = {
    "description": "SPARQL 1.1 Query Results JSON, serialised by pyoxigraph",
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {"type": "object", "properties": {"vars": STRINGS}},
        "results": {
            "type": "object",
            "required": ["bindings"],
            "properties": {"bindings": array({"type": "object", "additionalProperties": _TERM})},
        },
        "boolean": BOOL,
    },
}

_PARAM: Final = obj(name=STR, type=STR, optional=BOOL, default=nullable("string"), description=STR)
QUERY_LIST: Final = obj(
    queries=array(
        obj(
            name=STR,
            title=STR,
            description=STR,
            parameters=array(_PARAM),
            examples=STRINGS,
            url=STR,
            json=STR,
            csv=STR,
        )
    )
)

_NODE: Final = obj(iri=STR, curie=STR, label=STR, scheme=STR, type=STR, notations=STRINGS)
_STEP: Final = obj(
    **{"from": STR, "to": STR},
    relation=nullable("string"),
    label=STR,
    record=STR,
    predicate=STR,
    direction={"enum": ["forward", "inverse"]},
    negated=BOOL,
    confidence=nullable("number"),
    justification=STR,
    status=STR,
    curated=BOOL,
    crosswalk=nullable("string"),
    mapping_set=nullable("string"),
    sources=STRINGS,
)
_COUNTERPART: Final = obj(
    iri=STR,
    curie=STR,
    label=STR,
    scheme=nullable("string"),
    type=nullable("string"),
    kind={"enum": ["direct", "derived"]},
    relation=nullable("string"),
    relation_label=STR,
    confidence=nullable("number"),
    basis={"enum": ["curated", "candidate"]},
    negated=BOOL,
    rule=nullable("string"),
    path=STR,
    steps=array(_STEP),
)
_RECORDED_GAP: Final = obj(
    record=STR, predicate=STR, missing_in=STR, status_note=STR, crosswalk=STR, comment=STR, sources=STRINGS
)
ALIGNMENT: Final = obj(
    concept=_NODE,
    depth=INT,
    curated_only=BOOL,
    min_strength=nullable("string"),
    min_confidence=NUM,
    direct=array(_COUNTERPART),
    derived=array(_COUNTERPART),
    recorded_gaps=array(_RECORDED_GAP),
    refused=array(obj(target=STR, curie=STR, reason=STR, path=STR)),
)

_SUMMARY: Final = {
    "type": "object",
    "required": ["framework", "against", "total", "covered", "percent_covered"],
    "properties": {
        "framework": STR,
        "against": STRINGS,
        "strength": STRINGS,
        "depth": INT,
        "curated_only": BOOL,
        "percent_covered": NUM,
    },
    "additionalProperties": {"type": ["integer", "number", "string", "boolean", "array"]},
}
_COVERAGE_ROW: Final = obj(
    iri=STR,
    curie=STR,
    label=STR,
    type=STR,
    notation=nullable("string"),
    status={"enum": ["covered", "partial", "not-found", "unmapped"]},
    how=nullable("string"),
    basis=nullable("string"),
    relation=nullable("string"),
    relation_label=nullable("string"),
    confidence=nullable("number"),
    counterparts=STRINGS,
    path=nullable("string"),
    narrower={"oneOf": [obj(covered=INT, total=INT), {"type": "null"}]},
    recorded_gap=BOOL,
    recorded_gap_records=STRINGS,
)
_GROUP: Final = obj(
    group=STR,
    label=STR,
    total=INT,
    covered=INT,
    partial=INT,
    not_found=INT,
    unmapped=INT,
    curated=INT,
    candidate=INT,
    percent_covered=NUM,
)
COVERAGE: Final = {
    "type": "object",
    "required": ["summary"],
    "properties": {
        "summary": _SUMMARY,
        "rows": array(_COVERAGE_ROW),
        "by": {"enum": ["hierarchy", "domain", "tier"]},
        "groups": array(_GROUP),
    },
}

GAPS: Final = obj(
    framework=STR,
    against=STRINGS,
    unmapped=array(obj(iri=STR, curie=STR, label=STR, type=STR)),
    not_found=array(
        obj(
            iri=STR,
            curie=STR,
            label=STR,
            missing_in=STR,
            record=STR,
            predicate=STR,
            status_note=STR,
            crosswalk=STR,
            comment=STR,
            sources=STRINGS,
        )
    ),
    known_gaps=array(
        obj(
            iri=STR,
            curie=STR,
            label=STR,
            kind=nullable("string"),
            parent=nullable("string"),
            expected_count=nullable("integer"),
            status=STR,
            status_note=nullable("string"),
            sources=STRINGS,
        )
    ),
)

MATRIX: Final = obj(
    frameworks=STRINGS,
    domains=array(obj(iri=STR, curie=STR, label=STR)),
    cells=array(
        obj(
            domain=STR,
            domain_label=STR,
            framework=STR,
            exact=INT,
            close=INT,
            broad=INT,
            narrow=INT,
            related=INT,
            concepts=INT,
            curated=INT,
        )
    ),
)

_EDITION_CONCEPT: Final = obj(iri=STR, curie=STR, key=STR, type=STR, label=STR, notations=STRINGS)
DIFF: Final = obj(
    before=STR,
    after=STR,
    summary={"type": "object", "additionalProperties": INT},
    changes=array(
        obj(
            kinds=STRINGS,
            matched_by=nullable("string"),
            before={"oneOf": [_EDITION_CONCEPT, {"type": "null"}]},
            after={"oneOf": [_EDITION_CONCEPT, {"type": "null"}]},
        )
    ),
    stale=array(
        obj(
            record=STR,
            concept=STR,
            other=STR,
            predicate=STR,
            status=STR,
            reasons=STRINGS,
            replacement=nullable("string"),
            mapping_set=nullable("string"),
            crosswalk=nullable("string"),
        )
    ),
)

SEARCH: Final = obj(
    query=STR,
    scheme=nullable("string"),
    hits=array(
        obj(
            iri=STR,
            curie=STR,
            scheme=STR,
            type=STR,
            label=STR,
            match={"enum": ["exact-notation", "label-prefix", "word-match"]},
            field=STR,
            value=STR,
        )
    ),
)
