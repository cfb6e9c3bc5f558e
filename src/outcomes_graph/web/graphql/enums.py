"""The GraphQL enums, each tied to the vocabulary or engine value it stands for.

>>> from outcomes_graph.vocab import OG
>>> ConceptKind.of(str(OG.Metric)), Status.of(str(OG.PartlyVerified))
(<ConceptKind.METRIC: 'metric'>, <Status.PARTLY_VERIFIED: 'P'>)
>>> RelationStrength.from_engine(EngineRelation.BROAD).engine.label
'broader than'
"""

from __future__ import annotations

from enum import Enum
from typing import Final

import strawberry

from outcomes_graph.alignment_rules import Relation as EngineRelation
from outcomes_graph.vocab import KINDS, STATUS_CODES

__all__ = [
    "Basis",
    "ConceptKind",
    "CounterpartKind",
    "CoverageGroupBy",
    "CoverageStatus",
    "RelationStrength",
    "SearchMatch",
    "Status",
]


@strawberry.enum(description="The kind of a concept: its og: class (the `kind` column of a framework table).")
class ConceptKind(Enum):
    DOMAIN = "domain"
    TIER = "tier"
    OUTCOME = "outcome"
    INDICATOR = "indicator"
    METRIC = "metric"
    TARGET = "target"
    MEASURE = "measure"
    COMPONENT = "component"
    ROLE = "role"
    PRINCIPLE = "principle"
    ENABLER = "enabler"
    ACTION_AREA = "action-area"
    OUTCOME_AREA = "outcome-area"
    STRAND = "strand"
    SERVICE = "service"
    PLAN = "plan"
    PROJECT = "project"
    DOCUMENT = "document"
    RECOMMENDATION = "recommendation"
    ARTEFACT = "artefact"
    EXAMPLE = "example"
    OTHER = "other"

    @classmethod
    def of(cls, class_iri: str) -> ConceptKind:
        return _KIND_OF_CLASS.get(class_iri, cls.OTHER)

    @property
    def class_iri(self) -> str | None:
        term = KINDS.get(self.value)
        return str(term) if term is not None else None


_KIND_OF_CLASS: Final = {str(iri): ConceptKind(kind) for kind, iri in KINDS.items()}


@strawberry.enum(description="How far the sources confirm an item: the reference's V, P, I, U and NF grades.")
class Status(Enum):
    VERIFIED = "V"
    PARTLY_VERIFIED = "P"
    INFERRED = "I"
    UNVERIFIED = "U"
    NOT_FOUND = "NF"

    @classmethod
    def of(cls, iri: str | None) -> Status | None:
        return _STATUS_OF_IRI.get(iri or "")


_STATUS_OF_IRI: Final = {str(iri): Status(code.rstrip("*")) for code, iri in STATUS_CODES.items()}


@strawberry.enum(
    name="Relation",
    description="A mapping relation read from the concept you asked about: BROAD means the counterpart is "
    "broader. Ordered from strongest (EXACT) to weakest (RELATED); BROAD and NARROW are equally strong.",
)
class RelationStrength(Enum):
    EXACT = "exact"
    CLOSE = "close"
    BROAD = "broad"
    NARROW = "narrow"
    RELATED = "related"

    @property
    def engine(self) -> EngineRelation:
        return EngineRelation(self.value)

    @classmethod
    def from_engine(cls, relation: EngineRelation | None) -> RelationStrength | None:
        return None if relation is None else cls(relation.value)


@strawberry.enum(description="A counterpart found through one crosswalk record, or through a chain of them.")
class CounterpartKind(Enum):
    DIRECT = "direct"
    DERIVED = "derived"


@strawberry.enum(
    description="CURATED: every step is stated by a source (V or P); CANDIDATE: some step is inferred."
)
class Basis(Enum):
    CURATED = "curated"
    CANDIDATE = "candidate"


@strawberry.enum(description="How a concept is covered by the other framework(s).")
class CoverageStatus(Enum):
    COVERED = "covered"
    PARTIAL = "partial"
    NOT_FOUND = "not-found"
    UNMAPPED = "unmapped"


@strawberry.enum(description="How to group coverage counts.")
class CoverageGroupBy(Enum):
    HIERARCHY = "hierarchy"
    DOMAIN = "domain"
    TIER = "tier"


@strawberry.enum(description="Why a search hit matched: a code or identifier, a title prefix, or every word.")
class SearchMatch(Enum):
    EXACT_NOTATION = "exact-notation"
    LABEL_PREFIX = "label-prefix"
    WORD_MATCH = "word-match"
