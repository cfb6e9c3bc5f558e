"""The registry of named queries in ``api/queries/*.rq``, with safe parameter binding.

Each file starts with a header of ``#`` lines::

    # title: Concepts per scheme
    # description: How many concepts each framework edition holds.
    # param: scheme (iri, optional): only this scheme
    # param: min (integer) = 1: the smallest count to list
    # example: outcomes-graph query --named concepts-per-scheme --param scheme=https://w3id.org/common-outcomes/id/lof

A parameter binds the SPARQL variable of the same name through pyoxigraph's
``substitutions`` (SEP-0007), never by editing the query text; a value that does
not fit its type is refused with a message that says what is valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal as TypingLiteral

import pyoxigraph as ox

from outcomes_graph.errors import Location, SourceError, UsageError

__all__ = ["NamedQuery", "Param", "ParamType", "QueryRegistry", "bind"]

ParamType = TypingLiteral["iri", "string", "integer", "decimal", "boolean"]
PARAM_TYPES: tuple[str, ...] = ("iri", "string", "integer", "decimal", "boolean")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z]+)(?P<optional>,\s*optional)?\)"
    r"(?:\s*=\s*(?P<default>[^:]+?))?\s*:\s*(?P<doc>.*)$"
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    description: str
    default: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    examples: tuple[str, ...]
    sparql: str
    path: Path

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        valid = ", ".join(p.name for p in self.params) or "none"
        raise UsageError(f"query {self.name!r} has no parameter {name!r}; its parameters: {valid}")

    def substitutions(self, values: dict[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        """Typed terms for the given values plus defaults; unknown names and bad values are refused."""
        for name in values:
            self.param(name)
        bound: dict[ox.Variable, ox.NamedNode | ox.Literal] = {}
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None:
                if not p.optional:
                    raise UsageError(
                        f"query {self.name!r} needs parameter {p.name!r} ({p.type}): {p.description}"
                    )
                continue
            bound[ox.Variable(p.name)] = bind(p, raw)
        return bound


def bind(param: Param, raw: str) -> ox.NamedNode | ox.Literal:
    """The RDF term for one parameter value.

    >>> bind(Param("n", "integer", ""), "12")
    <Literal value=12 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    >>> bind(Param("s", "string", ""), 'a" } ; DROP ALL').value
    'a" } ; DROP ALL'
    """
    if param.type == "iri":
        try:
            node = ox.NamedNode(raw)
        except ValueError:
            raise UsageError(f"parameter {param.name!r}: {raw!r} is not an absolute IRI") from None
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", raw):
            raise UsageError(f"parameter {param.name!r}: {raw!r} is not an absolute IRI")
        return node
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?[0-9]+", raw.strip()):
            raise UsageError(f"parameter {param.name!r}: {raw!r} is not a whole number")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(_XSD + "integer"))
    if param.type == "decimal":
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise UsageError(f"parameter {param.name!r}: {raw!r} is not a number") from None
        if not value.is_finite():
            raise UsageError(f"parameter {param.name!r}: {raw!r} is not a finite number")
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "decimal"))
    if param.type == "boolean":
        if raw.lower() not in ("true", "false"):
            raise UsageError(f"parameter {param.name!r}: {raw!r} is not true or false")
        return ox.Literal(raw.lower(), datatype=ox.NamedNode(_XSD + "boolean"))
    return ox.Literal(raw)


class QueryRegistry:
    """Every named query under a folder, parsed once."""

    def __init__(self, queries: dict[str, NamedQuery]) -> None:
        self._queries = dict(sorted(queries.items()))

    @classmethod
    def load(cls, folder: Path) -> QueryRegistry:
        found: dict[str, NamedQuery] = {}
        for path in sorted(folder.glob("*.rq")):
            query = parse_named_query(path)
            found[query.name] = query
        return cls(found)

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    def get(self, name: str) -> NamedQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise UsageError(f"no named query {name!r}; available: {', '.join(self._queries)}") from None


def parse_named_query(path: Path) -> NamedQuery:
    name = path.stem
    if not _NAME.match(name):
        raise SourceError(Location(path), f"query file name {name!r} must be lower-case words joined by '-'")
    text = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": [], "example": []}
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = re.match(r"^#\s*([a-z]+):\s*(.*)$", line)
        if not match:
            continue
        key, value = match.groups()
        if key not in fields:
            raise SourceError(
                Location(path, line=number), f"unknown header field {key!r}; use {', '.join(fields)}"
            )
        fields[key].append(value.strip())
        if key == "param":
            params.append(_parse_param(path, number, value.strip()))
    if not fields["title"] or not fields["description"]:
        raise SourceError(Location(path, line=1), "needs '# title:' and '# description:' header lines")
    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        raise SourceError(Location(path), f"is not valid SPARQL: {exc}") from None
    for param in params:
        # pyoxigraph binds (SEP-0007) only variables the query projects: refuse others up front.
        try:
            ox.Store().query(text, substitutions={ox.Variable(param.name): ox.Literal("probe")})
        except RuntimeError:
            raise SourceError(
                Location(path),
                f"param {param.name!r} must be a variable in the SELECT projection (?{param.name})",
            ) from None
    return NamedQuery(
        name=name,
        title=fields["title"][0],
        description=" ".join(fields["description"]),
        params=tuple(params),
        examples=tuple(fields["example"]),
        sparql=text,
        path=path,
    )


def _parse_param(path: Path, line: int, spec: str) -> Param:
    match = _PARAM.match(spec)
    if not match:
        raise SourceError(
            Location(path, line=line),
            f"param {spec!r} must read 'name (type[, optional]) [= default]: description'",
        )
    ptype = match.group("type")
    if ptype not in PARAM_TYPES:
        raise SourceError(
            Location(path, line=line), f"param type {ptype!r} is not one of {', '.join(PARAM_TYPES)}"
        )
    default = match.group("default")
    param = Param(
        name=match.group("name"),
        type=ptype,  # type: ignore[arg-type]
        description=match.group("doc").strip(),
        default=default.strip() if default else None,
        optional=bool(match.group("optional")),
    )
    if param.default is not None:
        try:
            bind(param, param.default)
        except UsageError as exc:
            raise SourceError(Location(path, line=line), f"default does not fit: {exc}") from None
    return param
