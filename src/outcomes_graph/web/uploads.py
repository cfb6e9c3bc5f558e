"""Reading an uploaded overlay from a request body: bounded, then split into ``(file name, bytes)``.

An overlay arrives either as one file in the body, its kind given by ``Content-Type`` (an
XLSX workbook, Turtle or JSON-LD), or as ``multipart/form-data`` with one or more files (the
way to send the CSV sheets, and what an HTML form sends). The body is refused with 413 as
soon as it passes ``max_upload_bytes``, before it is parsed; nothing is written anywhere.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Final

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from outcomes_graph.web.errors import ApiError

__all__ = ["UPLOAD_MEDIA_TYPES", "read_upload"]

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Body media types taken as one file, with the name the format is detected from.
UPLOAD_MEDIA_TYPES: Final = {
    XLSX: "overlay.xlsx",
    "text/turtle": "overlay.ttl",
    "application/ld+json": "overlay.jsonld",
}
MULTIPART: Final = "multipart/form-data"
MAX_PARTS: Final = 20


async def read_upload(request: Request, limit: int) -> list[tuple[str, bytes]]:
    """The uploaded files; an ``ApiError`` (400, 411, 413 or 415) that says what to send instead."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != MULTIPART and media not in UPLOAD_MEDIA_TYPES:
        hint = (
            "; CSV sheets are several files: send them as multipart/form-data "
            "(curl -F file=@setup.csv -F file=@priorities.csv ...)"
            if media == "text/csv"
            else ""
        )
        raise ApiError(
            415,
            "unsupported-media-type",
            f"cannot read an overlay sent as {media or 'no Content-Type'!r}{hint}; send one of "
            f"{', '.join(UPLOAD_MEDIA_TYPES)} or {MULTIPART}",
        )
    body = await _bounded_body(request, limit)
    if not body:
        raise ApiError(400, "empty-upload", "the request body is empty; send the overlay file")
    if media != MULTIPART:
        default = UPLOAD_MEDIA_TYPES[media]
        named = _named(request)
        # The media type decides the format; a sent file name is kept (for the upload record) when it agrees.
        keep = named is not None and named.lower().endswith(default[default.rfind(".") :])
        return [(named if keep and named else default, body)]
    return await _parts(request, body, limit)


async def _bounded_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit, at_least=True)
        chunks.append(chunk)
    return b"".join(chunks)


async def _parts(request: Request, body: bytes, limit: int) -> list[tuple[str, bytes]]:
    async def replay() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(
        request.headers, replay(), max_files=MAX_PARTS, max_fields=MAX_PARTS, max_part_size=limit
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ApiError(400, "bad-multipart", f"the multipart/form-data body cannot be read: {exc}") from None
    files: list[tuple[str, bytes]] = []
    try:
        for _, value in form.multi_items():
            if isinstance(value, UploadFile) and value.filename:
                files.append((value.filename, await value.read()))
    finally:
        await form.close()
    if not files:
        raise ApiError(
            400, "empty-upload", "the multipart/form-data body has no file part; attach the overlay's file(s)"
        )
    return files


def _named(request: Request) -> str | None:
    """A file name from ``Content-Disposition: attachment; filename="..."``, if the client sent one."""
    header = request.headers.get("content-disposition", "")
    for param in header.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "filename" and value.strip().strip('"'):
            return value.strip().strip('"')
    return None


def _too_large(size: int, limit: int, *, at_least: bool = False) -> ApiError:
    many = f"more than {limit}" if at_least else str(size)
    return ApiError(
        413,
        "upload-too-large",
        f"the upload has {many} bytes; the most accepted is {limit} (setting max_upload_bytes)",
    )
