"""The import string uvicorn workers load (``outcomes_graph.web.asgi:app_factory``).

Worker processes cannot receive a Settings object, so the ``serve`` command passes its
settings through ``OUTCOMES_GRAPH_*`` variables and each worker builds them here, at its
own entry point.
"""

from __future__ import annotations

from fastapi import FastAPI

from outcomes_graph.settings import Settings
from outcomes_graph.web.app import create_app


def app_factory() -> FastAPI:
    return create_app(Settings.from_env())
