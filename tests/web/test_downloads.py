"""``/download/``: every dump has a licence, a version and a checksum matching its bytes, and parses back."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef
from rdflib.namespace import RDF

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.linked_data_dumps import downloads_root
from outcomes_graph.settings import Settings
from outcomes_graph.sources import SourceUnit
from outcomes_graph.sssom import load_sssom
from outcomes_graph.vocab import OGL_V3, SSSOM
from outcomes_graph.web import create_app

RDF_FORMATS = {
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/turtle": ox.RdfFormat.TURTLE,
}


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("downloads")
    built = mini_settings_in(root)
    build(built)
    return built


@pytest.fixture(scope="module")
def client(settings):
    with TestClient(create_app(settings), base_url="http://testserver") as c:
        yield c


@pytest.fixture(scope="module")
def index(client) -> dict:
    response = client.get("/download/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response.json()


def test_index_lists_every_kind_of_dump_with_licence_and_version(client, index):
    build_id = client.app.state.og.build_id
    assert index["version"] == build_id
    assert index["license"] == str(OGL_V3)
    names = {f["name"] for f in index["files"]}
    assert {
        "outcomes-graph.trig",
        "outcomes-graph.nq",
        "concepts.csv",
        "mappings.csv",
        "sssom/sf-cof.sssom.tsv",
        "graph/sf.ttl",
        "graph/mappings/sf-cof.ttl",
    } <= names
    for file in index["files"]:
        assert file["license"] == str(OGL_V3)
        assert file["version"] == build_id
        assert len(file["sha256"]) == 64


def test_checksums_match_the_bytes(client, index):
    for file in index["files"]:
        response = client.get(file["url"])
        assert response.status_code == 200, file["name"]
        digest = hashlib.sha256(response.content).hexdigest()
        assert digest == file["sha256"], file["name"]
        assert len(response.content) == file["bytes"]
        assert response.headers["etag"] == f'"{digest}"'
        assert response.headers["content-type"].split(";")[0] == file["media_type"]


def test_rdf_dumps_parse_back_to_the_public_graphs(client, index):
    store = client.app.state.og.store
    public = set(store.quads())
    for file in index["files"]:
        fmt = RDF_FORMATS.get(file["media_type"])
        if fmt is None:
            continue
        parsed = list(ox.parse(client.get(file["url"]).content, format=fmt))
        if file["kind"] == "dataset":
            assert set(parsed) == public, file["name"]
        else:
            graph = ox.NamedNode(file["subject"])
            assert {q.triple for q in parsed} == {q.triple for q in public if q.graph_name == graph}, file[
                "name"
            ]


def test_sssom_dump_loads_back_with_every_record(client, index, tmp_path):
    store = client.app.state.og.store
    for file in (f for f in index["files"] if f["kind"] == "mapping-set"):
        path = tmp_path / Path(file["name"]).name
        path.write_bytes(client.get(file["url"]).content)
        loaded = load_sssom(path, unit=SourceUnit("x", "mappings", (path,)), graph_iri=URIRef("urn:x"))
        records = set(loaded.graph.subjects(RDF.type, SSSOM.Mapping))
        expected = {
            r["r"].value
            for r in store.query(
                f"SELECT ?r WHERE {{ <{file['subject']}> <https://w3id.org/sssom/mappings> ?r }}"
            )
        }
        assert expected
        assert {str(r) for r in records} == expected


def test_csv_dumps_have_a_row_per_item(client):
    store = client.app.state.og.store
    concepts = list(csv.DictReader(io.StringIO(client.get("/download/concepts.csv").text)))
    expected = {
        r["c"].value
        for r in store.query(
            "SELECT DISTINCT ?c WHERE { ?c <http://www.w3.org/2004/02/skos/core#inScheme> ?s }"
        )
    }
    assert {row["concept"] for row in concepts} == expected
    mappings = list(csv.DictReader(io.StringIO(client.get("/download/mappings.csv").text)))
    assert len({row["record"] for row in mappings}) == len(mappings) == 3


def test_if_none_match_gets_304(client, index):
    file = index["files"][0]
    response = client.get(file["url"], headers={"If-None-Match": f'"other", "{file["sha256"]}"'})
    assert response.status_code == 304
    assert response.content == b""


def test_unknown_download_is_404(client):
    response = client.get("/download/nothing.ttl")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not-found"


def test_index_in_html_links_every_file(client, index):
    response = client.get("/download/", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    for file in index["files"]:
        assert f'href="/download/{file["name"]}"' in response.text
        assert file["sha256"] in response.text
    assert client.get("/download/index.json").json() == index


def test_dumps_are_made_once_per_build(settings, client, index):
    """A second app (another worker, or a restart) reuses the files on disk instead of writing them again."""
    folder = downloads_root(settings.store) / index["version"]
    manifest = folder / "manifest.json"
    before = manifest.stat().st_mtime_ns
    with TestClient(create_app(settings)) as other:
        assert other.get("/download/index.json").json() == index
    assert manifest.stat().st_mtime_ns == before
    assert [p.name for p in downloads_root(settings.store).iterdir()] == [index["version"]]


def test_head_answers_without_a_body(client, index):
    file = index["files"][0]
    response = client.head(file["url"])
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["etag"] == f'"{file["sha256"]}"'


def test_openapi_documents_the_linked_data_routes(client):
    """The schema builds (no duplicate operation ids) and names every linked-data route."""
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/id/{path}", "/doc/{path}", "/def/", "/def/{term}", "/.well-known/void", "/catalog",
                 "/download/", "/download/{name}", "/context.jsonld"):  # fmt: skip
        assert path in paths, path


def test_dumps_removed_under_a_running_server_are_written_again(settings, client, index):
    shutil.rmtree(downloads_root(settings.store) / index["version"])
    file = index["files"][0]
    response = client.get(file["url"], params={"again": "1"})
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == file["sha256"]


def test_a_real_server_streams_the_largest_dump_whole(real_server):
    """Over real HTTP the dump leaves chunk by chunk (serve's one-write protocol holds each one only until
    the loop turns): every byte arrives, in order, as the checksum says, to a client that reads slowly."""
    listed = httpx.get(f"{real_server}/download/", headers={"Accept": "application/json"}, timeout=60).json()
    largest = max(listed["files"], key=lambda f: f["bytes"])
    assert largest["bytes"] > 1_000_000
    digest, size = hashlib.sha256(), 0
    with httpx.stream("GET", f"{real_server}{largest['url']}", timeout=60) as response:
        assert response.status_code == 200
        for chunk in response.iter_raw(chunk_size=4096):
            digest.update(chunk)
            size += len(chunk)
            if size < 200_000:
                time.sleep(0.001)  # let the server's send buffer fill, so that it must wait to write
    assert (size, digest.hexdigest()) == (largest["bytes"], largest["sha256"])
