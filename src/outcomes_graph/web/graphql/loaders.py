"""DataLoaders: one store query per field type and request level, however many results.

Each loader collects the keys its resolvers ask for during one tick of the event
loop and answers them with one named query batched by a ``VALUES`` block
(:mod:`outcomes_graph.web.graphql.fetch`). A request builds fresh loaders, but
every answer is also kept in the app's cache of the build
(:mod:`outcomes_graph.web.graphql.build_cache`): a key another request already
loaded costs no query, and only the keys nobody asked for yet go to the store.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from outcomes_graph.queries import QueryRegistry
from outcomes_graph.store import GraphStore
from outcomes_graph.web.graphql.build_cache import BuildCache
from outcomes_graph.web.graphql.facts import Facts, Member, group_facts, natural_key
from outcomes_graph.web.graphql.fetch import Row, fetch_rows

__all__ = ["Loaders", "load_all"]

K = TypeVar("K")
V = TypeVar("V")


def _value(row: Row, name: str) -> str | None:
    cell = row.get(name)
    return cell["value"] if cell else None


class Loaders:
    """The loaders of one request, over one store, backed by ``shared``: the cache of the store's build."""

    def __init__(self, store: GraphStore, registry: QueryRegistry, shared: BuildCache | None = None) -> None:
        self.store = store
        self.registry = registry
        # Without a cache of the build, nothing outlives the request (a cache that keeps nothing).
        self.shared = shared if shared is not None else BuildCache(store.info.build_id, max_weight=0)
        self.describe: DataLoader[str, Facts] = DataLoader(
            self._cached("describe", self._describe, _facts_weight)
        )
        self.members: DataLoader[str, tuple[Member, ...]] = DataLoader(
            self._cached("members", self._members, len)
        )
        self.narrower: DataLoader[str, tuple[tuple[str, bool], ...]] = DataLoader(
            self._cached("narrower", self._narrower, len)
        )
        self.concept_mappings: DataLoader[str, tuple[Facts, ...]] = DataLoader(
            self._primed(
                self._cached(
                    "concept-mappings", self._records("gql-concept-mappings", "concept"), _records_weight
                )
            )
        )
        self.set_mappings: DataLoader[str, tuple[Facts, ...]] = DataLoader(
            self._primed(
                self._cached("set-mappings", self._records("gql-set-mappings", "set"), _records_weight)
            )
        )
        self.reported_items: DataLoader[str, tuple[str, ...]] = DataLoader(
            self._cached("reported-items", self._column("gql-reported-items", "borough", "concept"), len)
        )
        self.scheme_gaps: DataLoader[str, tuple[str, ...]] = DataLoader(
            self._cached("scheme-gaps", self._column("gql-scheme-gaps", "scheme", "gap"), len)
        )
        self._lists: dict[tuple[str, tuple[tuple[str, str], ...]], Awaitable[list[Row]]] = {}
        self._views: dict[tuple[str, str], tuple[Facts, object]] = {}

    def view(self, kind: str, facts: Facts, make: Callable[[Facts], V]) -> V:
        """``make(facts)``, the GraphQL object of a resource, made once per build (or per request).

        The objects only hold what the facts say, so requests can share them; the one kept is
        reused only while it was made from these very facts (the cached ones of this build).
        """
        key = (kind, facts.iri)
        held = self._views.get(key)
        if held is None or held[0] is not facts:
            held = self.shared.get_many("view", [key]).get(key)
            if held is None or held[0] is not facts:
                held = (facts, make(facts))
                self.shared.put_many("view", [(key, held)], weigh=_one)
            self._views[key] = held
        return held[1]  # type: ignore[return-value]

    async def rows(self, name: str, **params: str) -> list[Row]:
        """A whole (unbatched) named query, run once per request for the same parameters, kept per build."""
        key = (name, tuple(sorted(params.items())))
        if key not in self._lists:
            self._lists[key] = _shared(self._rows(key, name, params))
        return await self._lists[key]

    async def _rows(self, key: Hashable, name: str, params: dict[str, str]) -> list[Row]:
        found: dict[Hashable, list[Row]] = self.shared.get_many("rows", [key])
        if key in found:
            return found[key]
        rows = await fetch_rows(self.store, self.registry, name, params=params)
        self.shared.put_many("rows", [(key, rows)], weigh=_rows_weight)
        return rows

    def _cached(
        self, namespace: str, load: Callable[[list[str]], Awaitable[list[V]]], weigh: Callable[[V], int]
    ) -> Callable[[list[str]], Awaitable[list[V]]]:
        """``load``, asked only for the keys the build's cache does not hold yet."""

        async def batch(keys: list[str]) -> list[V]:
            found: dict[str, V] = self.shared.get_many(namespace, keys)
            missing = [key for key in keys if key not in found]
            if missing:
                fresh = list(zip(missing, await load(missing), strict=True))
                self.shared.put_many(namespace, fresh, weigh=weigh)
                found.update(fresh)
            return [found[key] for key in keys]

        return batch

    def _primed(
        self, load: Callable[[list[str]], Awaitable[list[tuple[Facts, ...]]]]
    ) -> Callable[[list[str]], Awaitable[list[tuple[Facts, ...]]]]:
        """``load``, whose records (read whole) also answer ``describe`` for the rest of the request."""

        async def batch(keys: list[str]) -> list[tuple[Facts, ...]]:
            answer = await load(keys)
            for records in answer:
                for record in records:
                    self.describe.prime(record.iri, record)
            return answer

        return batch

    async def _batch(self, name: str, variable: str, keys: list[str]) -> list[Row]:
        return await fetch_rows(self.store, self.registry, name, batch=(variable, keys))

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


def _one(_: object) -> int:
    return 1


def _facts_weight(facts: Facts) -> int:
    return 1 + sum(len(values) for values in facts.values.values())


def _records_weight(records: tuple[Facts, ...]) -> int:
    return sum(_facts_weight(record) for record in records)


def _rows_weight(rows: list[Row]) -> int:
    return len(rows) * len(rows[0]) if rows else 1


def _shared(awaitable: Awaitable[V]) -> Awaitable[V]:
    """An awaitable that many resolvers can await and that runs once."""
    return asyncio.ensure_future(awaitable)


async def load_all(loader: DataLoader[K, V], keys: Sequence[K]) -> list[V]:
    """``loader.load_many`` typed as a list."""
    return list(await loader.load_many(keys))
