"""Stored overlays from the library and the command line: tokens, upload, publish, remove, safe writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from outcomes_graph.borough_store import OverlayRejected, StoredOverlays
from outcomes_graph.borough_tokens import TokenStore, token_hash
from outcomes_graph.boroughs import BoroughTools
from outcomes_graph.cli import main
from outcomes_graph.errors import StoreError, UsageError
from outcomes_graph.settings import Settings
from outcomes_graph.store import BuildInfo, EmbeddedStore
from outcomes_graph.store_derive import GraphChange, derive_build, writer_lock

DATA = Path(__file__).parent / "data" / "boroughs"
TH, MERTON = "E09000030", "E09000024"
GRAPH = f"https://w3id.org/common-outcomes/graph/borough/{TH}"


@pytest.fixture
def settings(real_settings: Settings, tmp_path: Path) -> Settings:
    folder = real_settings.store.resolve()
    copy = tmp_path / "store.builds" / folder.name
    shutil.copytree(folder, copy)
    (tmp_path / "store").symlink_to(copy.relative_to(tmp_path))
    return Settings(
        store=tmp_path / "store", data_dir=real_settings.data_dir, cache_dir=real_settings.cache_dir
    )


@pytest.fixture(scope="module")
def tools(real_settings: Settings) -> BoroughTools:
    return BoroughTools.open(real_settings)


def files_of(folder: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]


def graph_size(settings: Settings, iri: str = GRAPH) -> int:
    store = ox.Store.read_only(str(settings.store.resolve()))
    return sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))


# --- tokens ---------------------------------------------------------------------------------------


def test_a_token_verifies_only_itself_and_names_its_borough(settings):
    store = TokenStore(settings)
    token, grant = store.issue(TH, "data team")
    assert store.verify(token) == grant
    assert grant.gss == TH
    assert grant.sha256 == token_hash(token)
    assert store.verify(token + "x") is None
    assert store.verify("") is None
    assert grant.who == f"token {grant.id} (data team)"


def test_tokens_from_settings_are_hashes(settings):
    token = "ogb_configured-for-merton"
    configured = Settings(store=settings.store, borough_tokens=f"{MERTON}:{token_hash(token)}")
    grant = TokenStore(configured).verify(token)
    assert grant is not None
    assert grant.gss == MERTON
    with pytest.raises(UsageError, match="is not GSS:SHA-256"):
        TokenStore(Settings(store=settings.store, borough_tokens=f"{MERTON}:{token}"))
    with pytest.raises(UsageError, match="is not a GSS code"):
        TokenStore(Settings(store=settings.store, borough_tokens=f"merton:{token_hash(token)}"))


def test_revoking_an_unknown_token_says_how_to_list_them(settings):
    with pytest.raises(UsageError, match="borough tokens"):
        TokenStore(settings).revoke("deadbeef")


def test_the_token_file_is_private(settings):
    TokenStore(settings).issue(TH)
    assert (settings.overlays_dir / "tokens.json").stat().st_mode & 0o077 == 0


# --- the writer -----------------------------------------------------------------------------------


def test_upload_replaces_only_the_boroughs_graph(settings, tools):
    before = EmbeddedStore(settings.store).info
    result = StoredOverlays(settings).upload(TH, files_of(DATA / "tower-hamlets"), tools, who="test")
    after = BuildInfo.read(settings.store.resolve())
    assert after.build_id == result.build.build_id != before.build_id
    assert after.parent == before.build_id
    assert StoredOverlays(settings).records(TH)[-1]["build"] == after.build_id
    untouched = {g["iri"]: g["sha256"] for g in before.graphs}
    assert {g["iri"]: g["sha256"] for g in after.graphs if g["iri"] != GRAPH} == untouched
    record = next(g for g in after.graphs if g["iri"] == GRAPH)
    assert record["visibility"] == "private"
    assert record["kind"] == "borough"
    assert graph_size(settings) == record["triples"] > 300
    assert GRAPH not in {g.value for g in EmbeddedStore(settings.store).public_graphs}


def test_an_invalid_upload_writes_nothing(settings, tools):
    link = settings.store.resolve()
    folder = DATA / "tower-hamlets"
    bad = [(n, d.replace(b"GSS code,E09000030", b"GSS code,E09000099")) for n, d in files_of(folder)]
    with pytest.raises(OverlayRejected, match="is not a London borough") as caught:
        StoredOverlays(settings).upload(TH, bad, tools, who="test")
    assert caught.value.report.valid is False
    assert settings.store.resolve() == link
    assert not (settings.overlays_dir / TH).exists()


def test_a_failed_derivation_leaves_store_and_state_as_they_were(settings, tools, monkeypatch):
    stored = StoredOverlays(settings)
    stored.upload(TH, files_of(DATA / "tower-hamlets"), tools, who="test")
    link, state = settings.store.resolve(), (settings.overlays_dir / TH / "state.json").read_bytes()
    records = stored.records(TH)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise StoreError("disk full")

    monkeypatch.setattr("outcomes_graph.store_derive.write_search_index", broken)
    with pytest.raises(StoreError, match="disk full"):
        stored.publish(TH, who="test")
    assert settings.store.resolve() == link
    assert (settings.overlays_dir / TH / "state.json").read_bytes() == state
    assert stored.records(TH) == records
    assert len(list((settings.store.parent / "store.builds").iterdir())) <= 2  # the failed copy is gone


def test_derive_removes_a_graph(settings):
    with writer_lock(settings):
        info = derive_build(settings, {"https://w3id.org/common-outcomes/graph/sf": GraphChange(None, None)})
    assert "sf" not in {g["key"] for g in info.graphs}
    assert graph_size(settings, "https://w3id.org/common-outcomes/graph/sf") == 0


def test_remove_drops_the_graph_and_keeps_the_records(settings, tools):
    stored = StoredOverlays(settings)
    stored.upload(TH, files_of(DATA / "tower-hamlets"), tools, who="test")
    stored.remove(TH, who="test")
    assert graph_size(settings) == 0
    assert stored.state(TH) is None
    assert [r["action"] for r in stored.records(TH)] == ["upload", "remove"]


# --- the command line -----------------------------------------------------------------------------


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "outcomes-graph"
    options = ["--store", str(settings.store), "--data-dir", str(settings.data_dir),
               "--cache-dir", str(settings.cache_dir)]  # fmt: skip
    return subprocess.run(
        [str(exe), *options, *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_cli_token_upload_publish_status(settings):
    made = run(settings, "borough", "token", TH, "--label", "Tower Hamlets data team")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("ogb_")
    assert "shown only now" in made.stderr
    assert TokenStore(settings).verify(token) is not None

    stored = run(settings, "borough", "upload", TH, str(DATA / "tower-hamlets"))
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.startswith(f"Stored the overlay of {TH}, now private: 8 priorities, 12 indicators")
    published = run(settings, "borough", "publish", TH)
    assert published.returncode == 0
    assert f"Published the overlay of {TH}, now public" in published.stdout
    assert GRAPH in {g.value for g in EmbeddedStore(settings.store).public_graphs}

    status = run(settings, "borough", "status", TH, "--format", "csv")
    lines = status.stdout.strip().splitlines()
    assert lines[0] == "at,action,by,sha256,upload"
    assert [line.split(",")[1] for line in lines[1:]] == ["upload", "publish"]
    listed = run(settings, "borough", "tokens", "--format", "csv")
    assert "Tower Hamlets data team" in listed.stdout
    assert token not in listed.stdout


def test_cli_upload_of_an_invalid_overlay_exits_1_and_stores_nothing(settings, tmp_path):
    folder = tmp_path / "merton"
    shutil.copytree(DATA / "merton", folder)
    link = settings.store.resolve()
    refused = run(settings, "borough", "upload", TH, str(folder))
    assert refused.returncode == 1
    assert "The overlay was not stored; nothing changed." in refused.stderr
    assert "this overlay is for Merton (E09000024); it was sent to E09000030" in refused.stdout
    assert settings.store.resolve() == link


def test_cli_rejects_a_malformed_gss_code(settings):
    result = CliRunner().invoke(main, ["--store", str(settings.store), "borough", "upload", "E9", "x.xlsx"])
    assert result.exit_code == 2
    assert "'E9' is not a GSS code" in result.output


def test_cli_server_mode_needs_a_token(settings, monkeypatch):
    monkeypatch.delenv("OUTCOMES_GRAPH_TOKEN", raising=False)
    refused = run(settings, "borough", "publish", TH, "--server", "http://127.0.0.1:9")
    assert refused.returncode == 1
    assert "--server needs the borough's bearer token" in refused.stderr
