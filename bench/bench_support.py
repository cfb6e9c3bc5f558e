"""What the HTTP benchmarks share: a free port, and a server process started, awaited and stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from outcomes_graph.settings import Settings

HOST = "127.0.0.1"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill after 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def serving(settings: Settings, *extra: str, timeout: float = 120) -> Iterator[str]:
    """``outcomes-graph serve`` on a free port over ``settings``; yields its URL once /health answers."""
    port = free_port()
    args = [str(BIN / "outcomes-graph"), "--store", str(settings.store), "--data-dir", str(settings.data_dir),
            "--cache-dir", str(settings.cache_dir), "serve", "--port", str(port), *extra]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server at {url} did not start")
            time.sleep(0.1)
        yield url
    finally:
        stop(proc)
