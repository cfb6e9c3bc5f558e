"""The alignment commands: ``align``, ``coverage``, ``gaps``, ``matrix``, ``diff``, ``search``.

Registered on the ``main`` group of :mod:`outcomes_graph.cli`; each is a thin layer over
:class:`outcomes_graph.alignment.Aligner`, with ``--format table|csv|tsv|json``.
"""

from __future__ import annotations

from typing import Any

import click
import orjson
from rich.console import Console
from rich.table import Table as RichTable

from outcomes_graph.alignment import DEFAULT_DEPTH, Aligner
from outcomes_graph.alignment_rules import STRONG, parse_strength
from outcomes_graph.alignment_tables import (
    Table,
    alignment_table,
    coverage_table,
    diff_table,
    matrix_grid,
    search_table,
    short_alignment_table,
)
from outcomes_graph.cli import FORMATS, Context, _emit, _fail, main
from outcomes_graph.coverage import GroupBy
from outcomes_graph.errors import OutcomesGraphError
from outcomes_graph.gaps import GAP_COLUMNS
from outcomes_graph.output import compact
from outcomes_graph.queries import QueryRegistry

__all__ = ["align_cmd", "coverage_cmd", "diff_cmd", "gaps_cmd", "matrix_cmd", "search_cmd"]

out = Console(soft_wrap=False)


def _aligner(obj: Context) -> Aligner:
    return Aligner(obj.open_store(), QueryRegistry.load(obj.settings.queries_dir))


def _json(payload: Any) -> None:
    click.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())


#: Columns cut to one line with an ellipsis in the terminal (titles); the rest wrap.
_SHORT_COLUMNS = frozenset({"label", "before", "after", "title"})
#: Columns holding CURIEs: folded when longer than the column.
_CURIE_COLUMNS = frozenset({"counterpart", "concept", "item", "group"})


#: Shorter headers for the terminal view.
_TERMINAL_NAMES = {
    "recorded_gap": "gap",
    "confidence": "conf",
    "percent_covered": "%",
    "not_found": "not found",
}
#: Long columns left out of the terminal view (CSV and JSON keep them).
_TERMINAL_HIDDEN = frozenset({"path", "record", "records", "sources"})


def _print(table: Table, fmt: str, title: str | None = None) -> None:
    names, rows = table
    if fmt != "table":
        _emit(names, rows, fmt)
        return
    keep = [i for i, name in enumerate(names) if name not in _TERMINAL_HIDDEN]
    names, rows = [names[i] for i in keep], [[row[i] for i in keep] for row in rows]
    if "how" in names and "basis" in names:  # one narrower column: "derived candidate"
        how, basis = names.index("how"), names.index("basis")
        rows = [
            [" ".join(filter(None, (r[how], r[basis]))) if i == how else c for i, c in enumerate(r)]
            for r in rows
        ]
        names, rows = (
            [n for i, n in enumerate(names) if i != basis],
            [[c for i, c in enumerate(r) if i != basis] for r in rows],
        )
    view = RichTable(title=title, title_justify="left")
    for name in (_TERMINAL_NAMES.get(n, n) for n in names):
        if name in _SHORT_COLUMNS:
            view.add_column(name, max_width=28, no_wrap=True, overflow="ellipsis")
        elif name in _CURIE_COLUMNS:
            view.add_column(name, min_width=20, max_width=36, overflow="fold")
        else:
            view.add_column(name, min_width=min(len(name), 12), overflow="fold")
    for row in rows:
        view.add_row(*row)
    out.print(view)


def _depth(value: int) -> int:
    if value < 1:
        raise click.BadParameter(f"{value} is not a depth; use 1 (direct links only) or more")
    return value


DEPTH = click.option(
    "--depth",
    type=int,
    default=DEFAULT_DEPTH,
    show_default=True,
    callback=lambda _c, _p, v: _depth(v),
    help="Most crosswalk steps in a derived chain (1 = direct links only).",
)
CURATED = click.option(
    "--curated-only",
    is_flag=True,
    help="Use only curated records (status V or P); ignore inferred candidates.",
)
FORMAT = click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
AGAINST = click.option(
    "--against",
    multiple=True,
    metavar="SLUG",
    help="Framework(s) that count as counterparts [default: fhab, or the national frameworks for fhab].",
)


@main.command("align")
@click.argument("concept")
@DEPTH
@CURATED
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Drop counterparts whose (chain) confidence is lower.",
)
@FORMAT
@click.pass_obj
def align_cmd(
    obj: Context, concept: str, depth: int, curated_only: bool, min_confidence: float, fmt: str
) -> None:
    """Counterparts of CONCEPT: direct crosswalk records and derived chains, with provenance.

    CONCEPT is a URI, a CURIE (phof:indicator/90631), a notation (B04) or a Fingertips
    or LG Inform id (90631, 19346). Derived chains compose relations by fixed rules
    (exact+exact = exact, exact+close = close, broad mixed with narrow = related, ...);
    confidence is the product of the steps'. "curated" means every step is stated by a
    source (V or P); "candidate" means some step is inferred (I) or unverified (U).

    \b
    Examples:
      outcomes-graph align 90631
      outcomes-graph align phof:indicator/90631 --depth 2 --format json
      outcomes-graph align B04 --curated-only
    """
    try:
        aligner = _aligner(obj)
        result = aligner.counterparts(
            concept, depth=depth, curated_only=curated_only, min_confidence=min_confidence
        )
        index = aligner.index
    except OutcomesGraphError as exc:
        _fail(exc)
    if fmt == "json":
        _json(result.to_dict(index))
        return
    node = result.concept
    if fmt == "table":
        out.print(
            f"{node.curie}  {node.label}  ({node.slug}, {node.type_name})", highlight=False, markup=False
        )
    table = short_alignment_table(index, result) if fmt == "table" else alignment_table(index, result)
    _print(table, fmt, title=f"{len(result.direct)} direct, {len(result.derived)} derived (depth {depth})")
    if fmt == "table":
        for gap in result.gaps:
            out.print(
                f"recorded gap: no counterpart in {gap.missing_in} ({gap.crosswalk or compact(gap.record)}): "
                f"{gap.comment}",
                highlight=False,
                markup=False,
            )
        for refused in result.refused:
            out.print(
                f"refused chain to {compact(refused.target)}: {refused.reason}", highlight=False, markup=False
            )


@main.command("coverage")
@click.argument("framework")
@click.option(
    "--by",
    "by",
    type=click.Choice(["concept", "hierarchy", "domain", "tier"]),
    default="concept",
    show_default=True,
    help="One row per concept, or counts per top concept, FHAB domain or FHAB tier.",
)
@click.option(
    "--strength",
    default="strong",
    show_default=True,
    metavar="strong|all|LIST",
    help="Relations that count as covered (LIST: e.g. exact,close); the others count as partial.",
)
@AGAINST
@DEPTH
@CURATED
@FORMAT
@click.pass_obj
def coverage_cmd(
    obj: Context,
    framework: str,
    by: GroupBy,
    strength: str,
    against: tuple[str, ...],
    depth: int,
    curated_only: bool,
    fmt: str,
) -> None:
    """How FHAB covers FRAMEWORK (lof, phof, bsil, sf, cscnf, ffp), or for fhab how the national ones do.

    A concept is covered by a strong link (exact, close, broad, narrow; direct or derived),
    partial when only related links reach it; a parent with no link of its own is covered
    when all its narrower concepts are, partial when some are. not-found marks an explicit
    sssom:NoTermFound record; unmapped means nobody has mapped it yet.

    \b
    Examples:
      outcomes-graph coverage lof
      outcomes-graph coverage sf --by domain
      outcomes-graph coverage fhab --by tier --strength all --format json
    """
    try:
        aligner = _aligner(obj)
        chosen = parse_strength(strength) if strength != "strong" else STRONG
        result = aligner.coverage(
            framework, against=against or None, strength=chosen, depth=depth, curated_only=curated_only
        )
        table = coverage_table(aligner.index, result, by)
    except OutcomesGraphError as exc:
        _fail(exc)
    summary = result.summary()
    if fmt == "json":
        if by == "concept":
            _json({"summary": summary, "rows": [r.to_dict() for r in result.rows]})
        else:
            _json(
                {
                    "summary": summary,
                    "by": by,
                    "groups": [g.to_dict() for g in result.groups(aligner.index, by)],
                }
            )
        return
    _print(table, fmt, title=f"Coverage of {result.framework} by {', '.join(result.against)}")
    if fmt == "table":
        out.print(
            f"{summary['covered']} of {summary['total']} covered ({summary['percent_covered']}%: "
            f"{summary['covered_direct']} direct, {summary['covered_derived']} derived, "
            f"{summary['covered_via_narrower']} via narrower; {summary['covered_curated']} curated, "
            f"{summary['covered_candidate']} candidate); {summary['partial']} partial, "
            f"{summary['not_found']} not found, {summary['unmapped']} unmapped",
            highlight=False,
            markup=False,
        )


@main.command("gaps")
@click.argument("framework")
@AGAINST
@DEPTH
@CURATED
@FORMAT
@click.pass_obj
def gaps_cmd(
    obj: Context, framework: str, against: tuple[str, ...], depth: int, curated_only: bool, fmt: str
) -> None:
    """Gaps of FRAMEWORK, three kinds kept apart: unmapped, explicit not-found records, known gaps.

    unmapped: no counterpart at any strength, direct or derived, and no record saying none
    exists. not-found: sssom:NoTermFound records (a source says there is no counterpart, or
    does not give it). known-gap: og:KnownGap items the sources do not give.

    \b
    Examples:
      outcomes-graph gaps sf
      outcomes-graph gaps fhab --format csv
    """
    try:
        aligner = _aligner(obj)
        result = aligner.gaps(framework, against=against or None, depth=depth, curated_only=curated_only)
    except OutcomesGraphError as exc:
        _fail(exc)
    if fmt == "json":
        _json(result.to_dict())
        return
    rows = result.table()
    if fmt != "table":
        _print((GAP_COLUMNS, rows), fmt)
        return
    titles = {
        "unmapped": "Unmapped: nobody has mapped these yet",
        "not-found": "Not found: a crosswalk record says there is no counterpart (sssom:NoTermFound)",
        "known-gap": f"Known gaps of {result.framework}: items the sources do not give (og:KnownGap)",
    }
    for kind, title in titles.items():
        chosen = [r[1:] for r in rows if r[0] == kind]
        _print((GAP_COLUMNS[1:], chosen), fmt, title=f"{title} ({len(chosen)})")


@main.command("matrix")
@click.option(
    "--framework",
    "frameworks",
    multiple=True,
    metavar="SLUG",
    help="Columns to show [default: lof, phof, bsil, sf, cscnf, ffp].",
)
@DEPTH
@CURATED
@FORMAT
@click.pass_obj
def matrix_cmd(obj: Context, frameworks: tuple[str, ...], depth: int, curated_only: bool, fmt: str) -> None:
    """FHAB domains by national frameworks: how many concepts link to each domain, by relation.

    Each cell counts the framework's concepts with a counterpart (direct or derived) among
    the FHAB concepts of that domain, under their strongest relation. CSV and JSON give one
    record per cell; the library also returns a pandas DataFrame (Matrix.frame()).

    \b
    Examples:
      outcomes-graph matrix
      outcomes-graph matrix --format csv > matrix.csv
    """
    try:
        result = _aligner(obj).matrix(frameworks=frameworks or None, depth=depth, curated_only=curated_only)
    except OutcomesGraphError as exc:
        _fail(exc)
    if fmt == "json":
        _json(result.records())
    elif fmt == "table":
        _print(matrix_grid(result), fmt, title="Concepts linked to each FHAB domain (total: by relation)")
    else:
        text = result.csv()
        click.echo(text.replace(",", "\t") if fmt == "tsv" else text, nl=False)


@main.command("diff")
@click.argument("edition_a")
@click.argument("edition_b")
@FORMAT
@click.pass_obj
def diff_cmd(obj: Context, edition_a: str, edition_b: str, fmt: str) -> None:
    """What changed from EDITION_A to EDITION_B, and the crosswalk rows that went stale.

    Concepts are matched by key ({kind}/{ref}), then by a curated exact/close/isReplacedBy
    record, then by title; a match is relabelled, renumbered or moved (new IRI).

    \b
    Examples:
      outcomes-graph diff lgof lof
      outcomes-graph diff lgof lof --format json
    """
    try:
        result = _aligner(obj).diff(edition_a, edition_b)
    except OutcomesGraphError as exc:
        _fail(exc)
    if fmt == "json":
        _json(result.to_dict())
        return
    _print(diff_table(result), fmt, title=f"{result.before} -> {result.after}")
    if fmt == "table":
        summary = ", ".join(f"{n} {k}" for k, n in result.summary().items())
        out.print(summary.replace("_", " "), highlight=False, markup=False)


@main.command("search")
@click.argument("text")
@click.option("--scheme", metavar="SLUG", help="Only concepts of this framework.")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@FORMAT
@click.pass_obj
def search_cmd(obj: Context, text: str, scheme: str | None, limit: int, fmt: str) -> None:
    """Find concepts by title, alternative title, code or identifier, ignoring case and accents.

    Ranked: exact notation or identifier first (Fingertips and LG Inform ids included),
    then titles that start with TEXT, then titles containing every word of TEXT.

    \b
    Examples:
      outcomes-graph search "school readiness"
      outcomes-graph search B04
      outcomes-graph search gld --scheme lof --format json
    """
    try:
        hits = _aligner(obj).search(text, limit=limit, scheme=scheme)
    except OutcomesGraphError as exc:
        _fail(exc)
    if fmt == "json":
        _json([h.to_dict() for h in hits])
        return
    _print(search_table(hits), fmt, title=f"{len(hits)} match(es) for {text!r}")
