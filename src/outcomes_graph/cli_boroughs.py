"""The borough commands (``borough check|suggest|accept|template|convert``) and ``framework import``.

Registered on the ``main`` group of :mod:`outcomes_graph.cli`; each is a thin layer over
:mod:`outcomes_graph.boroughs`, :mod:`outcomes_graph.borough_accept` and
:mod:`outcomes_graph.framework_xlsx`. Exit codes as for every command: 0 success (a valid
overlay), 1 invalid input (the report says where), 2 usage, 3 no store.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any, cast

import click
import orjson
import pyoxigraph as ox

from outcomes_graph.borough_accept import accept, suggest
from outcomes_graph.borough_format import read_tables, table_rows, tables_to_csv, tables_to_xlsx
from outcomes_graph.borough_render import report_csv, report_html, report_json, summary_lines
from outcomes_graph.borough_report_xlsx import report_xlsx
from outcomes_graph.borough_template import TEMPLATE_PREFIX, XLSX_NAME
from outcomes_graph.boroughs import BoroughTools, check_overlay, load_overlay
from outcomes_graph.cli import EXIT_INVALID, Context, _emit, _fail, err, main
from outcomes_graph.errors import Location, OutcomesGraphError, SourceError, UsageError
from outcomes_graph.spreadsheet import DEFAULT_MAX_BYTES
from outcomes_graph.vocab import CURIE_PREFIXES

__all__ = ["borough_group", "framework_group"]

FILES = click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
MAX_MB = click.option(
    "--max-mb",
    type=click.FloatRange(min=0.001),
    default=DEFAULT_MAX_BYTES / 1024 / 1024,
    show_default=True,
    help="Refuse larger files, before reading them.",
)


def _tools(obj: Context) -> BoroughTools:
    return BoroughTools.open(obj.settings)


def _write(data: bytes, output: Path | None, *, binary: bool = False) -> None:
    if output is None:
        if binary and sys.stdout.isatty():
            raise UsageError("this format is binary: give --output FILE")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    err.print(f"Wrote {output}", highlight=False)


@main.group("borough")
def borough_group() -> None:
    """Borough overlays: check one against the national frameworks, suggest and accept mappings.

    An overlay is an XLSX workbook (sheets Setup, Priorities, Local indicators, Data availability,
    Services), the same sheets as CSV files (a folder, or the files), or Turtle / JSON-LD.
    """


@borough_group.command("check")
@FILES
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "html", "csv", "xlsx"]),
    default="table",
    show_default=True,
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="File to write; default stdout.")
@MAX_MB
@click.pass_obj
def check_cmd(obj: Context, files: tuple[Path, ...], fmt: str, output: Path | None, max_mb: float) -> None:
    """Check an overlay: validation in the borough's terms, coverage of each national framework by FHAB
    domain and tier, gaps, data availability, Best Start GLD and LOF links. Stores nothing.

    Exits 0 when the overlay is valid, 1 when it has problems (the report lists them).

    \b
    Examples:
      outcomes-graph borough check tower-hamlets.xlsx
      outcomes-graph borough check overlay/ --format html -o check.html
      outcomes-graph borough check merton.xlsx --format xlsx -o merton-committee.xlsx
    """
    try:
        report = check_overlay(list(files), _tools(obj), max_bytes=int(max_mb * 1024 * 1024)).to_dict()
        if fmt == "table":
            for line in summary_lines(report):
                click.echo(line)
        else:
            render = {"json": report_json, "html": report_html, "csv": report_csv, "xlsx": report_xlsx}[fmt]
            _write(render(report), output, binary=fmt == "xlsx")
    except OutcomesGraphError as exc:
        _fail(exc)
    raise SystemExit(0 if report["valid"] else EXIT_INVALID)


@borough_group.command("suggest")
@FILES
@click.option("--limit", type=click.IntRange(min=1, max=20), default=3, show_default=True)
@click.option("--all", "all_items", is_flag=True, help="Also items that already have a mapping.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@click.pass_obj
def suggest_cmd(obj: Context, files: tuple[Path, ...], limit: int, all_items: bool, fmt: str) -> None:
    """Ranked candidate concepts for unmapped local indicators and priorities, with score and reason.

    Nothing is stored; accept a candidate with `outcomes-graph borough accept`.

    \b
    Examples:
      outcomes-graph borough suggest tower-hamlets.xlsx
      outcomes-graph borough suggest overlay/ --limit 5 --format json
    """
    try:
        tools = _tools(obj)
        found = suggest(load_overlay(list(files), tools), tools, limit=limit, all_items=all_items)
    except OutcomesGraphError as exc:
        _fail(exc)
    if fmt == "json":
        click.echo(orjson.dumps([s.to_dict() for s in found], option=orjson.OPT_INDENT_2).decode())
        return
    names = ["kind", "id", "row", "item", "rank", "concept", "score", "reason", "title"]
    rows = [
        [
            s.item.kind,
            s.item.id,
            str(s.row or ""),
            s.item.label,
            str(rank),
            c.curie,
            f"{c.score:.3f}",
            c.reason,
            c.label,
        ]
        for s in found
        for rank, c in enumerate(s.candidates, start=1)
    ]
    _emit(names, rows, fmt)


@borough_group.command("accept")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--indicator", "item", help="The local indicator: its ID or its row number.")
@click.option("--priority", "priority", help="Or a priority: its ID or its row number.")
@click.option("--concept", required=True, help="The concept to map to: CURIE, notation, id or exact title.")
@click.option("--user", required=True, help="Who accepts the mapping (recorded in 'Mapped by').")
@click.option(
    "--relation",
    type=click.Choice(["exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch"]),
    default="closeMatch",
    show_default=True,
)
@click.pass_obj
def accept_cmd(
    obj: Context, file: Path, item: str | None, priority: str | None, concept: str, user: str, relation: str
) -> None:
    """Write one accepted suggestion into the overlay file, with semapv:LexicalMatching and the user.

    \b
    Examples:
      outcomes-graph borough accept th.xlsx --indicator TH-I11 --concept B04 --user "A. Khan"
      outcomes-graph borough accept overlay/ --indicator 7 --concept B04 --user akhan
    """
    try:
        if bool(item) == bool(priority):
            raise UsageError("give exactly one of --indicator ROW and --priority ROW")
        done = accept(
            file,
            _tools(obj),
            item=item or priority or "",
            concept=concept,
            user=user,
            priority=bool(priority),
            relation=relation,
        )
    except (OutcomesGraphError, ValueError) as exc:
        _fail(exc if isinstance(exc, OutcomesGraphError) else UsageError(str(exc)))
    score = "" if done.score is None else f" (score {done.score:.3f}; {done.reason})"
    click.echo(f"{done.item} now maps to {done.concept}{score}, accepted by {user}; written to {done.file}")


@borough_group.command("template")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=Path(),
    show_default=True,
    help="Folder to write the template into.",
)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.pass_obj
def template_cmd(obj: Context, output: Path, fmt: str) -> None:
    """Write the overlay template: one XLSX workbook, or one CSV file per sheet.

    \b
    Examples:
      outcomes-graph borough template -o my-overlay/
      outcomes-graph borough template --format csv -o my-overlay/
    """
    folder = obj.settings.data_dir / "api" / "templates"
    names = [XLSX_NAME] if fmt == "xlsx" else sorted(p.name for p in folder.glob(f"{TEMPLATE_PREFIX}*.csv"))
    output.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(folder / name, output / name)
        click.echo(output / name)


@borough_group.command("convert")
@FILES
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="A .ttl, .jsonld or .xlsx file, or a folder for CSV.",
)
@click.pass_obj
def convert_cmd(obj: Context, files: tuple[Path, ...], output: Path) -> None:
    """Convert a workbook or CSV overlay to Turtle, JSON-LD, XLSX or CSV (a folder).

    \b
    Examples:
      outcomes-graph borough convert tower-hamlets.xlsx -o tower-hamlets.ttl
      outcomes-graph borough convert overlay/ -o overlay.xlsx
    """
    try:
        suffix = output.suffix.lower()
        if suffix in (".ttl", ".jsonld"):
            overlay = load_overlay(list(files), _tools(obj))
            if overlay.problems:
                listed = "; ".join(str(p) for p in overlay.problems[:5])
                raise SourceError(Location(files[0]), f"has {len(overlay.problems)} problem(s): {listed}")
            triples = [
                ox.Triple(ox.NamedNode(str(s)), ox.NamedNode(str(p)), _ox(o)) for s, p, o in overlay.graph
            ]
            fmt = ox.RdfFormat.TURTLE if suffix == ".ttl" else ox.RdfFormat.JSON_LD
            data = ox.serialize(
                sorted(triples, key=str), format=fmt, prefixes=CURIE_PREFIXES if suffix == ".ttl" else None
            )
            _write(data or b"", output)
            return
        rows = table_rows(read_tables(list(files)))
        if suffix == ".xlsx":
            _write(tables_to_xlsx(rows), output)
            return
        output.mkdir(parents=True, exist_ok=True)
        for name, text in tables_to_csv(rows).items():
            (output / name).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(rows)} CSV files to {output}")
    except OutcomesGraphError as exc:
        _fail(exc)


def _ox(term: Any) -> ox.NamedNode | ox.Literal:
    from rdflib import Literal

    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    return ox.NamedNode(str(term))


@main.group("framework")
def framework_group() -> None:
    """The framework as a spreadsheet: export with `export --format xlsx`, edit, import the edit back."""


@framework_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="List the edits without writing them.")
@click.pass_obj
def import_cmd(obj: Context, file: Path, dry_run: bool) -> None:
    """Write the edits in an exported framework workbook back into frameworks/*/concepts.csv.

    Only Title, Alternative titles, Notation, Fingertips id, Description and Status may be edited;
    anything else is refused with its sheet, row and column. Run `outcomes-graph build` afterwards.

    \b
    Examples:
      outcomes-graph export --format xlsx -o frameworks.xlsx
      outcomes-graph framework import frameworks.xlsx --dry-run
      outcomes-graph framework import frameworks.xlsx && outcomes-graph build
    """
    from outcomes_graph.alignment_index import AlignmentIndex, QueryStore
    from outcomes_graph.framework_xlsx import import_workbook
    from outcomes_graph.queries import QueryRegistry

    try:
        store = obj.open_store()
        index = AlignmentIndex.load(cast(QueryStore, store), QueryRegistry.load(obj.settings.queries_dir))
        edits = import_workbook(
            file, store=store, index=index, frameworks_dir=obj.settings.frameworks_dir, dry_run=dry_run
        )
    except OutcomesGraphError as exc:
        _fail(exc)
    for edit in edits:
        click.echo(
            f"{edit.where}: {edit.ref} {edit.column}: {edit.before!r} -> {edit.after!r} ({edit.table})"
        )
    verb = "would change" if dry_run else "changed"
    click.echo(
        f"{len(edits)} cell(s) {verb}" + ("" if dry_run or not edits else "; run `outcomes-graph build`")
    )
