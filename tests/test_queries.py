from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from outcomes_graph.errors import SourceError, UsageError
from outcomes_graph.queries import QueryRegistry, parse_named_query

REPO = Path(__file__).resolve().parents[1]

LABELS = """\
# title: Labels of a thing
# description: Every label of one subject.
# param: subject (iri): the thing
# param: label (string, optional): only this label
# param: lang (string) = en: label language (unused by the query, projected so it can bind)
# example: outcomes-graph query --named labels --param subject=http://example.org/a
SELECT ?subject ?label ?lang WHERE { ?subject <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 10
"""


@pytest.fixture
def store() -> ox.Store:
    s = ox.Store()
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for subject, value in [("a", "Alpha"), ("a", 'Al" } UNION { ?s ?p ?o'), ("b", "Beta")]:
        s.add(ox.Quad(ox.NamedNode(f"http://example.org/{subject}"), label, ox.Literal(value)))
    return s


def test_header_is_parsed(tmp_path):
    path = tmp_path / "labels.rq"
    path.write_text(LABELS, encoding="utf-8")
    q = parse_named_query(path)
    assert q.title == "Labels of a thing"
    assert [(p.name, p.type, p.optional, p.default) for p in q.params] == [
        ("subject", "iri", False, None),
        ("label", "string", True, None),
        ("lang", "string", False, "en"),
    ]


def test_values_are_bound_not_pasted(tmp_path, store):
    path = tmp_path / "labels.rq"
    path.write_text(LABELS, encoding="utf-8")
    q = parse_named_query(path)
    rows = [
        s["label"].value
        for s in store.query(q.sparql, substitutions=q.substitutions({"subject": "http://example.org/a"}))
    ]
    assert sorted(rows) == ['Al" } UNION { ?s ?p ?o', "Alpha"]
    # A hostile label binds as one literal: it matches exactly the one value, never alters the query.
    hostile = q.substitutions({"subject": "http://example.org/a", "label": 'Al" } UNION { ?s ?p ?o'})
    rows = [s["label"].value for s in store.query(q.sparql, substitutions=hostile)]
    assert rows == ['Al" } UNION { ?s ?p ?o']


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "needs parameter 'subject'"),
        ({"subject": "not an iri"}, "is not an absolute IRI"),
        ({"subject": "http://example.org/a> } ; DROP ALL ; <x"}, "is not an absolute IRI"),
        (
            {"subject": "http://example.org/a", "colour": "red"},
            "has no parameter 'colour'; its parameters: subject, label, lang",
        ),
    ],
    ids=["missing", "not-iri", "iri-injection", "unknown-param"],
)
def test_bad_values_are_refused(tmp_path, values, message):
    path = tmp_path / "labels.rq"
    path.write_text(LABELS, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        parse_named_query(path).substitutions(values)


def test_malformed_query_file(tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text("# title: x\n# description: y\nSELECT ?x WHERE { ?x ", encoding="utf-8")
    with pytest.raises(SourceError, match="is not valid SPARQL"):
        parse_named_query(path)


def test_header_needs_title(tmp_path):
    path = tmp_path / "untitled.rq"
    path.write_text("# description: y\nSELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    with pytest.raises(SourceError, match="needs '# title:'"):
        parse_named_query(path)


def test_integer_param_refuses_non_numbers():
    from outcomes_graph.queries import Param, bind

    with pytest.raises(UsageError, match="is not a whole number"):
        bind(Param("n", "integer", ""), "10; DROP ALL")


def test_param_must_be_projected(tmp_path):
    path = tmp_path / "hidden.rq"
    path.write_text(
        "# title: x\n# description: y\n# param: s (iri): z\nSELECT ?o WHERE { ?s ?p ?o }", encoding="utf-8"
    )
    with pytest.raises(SourceError, match="param 's' must be a variable in the SELECT projection"):
        parse_named_query(path)


def test_bad_param_spec_names_line(tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text(
        "# title: x\n# description: y\n# param: n (colour): z\nSELECT * WHERE { ?s ?p ?o }", encoding="utf-8"
    )
    with pytest.raises(SourceError, match="param type 'colour'") as err:
        parse_named_query(path)
    assert err.value.location.line == 3


def test_every_repository_query_loads():
    registry = QueryRegistry.load(REPO / "api" / "queries")
    assert len(registry) >= 4
    for query in registry:
        assert query.examples, f"{query.name} has no example"
