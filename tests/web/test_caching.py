"""ETags from the build, 304s, and the bounded response cache shared by every GET route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.web import create_app
from outcomes_graph.web.caching import MAX_AGE, CachedResponse, ResponseCache

QUERY = {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("caching")
    settings = mini_settings_in(root)
    build(settings)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def runs(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every job the query workers receive, from here on, with an empty response cache."""
    state = client.app.state.og
    state.response_cache.clear()
    seen: list[bytes] = []
    original = state.query_pool.run

    async def counting(payload: bytes, **options: Any) -> tuple[bytes, bytes]:
        seen.append(payload)
        return await original(payload, **options)

    monkeypatch.setattr(state.query_pool, "run", counting)
    return seen


def test_a_get_carries_an_etag_made_of_the_build_and_the_request(client):
    response = client.get("/sparql", params=QUERY)
    build_id = client.get("/health").json()["build"]["id"]
    assert response.headers["etag"].startswith(f'"{build_id}.')
    assert response.headers["cache-control"] == f"public, max-age={MAX_AGE}"
    assert "accept" in response.headers["vary"].lower()
    other = client.get("/sparql", params={"query": QUERY["query"] + " # another"})
    assert other.headers["etag"] != response.headers["etag"]


def test_a_repeated_get_is_served_from_the_cache(client, runs):
    """The answer is kept once it is asked for a second time; from then on it is replayed."""
    first = client.get("/sparql", params=QUERY)
    second = client.get("/sparql", params=QUERY)
    third = client.get("/sparql", params=QUERY)
    assert len(runs) == 2
    assert second.content == third.content == first.content
    assert third.headers["etag"] == second.headers["etag"] == first.headers["etag"]
    assert third.headers["content-type"] == first.headers["content-type"]
    assert client.app.state.og.response_cache.hits >= 1


def test_an_answer_asked_for_once_is_not_kept(client, runs):
    cache = client.app.state.og.response_cache
    for n in range(5):
        assert client.get("/sparql", params={"query": f"{QUERY['query']} # {n}"}).status_code == 200
    assert len(cache) == 0
    assert len(runs) == 5


def test_the_first_sightings_are_bounded():
    cache = ResponseCache(max_seen=3)
    answers = [cache.admit(k) for k in ("a", "b", "a", "c", "d", "a")]
    assert answers == [False, False, True, False, False, False]  # full at "d": "a" is forgotten


def test_if_none_match_answers_304_without_running_anything(client, runs):
    etag = client.get("/sparql", params=QUERY).headers["etag"]
    client.app.state.og.response_cache.clear()
    for tag in (etag, f"W/{etag}", f'"other", {etag}'):
        response = client.get("/sparql", params=QUERY, headers={"if-none-match": tag})
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == etag
    assert len(runs) == 1


def test_a_stale_etag_gets_the_full_answer(client):
    response = client.get("/sparql", params=QUERY, headers={"if-none-match": '"an-old-build.0123"'})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"]


def test_each_accept_is_its_own_entry(client, runs):
    json_answer = client.get("/sparql", params=QUERY, headers={"accept": "application/sparql-results+json"})
    tsv_answer = client.get("/sparql", params=QUERY, headers={"accept": "text/tab-separated-values"})
    assert json_answer.headers["etag"] != tsv_answer.headers["etag"]
    assert tsv_answer.headers["content-type"].startswith("text/tab-separated-values")
    assert len(runs) == 2


def test_head_is_answered_from_a_cached_get(client, runs):
    client.get("/sparql", params=QUERY)
    got = client.get("/sparql", params=QUERY)
    head = client.head("/sparql", params=QUERY)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    assert len(runs) == 2


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/sparql", {"data": QUERY}),
        ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p }"}}),
        ("GET", "/sparql", {"params": QUERY, "headers": {"authorization": "Bearer x"}}),
        ("GET", "/health", {}),
    ],
    ids=["post", "error", "authorization", "health"],
)
def test_what_is_never_cached(client, method, path, kwargs):
    first = client.request(method, path, **kwargs)
    second = client.request(method, path, **kwargs)
    assert "etag" not in first.headers
    assert "cache-control" not in first.headers
    assert second.status_code == first.status_code


def test_other_routes_get_validators_too(client):
    first = client.get("/docs")
    assert first.headers["etag"]
    again = client.get("/docs", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304


def test_the_cache_is_bounded_in_bytes():
    cache = ResponseCache(max_bytes=100, max_entry_bytes=40)
    for i in range(5):
        cache.put(("b", i), CachedResponse(200, [], b"x" * 30, b'"t"'))
    assert len(cache) == 3
    assert cache.get(("b", 0)) is None
    assert cache.get(("b", 4)) is not None
    cache.put(("b", "big"), CachedResponse(200, [], b"x" * 41, b'"t"'))
    assert cache.get(("b", "big")) is None


def test_a_new_build_empties_the_cache():
    cache = ResponseCache()
    cache.follow("one")
    cache.put(("one", "/a"), CachedResponse(200, [], b"x", b'"t"'))
    cache.follow("one")
    assert len(cache) == 1
    cache.follow("two")
    assert len(cache) == 0
