from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from outcomes_graph.errors import SourceError
from outcomes_graph.turtle import parse_turtle


def test_syntax_error_names_line(tmp_path):
    path = tmp_path / "scheme.ttl"
    path.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', encoding="utf-8"
    )
    with pytest.raises(SourceError, match="is not valid Turtle") as err:
        parse_turtle(path, Graph(), {})
    assert err.value.location.line == 3
    assert str(path) in str(err.value)


def test_subjects_are_traced_to_their_line(tmp_path):
    path = tmp_path / "scheme.ttl"
    path.write_text(
        "@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c .\n<http://example.org/d>\n    ex:b ex:c .\n",
        encoding="utf-8",
    )
    origins: dict = {}
    graph = Graph()
    parse_turtle(path, graph, origins)
    assert len(graph) == 2
    assert origins[URIRef("http://example.org/a")].line == 3
    assert origins[URIRef("http://example.org/d")].line == 4
