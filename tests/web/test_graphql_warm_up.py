"""The GraphQL warm-up: each build's cache is filled before the first client asks.

Store queries are counted by wrapping the one function every loader reads through
(``fetch.rows_sync``); the store itself is real.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from outcomes_graph.build import build
from outcomes_graph.settings import Settings
from outcomes_graph.web import asgi, create_app, graphql_api
from outcomes_graph.web.graphql import fetch
from outcomes_graph.web.graphql.warm_up import document_path
from web.conftest import eventually

NESTED = """query Nested($slug: String!) {
  framework(slug: $slug) {
    concepts(first: 1000) {
      totalCount
      nodes {
        uri prefLabel status
        broader { uri prefLabel }
        mappings(first: 1000) { nodes { uri predicate subject { uri prefLabel } object { uri prefLabel } } }
      }
    }
  }
}"""


@pytest.fixture
def store_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the named queries the GraphQL loaders run, in order."""
    names: list[str] = []
    read = fetch.rows_sync

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        names.append(args[2])
        return read(*args, **kwargs)

    monkeypatch.setattr(fetch, "rows_sync", counting)
    return names


def nested(client: TestClient, slug: str) -> dict:
    answer = client.post("/graphql", json={"query": NESTED, "variables": {"slug": slug}})
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


def slugs(client: TestClient) -> list[str]:
    found = client.post("/graphql", json={"query": "{ frameworks(first: 100) { nodes { slug } } }"}).json()
    return [node["slug"] for node in found["data"]["frameworks"]["nodes"]]


def test_after_the_warm_up_a_nested_request_reads_nothing_from_the_store(built_mini, store_queries):
    cold_app, warm_app = create_app(built_mini), create_app(built_mini)
    with TestClient(cold_app) as cold, TestClient(warm_app) as warm:
        frameworks = slugs(cold)
        assert len(frameworks) >= 2
        warmed = graphql_api.warm_up(warm_app, interval=3600)
        assert eventually(lambda: warmed.last is not None)
        assert warmed.last.errors == ()
        assert warmed.last.build_id == warm_app.state.og.build_id
        for slug in frameworks:
            store_queries.clear()
            expected = nested(cold, slug)
            assert store_queries, "a cold app reads the store"
            store_queries.clear()
            assert nested(warm, slug) == expected
            assert store_queries == [], f"{slug}: the warmed app still read {store_queries}"
        warmed.stop()


def test_a_build_is_warmed_once(built_mini, store_queries):
    app = create_app(built_mini)
    with TestClient(app):
        warmer = graphql_api.warm_up(app, interval=3600)
        assert eventually(lambda: warmer.last is not None)
        warmer.stop()
        assert store_queries
        store_queries.clear()
        assert warmer.warm() is None
        assert store_queries == []


def test_a_broken_warm_up_is_logged_and_requests_still_answer(built_mini, store_queries, caplog):
    app = create_app(built_mini)
    document_path(app.state.og).write_text("query { frameworks { nope } }", encoding="utf-8")
    with TestClient(app) as client, caplog.at_level(logging.WARNING):
        warmer = graphql_api.warm_up(app, interval=3600)
        assert eventually(lambda: warmer.last is not None)
        warmer.stop()
        assert warmer.last.errors
        assert "nope" in warmer.last.errors[0]
        logged = [record.getMessage() for record in caplog.records]
        assert any("warm-up" in message and "nope" in message for message in logged)
        store_queries.clear()
        assert nested(client, slugs(client)[0])["framework"]["concepts"]["totalCount"] > 0
        assert store_queries


def test_the_serve_worker_app_warms_its_cache(built_mini, monkeypatch):
    for name, value in (("STORE", built_mini.store), ("DATA_DIR", built_mini.data_dir),
                        ("CACHE_DIR", built_mini.cache_dir)):  # fmt: skip
        monkeypatch.setenv(f"OUTCOMES_GRAPH_{name}", str(value))
    assert Settings.from_env().store == built_mini.store
    app = asgi.supervised_app_factory().app
    warmer = app.state.graphql_warm_up
    try:
        assert eventually(lambda: warmer.last is not None)
        assert warmer.last.errors == ()
        assert warmer.last.build_id == app.state.og.build_id
    finally:
        warmer.stop()
        app.state.sparql_threads.close()


@pytest.mark.parametrize(("weight", "cached"), [(0, False), (400_000, True)])
def test_the_graphql_cache_weight_setting(built_mini, store_queries, weight, cached):
    """``graphql_cache_weight`` bounds what the loaders keep; with 0, every request reads the store."""
    with TestClient(create_app(replace(built_mini, graphql_cache_weight=weight))) as client:
        slug = slugs(client)[0]
        nested(client, slug)
        store_queries.clear()
        nested(client, slug)
        assert (store_queries == []) == cached


def test_a_new_build_is_warmed_when_it_is_served(built_mini, store_queries):
    app = create_app(built_mini)
    with TestClient(app) as client:
        warmer = graphql_api.warm_up(app, interval=0.1)
        try:
            assert eventually(lambda: warmer.last is not None)
            first = warmer.last
            build(built_mini)
            assert eventually(lambda: warmer.last is not first)
            assert warmer.last.build_id == app.state.og.build_id != first.build_id
            assert warmer.last.errors == ()
            store_queries.clear()
            nested(client, slugs(client)[0])
            assert store_queries == [], "the new build's cache was warmed"
        finally:
            warmer.stop()
