"""Suggested mappings: rank framework concepts for a borough's local indicator or priority.

Lexical ranking over every concept's title, alternative titles and codes:

1. **Normalise and tokenise**: case and accents folded, punctuation dropped, number words
   written as digits (``six`` → ``6``), common English stop words removed, and a light stem
   (``families`` → ``family``, ``admissions`` → ``admission``). A short list of abbreviations used
   in children's services is expanded (``GLD`` → good level of development, ``LAC`` → looked
   after children, ``NEET``, ``KS2``...): :data:`ABBREVIATIONS`; the same expansion applies to
   titles, so "GLD" in a title matches "good level of development" in a local name.
2. **Score**: the cosine of TF-IDF vectors of word stems, blended with the cosine of TF-IDF
   vectors of character trigrams (so "maths" meets "mathematics" and typos still score).
   A shared phrase of two or more words adds a little. The score is between 0 and 1.
3. **Identifiers**: a Fingertips or LG Inform id written in the local name or data source
   (``Fingertips 90631``) that equals a concept's id puts that concept first, with score 1.
4. **Kinds**: for an indicator, indicators, metrics and measures are preferred; for a
   priority, outcomes, targets and outcome areas (a mild factor, never an exclusion).

Each candidate carries the reason, such as ``label match: 'school readiness'``. Nothing is
stored: a person accepts a candidate with ``outcomes-graph borough accept``.

>>> stems("Families, admissions: GLD")
['family', 'admission', 'good', 'level', 'development']
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from outcomes_graph.alignment_index import AlignmentIndex, Node
from outcomes_graph.output import compact
from outcomes_graph.search import SearchIndex, normalise

__all__ = [
    "ABBREVIATIONS",
    "CANDIDATE_SCHEMES",
    "Candidate",
    "ItemKind",
    "Ranker",
    "stems",
]

ItemKind = Literal["indicator", "priority"]
#: Frameworks whose concepts are offered: FHAB and the national frameworks and data sources
#: (the COF domains are FHAB's; the draft LGOF, ECM and related documents are left out).
CANDIDATE_SCHEMES: Final = ("fhab", "lof", "phof", "fingertips", "lgi", "bsil", "sf", "cscnf", "ffp")
#: Abbreviations common in English children's services data, expanded on both sides.
ABBREVIATIONS: Final = {
    "gld": "good level of development",
    "neet": "not in education employment or training",
    "lac": "looked after children",
    "cla": "children looked after",
    "send": "special educational needs",
    "ehcp": "education health and care plan",
    "fsm": "free school meals",
    "ks2": "key stage 2",
    "ks4": "key stage 4",
    "eyfsp": "early years foundation stage profile",
    "fte": "first time entrants",
    "yjs": "youth justice",
    "asq": "ages and stages questionnaire",
    "ncmp": "child measurement",
    "ae": "emergency",
    "da": "domestic abuse",
    "dv": "domestic abuse",
    "bb": "bed and breakfast",
    "ta": "temporary accommodation",
    "cin": "child in need",
    "cp": "child protection",
    "hv": "health visiting",
    "larc": "long acting reversible contraception",
}
_NUMBERS: Final = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}
_STOP: Final = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "per",
        "that",
        "the",
        "their",
        "them",
        "this",
        "to",
        "was",
        "were",
        "which",
        "who",
        "whose",
        "with",
        "%",
        "percentage",
        "proportion",
        "rate",
        "number",
    ]
)
_PREFERRED: Final = {
    "indicator": frozenset({"Indicator", "Metric", "Measure", "CaseStudyItem"}),
    "priority": frozenset({"Outcome", "Target", "OutcomeArea", "Domain", "Component"}),
}
_OTHER_KIND_FACTOR: Final = 0.85
_ID_PATTERN: Final = re.compile(r"\b(\d{3,6})\b")
_CHAR_WEIGHT: Final = 0.35


def _stem(word: str) -> str:
    """A light stem: plurals and the commonest suffixes, never below four letters."""
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) + len(keep) >= 4:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            return word[: -len(suffix)] + keep
    return word


def _words(text: str) -> list[str]:
    """Normalised words with abbreviations expanded and number words as digits (stop words kept)."""
    joined = re.sub(r"(\w)&(\w)", r"\1\2", text)  # A&E -> AE, B&B -> BB
    out: list[str] = []
    for word in normalise(joined).split():
        expansion = ABBREVIATIONS.get(word)
        out.extend(expansion.split() if expansion else [_NUMBERS.get(word, word)])
    return out


def stems(text: str) -> list[str]:
    """The stems :class:`Ranker` compares (stop words removed)."""
    return [_stem(w) for w in _words(text) if w not in _STOP]


def _trigrams(tokens: Sequence[str]) -> list[str]:
    grams: list[str] = []
    for token in tokens:
        padded = f" {token} "
        grams.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


@dataclass(frozen=True)
class Candidate:
    """A proposed concept for one local item, with its score (0 to 1) and why."""

    iri: str
    curie: str
    scheme: str
    type: str
    label: str
    score: float
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "curie": self.curie,
            "iri": self.iri,
            "scheme": self.scheme,
            "type": self.type,
            "label": self.label,
            "score": self.score,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class _Doc:
    node: Node
    titles: tuple[tuple[str, str], ...]  # (field, text)
    ids: frozenset[str]
    words: dict[str, float]
    chars: dict[str, float]


class Ranker:
    """TF-IDF over the titles of the candidate frameworks' concepts (see the module docstring)."""

    def __init__(
        self, index: AlignmentIndex, search: SearchIndex, *, schemes: Iterable[str] = CANDIDATE_SCHEMES
    ) -> None:
        allowed = set(schemes)
        raw: list[tuple[Node, tuple[tuple[str, str], ...], frozenset[str], list[str], list[str]]] = []
        for entry in search.entries:
            node = index.nodes.get(entry.iri)
            if node is None or node.is_gap or node.slug not in allowed:
                continue
            titles = tuple((f, v) for f, v in entry.terms if f in ("label", "altLabel"))
            ids = frozenset(
                v
                for f, v in entry.terms
                if f in ("fingertips-id", "lg-inform-id", "notation") and v.isdigit()
            )
            tokens = [s for _, text in titles for s in stems(text)]
            raw.append((node, titles, ids, tokens, _trigrams(tokens)))
        self._word_idf = _idf([r[3] for r in raw])
        self._char_idf = _idf([r[4] for r in raw])
        self.docs = [
            _Doc(node, titles, ids, _vector(tokens, self._word_idf), _vector(grams, self._char_idf))
            for node, titles, ids, tokens, grams in raw
        ]
        self._by_id: dict[str, list[_Doc]] = {}
        for doc in self.docs:
            for value in doc.ids:
                self._by_id.setdefault(value, []).append(doc)

    def rank(
        self, text: str, *, kind: ItemKind = "indicator", context: str = "", limit: int = 5
    ) -> list[Candidate]:
        """The best ``limit`` candidates for a local name (``context``: e.g. its data source, for ids)."""
        tokens = stems(text)
        words = _vector(tokens, self._word_idf)
        chars = _vector(_trigrams(tokens), self._char_idf)
        scored: dict[str, tuple[float, str, _Doc]] = {}
        for number in dict.fromkeys(_ID_PATTERN.findall(f"{text} {context}")):
            for doc in self._by_id.get(number, ()):
                scored[doc.node.iri] = (1.0, f"identifier match: {number}", doc)
        if words or chars:
            for doc in self.docs:
                if doc.node.iri in scored:
                    continue
                score = (1 - _CHAR_WEIGHT) * _cosine(words, doc.words) + _CHAR_WEIGHT * _cosine(
                    chars, doc.chars
                )
                if score <= 0.05:
                    continue
                phrase, field = _phrase(tokens, doc)
                if _content(phrase) >= 2:
                    score += 0.04 * min(_content(phrase) - 1, 3)
                if doc.node.type_name not in _PREFERRED[kind]:
                    score *= _OTHER_KIND_FACTOR
                scored[doc.node.iri] = (min(score, 0.99), _reason(phrase, field, tokens, doc), doc)
        ranked = sorted(scored.values(), key=lambda item: (-item[0], item[2].node.iri))
        return [
            Candidate(
                d.node.iri,
                compact(d.node.iri),
                d.node.slug,
                d.node.type_name,
                d.node.label,
                round(score, 3),
                reason,
            )
            for score, reason, d in ranked[: max(limit, 0)]
        ]

    def iris(self, text: str, limit: int) -> list[str]:
        """Just the IRIs of the best candidates (for "did you mean" hints)."""
        return [c.iri for c in self.rank(text, limit=limit) if c.score >= 0.3]


def _idf(documents: list[list[str]]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    for tokens in documents:
        frequency.update(set(tokens))
    total = len(documents)
    return {token: math.log((1 + total) / (1 + count)) + 1.0 for token, count in frequency.items()}


def _vector(tokens: Sequence[str], idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(t for t in tokens if t in idf)
    vector = {t: (1 + math.log(n)) * idf[t] for t, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}


def _cosine(one: dict[str, float], other: dict[str, float]) -> float:
    if len(one) > len(other):
        one, other = other, one
    return sum(value * other.get(token, 0.0) for token, value in one.items())


def _phrase(tokens: list[str], doc: _Doc) -> tuple[list[str], str]:
    """The longest run of consecutive title words, as written, that match the query (stop words
    inside a run are kept; an abbreviation matches when its expansion does)."""
    wanted = set(tokens)
    best: list[str] = []
    field = "label"
    for which, title in sorted(doc.titles, key=lambda t: t[0] != "label"):
        run: list[str] = []
        for word in [*normalise(re.sub(r"(\w)&(\w)", r"\1\2", title)).split(), ""]:
            expansion = ABBREVIATIONS.get(word)
            parts = [_stem(w) for w in (expansion or _NUMBERS.get(word, word)).split() if w not in _STOP]
            if word and ((parts and all(p in wanted for p in parts)) or (word in _STOP and run)):
                run.append(word)
                continue
            while run and run[-1] in _STOP:
                run.pop()
            if _content(run) > _content(best):
                best, field = list(run), which
            run = []
    return best, field


def _content(words: list[str]) -> int:
    return len([w for w in words if w not in _STOP])


def _reason(phrase: list[str], field: str, tokens: list[str], doc: _Doc) -> str:
    where = "label" if field == "label" else "alternative title"
    if _content(phrase) >= 2:
        return f"{where} match: {' '.join(phrase)!r}"
    shared = sorted({t for t in tokens if t in doc.words})
    if shared:
        return "word match: " + ", ".join(repr(t) for t in shared[:4])
    return "similar spelling"
