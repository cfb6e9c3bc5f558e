"""The HTTP service: one FastAPI app built by :func:`create_app`."""

from outcomes_graph.web.app import create_app

__all__ = ["create_app"]
