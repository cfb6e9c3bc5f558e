from __future__ import annotations

import pyoxigraph as ox
import pytest

from outcomes_graph.build import build
from outcomes_graph.errors import StoreError
from outcomes_graph.store import EmbeddedStore, install_build

PRIVATE = "https://w3id.org/common-outcomes/graph/private-test"


def test_missing_store_says_how_to_fix(tmp_path):
    with pytest.raises(StoreError, match="run `outcomes-graph build` first"):
        EmbeddedStore(tmp_path / "nothing")


def test_real_folder_is_not_replaced(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "new").mkdir()
    with pytest.raises(StoreError, match="is a real folder"):
        install_build(tmp_path / "store", tmp_path / "new")


def test_graphs_outside_the_public_list_are_invisible(mini_settings):
    build(mini_settings)
    # Add a graph the build did not declare public, as a private overlay would be.
    raw = ox.Store(str(mini_settings.store.resolve()))
    secret = ox.NamedNode("http://example.org/secret")
    raw.add(ox.Quad(secret, secret, ox.Literal("hidden"), ox.NamedNode(PRIVATE)))
    del raw
    store = EmbeddedStore(mini_settings.store)
    for query in (
        "ASK { ?s ?p 'hidden' }",
        f"ASK {{ GRAPH <{PRIVATE}> {{ ?s ?p ?o }} }}",
        f"ASK FROM <{PRIVATE}> {{ ?s ?p 'hidden' }}",
        f"ASK FROM NAMED <{PRIVATE}> {{ GRAPH ?g {{ ?s ?p 'hidden' }} }}",
        "ASK { GRAPH ?g { <http://example.org/secret> ?p ?o } }",
    ):
        assert not bool(store.query(query)), query


def test_old_builds_are_pruned(mini_settings):
    folders = [build(mini_settings).folder for _ in range(3)]
    assert not folders[0].exists()
    assert folders[1].exists()
    assert folders[2].exists()
