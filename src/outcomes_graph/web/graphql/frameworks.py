"""Frameworks (editions), their publishers and sources, known gaps, and boroughs."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from strawberry.types.nodes import SelectedField

from outcomes_graph.vocab import scheme_iri
from outcomes_graph.web.graphql.concepts import Concept, concepts_for
from outcomes_graph.web.graphql.connections import Connection, Window
from outcomes_graph.web.graphql.context import Info
from outcomes_graph.web.graphql.enums import ConceptKind, Status
from outcomes_graph.web.graphql.errors import not_found
from outcomes_graph.web.graphql.facts import DCAT, DCTERMS, FOAF, OG, OWL, PROV, RDF, RDFS, SKOS, Facts
from outcomes_graph.web.graphql.fetch import Row
from outcomes_graph.web.graphql.fields import resolver
from outcomes_graph.web.graphql.loaders import load_all
from outcomes_graph.web.graphql.lookahead import quietly

__all__ = [
    "Borough",
    "Framework",
    "KnownGap",
    "Organisation",
    "Source",
    "boroughs_for",
    "framework_by_slug",
    "framework_for",
    "sources_for",
]


@strawberry.type(description="A publication or web page an item is taken from (dct:source).")
class Source:
    facts: strawberry.Private[Facts]

    @resolver(description="The source's URL (or its id/source/... IRI when it has no URL).")
    def uri(self) -> str:
        return self.facts.iri

    @resolver(description="The reference's source id, e.g. S18 (dct:identifier).")
    def identifier(self) -> str | None:
        return self.facts.one(DCTERMS.identifier)

    @resolver(description="The title of the source.")
    def title(self) -> str | None:
        return self.facts.one(DCTERMS.title)

    @resolver(description="The publisher, as the reference names it.")
    def publisher(self) -> str | None:
        return self.facts.one(DCTERMS.publisher)

    @resolver(description="The publication date, as precise as known.")
    def date(self) -> str | None:
        return self.facts.one(DCTERMS.date)


@strawberry.type(description="A publisher or owner of a framework (foaf:Organization).")
class Organisation:
    facts: strawberry.Private[Facts]

    @resolver()
    def uri(self) -> str:
        return self.facts.iri

    @resolver(description="The organisation's name (foaf:name).")
    def name(self) -> str:
        return self.facts.one(FOAF.name) or self.facts.one(RDFS.label) or self.facts.curie

    @resolver(description="Abbreviations and other names (skos:altLabel).")
    def alt_labels(self) -> list[str]:
        return sorted(self.facts.all(SKOS.altLabel))


@strawberry.type(
    description="One framework edition: a skos:ConceptScheme that is also a dcat:Dataset. "
    "Editions link with revisionOf (prov:wasRevisionOf)."
)
class Framework:
    facts: strawberry.Private[Facts]
    uri: str
    slug: str = strawberry.field(
        description="The short name used in URIs, CLI arguments and API paths, e.g. lof."
    )
    title: str = strawberry.field(description="The exact official title (dct:title).")
    alt_labels: list[str] = strawberry.field(description="Abbreviations and other names (skos:altLabel).")
    description: str | None = strawberry.field(
        description="A paraphrase of what the framework is (dct:description)."
    )
    version: str | None = strawberry.field(description="The edition as published (dcat:version).")
    issued: str | None = strawberry.field(
        description="When it was issued: a date, a year-month or a year (dct:issued)."
    )
    license: str | None = strawberry.field(
        description="The licence outcomes-graph publishes this encoding under (dct:license)."
    )
    notes: list[str] = strawberry.field(description="Notes a reader needs (skos:note).")
    status: Status | None = strawberry.field(
        description="How far the sources confirm the framework (og:status)."
    )

    @classmethod
    def of(cls, facts: Facts) -> Framework:
        f = facts
        slug = f.one(OG.slug) or f.iri.rsplit("/", 1)[-1]
        return cls(
            facts=f,
            uri=f.iri,
            slug=slug,
            title=f.one(DCTERMS.title) or f.one(SKOS.prefLabel) or slug,
            alt_labels=sorted(f.all(SKOS.altLabel)),
            description=f.one(DCTERMS.description),
            version=f.one(DCAT.version),
            issued=f.one(DCTERMS.issued),
            license=f.one(DCTERMS.license),
            notes=sorted(f.all(SKOS.note)),
            status=Status.of(f.one(OG.status)),
        )

    @resolver(description="The sources (dct:source).")
    async def sources(self, info: Info) -> list[Source]:
        return await sources_for(info, self.facts)

    @resolver(description="The publisher (dct:publisher).")
    async def publisher(self, info: Info) -> Organisation | None:
        iri = self.facts.one(DCTERMS.publisher)
        if iri is None:
            return None
        facts = await info.context.loaders.describe.load(iri)
        return Organisation(facts=facts)

    @resolver(
        description="The edition this one revises (prov:wasRevisionOf), e.g. LOF 2026 revises the "
        "LGOF draft of 2025."
    )
    async def revision_of(self, info: Info) -> Framework | None:
        iri = self.facts.one(PROV.wasRevisionOf)
        return await framework_for(info, iri) if iri else None

    @resolver(description="The editions that revise this one.")
    async def revised_by(self, info: Info) -> list[Framework]:
        rows = await info.context.loaders.rows("gql-frameworks")
        later = sorted({_v(r, "scheme") for r in rows if _v(r, "revisionOf") == self.facts.iri})
        return [Framework.of(f) for f in await load_all(info.context.loaders.describe, later)]

    @resolver(description="Every edition of this framework, oldest first (following revisionOf both ways).")
    async def editions(self, info: Info) -> list[Framework]:
        rows = await info.context.loaders.rows("gql-frameworks")
        links = [(_v(r, "scheme"), _v(r, "revisionOf")) for r in rows if _v(r, "revisionOf")]
        chain = {self.facts.iri}
        grew = True
        while grew:
            grew = False
            for newer, older in links:
                if (newer in chain) != (older in chain):
                    chain |= {newer, older}
                    grew = True
        found = await load_all(info.context.loaders.describe, sorted(chain))
        return sorted((Framework.of(f) for f in found), key=lambda f: (f.issued or "", f.uri))

    @resolver(description="The concepts of this edition in published order; kind and topOnly filter them.")
    async def concepts(
        self,
        info: Info,
        kind: ConceptKind | None = None,
        top_only: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Concept]:
        members = await info.context.loaders.members.load(self.facts.iri)
        wanted = kind.class_iri if kind and kind is not ConceptKind.OTHER else None
        iris = [
            m.iri
            for m in members
            if (kind is None or (m.type == wanted if wanted else ConceptKind.of(m.type) is ConceptKind.OTHER))
            and (m.top or not top_only)
        ]
        window = Window.of(
            iris, first=first, after=after, last=last, before=before, limits=info.context.limits
        )
        return window.connection(await concepts_for(info, window.items, lookahead=True))

    @resolver(
        description="Items the sources say exist but do not give (og:KnownGap): what is missing, "
        "rather than a silent hole."
    )
    async def known_gaps(self, info: Info) -> list[KnownGap]:
        iris = await info.context.loaders.scheme_gaps.load(self.facts.iri)
        return [KnownGap(facts=f) for f in await load_all(info.context.loaders.describe, list(iris))]


@strawberry.type(
    description="An item the sources say exists but do not give (NF), or give only unconfirmed (U)."
)
class KnownGap:
    facts: strawberry.Private[Facts]

    @resolver()
    def uri(self) -> str:
        return self.facts.iri

    @resolver(description="What is missing, in plain words (rdfs:label).")
    def label(self) -> str:
        return self.facts.one(RDFS.label) or self.facts.curie

    @resolver(description="The kind of the missing item(s) (og:gapKind).")
    def kind(self) -> ConceptKind | None:
        kind = self.facts.one(OG.gapKind)
        return ConceptKind.of(kind) if kind else None

    @resolver(description="How many items are known to exist but are not given (og:expectedCount).")
    def expected_count(self) -> int | None:
        count = self.facts.one(OG.expectedCount)
        return int(count) if count and count.isdigit() else None

    @resolver(description="An unverified title, kept only as a candidate (og:candidateLabel).")
    def candidate_label(self) -> str | None:
        return self.facts.one(OG.candidateLabel)

    @resolver(description="NOT_FOUND or UNVERIFIED (og:status).")
    def status(self) -> Status | None:
        return Status.of(self.facts.one(OG.status))

    @resolver(description="The reference's grading cell, verbatim (og:statusNote).")
    def status_note(self) -> str | None:
        return self.facts.one(OG.statusNote)

    @resolver(description="Notes a reader needs (skos:note).")
    def notes(self) -> list[str]:
        return sorted(self.facts.all(SKOS.note))

    @resolver(description="Sources that confirm the slot exists.")
    async def sources(self, info: Info) -> list[Source]:
        return await sources_for(info, self.facts)

    @resolver(description="The framework the gap is in (og:gapIn).")
    async def framework(self, info: Info) -> Framework | None:
        iri = self.facts.one(OG.gapIn)
        return await framework_for(info, iri) if iri else None

    @resolver(description="The concept the missing items would sit under (og:gapParent).")
    async def parent(self, info: Info) -> Concept | None:
        found = await concepts_for(info, self.facts.all(OG.gapParent)[:1])
        return found[0] if found else None


@strawberry.type(description="A local authority (og:LocalAuthority), identified by its GSS code.")
class Borough:
    facts: strawberry.Private[Facts]

    @resolver()
    def uri(self) -> str:
        return self.facts.iri

    @resolver(description="The ONS GSS code, e.g. E09000033.")
    def gss_code(self) -> str:
        return self.facts.one(OG.gssCode) or self.facts.iri.rsplit("/", 1)[-1]

    @resolver(description="The borough's name.")
    def name(self) -> str:
        return self.facts.one(RDFS.label) or self.facts.one(FOAF.name) or self.gss_code()

    @resolver(description="The same borough elsewhere (owl:sameAs), e.g. the ONS statistical geography.")
    def same_as(self) -> list[str]:
        return sorted(self.facts.all(OWL.sameAs))

    @resolver(description="The sources (dct:source).")
    async def sources(self, info: Info) -> list[Source]:
        return await sources_for(info, self.facts)

    @resolver(description="Items of case studies this borough reports (og:reportedBy).")
    async def reported_items(
        self, info: Info
    ) -> list[Annotated[Concept, strawberry.lazy("outcomes_graph.web.graphql.concepts")]]:
        iris = await info.context.loaders.reported_items.load(self.facts.iri)
        return await concepts_for(info, list(iris))


def _v(row: Row, name: str) -> str:
    cell = row.get(name)
    return cell["value"] if cell else ""


async def sources_for(info: Info, facts: Facts) -> list[Source]:
    found = await load_all(info.context.loaders.describe, sorted(facts.all(DCTERMS.source)))
    return [Source(facts=f) for f in found]


async def framework_for(info: Info, iri: str) -> Framework | None:
    facts = await info.context.loaders.describe.load(iri)
    return Framework.of(facts) if facts else None


async def boroughs_for(info: Info, iris: tuple[str, ...]) -> list[Borough]:
    return [Borough(facts=f) for f in await load_all(info.context.loaders.describe, sorted(iris)) if f]


async def framework_slugs(info: Info) -> dict[str, str]:
    """Slug to scheme IRI, for every framework edition."""
    rows = await info.context.loaders.rows("gql-frameworks")
    return {_v(r, "slug"): _v(r, "scheme") for r in rows}


async def framework_by_slug(info: Info, slug: str) -> Framework:
    """The framework with this slug (or IRI); a NOT_FOUND error with suggestions otherwise.

    A slug names the scheme ``{base}id/{slug}`` (DESIGN §3), so the usual case costs no
    lookup: the scheme is described directly, and its ``concepts`` are started alongside.
    """
    key = slug.strip()
    guess = key if "://" in key else str(scheme_iri(key.lower(), info.context.state.settings.base))
    if "concepts" in {f.name for f in info.selected_fields[0].selections if isinstance(f, SelectedField)}:
        asyncio.ensure_future(info.context.loaders.members.load(guess)).add_done_callback(quietly)
    facts = await info.context.loaders.describe.load(guess)
    if facts.has(RDF.type, SKOS.ConceptScheme):
        return Framework.of(facts)
    slugs = await framework_slugs(info)
    iri = slugs.get(key.lower())
    framework = await framework_for(info, iri) if iri else None
    if framework is None:
        raise not_found("framework", slug, sorted(slugs))
    return framework
