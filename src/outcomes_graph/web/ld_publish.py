"""Publishing the dataset: ``/.well-known/void``, the DCAT ``/catalog`` and ``/download/``.

Downloads are made once per build (see :mod:`outcomes_graph.linked_data_dumps`); each answers
with ``ETag`` = its SHA-256 (a matching ``If-None-Match`` gets 304), ``Repr-Digest`` and the
licence in a ``Link`` header. The index lists every file with its version, licence and checksum.
"""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from outcomes_graph.linked_data_dumps import DumpFile
from outcomes_graph.vocab import OGL_V3
from outcomes_graph.web.errors import ApiError
from outcomes_graph.web.ld_html import downloads_page
from outcomes_graph.web.ld_negotiate import LdFormat, split_extension
from outcomes_graph.web.ld_openapi import (
    FORMATS_NOTE,
    IF_NONE_MATCH,
    DownloadName,
    Extension,
    document_responses,
    download_responses,
    index_responses,
)
from outcomes_graph.web.ld_render import alternates, choose_format, render
from outcomes_graph.web.ld_state import LinkedData, get_linked_data

__all__ = ["router"]

router = APIRouter(tags=["linked data"])
_INDEX_FORMATS = (LdFormat.HTML, LdFormat.JSON)


def _extension(ext: str) -> LdFormat:
    _, fmt = split_extension("x." + ext)
    if fmt is None:
        raise ApiError(404, "not-found", f"no format with the extension .{ext}; use one of "
                       + " ".join(f.extension for f in LdFormat))  # fmt: skip
    return fmt


@router.get("/.well-known/void", summary="VoID description of the dataset, in the format asked for",
            description=FORMATS_NOTE, response_class=Response,
            responses=document_responses(missing=False, iri=False))  # fmt: skip
def void(request: Request, ld: LinkedData = Depends(get_linked_data)) -> Response:
    return render(ld.void(), choose_format(request, None), ld, path="/.well-known/void")


@router.get("/.well-known/void.{ext}", summary="VoID description of the dataset in one format",
            description=FORMATS_NOTE, response_class=Response,
            responses=document_responses(missing=False, iri=False, extension=True))  # fmt: skip
def void_as(ext: Extension, request: Request, ld: LinkedData = Depends(get_linked_data)) -> Response:
    return render(ld.void(), choose_format(request, _extension(ext)), ld, path="/.well-known/void")


@router.get("/catalog", summary="DCAT catalogue of frameworks, editions and mapping sets",
            description=FORMATS_NOTE, response_class=Response,
            responses=document_responses(missing=False, iri=False))  # fmt: skip
def catalog(request: Request, ld: LinkedData = Depends(get_linked_data)) -> Response:
    return render(ld.catalog(), choose_format(request, None), ld, path="/catalog")


@router.get("/catalog.{ext}", summary="DCAT catalogue in one format", description=FORMATS_NOTE,
            response_class=Response,
            responses=document_responses(missing=False, iri=False, extension=True))  # fmt: skip
def catalog_as(ext: Extension, request: Request, ld: LinkedData = Depends(get_linked_data)) -> Response:
    return render(ld.catalog(), choose_format(request, _extension(ext)), ld, path="/catalog")


def _index(ld: LinkedData) -> dict[str, Any]:
    dumps = ld.dumps()
    return {
        "version": dumps.build_id,
        "license": str(OGL_V3),
        "catalog": ld.base + "catalog",
        "files": [
            {**f.as_json(), "url": f"/download/{f.name}", "version": dumps.build_id, "license": str(OGL_V3)}
            for f in dumps.files
        ],
    }


def _index_response(request: Request, ld: LinkedData, fmt: LdFormat | None) -> Response:
    chosen = choose_format(request, fmt, _INDEX_FORMATS)
    headers = {"Vary": "Accept", "Content-Location": "/download/index" + chosen.extension}
    if chosen is LdFormat.JSON:
        return JSONResponse(_index(ld), headers=headers)
    page = downloads_page(ld.dumps(), license_iri=str(OGL_V3),
                          alternates=alternates("/download/index", _INDEX_FORMATS))  # fmt: skip
    return HTMLResponse(page, headers=headers)


@router.get("/download/", summary="Index of the downloads: TriG, N-Quads, Turtle per graph, SSSOM TSV, CSV",
            description="HTML or JSON, by `Accept`; also at /download/index.html and /download/index.json.",
            response_class=Response, responses=index_responses())  # fmt: skip
def downloads(request: Request, ld: LinkedData = Depends(get_linked_data)) -> Response:
    return _index_response(request, ld, None)


def _file_headers(file: DumpFile, build_id: str) -> dict[str, str]:
    digest = base64.b64encode(bytes.fromhex(file.sha256)).decode("ascii")
    return {
        "ETag": f'"{file.sha256}"',
        "Repr-Digest": f"sha-256=:{digest}:",
        "Link": f'<{OGL_V3}>; rel="license"',
        "Cache-Control": "public, max-age=3600",
        "X-Build-Id": build_id,
    }


@router.head("/download/{name:path}", include_in_schema=False)
@router.get("/download/{name:path}", summary="One download file",
            description="A file the index lists, with its SHA-256 as `ETag` and in `Repr-Digest`.",
            response_class=Response, responses=download_responses(),
            openapi_extra={"parameters": [IF_NONE_MATCH]})  # fmt: skip
def download(name: DownloadName, request: Request, ld: LinkedData = Depends(get_linked_data)) -> Response:
    if name.startswith("index.") and "/" not in name:
        return _index_response(request, ld, _extension(name.removeprefix("index.")))
    dumps = ld.dumps()
    file = dumps.get(name)
    if file is None:
        raise ApiError(
            404, "not-found", f"no download {name!r} in this build; the index at /download/ lists them"
        )
    headers = _file_headers(file, dumps.build_id)
    asked = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    if asked & {headers["ETag"], f"W/{headers['ETag']}", "*"}:
        return Response(status_code=304, headers=headers)
    return FileResponse(dumps.path(file), media_type=file.media_type, headers=headers)
