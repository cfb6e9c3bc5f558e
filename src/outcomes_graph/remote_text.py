"""The query text a remote store sends: parameters bound by ``VALUES`` clauses where pre-binding puts them.

A SPARQL 1.1 endpoint cannot receive pyoxigraph's ``substitutions`` (SEP-0007
pre-binding), so :func:`prepare` writes each parameter into the query as a one-row
``VALUES`` clause built from the term's canonical N-Triples form (``str()`` of a
pyoxigraph ``NamedNode`` or ``Literal``, which pyoxigraph has already validated and
escaped); user text never reaches the query as text.

Pre-binding gives the variable its value before evaluation, in the query's ``WHERE``
group and in every subquery that projects it, so ``BIND``, ``FILTER`` and ``EXISTS``
read it and a subquery's ``LIMIT`` cuts the parameter's own solutions. The clauses go
to the same places:

- at the head of the query's ``WHERE`` group, where ``BIND`` and ``FILTER`` of that
  group read it (a clause after the whole query would be joined only after grouping,
  so ``COUNT`` and the like would have run without it);
- at the head of the ``WHERE`` group of each subquery that projects the variable by
  name (through every enclosing subquery), so its ``LIMIT`` sees it;
- at the tail of a group that assigns the variable itself with ``BIND(... AS ?v)``
  (SPARQL refuses a ``BIND`` to a variable already in scope): joined after the
  assignment, the value checks it, as pre-binding does;
- around a group whose whole body is a subquery (``{ VALUES ... { SELECT ... } }``),
  since nothing may precede ``SELECT`` there.

Where the two still differ: a parameter read only by a ``FILTER`` or ``BIND`` of a
nested group (``{ { ... FILTER(?o = ?v) } }``) sees it under pre-binding and not here,
so named queries read their parameters at the level of their ``WHERE`` group or match
them in a triple pattern; a ``SELECT *`` subquery that mentions a parameter is refused,
since whether it projects it depends on scoping rules this reading does not model.
``tests/test_remote_store.py`` runs every named query both ways.

The predeclared prefixes of ``prefixes=True`` are sent as a one-line prologue, holding
only the prefixes the query uses without declaring them; positions in the endpoint's
syntax errors then count that extra first line. The clauses themselves never add a line.

>>> import pyoxigraph as ox
>>> hostile = ox.Literal('x" } } ; DROP ALL #')
>>> print(prepare("SELECT ?v WHERE { BIND(STRLEN(?v) AS ?n) }", substitutions={ox.Variable("v"): hostile}))
SELECT ?v WHERE { VALUES (?v) { ("x\\" } } ; DROP ALL #") } BIND(STRLEN(?v) AS ?n) }
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import pyoxigraph as ox

from outcomes_graph.errors import QueryError
from outcomes_graph.sparql_text import Token, analyse, tokenise

__all__ = ["bind_parameters", "prepare", "values_clause"]


def prepare(
    sparql: str,
    *,
    substitutions: Mapping[ox.Variable, Any] | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> str:
    """``sparql`` ready for a remote endpoint: parameters bound, undeclared prefixes declared.

    Refuses (``QueryError``) ``SERVICE``, which would make the endpoint contact another
    server (DESIGN §6).
    """
    shape = analyse(sparql, prefixes=dict(prefixes or {}))
    if shape.service is not None:
        raise QueryError(
            f"SERVICE (federated query) is not allowed (line {shape.service.line}, column "
            f"{shape.service.column}): the SPARQL endpoint must never contact another server"
        )
    text = bind_parameters(sparql, substitutions) if substitutions else sparql
    if prefixes and shape.undeclared_prefixes:
        prologue = " ".join(
            f"PREFIX {name}: {ox.NamedNode(prefixes[name])}" for name in sorted(shape.undeclared_prefixes)
        )
        text = f"{prologue}\n{text}"
    return text


def values_clause(substitutions: Mapping[ox.Variable, Any]) -> str:
    """``VALUES (?a ?b) { (<iri> "literal") }``: one row, from pyoxigraph terms only.

    >>> import pyoxigraph as ox
    >>> values_clause({ox.Variable("n"): ox.NamedNode("https://example.org/a")})
    'VALUES (?n) { (<https://example.org/a>) }'
    """
    names: list[str] = []
    terms: list[str] = []
    for variable, term in substitutions.items():
        if not isinstance(variable, ox.Variable):
            raise QueryError(f"cannot bind {variable!r}: parameters are bound to pyoxigraph Variables")
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise QueryError(
                f"cannot bind {variable} to {term!r} on a remote store: only IRIs and literals can be "
                "sent in a VALUES clause"
            )
        names.append(str(variable))
        terms.append(str(term))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


@dataclass(frozen=True)
class _Insert:
    offset: int
    text: str


def bind_parameters(sparql: str, substitutions: Mapping[ox.Variable, Any]) -> str:
    """``sparql`` with each parameter bound by ``VALUES`` clauses where pre-binding would bind it.

    >>> import pyoxigraph as ox
    >>> sub = "SELECT ?r ?o WHERE { { SELECT ?r ?o WHERE { ?r ?p ?o } LIMIT 2 } }"
    >>> print(bind_parameters(sub, {ox.Variable("r"): ox.NamedNode("https://example.org/a")}))
    ... # doctest: +NORMALIZE_WHITESPACE
    SELECT ?r ?o WHERE { VALUES (?r) { (<https://example.org/a>) }
      { SELECT ?r ?o WHERE { VALUES (?r) { (<https://example.org/a>) } ?r ?p ?o } LIMIT 2 } }
    """
    clauses = {str(variable)[1:]: values_clause({variable: term}) for variable, term in substitutions.items()}
    tokens = tokenise(sparql)
    where = _top_where(tokens)
    if where is None:
        # No group (``DESCRIBE <iri>``): a clause after the query is the only place left.
        return f"{sparql}\n{values_clause(substitutions)}\n"
    inserts: list[_Insert] = []
    _bind_group(tokens, where, clauses, inserts)
    text = sparql
    for insert in sorted(inserts, key=lambda i: i.offset, reverse=True):
        text = text[: insert.offset] + insert.text + text[insert.offset :]
    return text


def _name(token: Token) -> str:
    return token.text[1:]


def _top_where(tokens: list[Token]) -> int | None:
    """The index of the ``{`` that opens the query's ``WHERE`` group (a ``CONSTRUCT`` template is not it)."""
    for i, token in enumerate(tokens):
        if token.keyword == "WHERE" and not token.braces and not token.parens:
            return i + 1 if i + 1 < len(tokens) and tokens[i + 1].text == "{" else None
    # ``WHERE`` is optional before the group of SELECT, ASK and DESCRIBE.
    opening = (i for i, t in enumerate(tokens) if t.kind == "punct" and t.text == "{" and not t.parens)
    return next(opening, None)


def _closing(tokens: list[Token], opening: int) -> int:
    depth = tokens[opening].braces
    for i in range(opening + 1, len(tokens)):
        if tokens[i].kind == "punct" and tokens[i].text == "}" and tokens[i].braces == depth:
            return i
    raise QueryError("the query has an unclosed '{'")


def _bind_group(tokens: list[Token], opening: int, clauses: dict[str, str], inserts: list[_Insert]) -> None:
    """Bind ``clauses`` (by variable name) in the group opened at ``opening`` and in the subqueries it
    holds that project them."""
    closing = _closing(tokens, opening)
    i = opening + 1
    while i < closing:
        token = tokens[i]
        if token.keyword == "SELECT" and tokens[i - 1].text == "{":
            projected, where = _projection(tokens, i, clauses)
            inner = {name: clause for name, clause in clauses.items() if name in projected}
            if inner and where is not None:
                _bind_group(tokens, where, inner, inserts)
            i = _closing(tokens, i - 1)
        i += 1
    level = tokens[opening].braces + 1
    start, end = tokens[opening].start + 1, tokens[closing].start
    if tokens[opening + 1].keyword == "SELECT":
        head = " ".join(clauses.values())
        inserts += [_Insert(start, f" {head} {{"), _Insert(end, "} ")]
        return
    assigned = _assigned(tokens[opening + 1 : closing], level)
    for name, clause in clauses.items():
        inserts.append(_Insert(end, f"{clause} ") if name in assigned else _Insert(start, f" {clause}"))


def _projection(tokens: list[Token], select: int, clauses: dict[str, str]) -> tuple[set[str], int | None]:
    """The variables a subquery projects by name, and the index of its ``WHERE`` group's ``{``."""
    head = tokens[select]
    projected: set[str] = set()
    star = False
    for i in range(select + 1, len(tokens)):
        token = tokens[i]
        same_level = token.braces == head.braces and token.parens == head.parens
        if same_level and (token.keyword == "WHERE" or token.text == "{"):
            where = i + 1 if token.keyword == "WHERE" else i
            if star and any(_mentions(tokens, where, name) for name in clauses):
                raise QueryError(
                    "a SELECT * subquery mentions a query parameter; name its projected variables, so "
                    "that the parameter binds the same way on every store"
                )
            return projected, where
        if token.kind == "var" and same_level:
            projected.add(_name(token))
        star = star or (same_level and token.text == "*")
    return projected, None


def _mentions(tokens: list[Token], opening: int, name: str) -> bool:
    return any(t.kind == "var" and _name(t) == name for t in tokens[opening : _closing(tokens, opening)])


def _assigned(body: list[Token], level: int) -> set[str]:
    """Variables that a ``BIND(... AS ?v)`` of this group (not of a nested one) assigns."""
    return {
        _name(after)
        for before, after in pairwise(body)
        if before.keyword == "AS" and before.braces == level and after.kind == "var"
    }
