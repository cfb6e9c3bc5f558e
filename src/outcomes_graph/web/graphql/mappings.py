"""Crosswalk records with their SSSOM metadata, mapping sets, and counterparts (direct and derived)."""

from __future__ import annotations

from typing import cast

import strawberry

from outcomes_graph.alignment_chains import Counterpart as EngineCounterpart
from outcomes_graph.alignment_chains import render_path
from outcomes_graph.alignment_index import Step
from outcomes_graph.alignment_rules import RELATION_OF_PREDICATE, link_label
from outcomes_graph.output import compact
from outcomes_graph.web.graphql.concepts import Concept, concepts_for, linked
from outcomes_graph.web.graphql.connections import Connection, Window
from outcomes_graph.web.graphql.context import Info
from outcomes_graph.web.graphql.counterparts import find_counterparts
from outcomes_graph.web.graphql.enums import Basis, CounterpartKind, RelationStrength, Status
from outcomes_graph.web.graphql.facts import DCAT, DCTERMS, OG, SSSOM, Facts
from outcomes_graph.web.graphql.fields import resolver

__all__ = ["Counterpart", "Mapping", "MappingSet", "MappingStep", "counterparts_connection"]


def _one(found: list[Concept]) -> Concept | None:
    """The first concept of a list, or of an awaitable list."""
    if isinstance(found, list):
        return found[0] if found else None

    async def first() -> Concept | None:
        items = await found
        return items[0] if items else None

    return cast("Concept | None", first())


async def _concept(info: Info, iri: str | None) -> Concept | None:
    found = await concepts_for(info, [iri]) if iri else []
    return found[0] if found else None


@strawberry.type(
    description="One crosswalk record (sssom:Mapping) with its SSSOM metadata. Curated records "
    "(status V or P, not negated) are also asserted as the plain skos:*Match triple."
)
class Mapping:
    facts: strawberry.Private[Facts]
    uri: str = strawberry.field(description="The record's IRI, e.g. ogmap:bsil-phof/1.")
    subject_id: str = strawberry.field(
        description="The subject's IRI (sssom:subject_id); sssom:NoTermFound marks a known gap."
    )
    subject_label: str | None = strawberry.field(description="The subject's label as the record gives it.")
    predicate: str = strawberry.field(
        description="The predicate as a CURIE (sssom:predicate_id), e.g. skos:closeMatch."
    )
    relation: RelationStrength | None = strawberry.field(
        description="The predicate's relation read from the subject; null for other predicates."
    )
    relation_label: str = strawberry.field(
        description="The link in plain words from the subject, e.g. 'close to' or 'not close to'."
    )
    negated: bool = strawberry.field(
        description="True when a source says the link must not be made (predicate_modifier Not)."
    )
    object_id: str = strawberry.field(
        description="The object's IRI (sssom:object_id); sssom:NoTermFound marks a known gap."
    )
    object_label: str | None = strawberry.field(description="The object's label as the record gives it.")
    no_term_found: bool = strawberry.field(
        description="True when one side is sssom:NoTermFound: a source says there is no counterpart."
    )
    justification: str | None = strawberry.field(
        description="How the link was made (sssom:mapping_justification), e.g. semapv:ManualMappingCuration."
    )
    confidence: float | None = strawberry.field(
        description="V 0.95, P 0.8, P* 0.7, I 0.5, U 0.3 (sssom:confidence)."
    )
    status: Status | None = strawberry.field(description="How far the sources confirm the link (og:status).")
    status_note: str | None = strawberry.field(
        description="The reference's status cell, verbatim (og:statusNote)."
    )
    curated: bool = strawberry.field(description="True when a source states the link (status V or P).")
    crosswalk_id: str | None = strawberry.field(
        description="The reference's crosswalk number, e.g. X5 (og:crosswalkId)."
    )
    comment: str | None = strawberry.field(
        description="The basis for the link, in plain words (sssom:comment)."
    )
    authors: list[str] = strawberry.field(description="Who curated the record (sssom:author_id).")
    mapping_date: str | None = strawberry.field(
        description="When the record was curated (sssom:mapping_date)."
    )
    sources: list[str] = strawberry.field(
        description="The source URLs (see_also in the SSSOM file; dct:source here)."
    )

    @classmethod
    def of(cls, facts: Facts) -> Mapping:
        f = facts
        predicate = f.one(SSSOM.predicate_id) or ""
        negated = f.has(SSSOM.predicate_modifier, SSSOM.Not)
        subject, obj = f.one(SSSOM.subject_id) or "", f.one(SSSOM.object_id) or ""
        justification, confidence = f.one(SSSOM.mapping_justification), f.one(SSSOM.confidence)
        status = Status.of(f.one(OG.status))
        return cls(
            facts=f,
            uri=f.iri,
            subject_id=subject,
            subject_label=f.one(SSSOM.subject_label),
            predicate=compact(predicate),
            relation=RelationStrength.from_engine(RELATION_OF_PREDICATE.get(predicate)),
            relation_label=link_label(predicate, forward=True, negated=negated),
            negated=negated,
            object_id=obj,
            object_label=f.one(SSSOM.object_label),
            no_term_found=str(SSSOM.NoTermFound) in (subject, obj),
            justification=compact(justification) if justification else None,
            confidence=float(confidence) if confidence is not None else None,
            status=status,
            status_note=f.one(OG.statusNote),
            curated=status in (Status.VERIFIED, Status.PARTLY_VERIFIED),
            crosswalk_id=f.one(OG.crosswalkId),
            comment=f.one(SSSOM.comment),
            authors=sorted(f.all(SSSOM.author_id)),
            mapping_date=f.one(SSSOM.mapping_date),
            sources=sorted(f.all(DCTERMS.source)),
        )

    @resolver(description="The subject as a concept (null when it is not one, e.g. a framework).")
    def subject(self, info: Info) -> Concept | None:
        return _one(linked(info, [self.subject_id]) if self.subject_id else [])

    @resolver(description="The object as a concept (null when it is not one).")
    def object(self, info: Info) -> Concept | None:
        return _one(linked(info, [self.object_id]) if self.object_id else [])

    @resolver(description="The mapping set (crosswalk file) the record belongs to.")
    async def mapping_set(self, info: Info) -> MappingSet | None:
        iri = self.facts.one(DCTERMS.isPartOf)
        return MappingSet(facts=await info.context.loaders.describe.load(iri)) if iri else None


@strawberry.type(description="A crosswalk between two frameworks: one SSSOM TSV file (sssom:MappingSet).")
class MappingSet:
    facts: strawberry.Private[Facts]

    @resolver()
    def uri(self) -> str:
        return self.facts.iri

    @resolver()
    def title(self) -> str | None:
        return self.facts.one(DCTERMS.title)

    @resolver()
    def description(self) -> str | None:
        return self.facts.one(DCTERMS.description)

    @resolver(description="The mapping set version (dcat:version).")
    def version(self) -> str | None:
        return self.facts.one(DCAT.version)

    @resolver()
    def license(self) -> str | None:
        return self.facts.one(DCTERMS.license)

    @resolver(description="Who made the mapping set (dct:creator).")
    def creators(self) -> list[str]:
        return sorted(self.facts.all(DCTERMS.creator))

    @resolver(description="How many records the set holds.")
    def mapping_count(self) -> int:
        return len(self.facts.all(SSSOM.mappings))

    @resolver(description="The records of the set, in record order.")
    async def mappings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Mapping]:
        records = await info.context.loaders.set_mappings.load(self.facts.iri)
        window = Window.of(
            records, first=first, after=after, last=last, before=before, limits=info.context.limits
        )
        return window.connection([Mapping.of(f) for f in window.items])


@strawberry.type(
    description="One record walked along a chain, read from the concept towards the counterpart."
)
class MappingStep:
    step: strawberry.Private[Step]

    @resolver(name="from", description="The IRI this step starts from.")
    def source(self) -> str:
        return self.step.source

    @resolver(name="to", description="The IRI this step reaches.")
    def target(self) -> str:
        return self.step.target

    @resolver(description="The relation of this step, read in the walking direction.")
    def relation(self) -> RelationStrength | None:
        return RelationStrength.from_engine(self.step.relation)

    @resolver(description="The step in plain words, e.g. 'narrower than'.")
    def label(self) -> str:
        return self.step.label

    @resolver(description="True when the record is walked from subject to object.")
    def forward(self) -> bool:
        return self.step.forward

    @resolver(description="The record's confidence (or the default for its status).")
    def confidence(self) -> float:
        return self.step.weight

    @resolver(description="The record's status.")
    def status(self) -> Status | None:
        return Status.of(self.step.record.status)

    @resolver(description="The reference's crosswalk number, e.g. X5.")
    def crosswalk_id(self) -> str | None:
        return self.step.record.crosswalk or None

    @resolver(description="The crosswalk record with all its SSSOM metadata.")
    async def mapping(self, info: Info) -> Mapping:
        return Mapping.of(await info.context.loaders.describe.load(self.step.record.iri))


@strawberry.type(description="A concept in another framework that corresponds to the one asked about.")
class Counterpart:
    found: strawberry.Private[EngineCounterpart]
    target_label: strawberry.Private[str]

    @resolver(description="The counterpart's IRI.")
    def uri(self) -> str:
        return self.found.target

    @resolver()
    def curie(self) -> str:
        return compact(self.found.target)

    @resolver(description="The counterpart's title (or the label a crosswalk record gives it).")
    def label(self) -> str:
        return self.target_label

    @resolver(description="The counterpart as a concept (null when it is not one, e.g. a framework).")
    async def concept(self, info: Info) -> Concept | None:
        return await _concept(info, self.found.target)

    @resolver(description="DIRECT (one record) or DERIVED (a chain of records).")
    def kind(self) -> CounterpartKind:
        return CounterpartKind(self.found.kind)

    @resolver(description="The relation of the counterpart to the concept, composed along the chain.")
    def relation(self) -> RelationStrength | None:
        return RelationStrength.from_engine(self.found.relation)

    @resolver(description="The relation in plain words: 'same as', 'broader than', 'close to', ...")
    def relation_label(self) -> str:
        return self.found.label

    @resolver(description="The chain's confidence: the product of its steps', so it never rises.")
    def confidence(self) -> float | None:
        return None if self.found.confidence is None else round(self.found.confidence, 4)

    @resolver(description="CURATED when every step is stated by a source, else CANDIDATE.")
    def basis(self) -> Basis:
        return Basis(self.found.basis)

    @resolver(description="True when a record says the two must not be matched.")
    def negated(self) -> bool:
        return self.found.negated

    @resolver(description="How the relation was composed, e.g. 'close to + same as = close to'.")
    def rule(self) -> str | None:
        return self.found.rule or None

    @resolver(
        description="The chain on one line, with each step's relation, status, confidence and "
        "crosswalk number."
    )
    def path(self) -> str:
        return render_path(self.found)

    @resolver(description="Each record of the chain, with its provenance.")
    def steps(self) -> list[MappingStep]:
        return [MappingStep(step=s) for s in self.found.steps]


async def counterparts_connection(
    info: Info,
    iri: str,
    *,
    direct: bool,
    derived: bool,
    min_strength: RelationStrength | None,
    depth: int,
    curated_only: bool,
    min_confidence: float,
    first: int | None,
    after: str | None,
) -> Connection[Counterpart]:
    """The counterparts of one concept as a connection (no store query once the engine's index is read)."""
    index = await info.context.index()
    found = find_counterparts(
        index,
        iri,
        direct=direct,
        derived=derived,
        min_strength=min_strength.engine if min_strength else None,
        depth=depth,
        curated_only=curated_only,
        min_confidence=min_confidence,
    )
    window = Window.of(found, first=first, after=after, limits=info.context.limits)
    return window.connection([Counterpart(found=c, target_label=index.label(c.target)) for c in window.items])
