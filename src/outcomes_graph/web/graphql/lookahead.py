"""Look-ahead: load what a page's items will need while the page itself is loading.

A resolver that returns a page of concepts knows which of their fields the request
selects. It starts their mappings and narrower concepts in the same tick as the
concepts' own triples, then describes every resource the page links to (parents,
domains, tier, sources, framework, boroughs, both ends and the set of each mapping) in
one more batch. The results land in the
loaders' caches, where the field resolvers find them already resolved and answer
without waiting: fewer request levels, and far fewer coroutines per request. Nothing
is loaded that the request does not select.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from outcomes_graph.web.graphql.context import Info
from outcomes_graph.web.graphql.facts import DCTERMS, OG, SKOS, SSSOM, Facts

__all__ = ["LINKS", "RECORD_LINKS", "item_fields", "links_of_page", "quietly", "ready", "start"]

K = TypeVar("K")
V = TypeVar("V")
_WRAPPERS = frozenset({"edges", "node", "nodes"})
#: Fields of a connection itself, not of its items: selecting only these shows no item.
_CONNECTION_FIELDS = frozenset({"totalCount", "pageInfo", "cursor"})
#: Concept fields that name other resources, and the predicate each follows.
LINKS = {
    "broader": SKOS.broader,
    "candidateBroader": OG.candidateBroader,
    "domains": OG.domain,
    "tier": OG.tier,
    "sources": DCTERMS.source,
    "framework": SKOS.inScheme,
    "reportedBy": OG.reportedBy,
}
#: Mapping fields that name other resources, and the predicate each follows.
RECORD_LINKS = {
    "subject": SSSOM.subject_id,
    "object": SSSOM.object_id,
    "mappingSet": DCTERMS.isPartOf,
}


def _flatten(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _flatten(selection.selections)


def _items(fields: Iterable[SelectedField]) -> Iterator[SelectedField]:
    """The fields selected on list items, looking through ``edges``, ``node`` and ``nodes``."""
    for field in fields:
        if field.name in _WRAPPERS:
            yield from _items(_flatten(field.selections))
        else:
            yield field


def item_fields(info: Info, *path: str) -> set[str]:
    """Field names the request selects on the items this field returns, or below ``path`` on them."""
    fields = list(_items(_flatten(s for selected in info.selected_fields for s in selected.selections)))
    for name in path:
        fields = list(_items(_flatten(c for f in fields if f.name == name for c in f.selections)))
    return {field.name for field in fields}


def quietly(future: asyncio.Future[Any]) -> None:
    """Mark a look-ahead future's error as seen: the field resolver that awaits it reports it."""
    if not future.cancelled():
        future.exception()


def start(loader: DataLoader[K, V], keys: list[K]) -> asyncio.Future[list[V]]:
    """Start loading ``keys`` now, without waiting."""
    future: asyncio.Future[list[V]] = asyncio.ensure_future(loader.load_many(keys))
    future.add_done_callback(quietly)
    return future


def ready(loader: DataLoader[str, V], keys: Iterable[str]) -> list[V] | None:
    """The loaded values of ``keys`` if every one is already in the loader's cache, else ``None``."""
    values = []
    for key in keys:
        future = loader.cache_map.get(key)
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            return None
        values.append(future.result())
    return values


async def links_of_page(
    info: Info,
    page: list[Facts],
    records: asyncio.Future[list[tuple[Facts, ...]]] | None,
    kids: asyncio.Future[list[tuple[tuple[str, bool], ...]]] | None = None,
) -> None:
    """Describe, in one batch, every resource the page's selected link fields will show.

    ``records`` and ``kids`` are the page's mapping records and narrower concepts, when
    look-ahead started them. Narrower concepts a reference marks inferred are left to
    ``narrower(includeCandidates: true)``, which asks for them itself.
    """
    wanted = item_fields(info)
    linked: set[str] = set()
    for field, predicate in LINKS.items():
        if field in wanted:
            linked.update(iri for facts in page for iri in facts.all(predicate))
    followed = [RECORD_LINKS[f] for f in item_fields(info, "mappings") & RECORD_LINKS.keys()]
    if records is not None and followed:
        for group in await records:
            for record in group:
                linked.update(v for p in followed for v in record.all(p))
    if kids is not None and item_fields(info, "narrower") - _CONNECTION_FIELDS:
        linked.update(kid for group in await kids for kid, candidate in group if not candidate)
    if linked:
        await info.context.loaders.describe.load_many(sorted(linked))
