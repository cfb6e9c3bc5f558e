"""Turtle source files: parsed with line-precise errors, and each subject traced to its line."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node, URIRef

from outcomes_graph.errors import Location, SourceError

__all__ = ["parse_turtle"]


def parse_turtle(path: Path, graph: Graph, origins: dict[Node, Location]) -> None:
    """Add the triples of a Turtle file to ``graph``; record the first line each subject is defined on.

    pyoxigraph parses first because its errors carry line and column; rdflib then
    builds the graph that SHACL validates.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(Location(path, line=line), "is not UTF-8; save the file as UTF-8") from None
    try:
        for _ in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=None):
            pass
    except SyntaxError as exc:
        # pyoxigraph fills the standard SyntaxError position (lineno, offset).
        where = Location(path, line=exc.lineno, column=f"char {exc.offset}" if exc.offset else None)
        raise SourceError(where,
                          f"is not valid Turtle: {exc}") from None  # fmt: skip
    local = Graph()
    local.parse(data=text, format="turtle")
    for triple in local:
        graph.add(triple)
    _trace_subjects(path, text, local, origins)


def _trace_subjects(path: Path, text: str, graph: Graph, origins: dict[Node, Location]) -> None:
    lines = text.splitlines()
    namespaces = [(prefix, str(ns)) for prefix, ns in graph.namespaces()]
    for subject in set(graph.subjects()):
        if not isinstance(subject, URIRef):
            continue
        spellings = [f"<{subject}>"]
        for prefix, ns in namespaces:
            if str(subject).startswith(ns) and len(str(subject)) > len(ns):
                spellings.append(f"{prefix}:{str(subject)[len(ns) :]}")
        for number, line in enumerate(lines, start=1):
            stripped = line.lstrip()
            if any(stripped.startswith(s) and _ends_term(stripped, len(s)) for s in spellings):
                origins.setdefault(subject, Location(path, line=number))
                break
        else:
            origins.setdefault(subject, Location(path))


def _ends_term(line: str, end: int) -> bool:
    return end == len(line) or line[end] in " \t;,."
