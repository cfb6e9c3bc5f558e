"""Dereferenceable URIs on the fixture graph: 303s, each format parsed back, 404, 406, the CBD.

DESIGN §3: ``/id/...`` answers 303 to ``/doc/...``; content is negotiated by ``Accept`` or by
extension (``.html .ttl .jsonld .nt .rdf .json .csv``).
"""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conftest import mini_settings_in
from outcomes_graph.build import build
from outcomes_graph.store import EmbeddedStore
from outcomes_graph.web import create_app

BASE = "https://w3id.org/common-outcomes/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SSSOM = "https://w3id.org/sssom/"
OG = BASE + "def/"
H09 = BASE + "id/sf/outcome/H09"
SAFE = BASE + "id/cof/domain/safe"
RECORD_2 = BASE + "id/mapping/sf-cof/2"

RDF_PARSERS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The app in-process over the fixture graph, built once for this module (every test only reads)."""
    root = tmp_path_factory.mktemp("linked-data")
    settings = mini_settings_in(root)
    build(settings)
    with TestClient(create_app(settings), base_url="http://testserver") as c:
        yield c


def nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def parse_jsonld(client, body: bytes) -> set[ox.Triple]:
    """JSON-LD parsed back with the published context in place of its URL (no network)."""
    context = client.get("/context.jsonld").json()["@context"]
    document = json.loads(body)
    assert document["@context"] == BASE + "context.jsonld"
    document["@context"] = context
    return {q.triple for q in ox.parse(json.dumps(document).encode(), format=ox.RdfFormat.JSON_LD)}


def parse(client, response: httpx.Response, ext: str) -> set[ox.Triple]:
    if ext == ".jsonld":
        return parse_jsonld(client, response.content)
    return {q.triple for q in ox.parse(response.content, format=RDF_PARSERS[ext])}


class HtmlChecker(HTMLParser):
    """Well-formedness for our pages: a doctype, every element closed in order, nothing left open."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.doctype = False
        self.alternates: list[tuple[str, str]] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "alternate":
            self.alternates.append((attributes["type"], attributes["href"]))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1]}>"
        self.stack.pop()


def check_html(text: str) -> HtmlChecker:
    checker = HtmlChecker()
    checker.feed(text)
    checker.close()
    assert checker.doctype, "no <!DOCTYPE html>"
    assert checker.stack == [], f"unclosed: {checker.stack}"
    return checker


# --- /id/ → 303 → /doc/ ---------------------------------------------------------------------------


def test_id_answers_303_to_doc(client):
    response = client.get("/id/sf/outcome/H09", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/sf/outcome/H09"
    assert "accept" in response.headers["vary"].lower()


def test_id_keeps_a_format_extension(client):
    response = client.get("/id/sf/outcome/H09.ttl", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/sf/outcome/H09.ttl"


def test_following_the_redirect_negotiates(client):
    response = client.get("/id/sf/outcome/H09", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    triples = parse(client, response, ".ttl")
    assert ox.Triple(nn(H09), nn(SKOS + "prefLabel"), ox.Literal("Secure housing", language="en")) in triples


@pytest.mark.parametrize("path", ["/id/sf/outcome/NOPE", "/doc/sf/outcome/NOPE", "/doc/sf/outcome/NOPE.ttl"])
def test_unknown_iri_is_404_in_the_error_shape(client, path):
    response = client.get(path, follow_redirects=False, headers={"Accept": "application/json"})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not-found"
    assert f"{BASE}id/sf/outcome/NOPE" in error["detail"]


def test_unknown_iri_is_an_html_page_for_browsers(client):
    response = client.get(
        "/id/sf/outcome/NOPE", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    check_html(response.text)
    assert "id/sf/outcome/NOPE" in response.text


def test_a_private_or_unknown_graph_is_invisible(client):
    response = client.get("/graph/no-such-graph.ttl")
    assert response.status_code == 404


def test_malformed_iri_is_400_naming_it(client):
    response = client.get("/doc/sf/outcome/a%20b")
    assert response.status_code == 400
    assert "a b" in response.json()["error"]["detail"]


# --- formats ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".ttl", ".nt", ".rdf", ".jsonld"])
def test_each_rdf_format_parses_back_to_the_same_triples(client, ext):
    turtle = parse(client, client.get("/doc/sf/outcome/H09.ttl"), ".ttl")
    response = client.get(f"/doc/sf/outcome/H09{ext}")
    assert response.status_code == 200
    triples = parse(client, response, ext)
    assert triples == turtle
    assert ox.Triple(nn(H09), nn(SKOS + "inScheme"), nn(BASE + "id/sf")) in triples


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/json", "application/json"),
        ("text/csv", "text/csv"),
        ("text/html", "text/html"),
        ("*/*", "text/html"),
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("text/*;q=0.9, text/html;q=0", "text/turtle"),
    ],
)
def test_accept_picks_the_format(client, accept, media):
    response = client.get("/doc/sf/outcome/H09", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "accept" in response.headers["vary"].lower()
    assert response.headers["content-location"].startswith("/doc/sf/outcome/H09.")


def test_extension_wins_over_accept(client):
    response = client.get("/doc/sf/outcome/H09.nt", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("application/n-triples")


def test_nothing_acceptable_is_406_listing_what_is(client):
    response = client.get("/doc/sf/outcome/H09", headers={"Accept": "image/png"})
    assert response.status_code == 406
    error = response.json()["error"]
    assert error["code"] == "not-acceptable"
    assert "text/turtle" in error["detail"]
    assert ".jsonld" in error["detail"]
    assert "accept" in response.headers["vary"].lower()


def test_json_view_has_statements_labels_and_mappings(client):
    body = client.get("/doc/sf/outcome/H09.json").json()
    assert body["topic"] == H09
    assert body["title"] == "Secure housing"
    assert body["capped"] == {}
    assert body["labels"][SAFE] == "Safe"
    assert {
        "subject": H09,
        "predicate": OG + "order",
        "object": "9",
        "object_type": "literal",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    } in body["statements"]
    records = {m["record"]: m for m in body["mappings"]}
    assert records[RECORD_2]["predicate"] == SKOS + "relatedMatch"
    assert records[RECORD_2]["status"] == OG + "Verified"
    assert records[RECORD_2]["confidence"] == 0.95


def test_csv_view_is_one_row_per_statement(client):
    response = client.get("/doc/sf/outcome/H09.csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    turtle = parse(client, client.get("/doc/sf/outcome/H09.ttl"), ".ttl")
    assert len(rows) == len(turtle)
    label = {
        "subject": H09,
        "predicate": SKOS + "prefLabel",
        "object": "Secure housing",
        "object_type": "literal",
    }
    lang = {"datatype": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", "language": "en"}
    assert {**label, **lang} in rows


def test_html_is_valid_and_links_every_alternate(client):
    response = client.get("/doc/sf/outcome/H09", headers={"Accept": "text/html"})
    checker = check_html(response.text)
    assert sorted(media for media, _ in checker.alternates) == sorted(
        [
            "text/html",
            "text/turtle",
            "application/ld+json",
            "application/n-triples",
            "application/rdf+xml",
            "application/json",
            "text/csv",
        ]
    )
    for media, href in checker.alternates:
        alternate = client.get(href)
        assert alternate.status_code == 200, href
        assert alternate.headers["content-type"].split(";")[0] == media
    assert "Secure housing" in response.text
    assert 'href="/doc/cof/domain/safe"' in response.text  # links stay on this server


def test_link_header_names_the_alternates(client):
    link = client.get("/doc/sf/outcome/H09.ttl").headers["link"]
    assert '</doc/sf/outcome/H09.jsonld>; rel="alternate"; type="application/ld+json"' in link


# --- the concise bounded description ----------------------------------------------------------------


def test_cbd_includes_mappings_with_their_metadata(client):
    triples = parse(client, client.get("/doc/sf/outcome/H09.ttl"), ".ttl")
    record = nn(RECORD_2)
    for predicate, value in [
        ("subject_id", nn(H09)),
        ("predicate_id", nn(SKOS + "relatedMatch")),
        ("object_id", nn(SAFE)),
        ("mapping_justification", nn("https://w3id.org/semapv/vocab/ManualMappingCuration")),
        ("confidence", ox.Literal("0.95", datatype=nn("http://www.w3.org/2001/XMLSchema#double"))),
    ]:
        assert ox.Triple(record, nn(SSSOM + predicate), value) in triples, predicate
    assert ox.Triple(record, nn(OG + "status"), nn(OG + "Verified")) in triples
    assert any(
        t.subject == record and t.predicate.value == "http://purl.org/dc/terms/source" for t in triples
    )
    # The no-counterpart record (H09 → sssom:NoTermFound) is there too: a known gap, not a silent hole.
    assert (
        ox.Triple(nn(BASE + "id/mapping/sf-cof/3"), nn(SSSOM + "object_id"), nn(SSSOM + "NoTermFound"))
        in triples
    )


def test_cbd_labels_what_it_links_to(client):
    triples = parse(client, client.get("/doc/sf/outcome/H09.ttl"), ".ttl")
    assert ox.Triple(nn(SAFE), nn(SKOS + "prefLabel"), ox.Literal("Safe", language="en")) in triples
    assert any(t.subject == nn(OG + "Verified") and t.predicate.value.endswith("#label") for t in triples)


def test_cbd_says_what_the_document_is(client):
    triples = parse(client, client.get("/doc/sf/outcome/H09.ttl"), ".ttl")
    document = nn(BASE + "doc/sf/outcome/H09")
    assert ox.Triple(document, nn("http://xmlns.com/foaf/0.1/primaryTopic"), nn(H09)) in triples


def test_cbd_of_an_object_shows_what_points_at_it(client):
    triples = parse(client, client.get("/doc/cof/domain/safe.ttl"), ".ttl")
    assert ox.Triple(nn(BASE + "id/cof/outcome/safe-at-home"), nn(SKOS + "broader"), nn(SAFE)) in triples
    records = {t.subject.value for t in triples if t.predicate.value == SSSOM + "object_id"}
    assert {BASE + "id/mapping/sf-cof/1", RECORD_2} <= records


def test_mapping_record_dereferences(client):
    response = client.get("/id/mapping/sf-cof/2", headers={"Accept": "text/turtle"})
    triples = parse(client, response, ".ttl")
    assert ox.Triple(nn(RECORD_2), nn(SSSOM + "predicate_id"), nn(SKOS + "relatedMatch")) in triples


def test_mapping_set_dereferences(client):
    response = client.get("/mappings/sf-cof.ttl")
    assert response.status_code == 200
    triples = parse(client, response, ".ttl")
    mapping_set = nn(BASE + "mappings/sf-cof")
    assert (
        ox.Triple(mapping_set, nn("http://purl.org/dc/terms/title"), ox.Literal("Fixture SF to COF"))
        in triples
    )
    assert ox.Triple(mapping_set, nn(SSSOM + "mappings"), nn(RECORD_2)) in triples


def test_scheme_dereferences_with_its_concepts(client):
    triples = parse(client, client.get("/doc/sf.ttl"), ".ttl")
    assert ox.Triple(nn(H09), nn(SKOS + "inScheme"), nn(BASE + "id/sf")) in triples


# --- /def/ --------------------------------------------------------------------------------------------


def test_def_term_in_turtle(client):
    response = client.get("/def/Outcome", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = parse(client, response, ".ttl")
    term = nn(OG + "Outcome")
    assert (
        ox.Triple(term, nn("http://www.w3.org/2000/01/rdf-schema#subClassOf"), nn(SKOS + "Concept"))
        in triples
    )
    assert (
        ox.Triple(
            term, nn("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Outcome", language="en")
        )
        in triples
    )


def test_def_term_keeps_its_blank_nodes(client):
    """og:Status is owl:oneOf a list: the whole list comes with it (the CBD's blank-node closure)."""
    triples = parse(client, client.get("/def/Status.ttl"), ".ttl")
    firsts = {t.object.value for t in triples if t.predicate.value.endswith("#first")}
    assert firsts == {OG + s for s in ("Verified", "PartlyVerified", "Inferred", "Unverified", "NotFound")}


@pytest.mark.parametrize("ext", [".jsonld", ".nt", ".rdf"])
def test_def_term_formats_parse_back(client, ext):
    turtle = parse(client, client.get("/def/status.ttl"), ".ttl")
    assert len(turtle) > 3
    other = parse(client, client.get(f"/def/status{ext}"), ext)
    # Blank-node labels may differ between serialisations; this term has none.
    assert other == turtle


def test_def_unknown_term_is_404(client):
    response = client.get("/def/NoSuchTerm", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert "def/NoSuchTerm" in response.json()["error"]["detail"]


def test_def_whole_vocabulary(client):
    triples = parse(client, client.get("/def/", headers={"Accept": "text/turtle"}), ".ttl")
    same = parse(client, client.get("/def/index.ttl"), ".ttl")
    assert len(triples) == len(same)
    assert (
        ox.Triple(
            nn(OG),
            nn("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            nn("http://www.w3.org/2002/07/owl#Ontology"),
        )
        in triples
    )
    check_html(client.get("/def/", headers={"Accept": "text/html"}).text)


def test_context_is_published(client):
    response = client.get("/context.jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    context = response.json()["@context"]
    assert context["skos"] == SKOS
    assert context["broader"] == {"@id": "skos:broader", "@type": "@id"}


@pytest.mark.slow
def test_real_server_dereferences_phof_90631_with_its_best_start_mapping(real_server):
    response = httpx.get(
        f"{real_server}/id/phof/indicator/90631",
        headers={"Accept": "text/turtle"},
        follow_redirects=True,
        timeout=30,
    )
    assert response.status_code == 200
    assert response.history[0].status_code == 303
    triples = {q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)}
    indicator = nn(BASE + "id/phof/indicator/90631")
    target = nn(BASE + "id/bsil/target/gld-75-by-2028")
    records = {
        t.subject for t in triples if t.predicate.value == SSSOM + "object_id" and t.object == indicator
    }
    best_start = [r for r in records if ox.Triple(r, nn(SSSOM + "subject_id"), target) in triples]
    assert best_start, "no Best Start in Life mapping record in the description"
    assert ox.Triple(best_start[0], nn(SSSOM + "predicate_id"), nn(SKOS + "closeMatch")) in triples
    assert ox.Triple(target, nn(SKOS + "closeMatch"), indicator) in triples


@pytest.mark.parametrize("path", ["/doc/sf/outcome/H09.ttl", "/doc/sf.ttl", "/doc/cof/domain/safe.jsonld"])
def test_one_store_query_per_description(client, monkeypatch, path):
    """However many statements, mappings and labels a description has, it costs one store query (no N+1)."""
    calls = []
    real_query = EmbeddedStore.query

    def counting(self, sparql, *args, **kwargs):
        calls.append(sparql[:40])
        return real_query(self, sparql, *args, **kwargs)

    monkeypatch.setattr(EmbeddedStore, "query", counting)
    response = client.get(path, params={"uncached": "1"})  # a new cache key, so the handler runs
    assert response.status_code == 200
    assert len(calls) == 1, calls
