"""How mapping relations read, invert and compose along a chain.

A relation always describes the *counterpart* as seen from the concept you asked
about: ``broad`` means "the counterpart is broader than the concept". A record
``A skos:broadMatch B`` therefore reads ``broad`` from A and ``narrow`` from B.

Composition rules (``first`` then ``second``, for a chain A → B → C):

============  ======  ======  ======  ======  ========
first\\second  exact   close   broad   narrow  related
============  ======  ======  ======  ======  ========
exact         exact   close   broad   narrow  related
close         close   close   broad   narrow  related
broad         broad   broad   broad   related refused
narrow        narrow  narrow  related narrow  refused
related       related related refused refused refused
============  ======  ======  ======  ======  ========

- ``exact`` is the identity: it passes the other relation through unchanged.
- ``close`` behaves like a weaker ``exact``; the weakness shows in the confidence.
- Broader-then-broader stays broader and narrower-then-narrower stays narrower.
- Broad mixed with narrow gives ``related`` at most: siblings or overlapping concepts.
- A topical link (``related``) survives only an ``exact`` or ``close`` step; after a
  change of level, or a second topical link, nothing can be said, so the chain is refused.

Confidence never rises: a chain's confidence is the product of its steps'.

>>> compose(Relation.EXACT, Relation.CLOSE)
<Relation.CLOSE: 'close'>
>>> compose(Relation.BROAD, Relation.NARROW)
<Relation.RELATED: 'related'>
>>> compose(Relation.RELATED, Relation.RELATED) is None
True
>>> Relation.BROAD.label, Relation.BROAD.inverse.label
('broader than', 'narrower than')
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from outcomes_graph.errors import UsageError
from outcomes_graph.vocab import DCTERMS, PROV, SKOS

__all__ = [
    "RELATION_OF_PREDICATE",
    "STRONG",
    "Relation",
    "compose",
    "link_label",
    "parse_strength",
    "refusal_reason",
]


class Relation(StrEnum):
    """A mapping relation, read from the concept towards its counterpart."""

    EXACT = "exact"
    CLOSE = "close"
    BROAD = "broad"
    NARROW = "narrow"
    RELATED = "related"

    @property
    def label(self) -> str:
        """Plain words for the counterpart: "same as", "broader than", ..."""
        return _LABELS[self]

    @property
    def inverse(self) -> Relation:
        """The same link read from the other end."""
        return _INVERSE.get(self, self)

    @property
    def rank(self) -> int:
        """0 for the strongest (exact) to 3 for the weakest (related); broad and narrow tie."""
        return _RANK[self]

    @property
    def predicate(self) -> str:
        """The SKOS mapping property as an IRI string."""
        return _PREDICATE[self]


_LABELS: Final = {
    Relation.EXACT: "same as",
    Relation.CLOSE: "close to",
    Relation.BROAD: "broader than",
    Relation.NARROW: "narrower than",
    Relation.RELATED: "related to",
}
_INVERSE: Final = {Relation.BROAD: Relation.NARROW, Relation.NARROW: Relation.BROAD}
_RANK: Final = {
    Relation.EXACT: 0,
    Relation.CLOSE: 1,
    Relation.BROAD: 2,
    Relation.NARROW: 2,
    Relation.RELATED: 3,
}
_PREDICATE: Final = {
    Relation.EXACT: str(SKOS.exactMatch),
    Relation.CLOSE: str(SKOS.closeMatch),
    Relation.BROAD: str(SKOS.broadMatch),
    Relation.NARROW: str(SKOS.narrowMatch),
    Relation.RELATED: str(SKOS.relatedMatch),
}
#: The relation a record's predicate states, read from its subject. Other predicates
#: (``dct:references``, ``prov:wasInfluencedBy``, ``dct:isReplacedBy``) are not chained.
RELATION_OF_PREDICATE: Final = {iri: relation for relation, iri in _PREDICATE.items()}

#: The relations that count as coverage by default: everything but ``related``.
STRONG: Final = frozenset({Relation.EXACT, Relation.CLOSE, Relation.BROAD, Relation.NARROW})

_E, _C, _B, _N, _R = Relation.EXACT, Relation.CLOSE, Relation.BROAD, Relation.NARROW, Relation.RELATED
_TABLE: Final[dict[tuple[Relation, Relation], Relation | None]] = {
    (_C, _C): _C,
    (_C, _B): _B,
    (_C, _N): _N,
    (_C, _R): _R,
    (_B, _C): _B,
    (_B, _B): _B,
    (_B, _N): _R,
    (_B, _R): None,
    (_N, _C): _N,
    (_N, _B): _R,
    (_N, _N): _N,
    (_N, _R): None,
    (_R, _C): _R,
    (_R, _B): None,
    (_R, _N): None,
    (_R, _R): None,
}


def compose(first: Relation, second: Relation) -> Relation | None:
    """The relation of A to C given A→B is ``first`` and B→C is ``second``; ``None`` when refused."""
    if first is Relation.EXACT:
        return second
    if second is Relation.EXACT:
        return first
    return _TABLE[(first, second)]


def refusal_reason(first: Relation, second: Relation) -> str:
    """Why ``compose(first, second)`` is refused, in plain words.

    >>> refusal_reason(Relation.RELATED, Relation.RELATED)
    'related to, then related to: two topical links say nothing about the ends'
    """
    if first is Relation.RELATED and second is Relation.RELATED:
        why = "two topical links say nothing about the ends"
    else:
        why = "a topical link and a change of level say nothing about the ends"
    return f"{first.label}, then {second.label}: {why}"


_OTHER_LABELS: Final = {
    str(DCTERMS.references): ("refers to", "is referred to by"),
    str(PROV.wasInfluencedBy): ("was influenced by", "influenced"),
    str(DCTERMS.isReplacedBy): ("is replaced by", "replaces"),
}


def link_label(predicate: str, *, forward: bool, negated: bool = False) -> str:
    """Plain words for any crosswalk predicate read from the subject (``forward``) or the object.

    >>> link_label(Relation.BROAD.predicate, forward=False)
    'narrower than'
    >>> link_label(Relation.CLOSE.predicate, forward=True, negated=True)
    'not close to'
    """
    relation = RELATION_OF_PREDICATE.get(predicate)
    if relation is not None:
        text = (relation if forward else relation.inverse).label
    else:
        pair = _OTHER_LABELS.get(predicate, (predicate, f"inverse of {predicate}"))
        text = pair[0] if forward else pair[1]
    return f"not {text}" if negated else text


def parse_strength(text: str) -> frozenset[Relation]:
    """Which relations count as coverage: ``strong``, ``all`` or a comma list such as ``exact,close``.

    >>> sorted(parse_strength("exact, close"))
    [<Relation.CLOSE: 'close'>, <Relation.EXACT: 'exact'>]
    >>> parse_strength("all") == frozenset(Relation)
    True
    """
    value = text.strip().lower()
    if value == "strong":
        return STRONG
    if value == "all":
        return frozenset(Relation)
    chosen: set[Relation] = set()
    for part in (p.strip() for p in value.split(",")):
        try:
            chosen.add(Relation(part))
        except ValueError:
            valid = ", ".join(["strong", "all", *(r.value for r in Relation)])
            raise UsageError(f"unknown strength {part!r}; use one of: {valid} (or a comma list)") from None
    return frozenset(chosen)
