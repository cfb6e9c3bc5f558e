"""Reading a query before it runs: SERVICE and updates found wherever they hide, datasets, row limits."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from outcomes_graph import sparql_text
from outcomes_graph.sparql_text import _analyse_tokens, analyse, tokenise, with_row_limit
from outcomes_graph.vocab import QUERY_PREFIXES

EVIL = "http://127.0.0.1:9/sparql"

#: Queries pyoxigraph would answer by calling EVIL: each must be seen as SERVICE.
HIDDEN_SERVICE = {
    "plain": f"SELECT * {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
    "lower-case": f"select * {{ service <{EVIL}> {{ ?s ?p ?o }} }}",
    "mixed-case": f"SELECT * {{ ?s ?p ?o . sErViCe <{EVIL}> {{ ?a ?b ?c }} }}",
    "silent": f"SELECT * {{ SERVICE SILENT <{EVIL}> {{ ?s ?p ?o }} }}",
    "comment-between": f"SELECT * {{ SERVICE # a comment\n<{EVIL}> {{ ?s ?p ?o }} }}",
    "no-spaces": f"SELECT*{{?s ?p ?o.SERVICE<{EVIL}>{{}}}}",
    "after-dot": f"SELECT * {{ ?s ?p ?o .SERVICE <{EVIL}> {{ ?a ?b ?c }} }}",
    "prefixed-iri": f"PREFIX evil: <{EVIL}> SELECT * {{ SERVICE evil: {{ ?s ?p ?o }} }}",
    "variable": "SELECT * { VALUES ?e { <http://127.0.0.1:9/> } SERVICE ?e { ?s ?p ?o } }",
    "nested-optional": f"SELECT * {{ ?s ?p ?o OPTIONAL {{ SERVICE <{EVIL}> {{ ?s ?q ?r }} }} }}",
    "subquery": f"SELECT * {{ {{ SELECT * {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }} }} }}",
    "after-string": f'SELECT * {{ ?s ?p "a # not a comment" . SERVICE <{EVIL}> {{ ?a ?b ?c }} }}',
    "after-long-string": f'SELECT * {{ ?s ?p """a " b""" . SERVICE <{EVIL}> {{ ?a ?b ?c }} }}',
    "escaped-local-hash": f"PREFIX e: <http://e/> SELECT * {{ ?s ?p e:a\\# SERVICE <{EVIL}> {{ ?a ?b ?c }}}}",
    "less-than-looks-like-iri": f"SELECT * {{ ?x ?p ?o FILTER(?x<1)SERVICE#>\n<{EVIL}> {{ ?a ?b ?c }} }}",
    "construct-where": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
}

#: Queries that only mention the word: none of them calls anything.
NOT_SERVICE = {
    "string": 'SELECT * { ?s ?p "SERVICE <http://127.0.0.1:9/> {}" }',
    "long-string": "SELECT * { ?s ?p '''SERVICE\n<http://127.0.0.1:9/>''' }",
    "comment": "SELECT * { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> {}",
    "iri": "SELECT * { ?s <http://example.org/service> ?o }",
    "prefixed-name": "PREFIX service: <http://e/> SELECT * { ?s service:SERVICE ?o }",
    "variable": "SELECT ?service { ?service ?p ?o }",
    "language-tag": 'SELECT * { ?s ?p "x"@service }',
}


@pytest.mark.parametrize("query", HIDDEN_SERVICE.values(), ids=HIDDEN_SERVICE.keys())
def test_service_is_found_wherever_it_hides(query):
    assert analyse(query).service is not None


@pytest.mark.parametrize("query", HIDDEN_SERVICE.values(), ids=HIDDEN_SERVICE.keys())
def test_each_hidden_service_case_is_a_query_pyoxigraph_accepts(query):
    """The cases are real: pyoxigraph parses each one (and would evaluate SERVICE) rather than reject it."""
    store = ox.Store()
    try:
        store.query(query)  # SELECT and CONSTRUCT are lazy: parsing alone opens no connection
    except SyntaxError as exc:
        pytest.fail(f"not valid SPARQL, so not a real bypass: {exc}")


@pytest.mark.parametrize("query", NOT_SERVICE.values(), ids=NOT_SERVICE.keys())
def test_the_word_service_elsewhere_is_not_a_service_call(query):
    assert analyse(query).service is None


def test_service_position_is_line_and_column():
    shape = analyse("SELECT *\nWHERE {\n  SERVICE <http://x/> { ?s ?p ?o }\n}")
    assert (shape.service.line, shape.service.column) == (3, 3)


@pytest.mark.parametrize(
    ("query", "update"),
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
        ("PREFIX ex: <http://e/> DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("LOAD <http://example.org/data.ttl>", "LOAD"),
        ("clear all", "CLEAR"),
        ("DROP GRAPH <http://g>", "DROP"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ],
)
def test_updates_are_recognised(query, update):
    assert analyse(query).update == update
    assert analyse(query).form is None


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * { ?s ?p ?o }", "select"),
        ("PREFIX ex: <http://e/> ask { ?s ?p ?o }", "ask"),
        ("BASE <http://e/> CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
        ("DESCRIBE <http://e/a>", "describe"),
        ("# a comment first\nSELECT ?x { }", "select"),
    ],
)
def test_query_form(query, form):
    assert analyse(query).form == form


def test_dataset_clauses_resolve_prefixes_base_and_defaults():
    query = (
        "BASE <http://example.org/> PREFIX g: <http://example.org/graph/>\n"
        "SELECT * FROM g:one FROM <two> FROM NAMED <http://x/three> FROM NAMED og:four { ?s ?p ?o }"
    )
    shape = analyse(query, prefixes={"og": "http://og/"})
    assert shape.default_graphs == ["http://example.org/graph/one", "http://example.org/two"]
    assert shape.named_graphs == ["http://x/three", "http://og/four"]


def test_predeclared_prefixes_the_query_relies_on():
    shape = analyse(
        "PREFIX a: <http://a/> SELECT * { ?s a:p skos:x . ?s rdf:type _:b }",
        prefixes={"skos": "s", "rdf": "r"},
    )
    assert shape.undeclared_prefixes == {"skos", "rdf"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT * { ?s ?p ?o }\nLIMIT 11"),
        ("SELECT * { ?s ?p ?o } # end", "SELECT * { ?s ?p ?o } # end\nLIMIT 11"),
        ("SELECT * { ?s ?p ?o } LIMIT 500", "SELECT * { ?s ?p ?o } LIMIT 11"),
        ("SELECT * { ?s ?p ?o } OFFSET 3", "SELECT * { ?s ?p ?o } OFFSET 3\nLIMIT 11"),
        (
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 99 } }",
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 99 } }\nLIMIT 11",
        ),
        (
            "SELECT * { ?s ?p ?o } VALUES ?s { <http://a> }",
            "SELECT * { ?s ?p ?o } LIMIT 11\nVALUES ?s { <http://a> }",
        ),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }\nLIMIT 11"),
    ],
)
def test_row_limit_is_added_or_lowered(query, expected):
    rewritten = with_row_limit(query, analyse(query), 10)
    assert rewritten == expected
    ox.Store().query(rewritten)  # still valid SPARQL


@pytest.mark.parametrize("query", ["SELECT * { ?s ?p ?o } LIMIT 10", "ASK { ?s ?p ?o }", "not a query"])
def test_row_limit_is_left_alone_when_it_is_not_needed(query):
    assert with_row_limit(query, analyse(query), 10) is None


def test_tokens_know_their_depth():
    tokens = tokenise("SELECT * { ?s ?p (1 + 2) }")
    depths = {t.text: (t.braces, t.parens) for t in tokens}
    assert depths["SELECT"] == (0, 0)
    assert depths["?s"] == (1, 0)
    assert depths["1"] == (1, 1)


POINT_LOOKUPS = [
    "SELECT ?p ?o WHERE { <http://a> ?p ?o }",
    "SELECT * { <http://a> ?p ?o . } # a comment",
    "PREFIX ex: <http://e/> SELECT ?s WHERE { ?s ex:p 42 } LIMIT 5",
    'ASK { ?s ?p "x"^^xsd:string }',
    'select ?s where { ?s rdfs:label "Safe"@en }',
    "SELECT ?o { <http://a> a ?o }",
    "DESCRIBE <http://a>",
]
NOT_POINT_LOOKUPS = [
    "SELECT ?s { ?s ?p ?o }",  # nothing fixed: a scan of everything
    "SELECT ?s { _:b ?p ?o }",  # a blank node is a variable
    "SELECT ?o { <http://a> ?p ?o . <http://b> ?p ?o }",
    "SELECT ?o { <http://a> ?p ?o ; ?q ?r }",
    "SELECT ?o { <http://a> ?p ?o , ?r }",
    "SELECT ?o { <http://a> <http://p>/<http://q> ?o }",
    "SELECT ?o { <http://a> ^<http://p> ?o }",
    "SELECT ?o { <http://a> <http://p>+ ?o }",
    "SELECT ?o { <http://a> ?p ?o } ORDER BY ?o",
    "SELECT ?o { <http://a> ?p ?o } OFFSET 5",
    "SELECT DISTINCT ?p { ?s ?p <http://a> }",  # may scan every match for a few rows
    "SELECT (STR(?o) AS ?x) { <http://a> ?p ?o }",
    "SELECT ?o { <http://a> ?p ?o FILTER(?o) }",
    "SELECT ?o { <http://a> ?p ?o OPTIONAL { ?o ?q ?r } }",
    "SELECT ?o { SERVICE <http://127.0.0.1:9/> { <http://a> ?p ?o } }",
    "SELECT ?o FROM <http://g> { <http://a> ?p ?o }",
    "SELECT ?o { GRAPH ?g { <http://a> ?p ?o } }",
    "SELECT ?o { { <http://a> ?p ?o } }",
    "SELECT ?o { <http://a> ?p [] }",
    "SELECT ?o { <http://a> ?p ?o } VALUES ?o { 1 }",
    "CONSTRUCT WHERE { <http://a> ?p ?o }",
    "DESCRIBE ?x WHERE { ?x ?p ?o }",
    "DESCRIBE <http://a> <http://b>",
]


@pytest.mark.parametrize("query", POINT_LOOKUPS)
def test_point_lookups_are_recognised(query):
    assert analyse(query).point_lookup


@pytest.mark.parametrize("query", NOT_POINT_LOOKUPS)
def test_anything_more_is_not_a_point_lookup(query):
    assert not analyse(query).point_lookup


def test_an_update_is_never_a_point_lookup():
    assert not analyse("DELETE WHERE { <http://a> ?p ?o }").point_lookup


def _near_point_lookups(count: int) -> list[str]:
    """Texts built from the parts of point lookups and of what is almost one (seeded, so repeatable).

    Each part is usually one of the ways a point lookup may be written, and now and then
    something else.
    """
    parts = [
        (["", " ", "\n"], ["PREFIX ex: <http://e/> ", "# c\n", "BASE <http://b/> "]),
        (["SELECT", "select", "SeLeCt"], ["ASK", "SELECT DISTINCT", "SELECT *", "SELECT(?x)", "DESCRIBE"]),
        ([" ?p ?o", " $p", " ?p\t?o", " ?o"], [" ?oWHERE", "?p", " *", ""]),
        ([" WHERE ", " where", "", " WHERE"], ["WHERE", " FROM <http://g> WHERE ", " WHERE{"]),
        (["{", " { ", "{\n"], ["{{"]),
        (["<http://a/b>", "?s", "<>"], ["ex:a", "<http://a\\u0041>", "_:b", '"x"', "<http://a b>", "[]"]),
        ([" ?p ", " a ", " <http://p> "], [" A ", " rdfs:label ", " ^<http://p> ", "?p", " ?p/?q "]),
        (["?o", "<http://o>"], ['"SERVICE"', "1", "?o FILTER(1)", "<http://o>?x", "?o ; ?q ?r"]),
        (["", " .", "."], [" . .", " . ?s ?p ?o"]),
        (["}", " }"], ["}}", ""]),
        (["", " # 12", " # c\n", "\n"], ["\n# c\nLIMIT 5", " LIMIT 3", " #} SERVICE <http://h> {", "#\r\n"]),
    ]
    rng = random.Random(20261122)
    return [
        "".join(rng.choice(bad if rng.random() < 0.08 else good) for good, bad in parts) for _ in range(count)
    ]


def test_simple_point_lookups_read_as_the_tokens_read_them():
    """``analyse`` answers the commonest point lookups without tokenising; the answer must not change."""
    texts = [*_near_point_lookups(6000), *POINT_LOOKUPS, *NOT_POINT_LOOKUPS]
    fast = 0
    for text in texts:
        assert analyse(text, prefixes=QUERY_PREFIXES) == _analyse_tokens(text, QUERY_PREFIXES), text
        fast += sparql_text._SIMPLE_POINT.fullmatch(text) is not None
    # The comparison means something only if many texts took the short way, and many did not.
    assert 300 < fast < len(texts) - 300


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?p ?o WHERE { <http://a> ?p ?o } # 17",
        "select ?s where { ?s a <http://c> . }",
        "SELECT ?o {<http://a> <http://p> ?o}",
    ],
)
def test_the_benchmark_point_lookups_take_the_short_way(query):
    assert sparql_text._SIMPLE_POINT.fullmatch(query)
    assert analyse(query).point_lookup
