"""Resolving what a borough writes in a cell to a concept of the graph, with "did you mean" on failure.

A reference may be a URI, a CURIE (``phof:indicator/90631``), a notation or identifier
(``B04``, a Fingertips id ``90631``, an LG Inform id ``19346``), the same preceded by the
framework (``PHOF B04``), or an exact title or alternative title (case and accents ignored).
When several concepts fit equally well the reference is refused with the candidates listed,
except that an FHAB concept wins over others with the same title (the borough follows FHAB).

Everything is answered from the alignment engine's in-memory index and the build's search
index, so resolving a 500-row overlay costs no query.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

import pyoxigraph as ox
from rdflib.term import URIRef

from outcomes_graph.alignment_index import AlignmentIndex, Node
from outcomes_graph.search import IDENTIFIER_FIELDS, SearchIndex, normalise
from outcomes_graph.vocab import CURIE_PREFIXES, OG, SEMAPV, SKOS

__all__ = [
    "AVAILABILITY",
    "JUSTIFICATIONS",
    "RELATIONS",
    "SCHEME_NAMES",
    "Authority",
    "ConceptResolver",
    "ResolveError",
    "display",
    "parse_choice",
]

#: How a framework is named in messages and may be named in a cell (``PHOF B04``).
SCHEME_NAMES: Final = {
    "fhab": "FHAB",
    "cof": "COF",
    "lof": "LOF",
    "lgof": "LGOF",
    "phof": "PHOF",
    "fingertips": "Fingertips",
    "lgi": "LG Inform",
    "bsil": "Best Start in Life",
    "sf": "Supporting Families",
    "cscnf": "CSC National Framework",
    "ffp": "Families First",
    "ecm": "ECM",
    "related": "Related",
}
_SCHEME_ALIASES: Final = {
    **{normalise(name): slug for slug, name in SCHEME_NAMES.items()},
    **{slug: slug for slug in SCHEME_NAMES},
    "ft": "fingertips",
    "lg inform": "lgi",
    "best start": "bsil",
    "csc": "cscnf",
    "ffp": "ffp",
}
#: The words a cell may use for each SKOS mapping predicate.
RELATIONS: Final[dict[str, URIRef]] = {
    **{
        name.lower(): SKOS[name]
        for name in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
    },
    **{
        f"skos:{name}".lower(): SKOS[name]
        for name in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
    },
    "exact": SKOS.exactMatch,
    "same as": SKOS.exactMatch,
    "close": SKOS.closeMatch,
    "close to": SKOS.closeMatch,
    "broad": SKOS.broadMatch,
    "broader than": SKOS.broadMatch,
    "narrow": SKOS.narrowMatch,
    "narrower than": SKOS.narrowMatch,
    "related": SKOS.relatedMatch,
    "related to": SKOS.relatedMatch,
}
JUSTIFICATIONS: Final[dict[str, URIRef]] = {
    "manual": SEMAPV.ManualMappingCuration,
    "manualmappingcuration": SEMAPV.ManualMappingCuration,
    "semapv:manualmappingcuration": SEMAPV.ManualMappingCuration,
    "lexical": SEMAPV.LexicalMatching,
    "lexicalmatching": SEMAPV.LexicalMatching,
    "semapv:lexicalmatching": SEMAPV.LexicalMatching,
    "semantic": SEMAPV.SemanticSimilarityThresholdMatching,
    "semanticsimilaritythresholdmatching": SEMAPV.SemanticSimilarityThresholdMatching,
    "semapv:semanticsimilaritythresholdmatching": SEMAPV.SemanticSimilarityThresholdMatching,
}
AVAILABILITY: Final[dict[str, URIRef]] = {
    "available": OG.Available,
    "accessible": OG.Accessible,
    "missing": OG.Missing,
}
_ID_RANK: Final = {field: rank for rank, field in enumerate((*IDENTIFIER_FIELDS,))}


class ResolveError(ValueError):
    """A reference that names no concept, or several; the message says which and what to write."""


@dataclass(frozen=True)
class Authority:
    iri: str
    gss: str
    name: str


def parse_choice(text: str, choices: dict[str, URIRef], what: str, shown: Iterable[str]) -> URIRef:
    """One of a fixed set of words (relation, justification, availability), or a clear error.

    >>> str(parse_choice("Close to", RELATIONS, "relation", ["closeMatch"])).rsplit("#")[-1]
    'closeMatch'
    """
    found = choices.get(" ".join(text.strip().lower().split()))
    if found is None:
        listed = list(shown)
        close = difflib.get_close_matches(text.strip(), listed, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ResolveError(f"{text!r} is not a {what}{hint} Use one of: {', '.join(listed)}")
    return found


def display(node: Node, code: str | None = None) -> str:
    """A concept in a borough's terms: ``PHOF B04 'First time entrants…' (phof:indicator/10401)``."""
    scheme = SCHEME_NAMES.get(node.slug, node.slug.upper())
    notation = code or node.notation
    label = node.label if len(node.label) <= 70 else node.label[:69] + "…"
    head = f"{scheme} {notation}" if notation else scheme
    return f"{head} '{label}' ({node.curie})"


class ConceptResolver:
    """Answers "which concept does this cell mean?" for one build (see the module docstring)."""

    def __init__(
        self,
        index: AlignmentIndex,
        search: SearchIndex,
        *,
        suggest: Callable[[str, int], list[str]] | None = None,
    ) -> None:
        self.index = index
        self.search = search
        self._suggest = suggest
        self.identifiers: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        self.labels: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for entry in search.entries:
            node = index.nodes.get(entry.iri)
            if node is None or node.is_gap:
                continue
            for field, value in entry.terms:
                key = normalise(value)
                if field in _ID_RANK:
                    self.identifiers[key].append((_ID_RANK[field], entry.iri, value))
                elif field in ("label", "altLabel"):
                    self.labels[key].append((0 if field == "label" else 1, entry.iri))
        self.domains = {n.iri: n for n in index.facet_nodes("domain")}
        self.tiers = {n.iri: n for n in index.facet_nodes("tier")}
        self._facet_names: dict[str, set[str]] = {}

    def resolve(self, text: str, *, schemes: tuple[str, ...] | None = None) -> Node:
        """The concept a reference names; :class:`ResolveError` says why not, with suggestions."""
        value = text.strip()
        if not value:
            raise ResolveError("is empty; write a CURIE, a notation, an id or an exact title")
        iri = self._expand(value)
        if iri is not None:
            node = self.index.nodes.get(iri)
            if node is None:
                raise ResolveError(f"{value!r} is not a known concept{self._hint(value.split(':', 1)[-1])}")
            if node.is_gap:
                raise ResolveError(
                    f"{value!r} is a known gap (the reference says the item exists but it is not published), "
                    "not a concept; map to its parent or leave the cell empty"
                )
            return self._within(node, value, schemes)
        words = value.split(None, 1)
        scheme = _SCHEME_ALIASES.get(normalise(words[0])) if len(words) == 2 else None
        if scheme is None and len(words) == 2 and " " in words[1]:
            first_two = " ".join(value.split()[:2])
            if normalise(first_two) in _SCHEME_ALIASES:
                scheme = _SCHEME_ALIASES[normalise(first_two)]
                words = [first_two, value.split(None, 2)[2]]
        if scheme is not None:
            found = self._lookup(words[1], (scheme,))
            if found is not None:
                return self._within(found, value, schemes)
        found = self._lookup(value, schemes)
        if found is not None:
            return found
        hint = self._hint(words[1], scheme) if scheme is not None else self._hint(value)
        raise ResolveError(f"{value!r} is not a known concept{hint}")

    def domain(self, text: str) -> Node:
        """An FHAB domain by title, ref or CURIE (``Healthy``, ``healthy``, ``fhab:domain/healthy``)."""
        return self._facet(text, self.domains, "FHAB domain")

    def tier(self, text: str) -> Node:
        """An FHAB tier by ref, title or alternative title (``children``, ``child outcomes``)."""
        return self._facet(text, self.tiers, "FHAB tier")

    def _facet(self, text: str, nodes: dict[str, Node], what: str) -> Node:
        key = normalise(text)
        for node in nodes.values():
            if key in self._names(node):
                return node
        valid = [n.iri.rsplit("/", 1)[-1] for n in nodes.values()]
        close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ResolveError(f"{text!r} is not an {what}{hint} Use one of: {', '.join(valid)}")

    def _names(self, node: Node) -> set[str]:
        """Every normalised way to write a domain or tier: title, alternative titles, ref, CURIE."""
        if node.iri not in self._facet_names:
            names = {normalise(node.label), normalise(node.iri.rsplit("/", 1)[-1]), normalise(node.curie)}
            names |= {k for k, hits in self.labels.items() if any(iri == node.iri for _, iri in hits)}
            self._facet_names[node.iri] = names
        return self._facet_names[node.iri]

    def _expand(self, value: str) -> str | None:
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        if "://" in value:
            try:
                return ox.NamedNode(value).value
            except ValueError:
                raise ResolveError(f"{value!r} is not a valid IRI") from None
        prefix, sep, rest = value.partition(":")
        if sep and prefix in CURIE_PREFIXES and rest and " " not in rest.strip():
            return CURIE_PREFIXES[prefix] + rest.strip()
        return None

    def _lookup(self, value: str, schemes: tuple[str, ...] | None) -> Node | None:
        key = normalise(value)
        hits = [(rank, iri) for rank, iri, _ in self.identifiers.get(key, ())]
        node = self._best(value, hits, schemes, what="code")
        if node is None:
            node = self._best(value, list(self.labels.get(key, ())), schemes, what="title")
        return node

    def _best(
        self, value: str, hits: list[tuple[int, str]], schemes: tuple[str, ...] | None, *, what: str
    ) -> Node | None:
        nodes = self.index.nodes
        hits = [(rank, iri) for rank, iri in hits if schemes is None or nodes[iri].slug in schemes]
        if not hits:
            return None
        top = min(rank for rank, _ in hits)
        chosen = sorted({iri for rank, iri in hits if rank == top})
        if len(chosen) > 1:
            fhab = [iri for iri in chosen if nodes[iri].slug == "fhab"]
            if len(fhab) == 1:
                return nodes[fhab[0]]
            listed = "; ".join(display(nodes[iri]) for iri in chosen[:5])
            raise ResolveError(
                f"{value!r} is the {what} of {len(chosen)} concepts: {listed}. "
                "Write the CURIE of the one you mean"
            )
        return nodes[chosen[0]]

    def _within(self, node: Node, value: str, schemes: tuple[str, ...] | None) -> Node:
        if schemes is not None and node.slug not in schemes:
            allowed = ", ".join(SCHEME_NAMES.get(s, s) for s in schemes)
            raise ResolveError(f"{value!r} is {display(node)}, but only concepts of {allowed} fit here")
        return node

    def _hint(self, value: str, scheme: str | None = None) -> str:
        """'; did you mean ...?' from close codes, the search index and the suggestion ranker."""
        names: list[str] = []
        key = normalise(value)

        def fits(iri: str) -> bool:
            return scheme is None or self.index.nodes[iri].slug == scheme

        codes = [k for k, hits in self.identifiers.items() if any(fits(iri) for _, iri, _ in hits)]
        padded = [k for k in codes if _unpadded(k) == _unpadded(key)]  # B2a means B02a
        for code in dict.fromkeys([*padded, *difflib.get_close_matches(key, codes, n=2, cutoff=0.7)][:2]):
            for _, iri, shown in [h for h in sorted(self.identifiers[code]) if fits(h[1])][:2]:
                names.append(display(self.index.nodes[iri], shown))
        for hit in self.search.search(value, limit=2):
            if hit.iri in self.index.nodes and not self.index.nodes[hit.iri].is_gap:
                names.append(display(self.index.nodes[hit.iri]))
        if self._suggest is not None:
            names.extend(
                display(self.index.nodes[iri]) for iri in self._suggest(value, 2) if iri in self.index.nodes
            )
        unique = list(dict.fromkeys(names))[:3]
        if unique:
            return "; did you mean " + " or ".join(unique) + "?"
        return "; search for it with `outcomes-graph search TEXT` or `outcomes-graph borough suggest`"


def _unpadded(code: str) -> str:
    """A code with leading zeros of its numbers dropped.

    >>> _unpadded("b02a"), _unpadded("c08b"), _unpadded("90631")
    ('b2a', 'c8b', '90631')
    """
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", code)
