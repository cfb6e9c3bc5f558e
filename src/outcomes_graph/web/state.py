"""What every request handler shares: settings, the store, the named queries. Built once per app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from outcomes_graph.queries import QueryRegistry
from outcomes_graph.settings import Settings
from outcomes_graph.store import GraphStore

__all__ = ["AppState", "get_state"]


@dataclass
class AppState:
    settings: Settings
    store: GraphStore
    registry: QueryRegistry

    @property
    def build_id(self) -> str:
        return self.store.info.build_id


def get_state(request: Request) -> AppState:
    """FastAPI dependency: the state ``create_app`` attached to the app."""
    state: AppState = request.app.state.og
    return state
