"""Coverage, gaps, the alignment matrix and search hits, as answered by the alignment engine."""

from __future__ import annotations

import strawberry

from outcomes_graph.alignment_index import AlignmentIndex, GapRecord
from outcomes_graph.coverage import Coverage as EngineCoverage
from outcomes_graph.coverage import CoverageRow as EngineRow
from outcomes_graph.coverage import GroupRow
from outcomes_graph.gaps import Gaps as EngineGaps
from outcomes_graph.matrix import Matrix as EngineMatrix
from outcomes_graph.matrix import MatrixCell as EngineCell
from outcomes_graph.search import SearchHit as EngineHit
from outcomes_graph.web.graphql.concepts import Concept, concepts_for
from outcomes_graph.web.graphql.connections import Connection, Window
from outcomes_graph.web.graphql.context import Info
from outcomes_graph.web.graphql.enums import (
    Basis,
    CoverageGroupBy,
    CoverageStatus,
    RelationStrength,
    SearchMatch,
)
from outcomes_graph.web.graphql.fields import resolver
from outcomes_graph.web.graphql.frameworks import Framework, KnownGap, framework_for, framework_slugs
from outcomes_graph.web.graphql.loaders import load_all
from outcomes_graph.web.graphql.mappings import Counterpart, Mapping

__all__ = ["Coverage", "Gaps", "Matrix", "SearchHit"]


async def _frameworks(info: Info, slugs: tuple[str, ...]) -> list[Framework]:
    known = await framework_slugs(info)
    found = [await framework_for(info, known[s]) for s in slugs if s in known]
    return [f for f in found if f is not None]


async def _concept(info: Info, iri: str) -> Concept | None:
    found = await concepts_for(info, [iri])
    return found[0] if found else None


@strawberry.type(description="An explicit no-counterpart record (sssom:NoTermFound) of one concept.")
class RecordedGap:
    gap: strawberry.Private[GapRecord]

    @resolver(description="The framework (slug) in which the counterpart is missing.")
    def missing_in(self) -> str:
        return self.gap.missing_in

    @resolver(description="The reference's status cell, verbatim.")
    def status_note(self) -> str | None:
        return self.gap.status_note or None

    @resolver()
    def crosswalk_id(self) -> str | None:
        return self.gap.crosswalk or None

    @resolver()
    def comment(self) -> str | None:
        return self.gap.comment or None

    @resolver()
    def sources(self) -> list[str]:
        return list(self.gap.sources)

    @resolver(description="The crosswalk record itself.")
    async def mapping(self, info: Info) -> Mapping:
        return Mapping.of(await info.context.loaders.describe.load(self.gap.record))

    @resolver(description="The concept that has no counterpart.")
    async def concept(self, info: Info) -> Concept | None:
        return await _concept(info, self.gap.node)


@strawberry.type(description="How one concept of the framework is covered.")
class CoverageRow:
    row: strawberry.Private[EngineRow]
    index: strawberry.Private[AlignmentIndex]

    @resolver()
    async def concept(self, info: Info) -> Concept | None:
        return await _concept(info, self.row.node.iri)

    @resolver()
    def status(self) -> CoverageStatus:
        return CoverageStatus(self.row.status.value)

    @resolver(description="direct, derived or 'via narrower'; null when not covered.")
    def how(self) -> str | None:
        return self.row.how or None

    @resolver()
    def basis(self) -> Basis | None:
        return Basis(self.row.basis) if self.row.basis else None

    @resolver(description="The strongest relation among the evidence.")
    def relation(self) -> RelationStrength | None:
        best = self.row.best
        return RelationStrength.from_engine(best.relation) if best else None

    @resolver(description="The counterparts that count, best first.")
    def evidence(self) -> list[Counterpart]:
        return [Counterpart(found=c, target_label=self.index.label(c.target)) for c in self.row.evidence]

    @resolver(description="How many of its narrower concepts are covered.")
    def narrower_covered(self) -> int:
        return self.row.narrower_covered

    @resolver()
    def narrower_total(self) -> int:
        return self.row.narrower_total

    @resolver(description="Explicit no-counterpart records for this concept.")
    def recorded_gaps(self) -> list[RecordedGap]:
        return [RecordedGap(gap=g) for g in self.row.recorded_gaps]


@strawberry.type(description="Coverage counts for a group: an FHAB domain or tier, or a top concept.")
class CoverageGroup:
    group: str
    label: str
    total: int
    covered: int
    partial: int
    not_found: int
    unmapped: int
    curated: int
    candidate: int
    percent_covered: float

    @classmethod
    def of(cls, row: GroupRow) -> CoverageGroup:
        return cls(
            group=row.group,
            label=row.label,
            total=row.total,
            covered=row.covered,
            partial=row.partial,
            not_found=row.not_found,
            unmapped=row.unmapped,
            curated=row.curated,
            candidate=row.candidate,
            percent_covered=row.percent,
        )


@strawberry.type(description="Coverage totals.")
class CoverageSummary:
    total: int
    covered: int
    covered_direct: int
    covered_derived: int
    covered_via_narrower: int
    covered_curated: int
    covered_candidate: int
    partial: int
    not_found: int
    unmapped: int
    with_recorded_gap: int
    percent_covered: float


@strawberry.type(
    description="Which concepts of a framework the other framework(s) cover: FHAB for a national "
    "framework, the national frameworks for FHAB."
)
class Coverage:
    result: strawberry.Private[EngineCoverage]
    index: strawberry.Private[AlignmentIndex]

    @resolver()
    async def framework(self, info: Info) -> Framework | None:
        found = await _frameworks(info, (self.result.framework,))
        return found[0] if found else None

    @resolver(description="The frameworks that count as covering.")
    async def against(self, info: Info) -> list[Framework]:
        return await _frameworks(info, self.result.against)

    @resolver()
    def summary(self) -> CoverageSummary:
        data = self.result.summary()
        return CoverageSummary(**{k: data[k] for k in CoverageSummary.__annotations__})

    @resolver(description="One row per concept, in published order; status filters them.")
    def rows(
        self,
        info: Info,
        status: CoverageStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CoverageRow]:
        rows = [r for r in self.result.rows if status is None or r.status.value == status.value]
        window = Window.of(rows, first=first, after=after, limits=info.context.limits)
        return window.connection([CoverageRow(row=r, index=self.index) for r in window.items])

    @resolver(description="Counts per FHAB domain or tier, or per top concept (HIERARCHY).")
    async def groups(self, info: Info, by: CoverageGroupBy) -> list[CoverageGroup]:
        index = await info.context.index()
        return [CoverageGroup.of(g) for g in self.result.groups(index, by.value)]


@strawberry.type(description="What a framework lacks a counterpart for, in three kinds kept apart.")
class Gaps:
    result: strawberry.Private[EngineGaps]

    @resolver()
    async def framework(self, info: Info) -> Framework | None:
        found = await _frameworks(info, (self.result.framework,))
        return found[0] if found else None

    @resolver()
    async def against(self, info: Info) -> list[Framework]:
        return await _frameworks(info, self.result.against)

    @resolver(description="Concepts nobody has mapped yet: no counterpart at any strength, no record.")
    async def unmapped(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Concept]:
        window = Window.of(
            [n.iri for n in self.result.unmapped], first=first, after=after, limits=info.context.limits
        )
        return window.connection(await concepts_for(info, window.items, lookahead=True))

    @resolver(description="Explicit no-counterpart records (sssom:NoTermFound): a source says none exists.")
    def not_found(self) -> list[RecordedGap]:
        return [RecordedGap(gap=g) for _, g in self.result.not_found]

    @resolver(description="og:KnownGap records of the framework: items sources say exist but do not give.")
    async def known_gaps(self, info: Info) -> list[KnownGap]:
        iris = [row["gap"] for row in self.result.known]
        return [KnownGap(facts=f) for f in await load_all(info.context.loaders.describe, iris)]


@strawberry.type(description="One cell: concepts of a framework with a counterpart in an FHAB domain.")
class MatrixCell:
    cell: strawberry.Private[EngineCell]

    @resolver()
    async def domain(self, info: Info) -> Concept | None:
        return await _concept(info, self.cell.domain)

    @resolver(description="The framework's slug.")
    def framework(self) -> str:
        return self.cell.framework

    @resolver()
    def exact(self) -> int:
        return self.cell.count(RelationStrength.EXACT.engine)

    @resolver()
    def close(self) -> int:
        return self.cell.count(RelationStrength.CLOSE.engine)

    @resolver()
    def broad(self) -> int:
        return self.cell.count(RelationStrength.BROAD.engine)

    @resolver()
    def narrow(self) -> int:
        return self.cell.count(RelationStrength.NARROW.engine)

    @resolver()
    def related(self) -> int:
        return self.cell.count(RelationStrength.RELATED.engine)

    @resolver(description="Concepts counted (each once, under its strongest relation).")
    def concepts(self) -> int:
        return self.cell.concepts

    @resolver(description="Of those, how many are linked by curated steps only.")
    def curated(self) -> int:
        return self.cell.curated


@strawberry.type(description="FHAB domains by national frameworks, counts by relation strength.")
class Matrix:
    result: strawberry.Private[EngineMatrix]

    @resolver()
    async def domains(self, info: Info) -> list[Concept]:
        return await concepts_for(info, [iri for iri, _ in self.result.domains])

    @resolver()
    async def frameworks(self, info: Info) -> list[Framework]:
        return await _frameworks(info, self.result.frameworks)

    @resolver(description="Every cell, in domain then framework order.")
    def cells(self) -> list[MatrixCell]:
        return [
            MatrixCell(cell=self.result.cell(domain, framework))
            for domain, _ in self.result.domains
            for framework in self.result.frameworks
        ]


@strawberry.type(description="A concept or known gap whose title, code or identifier matches the search.")
class SearchHit:
    hit: strawberry.Private[EngineHit]

    @resolver()
    def uri(self) -> str:
        return self.hit.iri

    @resolver()
    def curie(self) -> str:
        return self.hit.curie

    @resolver(description="The framework's slug.")
    def framework(self) -> str:
        return self.hit.scheme

    @resolver(description="The class name, e.g. Indicator or KnownGap.")
    def type(self) -> str:
        return self.hit.type

    @resolver()
    def label(self) -> str:
        return self.hit.label

    @resolver(description="Why it matched; exact codes rank first, then title prefixes, then words.")
    def match(self) -> SearchMatch:
        return SearchMatch(self.hit.match)

    @resolver(description="The field that matched, e.g. notation, fingertips-id, label, altLabel.")
    def field(self) -> str:
        return self.hit.field

    @resolver(description="The text that matched.")
    def value(self) -> str:
        return self.hit.value

    @resolver(description="The hit as a concept (null for a known gap).")
    async def concept(self, info: Info) -> Concept | None:
        return await _concept(info, self.hit.iri)
