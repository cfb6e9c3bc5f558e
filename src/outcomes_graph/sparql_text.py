"""What a free-form SPARQL query is, read from its tokens before anything is evaluated.

pyoxigraph only meets ``SERVICE`` while it evaluates (and then it does open the
connection), has no parse-only call, and exposes neither the query form nor its
dataset clauses. So the text is tokenised here the way the SPARQL grammar lexes it:
comments, strings and IRIs are single tokens, keywords are case-insensitive words.
A word hidden in a comment, a string or an IRI is not a keyword, and a keyword can
never hide from the check.

>>> shape = analyse('SELECT * WHERE { ?s ?p "SERVICE" } # SERVICE in a comment')
>>> shape.form, shape.service
('select', None)
>>> analyse("select * { service <http://127.0.0.1:9/> { ?s ?p ?o } }").service
Position(line=1, column=12)
>>> with_row_limit("SELECT * { ?s ?p ?o } # no limit", analyse("SELECT * { ?s ?p ?o } # no limit"), 100)
'SELECT * { ?s ?p ?o } # no limit\\nLIMIT 101'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, NamedTuple
from urllib.parse import urljoin

__all__ = [
    "Position",
    "QueryForm",
    "QueryShape",
    "Token",
    "analyse",
    "is_point_lookup",
    "tokenise",
    "with_row_limit",
]

QueryForm = Literal["select", "construct", "describe", "ask"]
_FORMS: dict[str, QueryForm] = {
    "SELECT": "select",
    "CONSTRUCT": "construct",
    "DESCRIBE": "describe",
    "ASK": "ask",
}
_UPDATES = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)  # fmt: skip

# The SPARQL 1.1 lexer (grammar §19.8), reduced to what matters here: where comments,
# strings and IRIs start and end. Long strings come before short ones, IRIs before "<".
# Every repetition is written as runs of plain characters between escapes ("unrolled"),
# not as one alternation per character: the same tokens, several times faster, and
# tokenising is on the path of every request.
_IRI_PLAIN = r"""[^<>"{}|^`\\\x00-\x20]"""
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_LOCAL_ESC = r"""\\[_~.\-!$&'()*+,;=/?#@%]"""
_NAME_PLAIN = r"[\w:%\-\u00B7]"
_WORD_CHAR = rf"(?:{_NAME_PLAIN}|{_LOCAL_ESC})"
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''|\"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*\"\"\"
               |'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'|"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*")
  | (?P<iri><{_IRI_PLAIN}*(?:(?:{_UCHAR}){_IRI_PLAIN}*)*>)
  | (?P<var>[?$]\w+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>{_WORD_CHAR}{_NAME_PLAIN}*+(?:(?:{_LOCAL_ESC}|\.(?={_WORD_CHAR})){_NAME_PLAIN}*+)*+)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# The commonest point lookup, written out whole: SELECT over one triple pattern whose
# terms are variables, full IRIs or ``a``, optionally followed by one comment. A text it
# matches has the shape _SIMPLE_POINT_SHAPE, which the tokens would give too
# (test_simple_point_lookups_read_as_the_tokens_read_them); one C-level match costs a
# small part of tokenising, and point lookups are the endpoint's busiest queries.
_TERM = rf"[?$]\w++|<{_IRI_PLAIN}*>"
_SIMPLE_POINT = re.compile(
    rf"""\s*SELECT(?:\s+[?$]\w++)+\s*(?:WHERE\s*)?\{{\s*
    (?P<s>{_TERM})\s+(?:{_TERM}|(?-i:a))\s+(?P<o>{_TERM})\s*\.?\s*\}}\s*(?:\#[^\r\n]*)?\s*""",
    re.VERBOSE | re.IGNORECASE,
)
_OPERAND_END = frozenset({"var", "string", "langtag", "word", "iri"})


@dataclass(frozen=True)
class Position:
    """A 1-based line and column, as pyoxigraph reports them."""

    line: int
    column: int


class Token(NamedTuple):
    """One significant token: its lexical kind, text, offset, and brace and parenthesis depth.

    A tuple, not a dataclass: every query is tokenised on the request path, and a frozen
    dataclass costs several times as much to make.
    """

    kind: str
    text: str
    start: int
    braces: int
    parens: int

    @property
    def keyword(self) -> str:
        """The upper-cased word, or "" when the token is not a plain word (``ex:a`` is not)."""
        return self.text.upper() if self.kind == "word" and ":" not in self.text else ""


@dataclass(frozen=True)
class QueryShape:
    """The facts about a query that must be known before it runs."""

    form: QueryForm | None
    update: str | None = None
    service: Position | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    limit: Token | None = None
    values: Token | None = None
    undeclared_prefixes: frozenset[str] = frozenset()
    #: The query is one triple pattern with a fixed subject or object and nothing else
    #: (see :func:`is_point_lookup`): its cost is bounded by the rows it may return.
    point_lookup: bool = False

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def tokenise(query: str) -> list[Token]:
    """Significant tokens (no whitespace or comments), each with its brace and parenthesis depth."""
    tokens: list[Token] = []
    braces = parens = 0
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        text = match.group()
        if kind == "punct":
            if text in "})":
                braces -= text == "}"
                parens -= text == ")"
            tokens.append(Token(kind, text, match.start(), braces, parens))
            braces += text == "{"
            parens += text == "("
            continue
        tokens.append(Token(kind, text, match.start(), braces, parens))
    return tokens


def analyse(query: str, *, prefixes: dict[str, str] | None = None) -> QueryShape:
    """The form, refusals (``SERVICE``, updates), dataset clauses and top-level ``LIMIT`` of ``query``.

    ``prefixes`` are the ones predeclared for every query; ``undeclared_prefixes`` lists
    those the query uses without declaring them itself.
    """
    simple = _SIMPLE_POINT.fullmatch(query)
    if simple is not None and "<" in (simple["s"][0], simple["o"][0]):
        return _SIMPLE_POINT_SHAPE
    return _analyse_tokens(query, prefixes or {})


def _analyse_tokens(query: str, defaults: dict[str, str]) -> QueryShape:
    tokens = tokenise(query)
    declared: dict[str, str] = {}
    used: set[str] = set()
    base = ""
    form: QueryForm | None = None
    update: str | None = None
    service: Position | None = None
    default_graphs: list[str] = []
    named_graphs: list[str] = []
    limit = values = None
    for i, token in enumerate(tokens):
        word = token.keyword
        if token.kind == "word" and ":" in token.text:
            used.add(token.text.partition(":")[0])
        if word == "SERVICE" or _hides_service(tokens, i):
            service = service or _position(query, token.start)
        if token.braces or token.parens or not word:
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if form is None and update is None:
            if word == "BASE" and following and following.kind == "iri":
                base = _iri(following.text, base)
            elif word == "PREFIX" and following and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
                declared[following.text.rstrip(":").rstrip()] = _iri(tokens[i + 2].text, base)
            elif word in _FORMS:
                form = _FORMS[word]
            elif word in _UPDATES:
                update = word
        elif word == "FROM" and following:
            named = following.keyword == "NAMED"
            target = tokens[i + 2] if named and i + 2 < len(tokens) else following
            iri = _resolve(target, {**defaults, **declared}, base)
            if iri is not None:
                (named_graphs if named else default_graphs).append(iri)
        elif word == "LIMIT" and limit is None:
            limit = following
        elif word == "VALUES" and values is None:
            values = token
    undeclared = frozenset(p for p in used - declared.keys() if p in defaults)
    point = form is not None and is_point_lookup(tokens)
    return QueryShape(form, update, service, default_graphs, named_graphs, limit, values, undeclared, point)


_SIMPLE_POINT_SHAPE = QueryShape("select", point_lookup=True)


def is_point_lookup(tokens: list[Token]) -> bool:
    """Whether the query is a point lookup: one triple pattern with a fixed subject or object, and no more.

    ``[prologue] SELECT vars|* [WHERE] { s p o [.] } [LIMIT n]``, ``ASK [WHERE] { s p o }``,
    or ``DESCRIBE <iri>`` alone. Nothing else is allowed: no second pattern, no
    ``FILTER``, ``OPTIONAL``, ``DISTINCT``, ``ORDER BY``, ``OFFSET``, expression, dataset
    clause or path. Evaluating such a query is one scan of one index range that starts at
    the fixed term and yields a row per match, so ``LIMIT`` (which the endpoint caps at
    ``max_result_rows`` + 1) bounds its whole cost; and with no keyword other than those
    above, it can never reach the network.

    >>> is_point_lookup(tokenise("SELECT ?p ?o WHERE { <http://a> ?p ?o } # any comment"))
    True
    >>> is_point_lookup(tokenise('ASK { ?s rdfs:label "x"@en }'))
    True
    >>> is_point_lookup(tokenise("SELECT * { ?s ?p ?o }"))
    False
    >>> is_point_lookup(tokenise("SELECT DISTINCT ?p { ?s ?p <http://a> }"))
    False
    """
    i = 0
    while i < len(tokens) and tokens[i].keyword in ("BASE", "PREFIX"):
        i += 3 if tokens[i].keyword == "PREFIX" else 2
    if i >= len(tokens):
        return False
    form = tokens[i].keyword
    rest = tokens[i + 1 :]
    if form == "DESCRIBE":
        return len(rest) == 1 and _is_constant(rest[0])
    if form == "SELECT":
        projection = 0
        while projection < len(rest) and rest[projection].kind == "var":
            projection += 1
        if projection == 0 and rest and rest[0].text == "*":
            projection = 1
        if projection == 0:
            return False
        rest = rest[projection:]
    elif form != "ASK":
        return False
    if rest and rest[0].keyword == "WHERE":
        rest = rest[1:]
    if len(rest) >= 2 and rest[-2].keyword == "LIMIT" and rest[-1].text.isdigit() and form == "SELECT":
        rest = rest[:-2]
    if len(rest) < 5 or rest[0].text != "{" or rest[-1].text != "}":
        return False
    pattern = rest[1:-1]
    if pattern[-1].text == ".":
        pattern = pattern[:-1]
    if any(t.kind == "punct" and t.text not in "^" for t in pattern):
        return False
    subject, predicate, obj = pattern[0], pattern[1], pattern[2:]
    return (
        _is_term(subject)
        and (_is_term(predicate) or predicate.text == "a")
        and _is_object(obj)
        and (_is_constant(subject) or _is_constant(obj[0]))
    )


def _is_term(token: Token) -> bool:
    """A variable, an IRI or a prefixed name (blank nodes count as variables)."""
    return token.kind in ("var", "iri") or (token.kind == "word" and ":" in token.text)


def _is_constant(token: Token) -> bool:
    if token.kind in ("iri", "string"):
        return True
    if token.kind != "word":
        return False
    if ":" in token.text:
        return not token.text.startswith("_:")
    return _NUMBER.fullmatch(token.text) is not None


def _is_object(tokens: list[Token]) -> bool:
    """One term or literal: ``"x"``, ``"x"@en``, ``"x"^^type``, a number or a boolean."""
    first = tokens[0]
    if len(tokens) == 1:
        return _is_term(first) or _is_constant(first) or first.keyword in ("TRUE", "FALSE")
    if first.kind != "string":
        return False
    if len(tokens) == 2:
        return tokens[1].kind == "langtag"
    datatype = tokens[3] if len(tokens) == 4 else None
    return (
        datatype is not None
        and tokens[1].text == tokens[2].text == "^"
        and _is_term(datatype)
        and datatype.kind != "var"
    )


def with_row_limit(query: str, shape: QueryShape, max_rows: int) -> str | None:
    """``query`` with its top-level ``LIMIT`` at most ``max_rows + 1``, or None when it already is.

    The one extra row tells the caller that the answer was cut. ``ASK`` has no rows.
    """
    if shape.form in (None, "ask"):
        return None
    bound = max_rows + 1
    if shape.limit is not None:
        if shape.limit.text.isdigit() and int(shape.limit.text) <= max_rows:
            return None
        end = shape.limit.start + len(shape.limit.text)
        return f"{query[: shape.limit.start]}{bound}{query[end:]}"
    if shape.values is not None:
        at = shape.values.start
        return f"{query[:at]}LIMIT {bound}\n{query[at:]}"
    return f"{query}\nLIMIT {bound}"


def _hides_service(tokens: list[Token], i: int) -> bool:
    """An IRI right after an operand inside parentheses is read by pyoxigraph as ``<`` (less than).

    Its text is then query text, so it must not be allowed to hide a SERVICE keyword.
    """
    token = tokens[i]
    if token.kind != "iri" or not token.parens or i == 0:
        return False
    before = tokens[i - 1]
    if before.kind not in _OPERAND_END and before.text != ")":
        return False
    return any(t.keyword == "SERVICE" for t in tokenise(token.text[1:]))


def _resolve(token: Token, prefixes: dict[str, str], base: str) -> str | None:
    if token.kind == "iri":
        return _iri(token.text, base)
    if token.kind == "word" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(_LOCAL_ESC, lambda m: m.group()[1:], local)
    return None


def _iri(text: str, base: str) -> str:
    body = re.sub(
        r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
        lambda m: chr(int(m.group(1) or m.group(2), 16)),
        text[1:-1],
    )
    return urljoin(base, body) if base else body


def _position(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    return Position(line, offset - (text.rfind("\n", 0, offset) + 1) + 1)
