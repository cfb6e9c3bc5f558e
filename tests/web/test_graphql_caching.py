"""What the GraphQL API keeps between requests: loader answers per build, parsed documents, the schema.

The store-query side (a repeated request costs no query, a new build is read afresh) is
counted in ``test_graphql_batching.py``; here are the bounds and the rules of the caches.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.web import create_app
from outcomes_graph.web.graphql import DEFAULT_LIMITS, parse_cache
from outcomes_graph.web.graphql.build_cache import BuildCache, BuildCaches


def test_the_cache_keeps_the_most_recently_used_within_its_weight():
    cache = BuildCache("b", max_weight=10)
    cache.put_many("describe", [("a", "A"), ("b", "B")], weigh=lambda _: 4)
    assert cache.get_many("describe", ["a"]) == {"a": "A"}  # a is now the most recent
    cache.put_many("describe", [("c", "C")], weigh=lambda _: 4)
    assert cache.get_many("describe", ["a", "b", "c"]) == {"a": "A", "c": "C"}
    assert cache.weight == 8


def test_namespaces_keep_equal_keys_apart():
    cache = BuildCache("b")
    cache.put_many("narrower", [("x", ("n",))], weigh=len)
    cache.put_many("members", [("x", ("m",))], weigh=len)
    assert cache.get_many("narrower", ["x"]) == {"x": ("n",)}
    assert cache.get_many("members", ["x", "y"]) == {"x": ("m",)}


def test_an_entry_heavier_than_the_whole_cache_is_not_kept():
    cache = BuildCache("b", max_weight=5)
    cache.put_many("rows", [("small", 1)], weigh=lambda _: 2)
    cache.put_many("rows", [("huge", 2)], weigh=lambda _: 6)
    assert cache.get_many("rows", ["small", "huge"]) == {"small": 1}


def test_a_cache_of_weight_zero_keeps_nothing():
    cache = BuildCache("b", max_weight=0)
    cache.put_many("describe", [("a", "A")], weigh=lambda _: 1)
    assert cache.get_many("describe", ["a"]) == {}
    assert len(cache) == 0


def test_each_build_has_its_own_cache_and_only_two_are_kept():
    caches = BuildCaches()
    first = caches.of("build-1")
    first.put_many("describe", [("a", "old")], weigh=lambda _: 1)
    assert caches.of("build-1") is first
    second = caches.of("build-2")
    assert second.get_many("describe", ["a"]) == {}
    assert caches.of("build-1") is first  # requests still on the previous build keep theirs
    caches.of("build-3")
    assert caches.of("build-1") is not first  # the oldest went


def test_a_document_over_the_token_limit_is_refused_every_time():
    context = _Context("{ " + "frameworks { totalCount } " * 2000 + "}")
    for _ in range(2):
        extension = parse_cache.ParseCache(max_tokens=DEFAULT_LIMITS.max_tokens)
        extension.execution_context = context  # type: ignore[assignment]
        for _ in extension.on_parse():
            pass
        assert context.graphql_document is None  # left to strawberry, which reports TOKEN_LIMIT


def test_a_document_is_parsed_once():
    text = "{ frameworks { totalCount } } # parsed once"
    documents = []
    for _ in range(2):
        context = _Context(text)
        extension = parse_cache.ParseCache(max_tokens=DEFAULT_LIMITS.max_tokens)
        extension.execution_context = context  # type: ignore[assignment]
        for _ in extension.on_parse():
            pass
        documents.append(context.graphql_document)
    assert documents[0] is not None
    assert documents[0] is documents[1]


class _Context:
    def __init__(self, query: str) -> None:
        self.query = query
        self.graphql_document = None


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("gql-caching")
    settings = mini_settings_in(root)
    build(settings)
    with TestClient(create_app(settings)) as served:
        yield served


def test_the_token_limit_still_answers_through_the_app(client):
    query = "{ " + "frameworks { totalCount } " * 2000 + "}"
    for _ in range(2):
        body = client.post("/graphql", json={"query": query}).json()
        assert body["errors"][0]["extensions"]["code"] == "TOKEN_LIMIT"


def test_cached_and_uncached_requests_answer_the_same(client):
    query = (
        '{ framework(slug: "cof") { concepts(first: 50) { totalCount nodes { curie prefLabel '
        "broader { curie } mappings { nodes { uri object { curie } } } } } } }"
    )
    first = client.post("/graphql", json={"query": query}).json()
    again = client.post("/graphql", json={"query": query}).json()
    fresh = client.post("/graphql", json={"query": query}, headers={"Cache-Control": "no-cache"}).json()
    assert "errors" not in first, first
    assert first["data"]["framework"]["concepts"]["totalCount"] > 0
    assert first == again == fresh


def test_the_schema_is_built_by_create_app_not_at_import():
    script = (
        "from outcomes_graph.web import app, graphql_api\n"
        "from outcomes_graph.web.graphql import schema\n"
        "print(schema.build_schema.cache_info().currsize)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"
