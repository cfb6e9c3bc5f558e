"""What the loaders hand to the types: the triples of one resource, grouped by predicate.

>>> facts = Facts.from_rows("x", [("http://www.w3.org/2004/02/skos/core#prefLabel", "Safe")])
>>> facts.one(SKOS.prefLabel), facts.all(SKOS.altLabel), bool(facts)
('Safe', (), True)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from outcomes_graph import vocab
from outcomes_graph.output import compact

__all__ = [
    "DCAT",
    "DCTERMS",
    "FOAF",
    "OG",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "SSSOM",
    "Facts",
    "Member",
    "Terms",
    "group_facts",
    "natural_key",
]


class Terms:
    """A vocabulary namespace whose terms are plain ``str`` IRIs, each built once.

    The resolvers look predicates up thousands of times per request; an rdflib namespace
    builds and validates a new ``URIRef`` on every attribute access.

    >>> Terms(vocab.SKOS).prefLabel
    'http://www.w3.org/2004/02/skos/core#prefLabel'
    """

    def __init__(self, namespace: object) -> None:
        self._base = str(namespace)

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        value = self._base + name
        setattr(self, name, value)
        return value


SKOS, OG, RDF, RDFS, DCTERMS, DCAT = (
    Terms(n) for n in (vocab.SKOS, vocab.OG, vocab.RDF, vocab.RDFS, vocab.DCTERMS, vocab.DCAT)
)
FOAF, OWL, PROV, SSSOM = (Terms(n) for n in (vocab.FOAF, vocab.OWL, vocab.PROV, vocab.SSSOM))


@dataclass(frozen=True, slots=True)
class Facts:
    """The triples of one subject: predicate IRI to its values (IRIs or lexical forms), in store order."""

    iri: str
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.values)

    @property
    def curie(self) -> str:
        return compact(self.iri)

    def all(self, predicate: str) -> tuple[str, ...]:
        return self.values.get(predicate, ())

    def one(self, predicate: str) -> str | None:
        found = self.values.get(predicate)
        return min(found) if found else None

    def has(self, predicate: str, value: str) -> bool:
        return value in self.values.get(predicate, ())

    @classmethod
    def from_rows(cls, iri: str, pairs: Iterable[tuple[str, str]]) -> Facts:
        grouped: dict[str, list[str]] = defaultdict(list)
        for predicate, value in pairs:
            if value not in grouped[predicate]:
                grouped[predicate].append(value)
        return cls(iri, {p: tuple(v) for p, v in grouped.items()})


def group_facts(
    rows: Iterable[dict[str, dict[str, str]]], subject: str = "subject"
) -> dict[str, list[tuple[str, str]]]:
    """``(predicate, value)`` pairs per subject from rows of ``?subject ?predicate ?object``."""
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        grouped[row[subject]["value"]].append((row["predicate"]["value"], row["object"]["value"]))
    return grouped


@dataclass(frozen=True, slots=True)
class Member:
    """A concept of a framework, as listed for its connection."""

    iri: str
    type: str
    order: int | None
    top: bool

    def sort_key(self) -> tuple[bool, int, tuple[tuple[int, str], ...]]:
        """Published order first, then the IRI in natural order (as the alignment engine lists)."""
        return (self.order is None, self.order or 0, natural_key(self.iri))


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, str], ...]:
    """Sort key that puts ``.../2`` before ``.../10``.

    >>> sorted(["m/10", "m/2"], key=natural_key)
    ['m/2', 'm/10']
    """
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in _DIGITS.split(text) if part)
