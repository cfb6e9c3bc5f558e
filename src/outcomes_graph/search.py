"""Search concepts by title, alternative title, code or identifier.

Oxigraph has no full-text index, so ``build`` writes a small side index,
``search-index.json``, into the build folder, from the rows of the named query
``search-index-rows``. Matching ignores case and accents. Hits are ranked:

1. ``exact-notation``: the text is a notation or identifier of the concept (notation,
   then Fingertips id, LG Inform id, historical code, candidate code, and last the
   Fingertips or LG Inform id of something the concept is curated as same as or close to);
2. ``label-prefix``: a title or alternative title starts with the text (an equal title first);
3. ``word-match``: every word of the text starts a word of a title or alternative title.

Inside a rank, exact titles come before alternative ones, then shorter titles.

>>> normalise("  Rôle-PLAY, 1.02i ")
'role play 1 02i'
>>> terms = (("label", "School readiness"), ("notation", "B02a"))
>>> index = SearchIndex([Entry("x:1", "phof", "Indicator", "School readiness", terms)])
>>> [(hit.match, hit.field) for hit in index.search("b02A")]
[('exact-notation', 'notation')]
>>> [hit.match for hit in index.search("readi")]
['word-match']
"""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson
import pyoxigraph as ox

from outcomes_graph.alignment_index import QueryStore, build_folder, cache_key, named_rows
from outcomes_graph.errors import QueryError
from outcomes_graph.output import compact
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.store import is_public

__all__ = ["INDEX_FILE", "Entry", "SearchHit", "SearchIndex", "normalise", "write_search_index"]

INDEX_FILE: Final = "search-index.json"
_FORMAT: Final = 1
#: Identifier fields, best first; each is an exact-notation hit when the text equals it.
IDENTIFIER_FIELDS: Final = (
    "notation",
    "fingertips-id",
    "lg-inform-id",
    "historical-notation",
    "candidate-notation",
    "linked-id",
)
LABEL_FIELDS: Final = ("label", "altLabel")
RANKS: Final = {"exact-notation": 1, "label-prefix": 2, "word-match": 3}
_WORD = re.compile(r"[0-9a-z]+")


def normalise(text: str) -> str:
    """Lower case, accents removed, punctuation turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(bare.casefold()))


@dataclass(frozen=True, slots=True)
class Entry:
    """One searchable concept or known gap and its texts as ``(field, value)`` pairs."""

    iri: str
    slug: str
    type: str
    label: str
    terms: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class SearchHit:
    iri: str
    scheme: str
    type: str
    label: str
    match: str
    field: str
    value: str

    @property
    def curie(self) -> str:
        return compact(self.iri)

    @property
    def rank(self) -> int:
        return RANKS[self.match]

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "curie": self.curie,
            "scheme": self.scheme,
            "type": self.type,
            "label": self.label,
            "match": self.match,
            "field": self.field,
            "value": self.value,
        }


class SearchIndex:
    """The side index, with lookups by normalised identifier and by word prefix."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._identifiers: dict[str, list[tuple[int, int, str, str]]] = {}
        words: set[tuple[str, int]] = set()
        for number, entry in enumerate(entries):
            for field, value in entry.terms:
                text = normalise(value)
                if field in IDENTIFIER_FIELDS:
                    order = IDENTIFIER_FIELDS.index(field)
                    self._identifiers.setdefault(text, []).append((order, number, field, value))
                elif field in LABEL_FIELDS:
                    words.update((word, number) for word in text.split())
        self._words = sorted(words)

    @classmethod
    def from_rows(cls, rows: list[dict[str, str]]) -> SearchIndex:
        grouped: dict[str, dict[str, Any]] = {}
        for row in rows:
            entry = grouped.setdefault(
                row["node"], {"slug": row["slug"], "type": row["type"], "label": "", "terms": []}
            )
            if row["field"] == "label" and not entry["label"]:
                entry["label"] = row["value"]
            pair = (row["field"], row["value"])
            if pair not in entry["terms"]:
                entry["terms"].append(pair)
        return cls(
            [
                Entry(iri, e["slug"], e["type"].rsplit("/", 1)[-1], e["label"], tuple(e["terms"]))
                for iri, e in grouped.items()
            ]
        )

    def to_json(self, build_id: str) -> bytes:
        entries = [[e.iri, e.slug, e.type, e.label, [list(t) for t in e.terms]] for e in self.entries]
        return orjson.dumps({"format": _FORMAT, "build_id": build_id, "entries": entries})

    @classmethod
    def from_json(cls, data: bytes) -> SearchIndex:
        payload = orjson.loads(data)
        return cls(
            [
                Entry(i, s, t, label, tuple((f, v) for f, v in terms))
                for i, s, t, label, terms in payload["entries"]
            ]
        )

    @classmethod
    def load(cls, store: QueryStore, registry: QueryRegistry) -> SearchIndex:
        """The index of the store's build: its side file, or (for an older build) built from the store."""
        key = (cache_key(store), store.info.build_id)
        with _LOCK:
            hit = _CACHE.get(key)
        if hit is not None:
            return hit
        folder = build_folder(store)
        side = folder / INDEX_FILE if folder is not None else None
        if side is not None and side.is_file():
            index = cls.from_json(side.read_bytes())
        else:  # an older build, or a remote store: build the index from the store
            index = cls.from_rows(named_rows(store, registry, "search-index-rows"))
        with _LOCK:
            _CACHE[key] = index
            while len(_CACHE) > 4:
                _CACHE.pop(next(iter(_CACHE)))
        return index

    def search(self, text: str, *, limit: int = 20, scheme: str | None = None) -> list[SearchHit]:
        """Ranked hits for ``text`` (see the module docstring); at most ``limit``."""
        query = normalise(text)
        if not query:
            return []
        found: dict[int, tuple[tuple[Any, ...], SearchHit]] = {}

        def offer(number: int, key: tuple[Any, ...], match: str, field: str, value: str) -> None:
            entry = self.entries[number]
            if scheme and entry.slug != scheme:
                return
            if number not in found or key < found[number][0]:
                found[number] = (
                    key,
                    SearchHit(entry.iri, entry.slug, entry.type, entry.label, match, field, value),
                )

        for order, number, field, value in self._identifiers.get(query, ()):
            offer(number, (1, order, 0, 0), "exact-notation", field, value)
        words = query.split()
        for number in self._candidates(words):
            for field, value in self.entries[number].terms:
                if field not in LABEL_FIELDS:
                    continue
                text_norm = normalise(value)
                alt = LABEL_FIELDS.index(field)
                if text_norm.startswith(query):
                    offer(number, (2, text_norm != query, alt, len(text_norm)), "label-prefix", field, value)
                elif _all_words_start(words, text_norm.split()):
                    offer(number, (3, 0, alt, len(text_norm)), "word-match", field, value)
        ranked = sorted(found.values(), key=lambda item: (item[0], item[1].scheme, item[1].iri))
        return [hit for _, hit in ranked[: max(limit, 0)]]

    def _candidates(self, words: list[str]) -> set[int]:
        """Entries where every query word starts some title word (a superset of prefix hits)."""
        chosen: set[int] | None = None
        for word in words:
            start = bisect.bisect_left(self._words, (word, -1))
            here: set[int] = set()
            for token, number in self._words[start:]:
                if not token.startswith(word):
                    break
                here.add(number)
            chosen = here if chosen is None else chosen & here
            if not chosen:
                return set()
        return chosen or set()


def _all_words_start(words: list[str], label_words: list[str]) -> bool:
    return all(any(label_word.startswith(word) for label_word in label_words) for word in words)


def write_search_index(folder: Path, graphs: list[dict[str, object]], queries_dir: Path) -> Path:
    """Write ``search-index.json`` into a new build folder from its public graphs (called by ``build``)."""
    registry = QueryRegistry.load(queries_dir)
    query = registry.get("search-index-rows")
    visible: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(str(g["iri"])) for g in graphs if is_public(g)]
    store = ox.Store.read_only(str(folder))
    # A new build holds only the graphs it lists; when all are public the union is the same
    # dataset, and naming 40-odd graphs one by one makes the engine 10-30 times slower.
    if {g.value for g in visible if isinstance(g, ox.NamedNode)} >= {
        g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)
    }:
        result = store.query(query.sparql, use_default_graph_as_union=True)
    else:
        result = store.query(query.sparql, default_graph=list(visible), named_graphs=visible)
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("the named query search-index-rows must be a SELECT query")
    data = orjson.loads(result.serialize(format=ox.QueryResultsFormat.JSON) or b"{}")
    rows = [{k: cell["value"] for k, cell in b.items()} for b in data["results"]["bindings"]]
    del store
    path = folder / INDEX_FILE
    path.write_bytes(SearchIndex.from_rows(rows).to_json(folder.name))
    return path


_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str], SearchIndex] = {}
