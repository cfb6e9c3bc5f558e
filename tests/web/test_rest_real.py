"""REST on the real graph, over a real uvicorn server: the alignment questions of issue 3, and every
named query with its header's example."""

from __future__ import annotations

import httpx
import pytest

from conftest import REPO
from outcomes_graph.queries import QueryRegistry

QUERIES = list(QueryRegistry.load(REPO / "api" / "queries"))


def get(url: str, **params: object) -> httpx.Response:
    return httpx.get(url, params=params, timeout=60)  # type: ignore[arg-type]


def test_school_readiness_counterparts_include_the_gld_target_and_the_lof_metric(real_server):
    body = get(real_server + "/api/counterparts", concept="90631").json()
    found = {c["curie"]: c for c in body["direct"] + body["derived"]}
    assert "bsil:target/gld-75-by-2028" in found
    assert "lof:metric/gld-at-5" in found
    assert all(step["sources"] for c in found.values() for step in c["steps"] if step["curated"])


def test_best_start_in_life_is_covered_by_fhab(real_server):
    rows = get(real_server + "/api/coverage/lof").json()["rows"]
    row = next(r for r in rows if r["curie"] == "lof:outcome/best-start-in-life")
    assert row["status"] == "covered"


def test_repeats_are_revalidated_with_the_build_etag(real_server):
    first = get(real_server + "/api/matrix")
    etag = first.headers["etag"]
    again = httpx.get(real_server + "/api/matrix", headers={"If-None-Match": etag}, timeout=60)
    assert again.status_code == 304
    build = httpx.get(real_server + "/health", timeout=10).json()["build"]["id"]
    assert build in etag


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_every_named_query_answers_its_example(real_server, query):
    """The example URL the listing shows (made from the header's CLI example) works on the real graph."""
    listed = next(q for q in get(real_server + "/api/queries").json()["queries"] if q["name"] == query.name)
    url = listed["examples"][0] if listed["examples"] else listed["url"]
    response = httpx.get(real_server + url, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["head"]["vars"]
