"""The root ``Query``: where a developer starts."""

from __future__ import annotations

import strawberry

from outcomes_graph.alignment_rules import STRONG
from outcomes_graph.coverage import coverage as engine_coverage
from outcomes_graph.gaps import gaps as engine_gaps
from outcomes_graph.matrix import alignment_matrix
from outcomes_graph.web.graphql.analysis import Coverage, Gaps, Matrix, SearchHit
from outcomes_graph.web.graphql.concepts import Concept, concepts_for
from outcomes_graph.web.graphql.connections import Connection, Window
from outcomes_graph.web.graphql.context import Info
from outcomes_graph.web.graphql.enums import ConceptKind, RelationStrength
from outcomes_graph.web.graphql.errors import bad_input, not_found
from outcomes_graph.web.graphql.fields import resolver
from outcomes_graph.web.graphql.frameworks import (
    Borough,
    Framework,
    KnownGap,
    framework_by_slug,
    framework_slugs,
)
from outcomes_graph.web.graphql.loaders import load_all
from outcomes_graph.web.graphql.lookup import cell, expand, lookup, resolve_concept, slug_of, suggestions
from outcomes_graph.web.graphql.mappings import Counterpart, Mapping, MappingSet, counterparts_connection

__all__ = ["Query"]


@strawberry.type(
    description="outcomes-graph: England's children's and families' outcomes frameworks, their "
    "crosswalks and the alignment between them."
)
class Query:
    @resolver(description="Every framework edition, by slug.")
    async def frameworks(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Framework]:
        slugs = await framework_slugs(info)
        window = Window.of(
            sorted(slugs), first=first, after=after, last=last, before=before, limits=info.context.limits
        )
        found = await load_all(info.context.loaders.describe, [slugs[s] for s in window.items])
        return window.connection([Framework.of(f) for f in found])

    @resolver(description="One framework edition by slug (lof, phof, fhab, ...) or IRI.")
    async def framework(self, info: Info, slug: str) -> Framework | None:
        return await framework_by_slug(info, slug)

    @resolver(
        description="One concept, by exactly one of: uri (an IRI or CURIE), notation (an official "
        "code such as B04), fingertipsId or lgInformId. framework narrows a code."
    )
    async def concept(
        self,
        info: Info,
        uri: str | None = None,
        notation: str | None = None,
        fingertips_id: str | None = None,
        lg_inform_id: str | None = None,
        framework: str | None = None,
    ) -> Concept | None:
        given = {
            k: v
            for k, v in (
                ("uri", uri),
                ("notation", notation),
                ("fingertipsId", fingertips_id),
                ("lgInformId", lg_inform_id),
            )
            if v is not None
        }
        if len(given) != 1:
            raise bad_input("give exactly one of uri, notation, fingertipsId or lgInformId")
        ((argument, text),) = given.items()
        if argument == "uri":
            iri = expand(text)
        else:
            iri = await lookup(info, argument, text, framework)
        found = await concepts_for(info, [iri])
        if not found:
            close = await suggestions(info, text)
            raise not_found("concept", text, suggested=close, hint="try search(text:)")
        return found[0]

    @resolver(description="Concepts of one framework (or of all), in published order.")
    async def concepts(
        self,
        info: Info,
        framework: str | None = None,
        kind: ConceptKind | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Concept]:
        slugs = await framework_slugs(info)
        schemes = (
            [(await framework_by_slug(info, framework)).uri]
            if framework
            else [slugs[s] for s in sorted(slugs)]
        )
        wanted = kind.class_iri if kind else None
        members = [m for group in await load_all(info.context.loaders.members, schemes) for m in group]
        iris = [
            m.iri
            for m in members
            if kind is None
            or m.type == wanted
            or (kind is ConceptKind.OTHER and ConceptKind.of(m.type) is ConceptKind.OTHER)
        ]
        window = Window.of(iris, first=first, after=after, limits=info.context.limits)
        return window.connection(await concepts_for(info, window.items, lookahead=True))

    @resolver(description="One crosswalk record by IRI or CURIE (ogmap:bsil-phof/1).")
    async def mapping(self, info: Info, uri: str) -> Mapping | None:
        facts = await info.context.loaders.describe.load(expand(uri))
        if not facts:
            raise not_found("mapping record", uri, [], hint="records are named ogmap:{a}-{b}/{n}")
        return Mapping.of(facts)

    @resolver(description="Every crosswalk (SSSOM mapping set).")
    async def mapping_sets(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[MappingSet]:
        iris = [cell(r, "set") for r in await info.context.loaders.rows("gql-mapping-sets")]
        window = Window.of(iris, first=first, after=after, limits=info.context.limits)
        return window.connection(
            [MappingSet(facts=f) for f in await load_all(info.context.loaders.describe, window.items)]
        )

    @resolver(description="One crosswalk by IRI, or by its pair of slugs such as bsil-phof.")
    async def mapping_set(self, info: Info, id: str) -> MappingSet | None:
        iris = [cell(r, "set") for r in await info.context.loaders.rows("gql-mapping-sets")]
        names = {iri.rsplit("/", 1)[-1]: iri for iri in iris}
        iri = names.get(id.strip()) or (id if id in iris else None)
        if iri is None:
            raise not_found("mapping set", id, sorted(names))
        return MappingSet(facts=await info.context.loaders.describe.load(iri))

    @resolver(
        description="Counterparts of a concept named by IRI, CURIE, notation or identifier: direct "
        "records and derived chains, best first."
    )
    async def counterparts(
        self,
        info: Info,
        concept: str,
        direct: bool = True,
        derived: bool = True,
        min_strength: RelationStrength | None = None,
        depth: int = 3,
        curated_only: bool = False,
        min_confidence: float = 0.0,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Counterpart]:
        iri = await resolve_concept(info, concept)
        return await counterparts_connection(
            info,
            iri,
            direct=direct,
            derived=derived,
            min_strength=min_strength,
            depth=depth,
            curated_only=curated_only,
            min_confidence=min_confidence,
            first=first,
            after=after,
        )

    @resolver(
        description="How much of a framework the other framework(s) cover: FHAB for a national one, "
        "the national ones for fhab. strength lists the relations that count (default: all "
        "but RELATED)."
    )
    async def coverage(
        self,
        info: Info,
        framework: str,
        against: list[str] | None = None,
        strength: list[RelationStrength] | None = None,
        depth: int = 3,
        curated_only: bool = False,
    ) -> Coverage:
        slug = await slug_of(info, framework)
        others = tuple([await slug_of(info, a) for a in against]) if against else None
        chosen = frozenset(s.engine for s in strength) if strength else STRONG
        if not chosen or not 1 <= depth <= 6:
            raise bad_input("strength needs at least one relation, and depth must be between 1 and 6")
        index = await info.context.index()
        result = await info.context.engine(
            engine_coverage,
            index,
            slug,
            against=others,
            strength=chosen,
            depth=depth,
            curated_only=curated_only,
        )
        return Coverage(result=result, index=index)

    @resolver(
        description="Unmapped concepts, explicit no-counterpart records and known gaps of a "
        "framework, kept apart."
    )
    async def gaps(
        self,
        info: Info,
        framework: str,
        against: list[str] | None = None,
        depth: int = 3,
        curated_only: bool = False,
    ) -> Gaps:
        slug = await slug_of(info, framework)
        others = tuple([await slug_of(info, a) for a in against]) if against else None
        if not 1 <= depth <= 6:
            raise bad_input(f"depth must be between 1 and 6, not {depth}")
        index = await info.context.index()
        aligner = info.context.aligner
        result = await info.context.engine(
            engine_gaps,
            aligner.store,
            aligner.registry,
            index,
            slug,
            against=others,
            depth=depth,
            curated_only=curated_only,
        )
        return Gaps(result=result)

    @resolver(description="The alignment matrix: FHAB domains by national frameworks.")
    async def matrix(
        self, info: Info, frameworks: list[str] | None = None, depth: int = 3, curated_only: bool = False
    ) -> Matrix:
        chosen = tuple([await slug_of(info, f) for f in frameworks]) if frameworks else None
        if not 1 <= depth <= 6:
            raise bad_input(f"depth must be between 1 and 6, not {depth}")
        index = await info.context.index()
        result = await info.context.engine(
            alignment_matrix, index, frameworks=chosen, depth=depth, curated_only=curated_only
        )
        return Matrix(result=result)

    @resolver(
        description="Concepts and known gaps whose titles, codes or identifiers match, ignoring case "
        "and accents: exact codes first, then title prefixes, then word matches."
    )
    async def search(
        self,
        info: Info,
        text: str,
        framework: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SearchHit]:
        slug = await slug_of(info, framework) if framework else None
        index = await info.context.search_index()
        hits = index.search(text, limit=len(index.entries), scheme=slug)
        window = Window.of(hits, first=first, after=after, limits=info.context.limits)
        return window.connection([SearchHit(hit=h) for h in window.items])

    @resolver(description="The local authorities, by name.")
    async def boroughs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Borough]:
        rows = await info.context.loaders.rows("gql-boroughs")
        window = Window.of(
            [cell(r, "borough") for r in rows], first=first, after=after, limits=info.context.limits
        )
        return window.connection(
            [Borough(facts=f) for f in await load_all(info.context.loaders.describe, window.items)]
        )

    @resolver(description="One borough by GSS code (E09000033) or name (Westminster).")
    async def borough(self, info: Info, id: str) -> Borough | None:
        rows = await info.context.loaders.rows("gql-boroughs")
        names = {cell(r, "gss"): cell(r, "borough") for r in rows}
        names.update({cell(r, "name").lower(): cell(r, "borough") for r in rows if cell(r, "name")})
        iri = names.get(id.strip()) or names.get(id.strip().lower())
        if iri is None:
            raise not_found(
                "borough", id, [cell(r, "name") or cell(r, "gss") for r in rows], hint="use a GSS code"
            )
        return Borough(facts=await info.context.loaders.describe.load(iri))

    @resolver(description="Known gaps (og:KnownGap) of one framework, or of all.")
    async def known_gaps(
        self, info: Info, framework: str | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[KnownGap]:
        slugs = await framework_slugs(info)
        schemes = (
            [(await framework_by_slug(info, framework)).uri]
            if framework
            else [slugs[s] for s in sorted(slugs)]
        )
        iris = [iri for group in await load_all(info.context.loaders.scheme_gaps, schemes) for iri in group]
        window = Window.of(iris, first=first, after=after, limits=info.context.limits)
        return window.connection(
            [KnownGap(facts=f) for f in await load_all(info.context.loaders.describe, window.items)]
        )
