"""``GET /health``: the store, its build and graph counts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from outcomes_graph.remote_store import RemoteStore
from outcomes_graph.web.state import AppState, get_state

router = APIRouter(tags=["service"])


@router.get("/health", summary="Service health: the store, the build and the graph counts")
def health(state: AppState = Depends(get_state)) -> dict[str, Any]:
    store = state.store
    info = store.info
    # Private graphs (a borough's unpublished overlay) are not counted: even their names would tell.
    public = info.public_records
    return {
        "status": "ok",
        "store": {"mode": "remote", "endpoint": store.shown_endpoint}
        if isinstance(store, RemoteStore)
        else {"mode": "embedded", "path": str(state.settings.store)},
        "build": {"id": info.build_id, "built_at": info.built_at},
        "graphs": len(public),
        "triples": sum(int(g["triples"]) for g in public),
        "graph_counts": {g["key"]: g["triples"] for g in public},
    }
