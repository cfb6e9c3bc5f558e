"""Dereferenceable URIs (DESIGN §3): ``/id/...`` → 303 → ``/doc/...``, ``/def/...``, mapping sets and graphs.

Every IRI under the base answers on this server:

==============================  =====================================================================
``/id/{path}``                  303 See Other to ``/doc/{path}`` (404 when the public graphs lack it)
``/doc/{path}[.ext]``           the concise bounded description of ``{base}id/{path}``
``/def/`` ``/def/index.ext``    the vocabulary (the ontology graph)
``/def/{Term}[.ext]``           one vocabulary term
``/mappings/{set}[.ext]``       a mapping set (a dataset, so it is its own document: 200)
``/graph/{key}[.ext]``          a named graph's part of the VoID description
``/context.jsonld``             the JSON-LD context every JSON-LD answer refers to
==============================  =====================================================================

Formats: ``.html .ttl .jsonld .nt .rdf .json .csv``, or ``Accept``; 406 when nothing fits.
The VoID description, the DCAT catalogue and the downloads are in :mod:`.ld_publish`.
"""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from outcomes_graph.linked_data_describe import LdDocument, best_labels, describe
from outcomes_graph.web.errors import ApiError
from outcomes_graph.web.ld_negotiate import LdFormat, split_extension
from outcomes_graph.web.ld_openapi import (
    FORMATS_NOTE,
    JSONLD_CONTEXT,
    GraphKey,
    IdPath,
    MappingSetName,
    TermName,
    document_responses,
    redirect_responses,
)
from outcomes_graph.web.ld_publish import router as publish_router
from outcomes_graph.web.ld_render import choose_format, not_found, render
from outcomes_graph.web.ld_state import LinkedData, get_linked_data

__all__ = ["router", "url_path"]

router = APIRouter(tags=["linked data"])
router.include_router(publish_router)

_EXISTS = "ld-exists"


def url_path(path: str) -> str:
    """A path made safe for a header (``Location``, ``Link``): non-ASCII and spaces percent-encoded."""
    return quote(path, safe="/:@!$&'()*+,;=-._~#")


def _node(iri: str) -> ox.NamedNode:
    """The IRI as a term; a malformed one is a 400 that names it (STYLE practice 5)."""
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise ApiError(400, "bad-iri", f"{iri!r} is not a valid IRI: {exc}") from None


def _exists(ld: LinkedData, node: ox.NamedNode) -> bool:
    query = ld.state.registry.get(_EXISTS)
    rows = ld.store.select(query.sparql, substitutions={ox.Variable("resource"): node})
    return bool(rows) and rows[0]["found"].value == "true"


@router.get("/id/{path:path}", summary="A thing's URI: 303 See Other to the document about it",
            description="`path` is the thing's IRI after `{base}id/`, e.g. `phof/indicator/90631`; a format "
            "extension is carried over to the document's path.",
            status_code=303, response_class=RedirectResponse, responses=redirect_responses())  # fmt: skip
def dereference(path: IdPath, request: Request, ld: LinkedData = Depends(get_linked_data)) -> Response:
    iri = f"{ld.base}id/{path}"
    if _exists(ld, _node(iri)):
        target = f"/doc/{path}"
    else:
        stem, fmt = split_extension(path)
        if fmt is None or stem == path or not _exists(ld, _node(f"{ld.base}id/{stem}")):
            return not_found(request, iri)
        target = f"/doc/{stem}{fmt.extension}"
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(url_path(target) + query, status_code=303, headers={"Vary": "Accept"})


def _described(request: Request, ld: LinkedData, prefix: str, path: str) -> tuple[LdDocument, LdFormat, str]:
    """The description of ``{base}{prefix}{path}`` and its format, trying the path without a format
    extension first; the format is settled (or refused with 406) before the store is asked."""
    stem, fmt = split_extension(path)
    chosen = choose_format(request, fmt)
    doc = describe(ld.store, ld.state.registry, _node(ld.base + prefix + stem))
    if not doc.exists and fmt is not None:
        # A dotted name that is not a format extension after all, such as a code "1.02i".
        stem, chosen = path, choose_format(request, None)
        doc = describe(ld.store, ld.state.registry, _node(ld.base + prefix + stem))
    return doc, chosen, stem


@router.get("/doc/{path:path}", summary="The document about a thing, in the format asked for",
            description="The concise bounded description of `{base}id/{path}`. " + FORMATS_NOTE,
            response_class=Response, responses=document_responses(missing=True, iri=True))  # fmt: skip
def document(path: IdPath, request: Request, ld: LinkedData = Depends(get_linked_data)) -> Response:
    doc, fmt, stem = _described(request, ld, "id/", path)
    if not doc.exists:
        return not_found(request, f"{ld.base}id/{stem}")
    return render(doc, fmt, ld, path=url_path(f"/doc/{stem}"), document=f"{ld.base}doc/{stem}")


@router.get("/mappings/{name}", summary="A mapping set (SSSOM), in the format asked for",
            description="The description of `{base}mappings/{name}`. " + FORMATS_NOTE,
            response_class=Response, responses=document_responses(missing=True, iri=True))  # fmt: skip
def mapping_set(
    name: MappingSetName, request: Request, ld: LinkedData = Depends(get_linked_data)
) -> Response:
    doc, fmt, stem = _described(request, ld, "mappings/", name)
    if not doc.exists:
        return not_found(request, f"{ld.base}mappings/{stem}", "mapping set")
    return render(doc, fmt, ld, path=url_path(f"/mappings/{stem}"))


@router.get("/graph/{key:path}", summary="A named graph: its VoID statistics and dump",
            description="The part of the VoID description about the public graph `{base}graph/{key}`. "
            + FORMATS_NOTE, response_class=Response,
            responses=document_responses(missing=True, iri=True))  # fmt: skip
def graph(key: GraphKey, request: Request, ld: LinkedData = Depends(get_linked_data)) -> Response:
    stem, fmt = split_extension(key)
    void = ld.void()
    node = _node(f"{ld.base}graph/{stem}")
    triples = [t for t in void.triples if t.subject == node]
    if not triples:
        return not_found(request, node.value, "public named graph")
    labels = best_labels(triples)
    doc = LdDocument(topic=node, title=labels.get(node.value, stem), triples=triples, labels=labels)
    return render(doc, choose_format(request, fmt), ld, path=url_path(f"/graph/{stem}"))


@router.get("/def", include_in_schema=False)
@router.get("/def/", summary="The vocabulary: every class and property of the og: namespace",
            description=FORMATS_NOTE, response_class=Response,
            responses=document_responses(missing=False, iri=False))  # fmt: skip
def vocabulary(request: Request, ld: LinkedData = Depends(get_linked_data)) -> Response:
    return render(ld.vocabulary().whole(), choose_format(request, None), ld, path="/def/index")


@router.get("/def/{term}", summary="One vocabulary term, in the format asked for",
            description="The term `{base}def/{term}`, or the vocabulary as `index.{ext}`. " + FORMATS_NOTE,
            response_class=Response, responses=document_responses(missing=True, iri=False))  # fmt: skip
def vocabulary_term(term: TermName, request: Request, ld: LinkedData = Depends(get_linked_data)) -> Response:
    stem, fmt = split_extension(term)
    vocabulary = ld.vocabulary()
    if stem == "index" and fmt is not None:
        return render(vocabulary.whole(), choose_format(request, fmt), ld, path="/def/index")
    doc = vocabulary.term(stem)
    if doc is None and fmt is not None:
        doc, fmt, stem = vocabulary.term(term), None, term
    if doc is None:
        return not_found(request, f"{ld.base}def/{stem}", "vocabulary term")
    return render(doc, choose_format(request, fmt), ld, path=url_path(f"/def/{stem}"))


@router.get("/context.jsonld", summary="The JSON-LD context of every JSON-LD answer", response_class=Response,
            responses={200: {"description": "The context", "content": {"application/ld+json": {
                "schema": JSONLD_CONTEXT}}}})  # fmt: skip
def context(ld: LinkedData = Depends(get_linked_data)) -> Response:
    return JSONResponse(ld.context.document, media_type="application/ld+json")
