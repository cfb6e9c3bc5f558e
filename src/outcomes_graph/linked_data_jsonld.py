"""The published JSON-LD context (``api/context.jsonld``) and compact JSON-LD written with it.

The context is the linked-data layer's one table of prefixes and short terms: Turtle and
HTML use its prefixes, and the few IRIs the VoID and DCAT documents need beyond
:mod:`outcomes_graph.vocab` (SPDX checksums, IANA media types) are named through it.

pyoxigraph writes only expanded JSON-LD, so compaction happens here, over a bounded list of
triples: one node object per subject, every property by its term (or a compact IRI), and a
value written as a bare string only where the term's ``@type`` makes that lossless. Expanding
the output with the context gives back exactly the input triples (``tests/web`` parses it back).

>>> ctx = Context.from_document({"@context": {"skos": "http://www.w3.org/2004/02/skos/core#",
...     "broader": {"@id": "skos:broader", "@type": "@id"}}}, url="https://example.org/context.jsonld")
>>> ctx.iri("skos:Concept")
'http://www.w3.org/2004/02/skos/core#Concept'
>>> ctx.curie("http://www.w3.org/2004/02/skos/core#broader")
'skos:broader'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox

from outcomes_graph.errors import Location as SourceLocation
from outcomes_graph.errors import SourceError
from outcomes_graph.vocab import BASE, RDF, XSD

__all__ = ["CONTEXT_FILE", "Context", "to_jsonld"]

CONTEXT_FILE = "context.jsonld"
_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)


@dataclass(frozen=True)
class Term:
    name: str
    iri: str
    coerce: str | None  # "@id", a datatype IRI, or None


class Context:
    """A JSON-LD context with simple term definitions: prefixes, terms and ``@type`` coercions."""

    def __init__(self, document: dict[str, Any], url: str) -> None:
        self.document = document
        self.url = url
        raw: Mapping[str, Any] = document["@context"]
        self.prefixes: dict[str, str] = {
            k: v for k, v in raw.items() if isinstance(v, str) and not v.startswith("@") and v[-1] in "/#"
        }
        self.terms: dict[str, Term] = {}
        for name, value in raw.items():
            if name in self.prefixes or (isinstance(value, str) and value.startswith("@")):
                continue
            definition = {"@id": value} if isinstance(value, str) else value
            coerce = definition.get("@type")
            self.terms[name] = Term(name, self.iri(definition["@id"]), self.iri(coerce) if coerce else None)
        self._by_iri = {term.iri: term for term in self.terms.values()}
        # Longest namespace first, so "ogmap:" wins over "ogid:" for a mapping record.
        self._namespaces = sorted(((ns, p) for p, ns in self.prefixes.items()), key=lambda x: -len(x[0]))

    @classmethod
    def load(cls, path: Path, *, base: str, url: str) -> Context:
        """Read the context file; IRIs under the default base are moved under ``base``."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SourceError(SourceLocation(path), "the JSON-LD context is missing") from None
        if base != BASE:
            text = text.replace(BASE, base)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(SourceLocation(path, line=exc.lineno), f"is not JSON: {exc.msg}") from None
        return cls(document, url)

    @classmethod
    def from_document(cls, document: dict[str, Any], *, url: str) -> Context:
        return cls(document, url)

    def iri(self, name: str) -> str:
        """Expand a term, a CURIE or a keyword-free IRI (``"spdx:checksum"`` → the full IRI)."""
        if name.startswith("@"):
            return name
        prefix, colon, local = name.partition(":")
        if colon and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        if name in self.terms:
            return self.terms[name].iri
        return name

    def node(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(self.iri(name))

    def curie(self, iri: str) -> str:
        """The shortest prefixed name for an IRI, or the IRI itself."""
        for namespace, prefix in self._namespaces:
            if (
                iri.startswith(namespace)
                and len(iri) > len(namespace)
                and not iri[len(namespace) :].startswith("//")
            ):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def term_for(self, predicate: str) -> Term | None:
        return self._by_iri.get(predicate)


def _ref(term: ox.NamedNode | ox.BlankNode, ctx: Context) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else ctx.curie(term.value)


def _value(obj: ox.NamedNode | ox.BlankNode | ox.Literal, term: Term | None, ctx: Context) -> Any:
    coerce = term.coerce if term else None
    if isinstance(obj, ox.NamedNode | ox.BlankNode):
        return _ref(obj, ctx) if coerce == "@id" else {"@id": _ref(obj, ctx)}
    if obj.language:
        return {"@value": obj.value, "@language": obj.language}
    datatype = obj.datatype.value
    if coerce is not None and coerce == datatype:
        return obj.value
    if datatype == _XSD_STRING:
        return obj.value if coerce is None else {"@value": obj.value}
    return {"@value": obj.value, "@type": ctx.curie(datatype)}


def to_jsonld(triples: Iterable[ox.Triple], ctx: Context, *, first: ox.NamedNode | None = None) -> bytes:
    """Compact JSON-LD of ``triples``: ``{"@context": url, "@graph": [...]}``, ``first``'s node first."""
    nodes: dict[str, dict[str, Any]] = {}
    for triple in triples:
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode | ox.BlankNode):
            continue
        key = _ref(subject, ctx)
        node = nodes.setdefault(key, {"id": key})
        predicate = triple.predicate.value
        if predicate == _RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            node.setdefault("type", []).append(ctx.curie(triple.object.value))
            continue
        term = ctx.term_for(predicate)
        name = term.name if term else ctx.curie(predicate)
        node.setdefault(name, []).append(_value(triple.object, term, ctx))  # type: ignore[arg-type]
    leading = _ref(first, ctx) if first is not None else None
    ordered = sorted(nodes, key=lambda k: (k != leading, k.startswith("_:"), k))
    graph = [
        {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in nodes[k].items()}
        for k in ordered
    ]
    return orjson.dumps({"@context": ctx.url, "@graph": graph}, option=orjson.OPT_INDENT_2)
