"""The borough workflow over REST: check an overlay, store one, publish it, and check the stored one.

::

    POST   /api/check                       check an uploaded overlay; stores nothing (no token)
    GET    /api/boroughs                    the London boroughs, with their published overlays
    GET    /api/boroughs/{gss}              one borough's overlay: visibility, current upload, counts
    PUT    /api/boroughs/{gss}              upload: check, then replace graph/borough/{gss} (token)
    DELETE /api/boroughs/{gss}              remove the overlay from the store (token)
    POST   /api/boroughs/{gss}/publish      make it public (token); DELETE makes it private again
    GET    /api/boroughs/{gss}/check        the check of the stored overlay, in the borough's terms
    GET    /api/boroughs/{gss}/uploads      every write: who, when, content hash, counts (token)
    GET    /api/boroughs/{gss}/overlay.ttl  the stored overlay's graph as Turtle
    GET    /api/templates/{file}            the empty overlay template (XLSX, or one CSV per sheet)

Checks answer JSON, CSV, HTML or XLSX (by ``.json`` / ``.csv`` / ``.html`` / ``.xlsx`` on the
path or by ``Accept``). A private overlay is visible to its own token only; see
:mod:`outcomes_graph.web.borough_auth`. The one writer derives a new build and swaps it in
(:mod:`outcomes_graph.borough_store`; by Graph Store Protocol in remote mode), and every
server process follows the new build within a second (the writing one at once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final, cast

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.concurrency import run_in_threadpool

from outcomes_graph.alignment_index import QueryStore
from outcomes_graph.borough_render import report_csv, report_html, report_json
from outcomes_graph.borough_report_xlsx import report_xlsx
from outcomes_graph.borough_store import NoOverlay, OverlayRejected, OverlayState, StoredOverlays, WriteResult
from outcomes_graph.borough_tokens import TokenGrant
from outcomes_graph.boroughs import BoroughTools, check_overlay
from outcomes_graph.store import EmbeddedStore, GraphStore
from outcomes_graph.vocab import CURIE_PREFIXES
from outcomes_graph.web.borough_auth import bearer_grant, may_read, require_writer
from outcomes_graph.web.borough_schemas import (
    BOROUGH_LIST,
    CHECK_REPORT,
    OVERLAY_STATE,
    UPLOAD_BODY,
    UPLOADS,
    WRITE_RESULT,
)
from outcomes_graph.web.errors import ApiError
from outcomes_graph.web.rest_http import refuse_unknown_parameters
from outcomes_graph.web.rest_schemas import ERROR, error_responses
from outcomes_graph.web.state import AppState, get_state
from outcomes_graph.web.uploads import XLSX, read_upload

__all__ = ["boroughs_router"]

TAG: Final = "boroughs"
GSS = Annotated[
    str, Path(pattern=r"^[A-Z][0-9]{8}$", description="GSS code, e.g. E09000030", examples=["E09000030"])
]
#: Check report renderings: suffix → (media type, renderer).
RENDERINGS: Final[dict[str, tuple[str, Callable[[dict[str, Any]], bytes]]]] = {
    "json": ("application/json", report_json),
    "csv": ("text/csv; charset=utf-8", report_csv),
    "html": ("text/html; charset=utf-8", report_html),
    "xlsx": (XLSX, report_xlsx),
}
TEMPLATES: Final = {
    "borough-overlay.xlsx": XLSX,
    **{
        f"borough-overlay-{sheet}.csv": "text/csv; charset=utf-8"
        for sheet in ("setup", "priorities", "local-indicators", "data-availability", "services")
    },
}
_REPORT_CONTENT: Final = {
    "application/json": {"schema": CHECK_REPORT},
    "text/csv": {"schema": {"type": "string"}},
    "text/html": {"schema": {"type": "string"}},
    XLSX: {"schema": {"type": "string", "format": "binary"}},
}


def _tools(state: AppState) -> BoroughTools:
    def make(store: GraphStore) -> BoroughTools:
        return BoroughTools.open(state.settings, cast(QueryStore, store))

    return state.per_build("borough-tools", make)


def _writable(state: AppState) -> None:
    """501 when this server cannot write: a remote store given no Graph Store Protocol URL."""
    if not isinstance(state.store, EmbeddedStore) and not state.settings.gsp_endpoint:
        raise ApiError(
            501,
            "not-implemented",
            "borough writes in remote mode go by Graph Store Protocol: give the server --gsp-endpoint URL",
        )


def _render(request: Request, report: dict[str, Any]) -> Response:
    """The report in the format the path's suffix names, else the one ``Accept`` prefers (JSON by default)."""
    suffix = request.url.path.rsplit(".", 1)[-1] if "." in request.url.path.rsplit("/", 1)[-1] else ""
    chosen = suffix if suffix in RENDERINGS else _negotiate(request.headers.get("accept", ""))
    media, render = RENDERINGS[chosen]
    return Response(render(report), media_type=media, headers={"Vary": "Accept"})


def _negotiate(accept: str) -> str:
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        for name, (offered, _) in RENDERINGS.items():
            if media == offered.split(";")[0]:
                return name
    return "json"


def _state_or_404(store: StoredOverlays, gss: str, grant: TokenGrant | None) -> OverlayState:
    state = store.state(gss)
    if state is None or not may_read(gss, state.visibility, grant):
        # A private overlay answers exactly like no overlay, so its existence does not leak.
        raise ApiError(404, "no-overlay", f"no published overlay for {gss}")
    return state


def boroughs_router() -> APIRouter:
    router = APIRouter(tags=[TAG], dependencies=[Depends(refuse_unknown_parameters)])
    errors = error_responses((400, 401, 403, 404, 413, 415, 422, 501, 503))

    async def post_check(request: Request, state: AppState = Depends(get_state)) -> Response:
        files = await read_upload(request, state.settings.max_upload_bytes)

        def run() -> dict[str, Any]:
            report = check_overlay([], _tools(state), files=files, max_bytes=state.settings.max_upload_bytes)
            return report.to_dict()

        return _render(request, await run_in_threadpool(run))

    for suffix in ("", *(f".{name}" for name in RENDERINGS)):
        fmt = suffix.lstrip(".") or None

        router.add_api_route(
            "/api/check" + suffix,
            post_check,
            methods=["POST"],
            name="check_overlay" + suffix.replace(".", "_"),
            summary="Check an overlay against the national frameworks; nothing is stored"
            + (f" ({fmt.upper()})" if fmt else ""),
            description="The body is the overlay: an XLSX workbook, Turtle or JSON-LD (by Content-Type), or "
            "multipart/form-data with the file(s), the way to send the CSV sheets. The report is 200 "
            "whether or not the overlay is valid: its `valid` field and `errors` say.",
            openapi_extra={"requestBody": UPLOAD_BODY},
            response_class=Response,
            responses={200: {"description": "The check report", "content": _REPORT_CONTENT}, **errors},
        )

    @router.get(
        "/api/boroughs",
        summary="The London boroughs, with their published overlays",
        responses={200: {"content": {"application/json": {"schema": BOROUGH_LIST}}}, **errors},
    )
    def list_boroughs(state: AppState = Depends(get_state)) -> dict[str, Any]:
        tools = _tools(state)
        stored = {s.gss: s for s in StoredOverlays(state.settings).states() if s.visibility == "public"}
        return {
            "boroughs": [
                {
                    "gss": a.gss,
                    "name": a.name,
                    "iri": a.iri,
                    "overlay": stored[a.gss].to_dict() if a.gss in stored else None,
                }
                for a in sorted(tools.authorities.values(), key=lambda a: a.gss)
            ]
        }

    @router.get(
        "/api/boroughs/{gss}",
        summary="One borough's stored overlay: visibility, upload, counts",
        responses={200: {"content": {"application/json": {"schema": OVERLAY_STATE}}}, **errors},
    )
    def get_overlay(
        gss: GSS, state: AppState = Depends(get_state), grant: TokenGrant | None = Depends(bearer_grant)
    ) -> dict[str, Any]:
        return _state_or_404(StoredOverlays(state.settings), gss, grant).to_dict()

    @router.put(
        "/api/boroughs/{gss}",
        summary="Upload the borough's overlay: checked, then stored (token)",
        description="Checks the overlay exactly as POST /api/check does. A valid one replaces the "
        "borough's named graph atomically (a new build is swapped in); an invalid one answers 422 "
        "with the report and changes nothing. A new overlay is private until published.",
        openapi_extra={"requestBody": UPLOAD_BODY},
        responses={
            200: {"content": {"application/json": {"schema": WRITE_RESULT}}},
            422: {
                # The check's report, or the error shape for a request FastAPI refuses (a malformed GSS code).
                "content": {"application/json": {"schema": {"oneOf": [CHECK_REPORT, ERROR]}}},
                "description": "The overlay failed the check (nothing stored), or the request is invalid",
            },
            **{k: v for k, v in errors.items() if k != 422},
        },
    )
    async def put_overlay(
        gss: GSS,
        request: Request,
        state: AppState = Depends(get_state),
        grant: TokenGrant | None = Depends(bearer_grant),
    ) -> Response:
        writer = require_writer(gss, grant)
        _writable(state)
        files = await read_upload(request, state.settings.max_upload_bytes)

        def run() -> WriteResult:
            return StoredOverlays(state.settings).upload(gss, files, _tools(state), who=writer.who)

        try:
            result = await run_in_threadpool(run)
        except OverlayRejected as rejected:
            return Response(
                report_json(rejected.report.to_dict()), status_code=422, media_type="application/json"
            )
        state.refresh(force=True)
        return Response(report_json(result.to_dict()), media_type="application/json")

    @router.delete(
        "/api/boroughs/{gss}",
        summary="Remove the borough's overlay from the store (token)",
        responses={200: {"content": {"application/json": {"schema": WRITE_RESULT}}}, **errors},
    )
    def delete_overlay(
        gss: GSS, state: AppState = Depends(get_state), grant: TokenGrant | None = Depends(bearer_grant)
    ) -> dict[str, Any]:
        writer = require_writer(gss, grant)
        _writable(state)
        stored = StoredOverlays(state.settings)
        try:
            result = stored.remove(gss, who=writer.who)
        except NoOverlay as exc:
            raise ApiError(404, "no-overlay", str(exc)) from None
        state.refresh(force=True)
        return result.to_dict()

    def visibility_route(public: bool) -> Callable[..., dict[str, Any]]:
        def change(
            gss: GSS, state: AppState = Depends(get_state), grant: TokenGrant | None = Depends(bearer_grant)
        ) -> dict[str, Any]:
            writer = require_writer(gss, grant)
            _writable(state)
            try:
                result = StoredOverlays(state.settings).publish(gss, who=writer.who, public=public)
            except NoOverlay as exc:
                raise ApiError(404, "no-overlay", str(exc)) from None
            state.refresh(force=True)
            return result.to_dict()

        return change

    for method, public, summary in (
        ("POST", True, "Publish the borough's overlay (token)"),
        ("DELETE", False, "Make the borough's overlay private again (token)"),
    ):
        router.add_api_route(
            "/api/boroughs/{gss}/publish",
            visibility_route(public),
            methods=[method],
            name="publish_overlay" if public else "unpublish_overlay",
            summary=summary,
            responses={200: {"content": {"application/json": {"schema": WRITE_RESULT}}}, **errors},
        )

    def get_check(
        gss: GSS,
        request: Request,
        state: AppState = Depends(get_state),
        grant: TokenGrant | None = Depends(bearer_grant),
    ) -> Response:
        stored = StoredOverlays(state.settings)
        _state_or_404(stored, gss, grant)
        try:
            files = stored.uploaded_files(gss)
        except NoOverlay as exc:  # removed since the line above
            raise ApiError(404, "no-overlay", str(exc)) from None
        report = check_overlay([], _tools(state), files=files, max_bytes=state.settings.max_upload_bytes)
        return _render(request, report.to_dict())

    for suffix in ("", *(f".{name}" for name in RENDERINGS)):
        fmt = suffix.lstrip(".") or None
        router.add_api_route(
            "/api/boroughs/{gss}/check" + suffix,
            get_check,
            methods=["GET"],
            name="check_stored_overlay" + suffix.replace(".", "_"),
            summary="The check of the stored overlay, against the build served now"
            + (f" ({fmt.upper()})" if fmt else ""),
            response_class=Response,
            responses={200: {"description": "The check report", "content": _REPORT_CONTENT}, **errors},
        )

    @router.get(
        "/api/boroughs/{gss}/uploads",
        summary="Every write to the overlay: who, when, content hash (token)",
        responses={200: {"content": {"application/json": {"schema": UPLOADS}}}, **errors},
    )
    def get_uploads(
        gss: GSS, state: AppState = Depends(get_state), grant: TokenGrant | None = Depends(bearer_grant)
    ) -> dict[str, Any]:
        require_writer(gss, grant)
        return {"gss": gss, "records": StoredOverlays(state.settings).records(gss)}

    @router.get(
        "/api/boroughs/{gss}/overlay.ttl",
        summary="The stored overlay's graph as Turtle",
        response_class=Response,
        responses={200: {"content": {"text/turtle": {"schema": {"type": "string"}}}}, **errors},
    )
    def get_overlay_graph(
        gss: GSS, state: AppState = Depends(get_state), grant: TokenGrant | None = Depends(bearer_grant)
    ) -> Response:
        stored = StoredOverlays(state.settings)
        _state_or_404(stored, gss, grant)
        triples = ox.parse(stored.overlay_ntriples(gss), format=ox.RdfFormat.N_TRIPLES)
        body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=CURIE_PREFIXES) or b""
        return Response(body, media_type="text/turtle; charset=utf-8")

    @router.get(
        "/api/templates/{name}",
        summary="The empty overlay template: XLSX, or a CSV per sheet",
        response_class=Response,
        responses={
            200: {
                "content": {
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                    "text/csv": {"schema": {"type": "string"}},
                }
            },
            **errors,
        },
    )
    def get_template(
        name: Annotated[str, Path(examples=["borough-overlay.xlsx"])], state: AppState = Depends(get_state)
    ) -> Response:
        if name not in TEMPLATES:
            known = ", ".join(TEMPLATES)
            raise ApiError(404, "unknown-template", f"no template {name!r}; the templates are {known}")
        path = state.settings.data_dir / "api" / "templates" / name
        return Response(
            path.read_bytes(),
            media_type=TEMPLATES[name],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return router
