"""The linked-data pieces on their own: negotiation, JSON-LD compaction, bounds, HTML escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from outcomes_graph.linked_data_describe import PART_LIMITS, LdDocument, MappingRecord, describe
from outcomes_graph.linked_data_jsonld import Context, to_jsonld
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.store import BuildInfo, EmbeddedStore
from outcomes_graph.web.ld_html import ld_page
from outcomes_graph.web.ld_negotiate import ALL_FORMATS, LdFormat, negotiate, split_extension

REPO = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/common-outcomes/"
CONTEXT = REPO / "api" / "context.jsonld"
SSSOM = "https://w3id.org/sssom/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context.load(CONTEXT, base=BASE, url=BASE + "context.jsonld")


# --- negotiation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, LdFormat.HTML),
        ("", LdFormat.HTML),
        ("*/*", LdFormat.HTML),
        ("application/rdf+xml", LdFormat.RDFXML),
        ("application/xml", LdFormat.RDFXML),
        ("text/plain", LdFormat.NTRIPLES),
        ("application/json;q=0.5, application/ld+json", LdFormat.JSONLD),
        ("text/html;q=0, */*;q=0.1", LdFormat.TURTLE),
        ("application/*", LdFormat.JSONLD),
        ("TEXT/TURTLE", LdFormat.TURTLE),
        ("text/turtle;q=abc, text/csv", LdFormat.CSV),
        ("image/png", None),
        ("text/turtle;q=0", None),
    ],
)
def test_negotiate(accept, expected):
    assert negotiate(accept, ALL_FORMATS) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("sf/outcome/H09.ttl", ("sf/outcome/H09", LdFormat.TURTLE)),
        ("sf/outcome/H09", ("sf/outcome/H09", None)),
        ("phof/code/1.02i", ("phof/code/1.02i", None)),
        ("a.b/c", ("a.b/c", None)),
    ],
)
def test_split_extension(path, expected):
    assert split_extension(path) == expected


# --- JSON-LD -----------------------------------------------------------------------------------------


def test_context_file_is_valid_jsonld(ctx):
    document = {"@context": ctx.document["@context"], "@id": BASE + "id/x", "broader": "cof:domain/safe"}
    triples = list(ox.parse(json.dumps(document).encode(), format=ox.RdfFormat.JSON_LD))
    assert [t.object for t in triples] == [nn(BASE + "id/cof/domain/safe")]


def test_context_follows_the_base_setting():
    moved = Context.load(CONTEXT, base="http://localhost/og/", url="http://localhost/og/context.jsonld")
    assert moved.iri("og:Outcome") == "http://localhost/og/def/Outcome"
    assert moved.iri("skos:Concept") == "http://www.w3.org/2004/02/skos/core#Concept"


TRICKY = [
    ox.Triple(
        nn(BASE + "id/a"), nn("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), nn(BASE + "def/Outcome")
    ),
    ox.Triple(nn(BASE + "id/a"), nn("http://purl.org/dc/terms/publisher"), ox.Literal("a plain string")),
    ox.Triple(nn(BASE + "id/a"), nn("http://purl.org/dc/terms/publisher"), nn(BASE + "id/org/dfe")),
    ox.Triple(nn(BASE + "id/a"), nn(BASE + "def/order"), ox.Literal("07", datatype=nn(XSD + "integer"))),
    ox.Triple(nn(BASE + "id/a"), nn(BASE + "def/order"), ox.Literal("x", datatype=nn(XSD + "string"))),
    ox.Triple(nn(BASE + "id/a"), nn(SSSOM + "confidence"), ox.Literal("0.5", datatype=nn(XSD + "double"))),
    ox.Triple(
        nn(BASE + "id/a"), nn("http://www.w3.org/2004/02/skos/core#prefLabel"), ox.Literal("A", language="en")
    ),
    ox.Triple(nn(BASE + "id/a"), nn("http://example.org/unknown#p"), ox.Literal('"quoted" <b>')),
    ox.Triple(nn(BASE + "id/a"), nn("http://example.org/unknown#q"), ox.BlankNode("b1")),
    ox.Triple(ox.BlankNode("b1"), nn("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("blank")),
    ox.Triple(nn(BASE + "id/a"), nn("http://purl.org/dc/terms/source"), nn("https://example.org/doc?x=1#y")),
]


def test_compact_jsonld_expands_back_to_the_same_triples(ctx):
    body = json.loads(to_jsonld(TRICKY, ctx, first=nn(BASE + "id/a")))
    assert body["@graph"][0]["id"] == "ogid:a"
    assert body["@graph"][0]["confidence"] == "0.5"  # coerced by the context's xsd:double
    body["@context"] = ctx.document["@context"]
    back = list(ox.parse(json.dumps(body).encode(), format=ox.RdfFormat.JSON_LD))
    named = {
        q.triple
        for q in back
        if not isinstance(q.object, ox.BlankNode) and not isinstance(q.subject, ox.BlankNode)
    }
    assert named == {
        t
        for t in TRICKY
        if not isinstance(t.object, ox.BlankNode) and not isinstance(t.subject, ox.BlankNode)
    }
    assert len(back) == len(TRICKY)


# --- bounds ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crowded_store(tmp_path_factory) -> EmbeddedStore:
    """One resource with more of everything than a description shows."""
    folder = tmp_path_factory.mktemp("crowded")
    graph = nn(BASE + "graph/crowded")
    hub = nn(BASE + "id/x/hub")
    store = ox.Store(str(folder))
    quads = [ox.Quad(hub, nn(f"{BASE}def/p{i}"), ox.Literal(str(i)), graph) for i in range(1500)]
    quads += [ox.Quad(nn(f"{BASE}id/x/in{i}"), nn(BASE + "def/gapParent"), hub, graph) for i in range(700)]
    for i in range(150):
        record = nn(f"{BASE}id/mapping/x/{i}")
        quads += [
            ox.Quad(record, nn(SSSOM + "subject_id"), hub, graph),
            ox.Quad(record, nn(SSSOM + "object_id"), nn(f"{BASE}id/x/o{i}"), graph),
        ]
    store.bulk_extend(quads)
    store.flush()
    del store
    graphs = [{"key": "crowded", "iri": graph.value, "visibility": "public", "triples": len(quads)}]
    BuildInfo("crowded", "2026-01-01T00:00:00+00:00", graphs, {}).write(folder)
    return EmbeddedStore(folder)


def test_limits_in_the_query_match_the_server():
    text = (REPO / "api" / "queries" / "ld-describe.rq").read_text(encoding="utf-8")
    assert sorted(int(n) - 1 for n in re.findall(r"LIMIT (\d+)", text)) == sorted(PART_LIMITS.values())


def test_description_is_bounded_and_says_so(crowded_store):
    registry = QueryRegistry.load(REPO / "api" / "queries")
    doc = describe(crowded_store, registry, nn(BASE + "id/x/hub"))
    assert doc.capped == {"about": 1000, "inbound": 500, "mapping": 100}
    hub = nn(BASE + "id/x/hub")
    assert sum(1 for t in doc.triples if t.subject == hub) == 1000
    assert sum(1 for t in doc.triples if t.object == hub and t.predicate.value.endswith("gapParent")) == 500
    assert len(doc.mappings) == 100
    assert all(m.subject == hub.value and m.object for m in doc.mappings)  # whole records, never half
    assert len(doc.triples) <= sum(PART_LIMITS.values()) * 2


# --- HTML --------------------------------------------------------------------------------------------


def test_html_escapes_everything(ctx):
    hostile = '<script>alert("x")</script>'
    topic = nn(BASE + "id/a")
    doc = LdDocument(
        topic=topic,
        title=hostile,
        triples=[
            ox.Triple(
                topic, nn("http://www.w3.org/2004/02/skos/core#prefLabel"), ox.Literal(hostile, language="en")
            )
        ],
        labels={BASE + "id/b": hostile},
        capped={"about": 1},
        mappings=[
            MappingRecord(
                record=BASE + "id/mapping/m",
                subject=topic.value,
                object=BASE + "id/b",
                sources=['https://example.org/"><script>'],
            )
        ],
    )
    page = ld_page(doc, ctx, base=BASE, alternates=[(LdFormat.TURTLE, '/doc/a".ttl')])
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert 'href="/doc/a&quot;.ttl"' in page
    assert "capped" in page


# --- privacy -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def private_client(tmp_path_factory):
    """A store with a public graph and a private one (a borough's unpublished overlay, say)."""
    from fastapi.testclient import TestClient

    from outcomes_graph.settings import Settings
    from outcomes_graph.web import create_app

    root = tmp_path_factory.mktemp("private")
    folder = root / "store.builds" / "b1"
    folder.mkdir(parents=True)
    public, private = nn(BASE + "graph/open"), nn(BASE + "graph/closed")
    label = nn("http://www.w3.org/2004/02/skos/core#prefLabel")
    store = ox.Store(str(folder))
    store.bulk_extend(
        [
            ox.Quad(nn(BASE + "id/x/open"), label, ox.Literal("Open"), public),
            ox.Quad(nn(BASE + "id/x/secret"), label, ox.Literal("Secret"), private),
            ox.Quad(nn(BASE + "id/x/open"), nn(BASE + "def/status"), nn(BASE + "id/x/secret"), private),
        ]
    )
    store.flush()
    del store
    graphs = [
        {"key": "open", "iri": public.value, "visibility": "public", "triples": 1},
        {"key": "closed", "iri": private.value, "visibility": "private", "triples": 2},
    ]
    BuildInfo("b1", "2026-01-01T00:00:00+00:00", graphs, {}).write(folder)
    (root / "store").symlink_to(folder)
    settings = Settings(store=root / "store", cache_dir=root / "cache")
    with TestClient(create_app(settings)) as client:
        yield client


def test_private_graphs_are_never_described(private_client):
    assert private_client.get("/id/x/secret", follow_redirects=False).status_code == 404
    turtle = private_client.get("/doc/x/open.ttl").text
    assert "Open" in turtle
    assert "secret" not in turtle.lower()


def test_private_graphs_are_not_counted_or_dumped(private_client):
    void = private_client.get("/.well-known/void.ttl").content
    assert b"graph/closed" not in void
    triples = {q.triple for q in ox.parse(void, format=ox.RdfFormat.TURTLE)}
    dataset = nn(BASE + ".well-known/void#dataset")
    assert (
        ox.Triple(
            dataset, nn("http://rdfs.org/ns/void#triples"), ox.Literal("1", datatype=nn(XSD + "integer"))
        )
        in triples
    )
    for file in private_client.get("/download/index.json").json()["files"]:
        body = private_client.get(file["url"]).text
        assert "Secret" not in body, file["name"]
        assert "closed" not in file["name"]
