"""outcomes-graph: England's children's and families' outcomes frameworks as a linked-data knowledge graph."""

from outcomes_graph.errors import (
    Location,
    OutcomesGraphError,
    QueryError,
    SourceError,
    StoreError,
    UsageError,
    ValidationFailed,
)
from outcomes_graph.settings import Settings

__all__ = [
    "Location",
    "OutcomesGraphError",
    "QueryError",
    "Settings",
    "SourceError",
    "StoreError",
    "UsageError",
    "ValidationFailed",
    "__version__",
]

__version__ = "0.1.0"
