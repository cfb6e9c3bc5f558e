"""``outcomes-graph``: a thin command line over the library.

Exit codes: 0 success; 1 the sources or the input are invalid (a report says where);
2 a usage error (click's own); 3 the store is missing or unreadable.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from outcomes_graph.build import build, validate_sources
from outcomes_graph.discover import discover_units
from outcomes_graph.errors import OutcomesGraphError, StoreError, UsageError, ValidationFailed
from outcomes_graph.export import EXPORT_FORMATS, export
from outcomes_graph.output import OutputFormat, rows_to_csv, rows_to_table, write_result
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.remote_http import redact
from outcomes_graph.remote_metadata import NoRemoteBuild
from outcomes_graph.remote_store import RemoteStore
from outcomes_graph.report import BuildReport
from outcomes_graph.settings import Settings
from outcomes_graph.stats import STATS_QUERIES, gather_stats
from outcomes_graph.store import GraphStore, open_store

__all__ = ["main"]

EXIT_INVALID = 1
EXIT_STORE = 3
err = Console(stderr=True, soft_wrap=True)
FORMATS = click.Choice(["table", "csv", "tsv", "json"])


class Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def open_store(self) -> GraphStore:
        return open_store(self.settings)


def _fail(exc: OutcomesGraphError) -> None:
    err.print(f"[red]error:[/red] {exc}", highlight=False)
    raise SystemExit(EXIT_STORE if isinstance(exc, StoreError) else EXIT_INVALID)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--store",
    type=click.Path(path_type=Path),
    help="Store path [env OUTCOMES_GRAPH_STORE; default var/store].",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder with ontology/, frameworks/, mappings/, shapes/, api/ [default: packaged data].",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="SHACL validation cache [env OUTCOMES_GRAPH_CACHE_DIR; default var/cache].",
)
@click.option(
    "--sparql-endpoint",
    metavar="URL",
    help="Read from this SPARQL 1.1 endpoint instead of the embedded store "
    "[env OUTCOMES_GRAPH_SPARQL_ENDPOINT].",
)
@click.option(
    "--gsp-endpoint",
    metavar="URL",
    help="Graph Store Protocol URL that `build` writes to in remote mode [env OUTCOMES_GRAPH_GSP_ENDPOINT].",
)
@click.version_option(package_name="outcomes-graph")
@click.pass_context
def main(
    ctx: click.Context,
    store: Path | None,
    data_dir: Path | None,
    cache_dir: Path | None,
    sparql_endpoint: str | None,
    gsp_endpoint: str | None,
) -> None:
    """A linked-data knowledge graph of England's children's and families' outcomes frameworks.

    \b
    Examples:
      outcomes-graph build
      outcomes-graph stats
      outcomes-graph query 'SELECT ?c ?l WHERE { ?c skos:prefLabel ?l } LIMIT 5'
      outcomes-graph query --named concepts-per-scheme --format csv
    """
    ctx.obj = Context(
        Settings.from_env(
            store=store,
            data_dir=data_dir,
            cache_dir=cache_dir,
            sparql_endpoint=sparql_endpoint,
            gsp_endpoint=gsp_endpoint,
        )
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[item]}"),
        TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal,
    )  # fmt: skip


def _with_progress(settings: Settings, run: Any) -> Any:
    total = len(discover_units(settings))
    with _progress() as bar:
        tasks: dict[str, Any] = {}

        def step(stage: str, item: str) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total, item="")
            bar.update(tasks[stage], advance=1, item=item)

        return run(step)


def _print_report(report: BuildReport) -> None:
    err.print(report.render(), highlight=False, markup=False)
    err.print(f"[red]{report.violation_count} problem(s)[/red]; see above for file, row and rule.")


@main.command("build")
@click.pass_obj
def build_cmd(obj: Context) -> None:
    """Build the store: load every source, validate it with SHACL, then swap the new store in.

    A failed build prints a report naming file, row or line, focus node and shape, exits 1,
    and leaves the previous store untouched.

    \b
    Examples:
      outcomes-graph build
      outcomes-graph --store /tmp/og build
    """
    _run_build(obj.settings)


def _run_build(settings: Settings) -> None:
    try:
        result = _with_progress(settings, lambda step: build(settings, progress=step))
    except ValidationFailed as exc:
        _print_report(exc.report)
        raise SystemExit(EXIT_INVALID) from None
    except OutcomesGraphError as exc:
        _fail(exc)
    info = result.info
    triples = sum(int(g["triples"]) for g in info.graphs)
    t = info.timings
    click.echo(f"Built {info.build_id}: {len(info.graphs)} graphs, {triples} triples")
    click.echo(
        f"Validated {result.report.units_checked} sources ({result.report.units_from_cache} from cache) "
        f"in {t['validate_seconds']:.2f}s; wrote the store in {t['write_seconds']:.2f}s"
    )
    if result.remote:
        stale = result.remote.deleted
        gone = f"; deleted {len(stale)} graph(s) the previous build had" if stale else ""
        click.echo(f"Remote store: {result.remote.endpoint} (build record written last){gone}")
    else:
        click.echo(f"Store: {settings.store} -> {result.folder}")


@main.command("serve")
@click.option("--host", help="Address to listen on [default 127.0.0.1].")
@click.option("--port", type=int, help="Port to listen on [default 8000].")
@click.option("--workers", type=click.IntRange(min=1), help="Server processes sharing the store [default 1].")
@click.pass_obj
def serve_cmd(obj: Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve SPARQL, GraphQL, REST and linked data over HTTP; builds the store first if there is none.

    \b
    Examples:
      outcomes-graph serve
      outcomes-graph serve --port 8080 --workers 2
      outcomes-graph --store /srv/og/store serve --host 0.0.0.0
    """
    from outcomes_graph.serve import refuse_taken_address, run_server

    settings = obj.settings
    if host:
        settings = replace(settings, host=host)
    if port:
        settings = replace(settings, port=port)
    if workers:
        settings = replace(settings, workers=workers)
    try:  # before a build that may take a while
        refuse_taken_address(settings.host, settings.port)
    except OutcomesGraphError as exc:
        _fail(exc)
    if settings.sparql_endpoint:
        _check_remote(settings)
    elif not settings.store.exists():
        err.print(f"No store at {settings.store}; building it first.")
        _run_build(settings)
    # Workers are separate processes: they rebuild the same settings from the environment.
    os.environ.update(settings.to_env())
    served = redact(settings.sparql_endpoint) if settings.sparql_endpoint else settings.store
    click.echo(f"Serving {served} at http://{settings.host}:{settings.port}/ (Ctrl-C to stop)")
    run_server(settings)


def _check_remote(settings: Settings) -> None:
    """Fail early if the endpoint is unreachable; build first if it holds no build and a GSP URL is given."""
    try:
        RemoteStore(str(settings.sparql_endpoint), base=settings.base).close()
    except NoRemoteBuild as exc:
        if not settings.gsp_endpoint:
            _fail(exc)
        err.print(f"{exc.where} holds no build; building it first.", highlight=False)
        _run_build(settings)
    except OutcomesGraphError as exc:
        _fail(exc)


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def validate_cmd(obj: Context, files: tuple[Path, ...], fmt: str) -> None:
    """Validate sources without writing anything; exit 0 if valid, 1 if not.

    With FILES, report only the sources holding them (a framework folder counts as one source).

    \b
    Examples:
      outcomes-graph validate
      outcomes-graph validate frameworks/lof mappings/fhab-lof.sssom.tsv
      outcomes-graph validate --format json
    """
    try:
        report, _ = _with_progress(
            obj.settings, lambda step: validate_sources(obj.settings, list(files), progress=step)
        )
    except OutcomesGraphError as exc:
        _fail(exc)
    if fmt == "json":
        click.echo(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2).decode())
    elif report.ok:
        click.echo(f"Valid: {report.units_checked} sources conform ({report.seconds:.2f}s).")
    else:
        _print_report(report)
    raise SystemExit(0 if report.ok else EXIT_INVALID)


@main.command("query")
@click.argument("sparql", required=False)
@click.option(
    "--file",
    "-f",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from a file.",
)
@click.option("--named", "-n", help="Run a named query from api/queries (see `outcomes-graph queries`).")
@click.option(
    "--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A named query's parameter."
)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def query_cmd(
    obj: Context,
    sparql: str | None,
    file: Path | None,
    named: str | None,
    params: tuple[str, ...],
    fmt: OutputFormat,
) -> None:
    """Run SPARQL over the union of all public graphs.

    Common prefixes (skos, og, dcterms, sssom, the scheme slugs...) are predeclared.

    \b
    Examples:
      outcomes-graph query 'SELECT ?o ?label WHERE { ?o a og:Outcome ; skos:prefLabel ?label } LIMIT 5'
      outcomes-graph query --file my.rq --format csv
      outcomes-graph query --named concepts-table --param scheme=https://w3id.org/common-outcomes/id/sf
    """
    try:
        chosen = [x for x in (sparql, file, named) if x]
        if len(chosen) != 1:
            raise UsageError("give exactly one of: a SPARQL argument, --file FILE or --named NAME")
        store = obj.open_store()
        if named:
            query = QueryRegistry.load(obj.settings.queries_dir).get(named)
            values = dict(_split_param(p) for p in params)
            result = store.query(query.sparql, substitutions=query.substitutions(values))
        else:
            if params:
                raise UsageError("--param only applies to --named queries")
            text = file.read_text(encoding="utf-8") if file else str(sparql)
            result = store.query(text, prefixes=True)
        write_result(result, fmt)
    except OutcomesGraphError as exc:
        _fail(exc)


def _split_param(raw: str) -> tuple[str, str]:
    name, sep, value = raw.partition("=")
    if not sep or not name:
        raise UsageError(f"--param {raw!r} must be NAME=VALUE")
    return name.strip(), value


@main.command("queries")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def queries_cmd(obj: Context, fmt: str) -> None:
    """List the named queries with their parameters.

    \b
    Example:
      outcomes-graph queries
    """
    registry = QueryRegistry.load(obj.settings.queries_dir)
    names = ["name", "title", "parameters"]
    rows = [
        [
            q.name,
            q.title,
            ", ".join(f"{p.name} ({p.type}{', optional' if p.optional else ''})" for p in q.params),
        ]
        for q in registry
    ]
    _emit(names, rows, fmt)


def _emit(names: list[str], rows: list[list[str]], fmt: str, title: str | None = None) -> None:
    if fmt == "table":
        rows_to_table(names, rows, title=title)
    elif fmt == "json":
        click.echo(
            orjson.dumps(
                [dict(zip(names, r, strict=True)) for r in rows], option=orjson.OPT_INDENT_2
            ).decode()
        )
    else:
        text = rows_to_csv(names, rows)
        click.echo(text.replace(",", "\t") if fmt == "tsv" else text, nl=False)


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), required=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="File (or folder, for sssom) to write; default stdout.",
)
@click.pass_obj
def export_cmd(obj: Context, fmt: str, output: Path | None) -> None:
    """Export the public graphs.

    ttl: the union as Turtle; trig, nq: every graph as quads; jsonld: JSON-LD;
    sssom: each mapping set as SSSOM TSV (a folder with --output, else all to stdout);
    csv: one row per concept.

    \b
    Examples:
      outcomes-graph export --format trig -o outcomes.trig
      outcomes-graph export --format sssom -o mappings-out/
      outcomes-graph export --format csv > concepts.csv
    """
    try:
        written = export(obj.open_store(), fmt, output, queries_dir=obj.settings.queries_dir)
    except OutcomesGraphError as exc:
        _fail(exc)
    if output:
        err.print(f"Wrote {written} to {output}", highlight=False)


@main.command("stats")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def stats_cmd(obj: Context, fmt: str) -> None:
    """Counts per scheme, per status, and mappings per predicate.

    \b
    Examples:
      outcomes-graph stats
      outcomes-graph stats --format json
    """
    try:
        store = obj.open_store()
        tables = gather_stats(store, QueryRegistry.load(obj.settings.queries_dir))
    except OutcomesGraphError as exc:
        _fail(exc)
    if fmt == "json":
        payload = {
            name: [dict(zip(cols, r, strict=True)) for r in rows] for name, (cols, rows) in tables.items()
        }
        payload["build"] = {"build_id": store.info.build_id, "built_at": store.info.built_at}  # type: ignore[assignment]
        click.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
        return
    for name, (cols, rows) in tables.items():
        _emit(cols, rows, fmt, title=STATS_QUERIES[name] if fmt == "table" else None)


# Imported last: these modules add their commands to ``main`` defined above.
from outcomes_graph import cli_alignment, cli_borough_store, cli_boroughs  # noqa: E402, F401

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
