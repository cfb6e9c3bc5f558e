"""DataLoaders: one store query per field type and request level, however many results.

Each loader collects the keys its resolvers ask for during one tick of the event
loop and answers them with one named query batched by a ``VALUES`` block
(:mod:`outcomes_graph.web.graphql.fetch`). A request builds fresh loaders, so
nothing is cached between requests except what the alignment engine keeps per build.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from outcomes_graph.queries import QueryRegistry
from outcomes_graph.store import GraphStore
from outcomes_graph.web.graphql.facts import Facts, Member, group_facts, natural_key
from outcomes_graph.web.graphql.fetch import Row, fetch_rows

__all__ = ["Loaders", "load_all"]

K = TypeVar("K")
V = TypeVar("V")


def _value(row: Row, name: str) -> str | None:
    cell = row.get(name)
    return cell["value"] if cell else None


class Loaders:
    """The loaders of one request, over one store."""

    def __init__(self, store: GraphStore, registry: QueryRegistry, *, union: bool = False) -> None:
        self.store = store
        self.registry = registry
        self.union = union
        self.describe: DataLoader[str, Facts] = DataLoader(self._describe)
        self.members: DataLoader[str, tuple[Member, ...]] = DataLoader(self._members)
        self.narrower: DataLoader[str, tuple[tuple[str, bool], ...]] = DataLoader(self._narrower)
        self.concept_mappings: DataLoader[str, tuple[Facts, ...]] = DataLoader(
            self._records("gql-concept-mappings", "concept")
        )
        self.set_mappings: DataLoader[str, tuple[Facts, ...]] = DataLoader(
            self._records("gql-set-mappings", "set")
        )
        self.reported_items: DataLoader[str, tuple[str, ...]] = DataLoader(
            self._column("gql-reported-items", "borough", "concept")
        )
        self.scheme_gaps: DataLoader[str, tuple[str, ...]] = DataLoader(
            self._column("gql-scheme-gaps", "scheme", "gap")
        )
        self._lists: dict[tuple[str, tuple[tuple[str, str], ...]], Awaitable[list[Row]]] = {}

    async def rows(self, name: str, **params: str) -> list[Row]:
        """A whole (unbatched) named query, run at most once per request for the same parameters."""
        key = (name, tuple(sorted(params.items())))
        if key not in self._lists:
            self._lists[key] = _shared(
                fetch_rows(self.store, self.registry, name, params=params, union=self.union)
            )
        return await self._lists[key]

    async def _batch(self, name: str, variable: str, keys: list[str]) -> list[Row]:
        return await fetch_rows(self.store, self.registry, name, batch=(variable, keys), union=self.union)

    async def _describe(self, keys: list[str]) -> list[Facts]:
        grouped = group_facts(await self._batch("gql-describe", "subject", keys))
        return [Facts.from_rows(key, grouped.get(key, ())) for key in keys]

    async def _members(self, keys: list[str]) -> list[tuple[Member, ...]]:
        found: dict[str, dict[str, Member]] = defaultdict(dict)
        for row in await self._batch("gql-scheme-members", "scheme", keys):
            order = _value(row, "order")
            member = Member(
                iri=row["concept"]["value"],
                type=_value(row, "type") or "",
                order=int(order) if order and order.lstrip("-").isdigit() else None,
                top=_value(row, "top") == "true",
            )
            found[row["scheme"]["value"]].setdefault(member.iri, member)
        return [tuple(sorted(found[key].values(), key=Member.sort_key)) for key in keys]

    async def _narrower(self, keys: list[str]) -> list[tuple[tuple[str, bool], ...]]:
        found: dict[str, dict[str, bool]] = defaultdict(dict)
        for row in await self._batch("gql-narrower", "concept", keys):
            kids = found[row["concept"]["value"]]
            child, candidate = row["narrower"]["value"], _value(row, "candidate") == "true"
            kids[child] = kids.get(child, True) and candidate
        return [tuple(sorted(found[key].items(), key=lambda kv: natural_key(kv[0]))) for key in keys]

    def _records(self, name: str, variable: str) -> Callable[[list[str]], Awaitable[list[tuple[Facts, ...]]]]:
        async def load(keys: list[str]) -> list[tuple[Facts, ...]]:
            per_key: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
            for row in await self._batch(name, variable, keys):
                triples = per_key[row[variable]["value"]][row["record"]["value"]]
                triples.append((row["predicate"]["value"], row["object"]["value"]))
            answer = []
            for key in keys:
                records = [Facts.from_rows(iri, pairs) for iri, pairs in per_key[key].items()]
                for record in records:
                    self.describe.prime(record.iri, record)
                answer.append(tuple(sorted(records, key=lambda f: natural_key(f.iri))))
            return answer

        return load

    def _column(
        self, name: str, variable: str, column: str
    ) -> Callable[[list[str]], Awaitable[list[tuple[str, ...]]]]:
        async def load(keys: list[str]) -> list[tuple[str, ...]]:
            found: dict[str, dict[str, None]] = defaultdict(dict)
            for row in await self._batch(name, variable, keys):
                found[row[variable]["value"]][row[column]["value"]] = None
            return [tuple(found[key]) for key in keys]

        return load


def _shared(awaitable: Awaitable[V]) -> Awaitable[V]:
    """An awaitable that many resolvers can await and that runs once."""
    return asyncio.ensure_future(awaitable)


async def load_all(loader: DataLoader[K, V], keys: Sequence[K]) -> list[V]:
    """``loader.load_many`` typed as a list."""
    return list(await loader.load_many(keys))
