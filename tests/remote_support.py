"""A real ``oxigraph serve`` process for the remote-store tests, and the fixture graph built twice.

The mini fixture (tests/data/mini) is built once into an embedded store and once, by
Graph Store Protocol, into an Oxigraph server on a free loopback port; tests compare the two.
The remote settings point ``store`` at a path that does not exist, so anything that
quietly opened the embedded store instead of the endpoint would fail.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.settings import Settings

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
ID = "https://w3id.org/common-outcomes/id/"
GRAPH = "https://w3id.org/common-outcomes/graph/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class OxigraphServer:
    """One ``oxigraph serve`` process on loopback."""

    process: subprocess.Popen[bytes]
    url: str

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def gsp_url(self) -> str:
        return self.url + "/store"

    def put(self, graph: str, ntriples: str) -> None:
        """Write a graph directly, behind outcomes-graph's back."""
        response = httpx.put(self.gsp_url, params={"graph": graph}, content=ntriples.encode(),
                             headers={"content-type": "application/n-triples"}, timeout=10)  # fmt: skip
        assert response.status_code in (201, 204), response.text

    def graph(self, graph: str) -> httpx.Response:
        return httpx.get(self.gsp_url, params={"graph": graph}, headers={"accept": "application/n-triples"})

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def start_oxigraph(location: Path) -> OxigraphServer:
    """``oxigraph serve --location DIR --bind 127.0.0.1:PORT``, once it answers."""
    if not OXIGRAPH.exists():
        pytest.fail(f"{OXIGRAPH} is missing: install the dev extras (pip install -e '.[dev]')")
    port = free_port()
    args = [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = OxigraphServer(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(server.url + "/", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            server.stop()
            raise RuntimeError(f"oxigraph serve exited: {output}")
    server.stop()
    raise RuntimeError("oxigraph serve did not answer within 30 s")


@dataclass
class Pair:
    """The same fixture sources built into an embedded store and into an Oxigraph server."""

    embedded: Settings
    remote: Settings
    server: OxigraphServer


def remote_settings(embedded: Settings, server: OxigraphServer) -> Settings:
    return replace(
        embedded,
        store=embedded.store.parent / "no-such-store",
        sparql_endpoint=server.query_url,
        gsp_endpoint=server.gsp_url,
    )


def built_pair(root: Path) -> Pair:
    """Build the mini fixture both ways under ``root`` (the caller stops ``pair.server``)."""
    embedded = mini_settings_in(root)
    build(embedded)
    server = start_oxigraph(root / "oxigraph")
    try:
        remote = remote_settings(embedded, server)
        build(remote)
    except BaseException:
        server.stop()
        raise
    return Pair(embedded, remote, server)


def cli_options(settings: Settings) -> list[str]:
    """Global options that say everything about ``settings`` (the remote ones when set)."""
    options = ["--store", str(settings.store), "--data-dir", str(settings.data_dir),
               "--cache-dir", str(settings.cache_dir)]  # fmt: skip
    if settings.sparql_endpoint:
        options += ["--sparql-endpoint", settings.sparql_endpoint]
    if settings.gsp_endpoint:
        options += ["--gsp-endpoint", settings.gsp_endpoint]
    return options
