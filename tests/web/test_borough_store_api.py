"""Stored overlays over real HTTP: tokens, upload, publish, the stored check, privacy through every endpoint.

One real ``outcomes-graph serve`` process reads a private copy of the real build; tokens
are made the way ``outcomes-graph borough token`` makes them (written to the same folder
the server reads), and every request goes over a socket.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from outcomes_graph.borough_format import read_tables, table_rows, tables_to_xlsx
from outcomes_graph.borough_tokens import TokenStore
from outcomes_graph.build import build
from outcomes_graph.settings import Settings
from outcomes_graph.store import BuildInfo
from web.conftest import start_server, stop_server

DATA = Path(__file__).parents[1] / "data" / "boroughs"
TH, MERTON, WESTMINSTER = "E09000030", "E09000024", "E09000033"
BASE = "https://w3id.org/common-outcomes/"
TH_GRAPH = f"{BASE}graph/borough/{TH}"
TH_ITEM = f"{BASE}id/borough/{TH}/priority/TH-HE1"
TH_LABEL = "Babies are born healthy and thrive in their first year"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clone_store(source: Settings, root: Path) -> Settings:
    """A private copy of a built store (writes here never touch the session's shared build)."""
    folder = source.store.resolve()
    copy = root / "store.builds" / folder.name
    shutil.copytree(folder, copy)
    (root / "store").symlink_to(copy.relative_to(root))
    return Settings(store=root / "store", data_dir=source.data_dir, cache_dir=source.cache_dir)


def csv_parts(folder: Path, edit: tuple[str, str, str] | None = None, drop: str = "") -> list[Any]:
    parts = []
    for path in sorted(folder.iterdir()):
        if path.name == drop:
            continue
        data = path.read_bytes()
        if edit and edit[0] == path.name:
            assert edit[1].encode() in data
            data = data.replace(edit[1].encode(), edit[2].encode(), 1)
        parts.append(("file", (path.name, data, "text/csv")))
    return parts


def workbook(folder: Path, change: Callable[[openpyxl.Workbook], None] | None = None) -> bytes:
    data = tables_to_xlsx(table_rows(read_tables([folder])))
    if change is None:
        return data
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def deployment(real_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    settings = clone_store(real_settings, tmp_path_factory.mktemp("boroughs"))
    tokens = TokenStore(settings)
    th, _ = tokens.issue(TH, "Tower Hamlets data team")
    merton, _ = tokens.issue(MERTON, "Merton performance")
    westminster, _ = tokens.issue(WESTMINSTER, "")
    proc, url = start_server(settings)
    try:
        yield {"settings": settings, "url": url, "th": th, "merton": merton, "westminster": westminster}
    finally:
        stop_server(proc)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def build_id(url: str) -> str:
    return str(httpx.get(url + "/health", timeout=10).json()["build"]["id"])


def put(
    url: str, gss: str, token: str | None, headers: dict[str, str] | None = None, **kwargs: Any
) -> httpx.Response:
    sent = (headers or {}) | (auth(token) if token else {})
    return httpx.put(f"{url}/api/boroughs/{gss}", headers=sent, timeout=60, **kwargs)


def sparql(url: str, query: str, **params: Any) -> httpx.Response:
    return httpx.get(
        url + "/sparql",
        params={"query": query, **params},
        timeout=30,
        headers={"Accept": "application/sparql-results+json"},
    )


# --- tokens -------------------------------------------------------------------------------------


def test_writing_needs_the_boroughs_own_token(deployment):
    url, before = deployment["url"], build_id(deployment["url"])
    parts = csv_parts(DATA / "tower-hamlets")
    missing = put(url, TH, None, files=parts)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "borough token E09000030" in missing.json()["error"]["detail"]
    unknown = put(url, TH, "ogb_not-a-token", files=parts)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (401, "invalid-token")
    other = put(url, TH, deployment["merton"], files=parts)
    assert other.status_code == 403
    assert other.json()["error"]["detail"] == "this token may write E09000024's overlay only, not E09000030's"
    for path in (f"/api/boroughs/{TH}/publish",):
        assert httpx.post(url + path, headers=auth(deployment["merton"]), timeout=10).status_code == 403
    assert (
        httpx.delete(f"{url}/api/boroughs/{TH}", headers=auth(deployment["merton"]), timeout=10).status_code
        == 403
    )
    assert build_id(url) == before
    assert StoredState(deployment).of(TH) is None


def test_tokens_are_stored_hashed(deployment):
    text = (deployment["settings"].overlays_dir / "tokens.json").read_text()
    assert deployment["th"] not in text
    assert hashlib.sha256(deployment["th"].encode()).hexdigest() in text


def test_a_revoked_token_stops_working(deployment):
    store = TokenStore(deployment["settings"])
    token, grant = store.issue(WESTMINSTER, "short-lived")
    url = deployment["url"]
    assert (
        httpx.get(f"{url}/api/boroughs/{WESTMINSTER}/uploads", headers=auth(token), timeout=10).status_code
        == 200
    )
    store.revoke(grant.id)
    answer = httpx.get(f"{url}/api/boroughs/{WESTMINSTER}/uploads", headers=auth(token), timeout=10)
    assert answer.status_code == 401


# --- bad input changes nothing ------------------------------------------------------------------

TH_FOLDER = DATA / "tower-hamlets"


def _formula(book: openpyxl.Workbook) -> None:
    book["Local indicators"]["H5"] = "=0.5+0.3"


def _no_services(book: openpyxl.Workbook) -> None:
    del book["Services"]


def _merged(book: openpyxl.Workbook) -> None:
    book["Priorities"].merge_cells("D2:D3")


def _latin1() -> list[Any]:
    parts = csv_parts(TH_FOLDER)
    text = (
        (TH_FOLDER / "priorities.csv")
        .read_text(encoding="utf-8")
        .replace("Public Health,", "Santé publique,")
    )
    return [
        p if p[1][0] != "priorities.csv" else ("file", ("priorities.csv", text.encode("latin-1"), "text/csv"))
        for p in parts
    ]


BAD_UPLOADS: dict[str, tuple[Callable[[], dict[str, Any]], int, str]] = {
    "wrong GSS code": (
        lambda: {"files": csv_parts(TH_FOLDER, ("setup.csv", "GSS code,E09000030", "GSS code,E09000099"))},
        422,
        "GSS code 'E09000099' is not a London borough",
    ),
    "unknown concept": (
        lambda: {
            "files": csv_parts(
                TH_FOLDER, ("local-indicators.csv", "PHOF C08b,exactMatch", "PHOF B2a,exactMatch")
            )
        },
        422,
        "'PHOF B2a' is not a known concept; did you mean PHOF B02a",
    ),
    "bad predicate": (
        lambda: {
            "files": csv_parts(
                TH_FOLDER,
                ("local-indicators.csv", "phof:indicator/92517,exactMatch", "phof:indicator/92517,sameAs"),
            )
        },
        422,
        "'sameAs' is not a SKOS mapping predicate",
    ),
    "missing sheet": (
        lambda: {"content": workbook(TH_FOLDER, _no_services), "headers": {"Content-Type": XLSX}},
        422,
        "has no sheet 'Services'",
    ),
    "duplicate row": (
        lambda: {
            "files": csv_parts(
                TH_FOLDER, ("local-indicators.csv", "TH-I03,Women booking", "TH-I02,Women booking")
            )
        },
        422,
        "duplicate row: ID 'TH-I02' is already used in row 3",
    ),
    "formula cells": (
        lambda: {"content": workbook(TH_FOLDER, _formula), "headers": {"Content-Type": XLSX}},
        422,
        "holds a formula (=0.5+0.3); paste values only",
    ),
    "merged cells": (
        lambda: {"content": workbook(TH_FOLDER, _merged), "headers": {"Content-Type": XLSX}},
        422,
        "cells D2:D3 are merged; unmerge them",
    ),
    "empty file": (
        lambda: {"content": b"", "headers": {"Content-Type": XLSX}},
        400,
        "the request body is empty",
    ),
    "50 MB file": (
        lambda: {"content": b"\0" * (50 * 1024 * 1024), "headers": {"Content-Type": XLSX}},
        413,
        "the most accepted is 10485760 (setting max_upload_bytes)",
    ),
    "non-UTF-8 CSV": (lambda: {"files": _latin1()}, 422, "is not UTF-8 (byte 0xe9 at offset"),
    "another borough's overlay": (
        lambda: {"files": csv_parts(DATA / "merton")},
        422,
        "this overlay is for Merton (E09000024); it was sent to E09000030",
    ),
    "CSV as one body": (
        lambda: {"content": b"Field,Value\n", "headers": {"Content-Type": "text/csv"}},
        415,
        "send them as multipart/form-data",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_UPLOADS))
def test_a_bad_upload_is_refused_clearly_and_changes_nothing(deployment, kind):
    url, before = deployment["url"], build_id(deployment["url"])
    make, status, message = BAD_UPLOADS[kind]
    state_before = StoredState(deployment).of(TH)
    answer = put(url, TH, deployment["th"], **make())
    assert answer.status_code == status, answer.text[:500]
    body = answer.json()
    detail = body["error"]["detail"] if "error" in body else " | ".join(e["text"] for e in body["errors"])
    assert message in detail
    if status == 422:
        assert body["valid"] is False
        first = body["errors"][0]
        assert first["sheet"], first  # named in the borough's terms
    assert build_id(url) == before
    assert StoredState(deployment).of(TH) == state_before


class StoredState:
    def __init__(self, deployment: dict[str, Any]) -> None:
        self.root = deployment["settings"].overlays_dir

    def of(self, gss: str) -> str | None:
        path = self.root / gss / "state.json"
        return path.read_text() if path.exists() else None


# --- privacy through every endpoint -------------------------------------------------------------


def _probes(url: str) -> dict[str, Callable[[], bool]]:
    """Each answers True when it sees Tower Hamlets' overlay."""

    def rows(answer: httpx.Response) -> list[Any]:
        assert answer.status_code == 200, answer.text[:300]
        return list(answer.json()["results"]["bindings"])

    def text(path: str, **kwargs: Any) -> str:
        answer = httpx.get(url + path, timeout=60, follow_redirects=True, **kwargs)
        return answer.text if answer.status_code == 200 else ""

    return {
        "sparql default graph": lambda: bool(rows(sparql(url, f"SELECT ?p WHERE {{ <{TH_ITEM}> ?p ?o }}"))),
        "sparql label": lambda: bool(rows(sparql(url, f'SELECT ?s WHERE {{ ?s ?p "{TH_LABEL}"@en }}'))),
        "sparql FROM": lambda: bool(
            rows(sparql(url, f"SELECT ?s FROM <{TH_GRAPH}> WHERE {{ ?s ?p ?o }} LIMIT 1"))
        ),
        "sparql FROM NAMED": lambda: bool(
            rows(
                sparql(url, f"SELECT ?s FROM NAMED <{TH_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1")
            )
        ),
        "sparql GRAPH <g>": lambda: bool(
            rows(sparql(url, f"SELECT ?s WHERE {{ GRAPH <{TH_GRAPH}> {{ ?s ?p ?o }} }} LIMIT 1"))
        ),
        "sparql GRAPH ?g": lambda: any(
            b["g"]["value"] == TH_GRAPH
            for b in rows(sparql(url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))
        ),
        "sparql default-graph-uri": lambda: bool(
            rows(sparql(url, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", **{"default-graph-uri": TH_GRAPH}))
        ),
        "sparql named-graph-uri": lambda: bool(
            rows(
                sparql(
                    url, "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1", **{"named-graph-uri": TH_GRAPH}
                )
            )
        ),
        "linked data": lambda: (
            TH_LABEL in text(f"/id/borough/{TH}/priority/TH-HE1", headers={"Accept": "text/turtle"})
        ),
        "dump": lambda: TH_ITEM in text("/download/outcomes-graph.nq"),
        "void": lambda: TH_GRAPH in text("/.well-known/void", headers={"Accept": "text/turtle"}),
        "health": lambda: f"borough/{TH}" in text("/health"),
        "rest status": lambda: httpx.get(f"{url}/api/boroughs/{TH}", timeout=10).status_code == 200,
        "rest stored check": lambda: TH_LABEL in text(f"/api/boroughs/{TH}/check.json"),
        "rest overlay graph": lambda: TH_LABEL in text(f"/api/boroughs/{TH}/overlay.ttl"),
        "rest borough list": lambda: any(
            b["gss"] == TH and b["overlay"]
            for b in httpx.get(url + "/api/boroughs", timeout=30).json()["boroughs"]
        ),
        "rest named query": lambda: (
            TH_LABEL in text("/api/queries/gql-describe.csv", params={"subject": TH_ITEM})
        ),
    }


def _other_token_probes(url: str, token: str) -> dict[str, Callable[[], bool]]:
    """With another borough's token, the private overlay is just as invisible."""
    return {
        "status": lambda: (
            httpx.get(f"{url}/api/boroughs/{TH}", headers=auth(token), timeout=10).status_code == 200
        ),
        "check": lambda: (
            httpx.get(f"{url}/api/boroughs/{TH}/check", headers=auth(token), timeout=30).status_code == 200
        ),
        "graph": lambda: (
            httpx.get(f"{url}/api/boroughs/{TH}/overlay.ttl", headers=auth(token), timeout=10).status_code
            == 200
        ),
        "uploads": lambda: (
            httpx.get(f"{url}/api/boroughs/{TH}/uploads", headers=auth(token), timeout=10).status_code == 200
        ),
    }


def _graphql_sees_it(url: str) -> bool:
    query = f'{{ concept(uri: "{TH_ITEM}") {{ uri }} search(text: "{TH_LABEL}") {{ totalCount }} }}'
    answer = httpx.post(url + "/graphql", json={"query": query}, timeout=30).json()
    data = answer.get("data") or {}
    return bool(data.get("concept")) or bool((data.get("search") or {}).get("totalCount"))


def test_upload_publish_and_privacy_through_every_endpoint(deployment):
    url, token = deployment["url"], deployment["th"]
    probes = _probes(url)
    assert not any(probe() for probe in probes.values())

    files = csv_parts(TH_FOLDER)
    stored = put(url, TH, token, files=files)
    assert stored.status_code == 200, stored.text[:500]
    body = stored.json()
    assert body["overlay"]["visibility"] == "private"
    record = body["record"]
    assert record["by"] == f"token {record['by'].split()[1]} (Tower Hamlets data team)"
    expected = sorted(f"{name}\0{hashlib.sha256(data).hexdigest()}\n" for _, (name, data, _) in files)
    assert record["sha256"] == hashlib.sha256("".join(expected).encode()).hexdigest()
    assert record["counts"] == {
        "priorities": 8,
        "indicators": 12,
        "services": 4,
        "mappings": 18,
        "availability": 10,
    }
    assert body["check"]["valid"] is True

    # The writing process serves the new build at once; the others within a second.
    seen = {name for name, probe in probes.items() if probe()}
    assert not seen, f"a private overlay is visible through {sorted(seen)}"
    seen = {name for name, probe in _other_token_probes(url, deployment["merton"]).items() if probe()}
    assert not seen, f"another borough's token sees the private overlay through {sorted(seen)}"
    assert not _graphql_sees_it(url)

    # Its own token sees it.
    own = httpx.get(f"{url}/api/boroughs/{TH}/check.json", headers=auth(token), timeout=60).json()
    assert own["valid"] is True
    assert own["borough"]["gss"] == TH
    assert TH_LABEL in httpx.get(f"{url}/api/boroughs/{TH}/overlay.ttl", headers=auth(token), timeout=10).text
    uploads = httpx.get(f"{url}/api/boroughs/{TH}/uploads", headers=auth(token), timeout=10).json()["records"]
    assert [r["action"] for r in uploads] == ["upload"]
    assert uploads[0]["sha256"] == record["sha256"]

    published = httpx.post(f"{url}/api/boroughs/{TH}/publish", headers=auth(token), timeout=60)
    assert published.status_code == 200
    assert published.json()["overlay"]["visibility"] == "public"
    hidden = {name for name, probe in probes.items() if not probe()}
    assert not hidden, f"a published overlay is still hidden from {sorted(hidden)}"
    # The upload record is part of the published graph (PROV-O).
    upload_iri = f"{BASE}id/borough/{TH}/upload/{record['upload']}"
    prov = rows_of(
        sparql(
            url,
            f"SELECT ?hash ?by WHERE {{ <{upload_iri}> <{BASE}def/contentHash> ?hash ; "
            f"<{BASE}def/uploadedBy> ?by }}",
        )
    )
    assert prov == [{"hash": "sha256:" + record["sha256"], "by": record["by"]}]

    private = httpx.delete(f"{url}/api/boroughs/{TH}/publish", headers=auth(token), timeout=60)
    assert private.status_code == 200
    assert private.json()["overlay"]["visibility"] == "private"
    seen = {name for name, probe in probes.items() if probe()}
    assert not seen, f"an unpublished overlay is visible through {sorted(seen)}"


def rows_of(answer: httpx.Response) -> list[dict[str, str]]:
    assert answer.status_code == 200, answer.text[:300]
    return [{k: v["value"] for k, v in b.items()} for b in answer.json()["results"]["bindings"]]


def test_a_new_upload_replaces_the_graph_whole(deployment):
    url, token = deployment["url"], deployment["westminster"]
    assert put(url, WESTMINSTER, token, files=csv_parts(DATA / "westminster")).status_code == 200
    assert (
        httpx.post(f"{url}/api/boroughs/{WESTMINSTER}/publish", headers=auth(token), timeout=60).status_code
        == 200
    )
    count = (
        f"SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH <{BASE}graph/borough/{WESTMINSTER}> "
        f"{{ ?s a <{BASE}def/LocalService> }} }}"
    )
    first = int(rows_of(sparql(url, count))[0]["n"])
    services = (DATA / "westminster" / "services.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    fewer = [
        p
        if p[1][0] != "services.csv"
        else ("file", ("services.csv", "".join(services[:-1]).encode(), "text/csv"))
        for p in csv_parts(DATA / "westminster")
    ]
    second = put(url, WESTMINSTER, token, files=fewer)
    assert second.status_code == 200
    assert second.json()["overlay"]["visibility"] == "public"
    assert int(rows_of(sparql(url, count))[0]["n"]) == first - 1
    records = httpx.get(f"{url}/api/boroughs/{WESTMINSTER}/uploads", headers=auth(token), timeout=10).json()
    assert [r["action"] for r in records["records"]] == ["upload", "publish", "upload"]


def test_two_boroughs_uploading_at_once_both_land(deployment):
    url = deployment["url"]
    with ThreadPoolExecutor(2) as pool:
        th = pool.submit(
            put, url, TH, deployment["th"], content=workbook(TH_FOLDER), headers={"Content-Type": XLSX}
        )
        merton = pool.submit(put, url, MERTON, deployment["merton"], files=csv_parts(DATA / "merton"))
        assert th.result().status_code == 200, th.result().text[:300]
        assert merton.result().status_code == 200, merton.result().text[:300]
    info = BuildInfo.read(deployment["settings"].store.resolve())
    keys = {g["key"] for g in info.graphs}
    assert {f"borough/{TH}", f"borough/{MERTON}"} <= keys


# --- checks ---------------------------------------------------------------------------------------


def test_post_check_is_stateless_and_answers_every_format(deployment):
    url, before = deployment["url"], build_id(deployment["url"])
    answer = httpx.post(url + "/api/check", files=csv_parts(DATA / "merton"), timeout=60)
    assert answer.status_code == 200
    report = answer.json()
    assert report["valid"] is True
    assert report["borough"]["gss"] == MERTON
    assert {c["framework"] for c in report["coverage"]} >= {"lof", "phof", "bsil", "sf"}
    book = workbook(TH_FOLDER)
    for suffix, media, magic in (
        (".xlsx", XLSX, b"PK"),
        (".html", "text/html", b"<!doctype html"),
        (".csv", "text/csv", b"section,framework"),
    ):
        rendered = httpx.post(
            url + "/api/check" + suffix, content=book, headers={"Content-Type": XLSX}, timeout=60
        )
        assert rendered.status_code == 200
        assert rendered.headers["content-type"].startswith(media)
        assert rendered.content.startswith(magic)
    invalid = httpx.post(
        url + "/api/check", content=b"<not> turtle", headers={"Content-Type": "text/turtle"}, timeout=30
    )
    assert invalid.status_code == 200
    assert invalid.json()["valid"] is False
    assert "is not valid Turtle" in invalid.json()["errors"][0]["message"]
    assert build_id(url) == before


def test_the_template_downloads(deployment):
    url = deployment["url"]
    book = httpx.get(url + "/api/templates/borough-overlay.xlsx", timeout=10)
    assert book.status_code == 200
    assert book.headers["content-type"] == XLSX
    sheets = openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames
    assert sheets == ["Setup", "Priorities", "Local indicators", "Data availability", "Services"]
    assert httpx.get(url + "/api/templates/borough-overlay-setup.csv", timeout=10).text.startswith(
        "Field,Value"
    )
    assert httpx.get(url + "/api/templates/..%2Fsettings.py", timeout=10).status_code == 404


# --- the store and the sources ----------------------------------------------------------------------


def test_a_full_build_keeps_stored_overlays_and_their_visibility(deployment):
    settings = deployment["settings"]
    url, token = deployment["url"], deployment["merton"]
    if put(url, MERTON, token, files=csv_parts(DATA / "merton")).status_code != 200:
        pytest.fail("the Merton upload failed")
    before = {
        g["key"]: g["visibility"]
        for g in BuildInfo.read(settings.store.resolve()).graphs
        if g["kind"] == "borough"
    }
    result = build(settings)
    after = {g["key"]: g["visibility"] for g in result.info.graphs if g["kind"] == "borough"}
    assert after == before
    assert f"borough/{MERTON}" in after
