"""GraphQL against a real server (uvicorn, the real graph) with a real client: gql over httpx."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport

SCHOOL_READINESS = """
query SchoolReadiness($id: String!) {
  concept(fingertipsId: $id) {
    curie
    prefLabel
    framework { slug }
    counterparts(first: 50) {
      totalCount
      nodes { curie kind relation relationLabel confidence basis path }
    }
  }
}
"""


@pytest.fixture(scope="module")
def session(real_server: str):
    transport = HTTPXTransport(url=real_server + "/graphql", timeout=60)
    with Client(transport=transport, fetch_schema_from_transport=True) as session:
        yield session


def test_counterparts_of_school_readiness(session):
    result = session.execute(GraphQLRequest(SCHOOL_READINESS, variable_values={"id": "90631"}))
    concept = result["concept"]
    assert concept["curie"] == "phof:indicator/90631"
    assert concept["framework"] == {"slug": "phof"}
    found = {c["curie"]: c for c in concept["counterparts"]["nodes"]}
    assert "bsil:target/gld-75-by-2028" in found
    assert "lof:metric/gld-at-5" in found
    assert found["bsil:target/gld-75-by-2028"]["kind"] == "DIRECT"


def test_the_client_validates_against_the_served_schema(session):
    with pytest.raises(Exception, match="Cannot query field 'nope'"):
        session.execute(gql("{ frameworks { nope } }"))


def test_boroughs(session):
    result = session.execute(gql("{ boroughs(first: 50) { totalCount nodes { gssCode name sameAs } } }"))
    boroughs = result["boroughs"]
    assert boroughs["totalCount"] == 33
    westminster = next(b for b in boroughs["nodes"] if b["gssCode"] == "E09000033")
    assert westminster["name"] == "Westminster"
    assert westminster["sameAs"] == ["http://statistics.data.gov.uk/id/statistical-geography/E09000033"]


def test_errors_reach_the_client_with_suggestions(session):
    with pytest.raises(TransportQueryError) as caught:
        session.execute(gql('{ framework(slug: "lofx") { title } }'))
    error = caught.value.errors[0]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "lof" in error["extensions"]["suggestions"]


def test_graphiql_is_served(real_server: str):
    page = httpx.get(real_server + "/graphql", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert "graphiql" in page.text
    script = httpx.get(real_server + "/graphql/static/graphiql-3.8.3.min.js", timeout=30)
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")


def test_a_chunked_body_over_the_limit_is_refused_while_it_streams(real_server: str):
    """Real chunked transfer (no Content-Length): 413 in the JSON error shape, and the server goes on."""
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"query": "{ frameworks { totalCount } }", "variables": {"pad": "'
        for _ in range(40):  # 40 x 64 KiB: over the default max_request_bytes (1,000,000)
            sent += 65536
            yield b"x" * 65536
        yield b'"}}'

    answer = httpx.post(
        real_server + "/graphql", content=chunks(), headers={"content-type": "application/json"}, timeout=30
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "request-too-large"
    assert "more than 1000000 bytes" in answer.json()["error"]["detail"]
    after = httpx.post(real_server + "/graphql", json={"query": "{ frameworks { totalCount } }"}, timeout=30)
    assert after.json()["data"]["frameworks"]["totalCount"] > 0
