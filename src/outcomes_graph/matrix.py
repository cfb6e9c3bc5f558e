"""The alignment matrix: FHAB domains by national frameworks, counts by relation strength.

A cell (domain D, framework F) counts the concepts of F that have a counterpart
(direct or derived, as in :mod:`outcomes_graph.coverage`) among the FHAB concepts
of domain D: a domain belongs to itself, other FHAB concepts carry ``og:domain``.
Each concept is counted once per cell, under its strongest relation to that
domain; ``curated`` counts those whose strongest link is curated in every step.
Parents covered only via their narrower concepts are not counted.

The matrix is data for pages and charts: :meth:`Matrix.records` (JSON), :meth:`Matrix.csv`
and :meth:`Matrix.frame` (a pandas DataFrame; pandas is imported only there).

>>> record = Matrix((("d", "Safe"),), ("sf",), ()).records()[0]
>>> record["domain_label"], record["framework"], record["exact"], record["concepts"]
('Safe', 'sf', 0, 0)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from outcomes_graph.alignment_chains import Counterpart, derive
from outcomes_graph.alignment_index import AlignmentIndex
from outcomes_graph.alignment_rules import Relation
from outcomes_graph.coverage import FHAB, NATIONAL
from outcomes_graph.output import rows_to_csv

__all__ = ["MATRIX_COLUMNS", "Matrix", "MatrixCell", "alignment_matrix"]

MATRIX_COLUMNS = ["domain", "domain_label", "framework", *(r.value for r in Relation), "concepts", "curated"]


@dataclass(frozen=True)
class MatrixCell:
    domain: str
    framework: str
    counts: tuple[tuple[Relation, int], ...]
    concepts: int
    curated: int

    def count(self, relation: Relation) -> int:
        return dict(self.counts).get(relation, 0)


@dataclass(frozen=True)
class Matrix:
    domains: tuple[tuple[str, str], ...]
    frameworks: tuple[str, ...]
    cells: tuple[MatrixCell, ...]

    def cell(self, domain: str, framework: str) -> MatrixCell:
        for cell in self.cells:
            if cell.domain == domain and cell.framework == framework:
                return cell
        return MatrixCell(domain, framework, (), 0, 0)

    def records(self) -> list[dict[str, Any]]:
        """One dict per cell, in domain then framework order (long form, for JSON)."""
        out = []
        for domain, label in self.domains:
            for framework in self.frameworks:
                cell = self.cell(domain, framework)
                out.append(
                    {
                        "domain": domain,
                        "domain_label": label,
                        "framework": framework,
                        **{r.value: cell.count(r) for r in Relation},
                        "concepts": cell.concepts,
                        "curated": cell.curated,
                    }
                )
        return out

    def csv(self) -> str:
        return rows_to_csv(MATRIX_COLUMNS, [[str(r[c]) for c in MATRIX_COLUMNS] for r in self.records()])

    def frame(self) -> Any:
        """The long-form records as a ``pandas.DataFrame`` (pivot it for a grid).

        pandas is imported here, not with the module, so the command line stays fast.
        """
        pandas = importlib.import_module("pandas")
        return pandas.DataFrame.from_records(self.records(), columns=MATRIX_COLUMNS)


def alignment_matrix(
    index: AlignmentIndex,
    *,
    frameworks: tuple[str, ...] | None = None,
    depth: int = 3,
    curated_only: bool = False,
) -> Matrix:
    """FHAB domains by national frameworks (see the module docstring). Memoised per build."""
    chosen = (
        tuple(index.scheme(f).slug for f in frameworks)
        if frameworks
        else tuple(f for f in NATIONAL if f in index.schemes)
    )
    key = ("matrix", chosen, depth, curated_only)
    result: Matrix = index.memoised(key, lambda: _compute(index, chosen, depth, curated_only))
    return result


def _compute(index: AlignmentIndex, frameworks: tuple[str, ...], depth: int, curated_only: bool) -> Matrix:
    domains = tuple((n.iri, n.label) for n in index.facet_nodes("domain"))
    cells: list[MatrixCell] = []
    for framework in frameworks:
        best: dict[tuple[str, str], Counterpart] = {}
        for node in index.concepts_of(framework):
            reached, _ = derive(index, node.iri, depth=depth, curated_only=curated_only)
            for found in reached.values():
                if index.slug(found.target) != FHAB:
                    continue
                for domain in index.fhab_facets(found.target, "domain"):
                    key = (domain, node.iri)
                    if key not in best or _stronger(found, best[key]):
                        best[key] = found
        for domain, _ in domains:
            chosen = [c for (d, _), c in best.items() if d == domain]
            counts = tuple((r, sum(c.relation is r for c in chosen)) for r in Relation)
            cells.append(MatrixCell(domain, framework, counts, len(chosen), sum(c.curated for c in chosen)))
    return Matrix(domains, frameworks, tuple(cells))


def _stronger(one: Counterpart, other: Counterpart) -> bool:
    return (one.sort_key()[0], not one.curated, *one.sort_key()[1:]) < (
        other.sort_key()[0],
        not other.curated,
        *other.sort_key()[1:],
    )
