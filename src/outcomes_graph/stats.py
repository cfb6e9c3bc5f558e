"""``outcomes-graph stats``: counts per scheme, per status, and mappings per predicate."""

from __future__ import annotations

from outcomes_graph.output import term_text
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.store import GraphStore

__all__ = ["STATS_QUERIES", "gather_stats"]

#: The named queries behind ``stats``, with the heading each table gets.
STATS_QUERIES = {
    "concepts-per-scheme": "Concepts and known gaps per framework",
    "items-per-status": "Items per status",
    "mappings-per-predicate": "Mappings per predicate",
}


def gather_stats(store: GraphStore, registry: QueryRegistry) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Each stats table as (column names, rows of display strings)."""
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    for name in STATS_QUERIES:
        query = registry.get(name)
        result = store.query(query.sparql, substitutions=query.substitutions({}))
        columns = [v.value for v in result.variables if v.value != "scheme"]
        tables[name] = (columns, [[term_text(row[c]) for c in columns] for row in result])
    return tables
