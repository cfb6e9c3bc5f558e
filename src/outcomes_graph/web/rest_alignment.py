"""The alignment engine over REST: counterparts, coverage, gaps, matrix, edition diff, search.

Thin handlers over :class:`outcomes_graph.alignment.Aligner`: the JSON is each result's
``to_dict``, the CSV the table the CLI prints with ``--format csv``. The engine reads a
build once (its index is cached per build id, and coverage, matrix and chains are
memoised on it), so a repeated question is answered from memory; the response cache
(:mod:`outcomes_graph.web.caching`) then answers repeats before they reach a handler.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePath
from typing import Any, Final, Literal, cast

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from outcomes_graph.alignment import DEFAULT_DEPTH, Aligner, Alignment
from outcomes_graph.alignment_chains import Counterpart
from outcomes_graph.alignment_index import QueryStore
from outcomes_graph.alignment_rules import STRONG, Relation, parse_strength
from outcomes_graph.alignment_tables import alignment_table, coverage_table, diff_table
from outcomes_graph.errors import StoreError, UsageError
from outcomes_graph.gaps import GAP_COLUMNS
from outcomes_graph.output import compact, rows_to_csv
from outcomes_graph.web.errors import ApiError
from outcomes_graph.web.rest_http import Format, add_resource, bounded_request, choose_format, csv_response
from outcomes_graph.web.rest_http import json_response as as_json
from outcomes_graph.web.rest_schemas import ALIGNMENT, COVERAGE, DIFF, GAPS, MATRIX, SEARCH
from outcomes_graph.web.state import AppState, get_state

__all__ = ["MAX_DEPTH", "alignment_router", "get_aligner", "strength_filter"]

#: Deepest chain a request may ask for: the search grows with every step.
MAX_DEPTH: Final = 6
TAG: Final = "alignment"
SEARCH_COLUMNS: Final = ["iri", "curie", "scheme", "type", "label", "match", "field", "value"]


def get_aligner(state: AppState = Depends(get_state)) -> Aligner:
    """An Aligner over the store of the build being served (a new build is followed at once).

    Making one is cheap: the engine keeps its index per build, and memoises answers on it.
    """
    store = state.store
    # The engine also reads the build folder (its search index), so it needs a store with a ``path``.
    if not isinstance(getattr(store, "path", None), PurePath):
        raise StoreError("the alignment resources need a store with a build folder (the embedded one)")
    return Aligner(cast(QueryStore, store), state.registry)


def _framework(aligner: Aligner, slug: str) -> str:
    """A framework named in the path: unknown is a 404 that lists the valid slugs."""
    try:
        return aligner.scheme(slug).slug
    except UsageError as exc:
        raise ApiError(404, "unknown-framework", str(exc)) from None


def strength_filter(minimum: Relation | None) -> Any:
    """A predicate keeping counterparts at least as strong as ``minimum`` (exact > close > broad = narrow >
    related); with a minimum, negated records and non-SKOS links ("refers to") are dropped.

    >>> keep = strength_filter(Relation.CLOSE)
    >>> exact, broad = (Counterpart("a", "b", r, 0.9, ()) for r in (Relation.EXACT, Relation.BROAD))
    >>> keep(exact), keep(broad)
    (True, False)
    """

    def keep(counterpart: Counterpart) -> bool:
        if minimum is None:
            return True
        relation = counterpart.relation
        return relation is not None and not counterpart.negated and relation.rank <= minimum.rank

    return keep


DEPTH = Query(
    DEFAULT_DEPTH, ge=1, le=MAX_DEPTH, description="Most crosswalk steps in a derived chain (1 = direct)."
)
CURATED_ONLY = Query(
    False, alias="curatedOnly", description="Use only curated records (status V or P); ignore candidates."
)
AGAINST = Query(
    None,
    description="Framework slug(s) that count as counterparts; repeat the parameter for several "
    "[default: fhab, or the national frameworks for fhab].",
)
FRAMEWORK = Path(
    description="A framework slug, e.g. lof, phof, bsil, sf, cscnf, ffp, fhab.", examples=["lof"]
)


def counterparts(
    request: Request,
    concept: str = Query(
        min_length=1,
        max_length=2000,
        description="A URI, a CURIE (phof:indicator/90631), a notation (B04), "
        "or a Fingertips or LG Inform id.",
        examples=["90631"],
    ),
    direct: bool = Query(True, description="Include the direct crosswalk records."),
    derived: bool = Query(True, description="Include the chains derived through shared concepts."),
    min_strength: Relation | None = Query(
        None,
        alias="minStrength",
        description="The weakest relation to keep (exact > close > broad = narrow > related); "
        "negated records and non-SKOS links are then left out.",
    ),
    depth: int = DEPTH,
    curated_only: bool = CURATED_ONLY,
    min_confidence: float = Query(
        0.0, ge=0, le=1, alias="minConfidence", description="Drop counterparts whose confidence is lower."
    ),
    aligner: Aligner = Depends(get_aligner),
) -> Response:
    fmt = choose_format(request)
    found = aligner.counterparts(
        concept, depth=depth, curated_only=curated_only, min_confidence=min_confidence
    )
    keep = strength_filter(min_strength)
    result: Alignment = replace(
        found,
        direct=tuple(c for c in found.direct if keep(c)) if direct else (),
        derived=tuple(c for c in found.derived if keep(c)) if derived else (),
    )
    if fmt is Format.CSV:
        return csv_response(rows_to_csv(*alignment_table(aligner.index, result)))
    payload = result.to_dict(aligner.index)
    payload["min_strength"] = min_strength.value if min_strength else None
    payload["min_confidence"] = min_confidence
    return as_json(payload)


def coverage(
    request: Request,
    framework: str = FRAMEWORK,
    by: Literal["concept", "hierarchy", "domain", "tier"] = Query(
        "concept", description="One row per concept, or counts per top concept, FHAB domain or FHAB tier."
    ),
    strength: str = Query(
        "strong",
        max_length=100,
        description="Relations that count as covered: strong (exact, close, broad, narrow), all, "
        "or a comma list such as exact,close; the others count as partial.",
    ),
    against: list[str] | None = AGAINST,
    depth: int = DEPTH,
    curated_only: bool = CURATED_ONLY,
    aligner: Aligner = Depends(get_aligner),
) -> Response:
    fmt = choose_format(request)
    slug = _framework(aligner, framework)
    chosen = STRONG if strength.strip().lower() == "strong" else parse_strength(strength)
    result = aligner.coverage(
        slug,
        against=tuple(against) if against else None,
        strength=chosen,
        depth=depth,
        curated_only=curated_only,
    )
    if fmt is Format.CSV:
        return csv_response(rows_to_csv(*coverage_table(aligner.index, result, by)))
    if by == "concept":
        return as_json({"summary": result.summary(), "rows": [r.to_dict() for r in result.rows]})
    groups = [g.to_dict() for g in result.groups(aligner.index, by)]
    return as_json({"summary": result.summary(), "by": by, "groups": groups})


def gaps(
    request: Request,
    framework: str = FRAMEWORK,
    against: list[str] | None = AGAINST,
    depth: int = DEPTH,
    curated_only: bool = CURATED_ONLY,
    aligner: Aligner = Depends(get_aligner),
) -> Response:
    fmt = choose_format(request)
    slug = _framework(aligner, framework)
    result = aligner.gaps(
        slug, against=tuple(against) if against else None, depth=depth, curated_only=curated_only
    )
    if fmt is Format.CSV:
        return csv_response(rows_to_csv(GAP_COLUMNS, result.table()))
    return as_json(result.to_dict())


def matrix(
    request: Request,
    framework: list[str] | None = Query(
        None,
        description="Columns: framework slug(s), repeat for several "
        "[default: lof, phof, bsil, sf, cscnf, ffp].",
    ),
    depth: int = DEPTH,
    curated_only: bool = CURATED_ONLY,
    aligner: Aligner = Depends(get_aligner),
) -> Response:
    fmt = choose_format(request)
    result = aligner.matrix(
        frameworks=tuple(framework) if framework else None, depth=depth, curated_only=curated_only
    )
    if fmt is Format.CSV:
        return csv_response(result.csv())
    domains = [{"iri": iri, "curie": compact(iri), "label": label} for iri, label in result.domains]
    return as_json({"frameworks": list(result.frameworks), "domains": domains, "cells": result.records()})


def diff(
    request: Request,
    before: str = Path(description="The older edition's slug.", examples=["lgof"]),
    after: str = Path(description="The newer edition's slug.", examples=["lof"]),
    aligner: Aligner = Depends(get_aligner),
) -> Response:
    fmt = choose_format(request)
    result = aligner.diff(_framework(aligner, before), _framework(aligner, after))
    if fmt is Format.CSV:
        return csv_response(rows_to_csv(*diff_table(result)))
    return as_json(result.to_dict())


def search(
    request: Request,
    q: str = Query(
        min_length=1,
        max_length=500,
        description="Text to find in titles, alternative titles, codes and identifiers "
        "(case and accents ignored).",
        examples=["school readiness"],
    ),
    scheme: str | None = Query(None, max_length=100, description="Only concepts of this framework (a slug)."),
    limit: int = Query(20, ge=1, le=500, description="Most hits to return."),
    aligner: Aligner = Depends(get_aligner),
) -> Response:
    fmt = choose_format(request)
    hits = aligner.search(q, limit=limit, scheme=scheme)
    if fmt is Format.CSV:
        rows = [[str(hit.to_dict()[c]) for c in SEARCH_COLUMNS] for hit in hits]
        return csv_response(rows_to_csv(SEARCH_COLUMNS, rows))
    return as_json({"query": q, "scheme": scheme, "hits": [hit.to_dict() for hit in hits]})


_RESOURCES: Final[list[tuple[str, Any, str, str, dict[str, Any], str]]] = [
    (
        "/api/counterparts",
        counterparts,
        "Counterparts of a concept: direct crosswalk records and derived chains",
        "Direct records (predicate, confidence, justification, sources) and chains through shared "
        "concepts, composed by fixed rules (exact+exact = exact, exact+close = close, broad mixed with "
        "narrow = related at most); confidence never rises along a chain. Each says direct or derived "
        "and shows its path.",
        ALIGNMENT,
        "kind, relation, counterpart, label, scheme, confidence, basis, path, records, sources",
    ),
    (
        "/api/coverage/{framework}",
        coverage,
        "Coverage of a framework: which of its concepts FHAB covers (or, for fhab, the national ones)",
        "covered: a strong link (direct or derived); partial: only weaker links, or some narrower concepts; "
        "not-found: an explicit sssom:NoTermFound record; unmapped: nobody has mapped it yet.",
        COVERAGE,
        "one row per concept (by=concept) or per group",
    ),
    (
        "/api/gaps/{framework}",
        gaps,
        "Gaps of a framework: unmapped concepts, explicit not-found records and known gaps, kept apart",
        "unmapped: no counterpart at any strength and no record saying none exists; not_found: "
        "sssom:NoTermFound records; known_gaps: og:KnownGap items the sources do not give.",
        GAPS,
        ", ".join(GAP_COLUMNS),
    ),
    (
        "/api/matrix",
        matrix,
        "Alignment matrix: FHAB domains by national frameworks, counts by relation",
        "Each cell counts the framework's concepts with a counterpart among the FHAB concepts of the domain, "
        "under their strongest relation.",
        MATRIX,
        "domain, domain_label, framework, exact, close, broad, narrow, related, concepts, curated",
    ),
    (
        "/api/diff/{before}/{after}",
        diff,
        "Edition diff: concepts added, removed, relabelled, renumbered or moved, and stale crosswalk rows",
        "Concepts are matched by key, then by a curated exact/close/isReplacedBy record, then by title.",
        DIFF,
        "kind, item, before, after, detail, record",
    ),
    (
        "/api/search",
        search,
        "Search concepts by title, code or identifier",
        "Ranked: exact notation or identifier first, then titles starting with the text, then titles "
        "containing every word of it.",
        SEARCH,
        ", ".join(SEARCH_COLUMNS),
    ),
]


def alignment_router() -> APIRouter:
    """Each alignment resource at its path and its ``.json`` and ``.csv`` twins."""
    router = APIRouter(tags=[TAG], dependencies=[Depends(bounded_request)])
    for path, endpoint, summary, description, schema, columns in _RESOURCES:
        add_resource(
            router,
            path,
            endpoint,
            name=endpoint.__name__,
            summary=summary,
            description=description,
            schema=schema,
            csv_columns=columns,
        )
    return router
