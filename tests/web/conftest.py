"""Web fixtures: the app in-process over the fixture graph, and a real uvicorn server on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from outcomes_graph.build import build
from outcomes_graph.settings import Settings
from outcomes_graph.web import create_app

#: What schemathesis checks of every answer of an operation whose schema is exact.
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def built_mini(mini_settings: Settings) -> Settings:
    build(mini_settings)
    return mini_settings


@pytest.fixture
def app(built_mini: Settings) -> FastAPI:
    return create_app(built_mini)


@pytest.fixture
def client(app: FastAPI) -> Iterator[httpx.Client]:
    """In-process HTTP through the ASGI app (STYLE practice 11)."""
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(settings: Settings, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """``outcomes-graph serve`` as a real process over ``settings``' store; see :func:`serve_process`."""
    options = ["--store", str(settings.store), "--data-dir", str(settings.data_dir),
               "--cache-dir", str(settings.cache_dir)]  # fmt: skip
    return serve_process(options, *extra)


def serve_process(options: list[str], *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """``outcomes-graph OPTIONS serve`` on a free port; returns it and its base URL once /health answers."""
    port = free_port()
    exe = Path(sys.executable).parent / "outcomes-graph"
    args = [str(exe), *options, "serve", "--port", str(port), *extra]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            output = proc.stdout.read().decode() if proc.stdout else ""
            stop_server(proc)
            raise RuntimeError(f"server exited: {output}")
    stop_server(proc)
    raise RuntimeError("server did not answer /health within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout:
        proc.stdout.close()


@pytest.fixture(scope="session")
def real_server(real_settings: Settings) -> Iterator[str]:
    """The real graph served by a real uvicorn process; yields its base URL."""
    proc, url = start_server(real_settings)
    yield url
    stop_server(proc)


@pytest.fixture
def mini_server(built_mini: Settings) -> Iterator[str]:
    proc, url = start_server(built_mini)
    yield url
    stop_server(proc)


def eventually(check: Callable[[], object], seconds: float = 60, *, every: float = 0.05) -> bool:
    """Whether ``check()`` comes true within ``seconds`` (polled every ``every`` seconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False
