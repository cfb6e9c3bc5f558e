"""The query text a remote store sends: parameters bound by a trailing ``VALUES`` clause.

A SPARQL 1.1 endpoint cannot receive pyoxigraph's ``substitutions`` (SEP-0007
pre-binding), so :func:`prepare` appends one trailing ``VALUES`` clause built from the
terms' canonical N-Triples form (``str()`` of a pyoxigraph ``NamedNode`` or ``Literal``,
which pyoxigraph has already validated and escaped); user text never reaches the query
as text. The semantic difference from pre-binding:

- pre-binding puts the value in place of the variable everywhere, before evaluation,
  so a ``FILTER``, ``BIND`` or ``OPTIONAL`` inside the query already sees it;
- a trailing ``VALUES`` clause is joined with the solutions of the whole ``WHERE``
  pattern (after grouping, before projection, ``ORDER BY`` and ``LIMIT``), so it keeps
  the solutions whose variable equals the value.

The two agree when every solution of the pattern binds the parameter (it is projected,
and bound by a triple pattern, a ``BIND`` or a ``GROUP BY`` key) and nothing cuts the
solutions before the join. They differ when

- the pattern only *reads* the parameter, as in ``FILTER(STR(?value) = ?text)``:
  pre-binding finds the matches, the trailing ``VALUES`` finds none;
- a subquery has a ``LIMIT`` (or ``OFFSET``): pre-binding cuts the parameter's own
  solutions, the trailing ``VALUES`` filters what the cut left of everyone's;
- the pattern leaves the parameter unbound (``OPTIONAL``): pre-binding reads the value
  there, the ``VALUES`` join fills it in afterwards.

A named query that must work on both stores binds its parameters in its pattern, above
any ``LIMIT``; ``tests/test_remote_store.py`` runs every named query both ways.

The predeclared prefixes of ``prefixes=True`` are sent as a one-line prologue, holding
only the prefixes the query uses without declaring them; positions in the endpoint's
syntax errors then count that extra first line.

>>> import pyoxigraph as ox
>>> hostile = ox.Literal('x" } } ; DROP ALL #')
>>> print(prepare("SELECT ?v WHERE {}", substitutions={ox.Variable("v"): hostile}))
SELECT ?v WHERE {}
VALUES (?v) { ("x\\" } } ; DROP ALL #") }
<BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from outcomes_graph.errors import QueryError
from outcomes_graph.sparql_text import analyse

__all__ = ["prepare", "values_clause"]


def prepare(
    sparql: str,
    *,
    substitutions: Mapping[ox.Variable, Any] | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> str:
    """``sparql`` ready for a remote endpoint: parameters bound, undeclared prefixes declared.

    Refuses (``QueryError``) ``SERVICE``, which would make the endpoint contact another
    server (DESIGN §6), and parameters for a query that already ends in ``VALUES``.
    """
    shape = analyse(sparql, prefixes=dict(prefixes or {}))
    if shape.service is not None:
        raise QueryError(
            f"SERVICE (federated query) is not allowed (line {shape.service.line}, column "
            f"{shape.service.column}): the SPARQL endpoint must never contact another server"
        )
    text = sparql
    if substitutions:
        if shape.values is not None:
            raise QueryError(
                "the query already ends in a VALUES clause, so its parameters cannot be bound on a "
                "remote store (they are sent as a trailing VALUES clause); bind them in that clause "
                "instead, or drop it"
            )
        # On its own line: a query that ends in a comment must not comment the clause out.
        text = f"{text}\n{values_clause(substitutions)}\n"
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
