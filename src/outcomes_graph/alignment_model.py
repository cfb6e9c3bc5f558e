"""The alignment engine's data model: nodes, crosswalk records, steps, gap records, frameworks.

Each is built from one row of a named query (``from_row``) and is immutable.

>>> record = Record.from_row({"record": "r", "subject": "a", "predicate": Relation.BROAD.predicate,
...                            "object": "b", "justification": "j", "status": str(OG.Inferred)})
>>> record.weight, record.curated, Step(record, forward=False).label
(0.5, False, 'narrower than')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from outcomes_graph.alignment_rules import RELATION_OF_PREDICATE, Relation, link_label
from outcomes_graph.output import compact
from outcomes_graph.vocab import OG, SSSOM, STATUS_CODES

__all__ = [
    "CURATED",
    "DEFAULT_CONFIDENCE",
    "KNOWN_GAP",
    "NO_TERM",
    "STATUS_CODE_OF",
    "GapRecord",
    "Node",
    "Record",
    "Row",
    "SchemeInfo",
    "Step",
]

Row = dict[str, str]
CURATED: Final = frozenset({str(OG.Verified), str(OG.PartlyVerified)})
NO_TERM: Final = str(SSSOM.NoTermFound)
KNOWN_GAP: Final = str(OG.KnownGap)
#: The confidence a record gets when it states none, by status (the SSSOM README's scale).
DEFAULT_CONFIDENCE: Final = {
    str(OG.Verified): 0.95,
    str(OG.PartlyVerified): 0.8,
    str(OG.Inferred): 0.5,
    str(OG.Unverified): 0.3,
}
#: Status IRI to the reference's code (P rather than P*: both are og:PartlyVerified).
STATUS_CODE_OF: Final = {str(iri): code for code, iri in reversed(STATUS_CODES.items())}


def _split(value: str | None, sep: str = " ") -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(sep) if v)


@dataclass(frozen=True, slots=True)
class Node:
    """A concept or known gap, as the engine sees it."""

    iri: str
    slug: str
    type: str
    label: str
    notations: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    candidate_broader: tuple[str, ...] = ()
    order: int | None = None

    @property
    def curie(self) -> str:
        return compact(self.iri)

    @property
    def type_name(self) -> str:
        """The class's local name, e.g. ``Indicator``."""
        return self.type.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    @property
    def is_gap(self) -> bool:
        return self.type == KNOWN_GAP

    @property
    def notation(self) -> str:
        return self.notations[0] if self.notations else ""

    @classmethod
    def from_row(cls, row: Row) -> Node:
        order = row.get("order")
        return cls(
            iri=row["node"],
            slug=row["slug"],
            type=row.get("type", ""),
            label=row.get("label", ""),
            notations=tuple(sorted(_split(row.get("notations"), "|"), key=lambda n: (n.isdigit(), n))),
            domains=_split(row.get("domains")),
            tiers=_split(row.get("tiers")),
            broader=_split(row.get("broader")),
            candidate_broader=_split(row.get("candidateBroader")),
            order=int(order) if order and order.lstrip("-").isdigit() else None,
        )


@dataclass(frozen=True, slots=True)
class Record:
    """One crosswalk record (``sssom:Mapping``) with its provenance."""

    iri: str
    subject: str
    predicate: str
    object: str
    justification: str
    status: str
    negated: bool = False
    confidence: float | None = None
    set: str = ""
    crosswalk: str = ""
    subject_label: str = ""
    object_label: str = ""
    sources: tuple[str, ...] = ()

    @property
    def curated(self) -> bool:
        """Stated by a source (V or P), as opposed to an inferred (I) or unverified (U) candidate."""
        return self.status in CURATED

    @property
    def is_gap(self) -> bool:
        return NO_TERM in (self.subject, self.object)

    @property
    def relation(self) -> Relation | None:
        return RELATION_OF_PREDICATE.get(self.predicate)

    @property
    def chainable(self) -> bool:
        """A positive SKOS mapping between two things: the only records chains may use."""
        return self.relation is not None and not self.negated and not self.is_gap

    @property
    def weight(self) -> float:
        if self.confidence is not None:
            return self.confidence
        return DEFAULT_CONFIDENCE.get(self.status, 0.0)

    @property
    def status_code(self) -> str:
        """The reference's code: V, P, I, U or NF."""
        return STATUS_CODE_OF.get(self.status, self.status)

    @classmethod
    def from_row(cls, row: Row) -> Record:
        confidence = row.get("confidence")
        return cls(
            iri=row["record"],
            subject=row["subject"],
            predicate=row["predicate"],
            object=row["object"],
            justification=row.get("justification", ""),
            status=row.get("status", ""),
            negated=row.get("negated") == "true",
            confidence=float(confidence) if confidence else None,
            set=row.get("set", ""),
            crosswalk=row.get("crosswalk", ""),
            subject_label=row.get("subjectLabel", ""),
            object_label=row.get("objectLabel", ""),
            sources=_split(row.get("sources"), "|"),
        )


@dataclass(frozen=True, slots=True)
class Step:
    """One record walked from ``source`` to ``target`` (forwards: subject to object)."""

    record: Record
    forward: bool

    @property
    def source(self) -> str:
        return self.record.subject if self.forward else self.record.object

    @property
    def target(self) -> str:
        return self.record.object if self.forward else self.record.subject

    @property
    def relation(self) -> Relation | None:
        relation = self.record.relation
        if relation is None:
            return None
        return relation if self.forward else relation.inverse

    @property
    def label(self) -> str:
        return link_label(self.record.predicate, forward=self.forward, negated=self.record.negated)

    @property
    def weight(self) -> float:
        return self.record.weight


@dataclass(frozen=True, slots=True)
class GapRecord:
    """An explicit "no counterpart" record (``sssom:NoTermFound``) for one node."""

    node: str
    record: str
    set: str
    predicate: str
    missing_in: str
    status: str
    status_note: str = ""
    crosswalk: str = ""
    comment: str = ""
    sources: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: Row) -> GapRecord:
        return cls(
            node=row["node"],
            record=row["record"],
            set=row.get("set", ""),
            predicate=row.get("predicate", ""),
            missing_in=row.get("missingIn", ""),
            status=row.get("status", ""),
            status_note=row.get("statusNote", ""),
            crosswalk=row.get("crosswalk", ""),
            comment=row.get("comment", ""),
            sources=_split(row.get("sources"), "|"),
        )


@dataclass(frozen=True, slots=True)
class SchemeInfo:
    """A framework edition: slug, IRI, title, how many concepts and known gaps, the edition it revises."""

    slug: str
    iri: str
    title: str
    concepts: int
    gaps: int
    revision_of: str = ""
