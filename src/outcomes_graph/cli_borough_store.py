"""The stored-overlay commands: ``borough upload|publish|remove|status|token|tokens|revoke``.

Registered on the ``borough`` group of :mod:`outcomes_graph.cli_boroughs`. Without
``--server`` they write the local store directly (whoever can write the store folder is
its administrator); with ``--server URL`` ``upload``, ``publish`` and ``remove`` go through
the HTTP API with a bearer token, like any borough tool.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

import click
import httpx
import orjson

from outcomes_graph.borough_format import overlay_files
from outcomes_graph.borough_render import summary_lines
from outcomes_graph.borough_store import OverlayRejected, StoredOverlays
from outcomes_graph.borough_tokens import TokenStore, check_gss, new_token, token_hash
from outcomes_graph.boroughs import BoroughTools
from outcomes_graph.cli import EXIT_INVALID, Context, _emit, _fail, err
from outcomes_graph.cli_boroughs import borough_group
from outcomes_graph.errors import OutcomesGraphError, UsageError

__all__ = ["publish_cmd", "remove_cmd", "revoke_cmd", "status_cmd", "token_cmd", "tokens_cmd", "upload_cmd"]

TOKEN_ENV = "OUTCOMES_GRAPH_TOKEN"
SERVER = click.option(
    "--server",
    metavar="URL",
    help="Send the request to this outcomes-graph service (e.g. http://127.0.0.1:8000) instead of "
    "writing the local store.",
)
TOKEN = click.option(
    "--token",
    metavar="TOKEN",
    help=f"Bearer token for --server [env {TOKEN_ENV}].",
)


def _who() -> str:
    return f"command line ({getpass.getuser()})"


def _gss(gss: str) -> str:
    try:
        return check_gss(gss)
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None


def _http(method: str, server: str, path: str, token: str | None, **kwargs: Any) -> dict[str, Any]:
    token = token or os.environ.get(TOKEN_ENV)
    if not token:
        raise UsageError(f"--server needs the borough's bearer token: give --token or set {TOKEN_ENV}")
    try:
        answer = httpx.request(
            method,
            server.rstrip("/") + path,
            timeout=120,
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )
    except httpx.HTTPError as exc:
        raise UsageError(f"cannot reach {server}: {exc}") from None
    try:
        body: dict[str, Any] = answer.json()
    except ValueError:
        raise UsageError(
            f"{server} answered {answer.status_code} with no JSON: {answer.text[:200]}"
        ) from None
    if answer.status_code == 422:
        _rejected(body)
    if answer.status_code >= 400:
        error = body.get("error", {})
        raise UsageError(f"{server} answered {answer.status_code}: {error.get('detail', answer.text[:200])}")
    return body


def _rejected(report: dict[str, Any]) -> None:
    err.print("[red]The overlay was not stored; nothing changed.[/red]", highlight=False)
    for line in summary_lines(report):
        click.echo(line)
    raise SystemExit(EXIT_INVALID)


_NOUNS = {"availability": "data statements"}


def _done(body: dict[str, Any]) -> None:
    overlay, record = body.get("overlay"), body["record"]
    if overlay:
        counts = overlay.get("counts", {})
        done = {"upload": "Stored", "publish": "Published", "unpublish": "Unpublished"}[record["action"]]
        click.echo(
            f"{done} the overlay of {overlay['gss']}, now {overlay['visibility']}: "
            + ", ".join(f"{n} {_NOUNS.get(k, k)}" for k, n in counts.items())
        )
    else:
        click.echo(f"Removed the overlay of {record['gss']}")
    click.echo(f"Build {body['build']} by {record['by']} at {record['at']}")


@borough_group.command("upload")
@click.argument("gss")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@SERVER
@TOKEN
@click.pass_obj
def upload_cmd(
    obj: Context, gss: str, files: tuple[Path, ...], server: str | None, token: str | None
) -> None:
    """Check an overlay and, if it is valid, store it as borough GSS's graph (private until published).

    An invalid overlay changes nothing: the problems are listed and the exit code is 1.
    A new upload replaces the borough's previous one and keeps its visibility.

    \b
    Examples:
      outcomes-graph borough upload E09000030 tower-hamlets.xlsx
      outcomes-graph borough upload E09000024 merton/          # the CSV sheets
      outcomes-graph borough upload E09000030 th.xlsx --server http://127.0.0.1:8000 --token ogb_...
    """
    gss = _gss(gss)
    try:
        content = overlay_files(list(files), obj.settings.max_upload_bytes)
        if server:
            parts = [("file", (Path(name).name, data)) for name, data in content]
            _done(_http("PUT", server, f"/api/boroughs/{gss}", token, files=parts))
            return
        tools = BoroughTools.open(obj.settings)
        result = StoredOverlays(obj.settings).upload(gss, content, tools, who=_who())
    except OverlayRejected as rejected:
        _rejected(rejected.report.to_dict())
    except OutcomesGraphError as exc:
        _fail(exc)
    _done(result.to_dict())


@borough_group.command("publish")
@click.argument("gss")
@click.option("--private", is_flag=True, help="Make the overlay private again instead.")
@SERVER
@TOKEN
@click.pass_obj
def publish_cmd(obj: Context, gss: str, private: bool, server: str | None, token: str | None) -> None:
    """Publish borough GSS's stored overlay: every endpoint shows it from now on (--private hides it again).

    \b
    Example:
      outcomes-graph borough publish E09000030
    """
    gss = _gss(gss)
    try:
        if server:
            method = "DELETE" if private else "POST"
            _done(_http(method, server, f"/api/boroughs/{gss}/publish", token))
            return
        result = StoredOverlays(obj.settings).publish(gss, who=_who(), public=not private)
    except OutcomesGraphError as exc:
        _fail(exc)
    _done(result.to_dict())


@borough_group.command("remove")
@click.argument("gss")
@SERVER
@TOKEN
@click.pass_obj
def remove_cmd(obj: Context, gss: str, server: str | None, token: str | None) -> None:
    """Remove borough GSS's overlay from the store (its upload records are kept)."""
    gss = _gss(gss)
    try:
        if server:
            _done(_http("DELETE", server, f"/api/boroughs/{gss}", token))
            return
        _done(StoredOverlays(obj.settings).remove(gss, who=_who()).to_dict())
    except OutcomesGraphError as exc:
        _fail(exc)


@borough_group.command("status")
@click.argument("gss", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@click.pass_obj
def status_cmd(obj: Context, gss: str | None, fmt: str) -> None:
    """The stored overlays (or one, with its upload records): visibility, last upload, counts."""
    stored = StoredOverlays(obj.settings)
    if gss:
        state = stored.state(_gss(gss))
        if state is None:
            _fail(UsageError(f"no overlay is stored for {gss}"))
        if fmt == "json":
            records = stored.records(gss)
            click.echo(
                orjson.dumps(
                    {"overlay": state.to_dict() if state else None, "records": records},
                    option=orjson.OPT_INDENT_2,
                ).decode()
            )
            return
        rows = [
            [r["at"], r["action"], r["by"], r.get("sha256", "")[:12], r["upload"]]
            for r in stored.records(gss)
        ]
        _emit(["at", "action", "by", "sha256", "upload"], rows, fmt, title=f"Writes to {gss}'s overlay")
        return
    rows = [
        [s.gss, s.visibility, s.updated_at, s.format, str(sum(s.counts.values()))] for s in stored.states()
    ]
    _emit(["gss", "visibility", "updated", "format", "items"], rows, fmt, title="Stored overlays")


@borough_group.command("token")
@click.argument("gss")
@click.option("--label", default="", help="Who the token is for, kept with it (upload records name it).")
@click.option(
    "--hash-only",
    is_flag=True,
    help="Print a token and its GSS:SHA-256 for the borough_tokens setting; store nothing.",
)
@click.pass_obj
def token_cmd(obj: Context, gss: str, label: str, hash_only: bool) -> None:
    """Make a bearer token that may write borough GSS's overlay; it is shown once and stored hashed.

    \b
    Example:
      outcomes-graph borough token E09000030 --label "Tower Hamlets data team"
    """
    gss = _gss(gss)
    try:
        if hash_only:
            token = new_token()
            click.echo(token)
            err.print(f"borough_tokens entry: {gss}:{token_hash(token)}", highlight=False)
            return
        token, grant = TokenStore(obj.settings).issue(gss, label)
    except OutcomesGraphError as exc:
        _fail(exc)
    click.echo(token)
    err.print(
        f"Token {grant.id} may write {gss}'s overlay. It is shown only now; keep it secret.", highlight=False
    )


@borough_group.command("tokens")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@click.pass_obj
def tokens_cmd(obj: Context, fmt: str) -> None:
    """The tokens that may write overlays: id, borough, label, when made (never the token)."""
    try:
        grants = TokenStore(obj.settings).grants()
    except OutcomesGraphError as exc:
        _fail(exc)
    _emit(
        ["id", "gss", "label", "created"],
        [[g.id, g.gss, g.label, g.created] for g in grants],
        fmt,
        title="Borough tokens",
    )


@borough_group.command("revoke")
@click.argument("token_id")
@click.pass_obj
def revoke_cmd(obj: Context, token_id: str) -> None:
    """Revoke the token with this id (from `borough tokens`); it stops working at once."""
    try:
        grant = TokenStore(obj.settings).revoke(token_id)
    except OutcomesGraphError as exc:
        _fail(exc)
    click.echo(f"Revoked token {grant.id} for {grant.gss}")
