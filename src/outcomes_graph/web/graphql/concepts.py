"""The ``Concept`` interface and one type per concept kind that carries its own fields.

Every concept is built from its :class:`~outcomes_graph.web.graphql.facts.Facts`
(the triples the ``describe`` loader read); links to other resources are resolved
through the request's loaders, so a list of concepts costs one query per field type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from outcomes_graph.web.graphql.connections import Connection, Window
from outcomes_graph.web.graphql.context import Info
from outcomes_graph.web.graphql.enums import ConceptKind, RelationStrength, Status
from outcomes_graph.web.graphql.facts import DCTERMS, OG, RDF, SKOS, Facts
from outcomes_graph.web.graphql.fields import resolver
from outcomes_graph.web.graphql.loaders import load_all
from outcomes_graph.web.graphql.lookahead import item_fields, links_of_page, ready, start

if TYPE_CHECKING:
    from outcomes_graph.web.graphql.frameworks import Borough, Framework, Source
    from outcomes_graph.web.graphql.mappings import Counterpart, Mapping

__all__ = ["Concept", "concept_of", "concepts_for"]

_FRAMEWORKS = "outcomes_graph.web.graphql.frameworks"
_MAPPINGS = "outcomes_graph.web.graphql.mappings"


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and text.lstrip("-").isdigit() else None


@strawberry.interface(
    description="A concept of a framework edition (a skos:Concept): a domain, tier, outcome, indicator, "
    "metric, target and so on. Titles are the exact official wording."
)
class Concept:
    # Scalars are plain attributes filled from the facts when the object is made: strawberry
    # then reads them without a resolver call, which matters for pages of 1,000 concepts.
    facts: strawberry.Private[Facts]
    uri: str = strawberry.field(description="The concept's IRI; it dereferences to a page about it.")
    curie: str = strawberry.field(
        description="The IRI shortened with a known prefix, e.g. phof:indicator/90631."
    )
    kind: ConceptKind = strawberry.field(description="The og: class of the concept.")
    pref_label: str = strawberry.field(description="The exact official title (skos:prefLabel).")
    alt_labels: list[str] = strawberry.field(description="Other published wordings (skos:altLabel).")
    notation: str | None = strawberry.field(
        description="The official code, if any (skos:notation); see notations for all."
    )
    notations: list[str] = strawberry.field(description="Every official code of the concept.")
    candidate_notation: str | None = strawberry.field(
        description="A code the reference marks unverified or inferred (og:candidateNotation)."
    )
    historical_notation: str | None = strawberry.field(
        description="A code from an earlier numbering (og:historicalNotation)."
    )
    description: str | None = strawberry.field(
        description="A paraphrase of the ambition or definition (dct:description)."
    )
    notes: list[str] = strawberry.field(description="Notes a reader needs (skos:note).")
    order: int | None = strawberry.field(description="The published order inside the framework (og:order).")
    status: Status | None = strawberry.field(
        description="How far the sources confirm the concept (og:status)."
    )
    status_note: str | None = strawberry.field(
        description="The reference's grading cell, verbatim (og:statusNote)."
    )

    @classmethod
    def of(cls, facts: Facts) -> Concept:
        f = facts
        return cls(
            facts=f,
            uri=f.iri,
            curie=f.curie,
            kind=_kind(f),
            pref_label=f.one(SKOS.prefLabel) or f.curie,
            alt_labels=sorted(f.all(SKOS.altLabel)),
            notation=f.one(SKOS.notation),
            notations=sorted(f.all(SKOS.notation)),
            candidate_notation=f.one(OG.candidateNotation),
            historical_notation=f.one(OG.historicalNotation),
            description=f.one(DCTERMS.description),
            notes=list(f.all(SKOS.note)),
            order=_int(f.one(OG.order)),
            status=Status.of(f.one(OG.status)),
            status_note=f.one(OG.statusNote),
            **cls.extra(f),
        )

    @classmethod
    def extra(cls, facts: Facts) -> dict[str, object]:
        """The kind-specific attributes of this type."""
        return {}

    @resolver(description="The sources the concept is taken from (dct:source).")
    async def sources(self, info: Info) -> list[Annotated[Source, strawberry.lazy(_FRAMEWORKS)]]:
        from outcomes_graph.web.graphql.frameworks import sources_for

        return await sources_for(info, self.facts)

    @resolver(description="The framework edition the concept belongs to (skos:inScheme).")
    def framework(self, info: Info) -> Annotated[Framework, strawberry.lazy(_FRAMEWORKS)] | None:
        from outcomes_graph.web.graphql.frameworks import Framework, framework_for

        scheme = self.facts.one(SKOS.inScheme)
        if scheme is None:
            return None
        found = ready(info.context.loaders.describe, [scheme])
        if found is not None:
            return Framework.of(found[0]) if found[0] else None
        return cast("Framework | None", framework_for(info, scheme))

    @resolver(description="The parent concepts (skos:broader).")
    def broader(self, info: Info) -> list[Concept]:
        return linked(info, self.facts.all(SKOS.broader))

    @resolver(description="Parents the reference marks inferred (og:candidateBroader), kept apart.")
    def candidate_broader(self, info: Info) -> list[Concept]:
        return linked(info, self.facts.all(OG.candidateBroader))

    @resolver(
        description="The concepts directly below this one; with includeCandidates, also those "
        "whose inferred parent (og:candidateBroader) it is."
    )
    async def narrower(
        self,
        info: Info,
        include_candidates: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Concept]:
        kids = await info.context.loaders.narrower.load(self.facts.iri)
        iris = [iri for iri, candidate in kids if include_candidates or not candidate]
        window = Window.of(
            iris, first=first, after=after, last=last, before=before, limits=info.context.limits
        )
        return window.connection(await concepts_for(info, window.items))

    @resolver(description="The FHAB domains the concept serves (og:domain).")
    def domains(self, info: Info) -> list[Concept]:
        return linked(info, self.facts.all(OG.domain))

    @resolver(description="The FHAB tier of the concept (og:tier).")
    async def tier(self, info: Info) -> Concept | None:
        found = await concepts_for(info, self.facts.all(OG.tier)[:1])
        return found[0] if found else None

    @resolver(description="Boroughs whose case studies report this item (og:reportedBy).")
    async def reported_by(self, info: Info) -> list[Annotated[Borough, strawberry.lazy(_FRAMEWORKS)]]:
        from outcomes_graph.web.graphql.frameworks import boroughs_for

        return await boroughs_for(info, self.facts.all(OG.reportedBy))

    @resolver(
        description="Every crosswalk record (SSSOM mapping) with this concept as subject or "
        "object, with its full provenance; includes candidates, negated links and "
        "no-counterpart records."
    )
    def mappings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotated[Mapping, strawberry.lazy(_MAPPINGS)]]:
        # A plain def: when look-ahead already loaded the records (a page of concepts), the page
        # is made at once, with no coroutine per concept; otherwise an awaitable is returned.
        loader = info.context.loaders.concept_mappings
        found = ready(loader, [self.facts.iri])
        if found is not None:
            return _mapping_page(info, found[0], first=first, after=after, last=last, before=before)

        async def later() -> Connection[Mapping]:
            records = await loader.load(self.facts.iri)
            return _mapping_page(info, records, first=first, after=after, last=last, before=before)

        return cast("Connection[Mapping]", later())

    @resolver(
        description="Counterparts in other frameworks: direct (one crosswalk record) and derived "
        "(chains through shared concepts, composed by documented rules), best first. "
        "minStrength keeps positive links at least that strong."
    )
    async def counterparts(
        self,
        info: Info,
        direct: bool = True,
        derived: bool = True,
        min_strength: RelationStrength | None = None,
        depth: int = 3,
        curated_only: bool = False,
        min_confidence: float = 0.0,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Annotated[Counterpart, strawberry.lazy(_MAPPINGS)]]:
        from outcomes_graph.web.graphql.mappings import counterparts_connection

        return await counterparts_connection(
            info,
            self.facts.iri,
            direct=direct,
            derived=derived,
            min_strength=min_strength,
            depth=depth,
            curated_only=curated_only,
            min_confidence=min_confidence,
            first=first,
            after=after,
        )


@strawberry.type(description="An FHAB or COF domain (og:Domain), e.g. Safe.")
class Domain(Concept):
    pass


@strawberry.type(description="An FHAB tier (og:Tier): children, parents or system.")
class Tier(Concept):
    pass


@strawberry.type(description="An outcome (og:Outcome).")
class Outcome(Concept):
    pass


@strawberry.type(description="An indicator (og:Indicator), e.g. a PHOF indicator.")
class Indicator(Concept):
    fingertips_id: str | None = strawberry.field(description="Fingertips IndicatorID (og:fingertipsId).")
    lg_inform_id: str | None = strawberry.field(description="LG Inform metric type id (og:lgInformId).")
    data_provider: str | None = strawberry.field(
        description="The data provider as printed (og:dataProvider)."
    )

    @classmethod
    def extra(cls, facts: Facts) -> dict[str, object]:
        return {
            "fingertips_id": facts.one(OG.fingertipsId),
            "lg_inform_id": facts.one(OG.lgInformId),
            "data_provider": facts.one(OG.dataProvider),
        }


@strawberry.type(description="A metric (og:Metric), with the identifiers of its data sources.")
class Metric(Indicator):
    metric_role: str | None = strawberry.field(
        description="OUTCOME or OUTPUT, as the LOF publishes it (og:metricRole)."
    )
    is_placeholder: bool = strawberry.field(
        description="True when the title is marked [Placeholder] (og:isPlaceholder)."
    )
    exact_matches: list[str] = strawberry.field(
        description="Things this metric is the same as (skos:exactMatch), e.g. LG Inform metric types."
    )

    @classmethod
    def extra(cls, facts: Facts) -> dict[str, object]:
        role = facts.one(OG.metricRole)
        return {
            **Indicator.extra(facts),
            "metric_role": role.rsplit("/", 1)[-1].removesuffix("Metric").upper() if role else None,
            "is_placeholder": facts.one(OG.isPlaceholder) == "true",
            "exact_matches": sorted(facts.all(SKOS.exactMatch)),
        }


@strawberry.type(description="A target (og:Target), with its value, unit and year.")
class Target(Concept):
    target_value: float | None = strawberry.field(description="The numeric target (og:targetValue).")
    target_unit: str | None = strawberry.field(
        description="The unit of the target value, e.g. percent (og:targetUnit)."
    )
    target_year: int | None = strawberry.field(description="The year the target is for (og:targetYear).")

    @classmethod
    def extra(cls, facts: Facts) -> dict[str, object]:
        value, unit = facts.one(OG.targetValue), facts.one(OG.targetUnit)
        return {
            "target_value": float(value) if value is not None else None,
            "target_unit": unit.rsplit("/", 1)[-1] if unit else None,
            "target_year": _int(facts.one(OG.targetYear)),
        }


@strawberry.type(description="A measure (og:Measure).")
class Measure(Concept):
    pass


@strawberry.type(description="A component of a framework (og:Component).")
class Component(Concept):
    pass


@strawberry.type(description="A principle (og:Principle).")
class Principle(Concept):
    pass


@strawberry.type(
    description="Any other kind of concept (role, enabler, action area, service, plan, ...): see kind."
)
class OtherConcept(Concept):
    pass


_TYPE_OF_KIND: dict[ConceptKind, type[Concept]] = {
    ConceptKind.DOMAIN: Domain,
    ConceptKind.TIER: Tier,
    ConceptKind.OUTCOME: Outcome,
    ConceptKind.INDICATOR: Indicator,
    ConceptKind.METRIC: Metric,
    ConceptKind.TARGET: Target,
    ConceptKind.MEASURE: Measure,
    ConceptKind.COMPONENT: Component,
    ConceptKind.PRINCIPLE: Principle,
}
CONCEPT_TYPES: tuple[type[Concept], ...] = (*_TYPE_OF_KIND.values(), OtherConcept)


def _kind(facts: Facts) -> ConceptKind:
    for type_iri in facts.all(RDF.type):
        kind = ConceptKind.of(type_iri)
        if kind is not ConceptKind.OTHER:
            return kind
    return ConceptKind.OTHER


def is_concept(facts: Facts) -> bool:
    return facts.has(RDF.type, SKOS.Concept) or bool(facts.all(SKOS.inScheme))


def concept_of(facts: Facts) -> Concept:
    """The GraphQL object for a concept's facts, of the type its kind calls for."""
    return _TYPE_OF_KIND.get(_kind(facts), OtherConcept).of(facts)


async def concepts_for(
    info: Info, iris: tuple[str, ...] | list[str], *, lookahead: bool = False
) -> list[Concept]:
    """The concepts with these IRIs, in order; IRIs that are not concepts are left out.

    With ``lookahead`` (for pages of concepts) whatever the request selects on them is
    loaded alongside (:mod:`outcomes_graph.web.graphql.lookahead`).
    """
    keys = list(iris)
    loaders = info.context.loaders
    records = kids = None
    if lookahead and keys:
        wanted = item_fields(info)
        if "mappings" in wanted:
            records = start(loaders.concept_mappings, keys)
        if "narrower" in wanted:
            kids = start(loaders.narrower, keys)
    found = await load_all(loaders.describe, keys)
    page = [facts for facts in found if is_concept(facts)]
    if lookahead and page:
        await links_of_page(info, page, records, kids)
    return [loaders.view("concept", facts, concept_of) for facts in page]


def _mapping_page(
    info: Info,
    records: tuple[Facts, ...],
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Mapping]:
    from outcomes_graph.web.graphql.mappings import Mapping

    limits = info.context.limits
    window = Window.of(records, first=first, after=after, last=last, before=before, limits=limits)
    view = info.context.loaders.view
    return window.connection([view("mapping", f, Mapping.of) for f in window.items])


def linked(info: Info, iris: tuple[str, ...] | list[str]) -> list[Concept]:
    """The concepts with these IRIs: at once when look-ahead already loaded them, else awaitable.

    Resolvers return this from a plain ``def``; graphql-core awaits what is awaitable, so a
    link that is already loaded costs no coroutine.
    """
    loaders = info.context.loaders
    found = ready(loaders.describe, iris)
    if found is not None:
        return [loaders.view("concept", facts, concept_of) for facts in found if is_concept(facts)]
    return cast("list[Concept]", concepts_for(info, iris))
