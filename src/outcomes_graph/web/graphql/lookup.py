"""Finding a concept or framework from what a developer has: an IRI, a CURIE, a code or an identifier."""

from __future__ import annotations

import pyoxigraph as ox

from outcomes_graph.output import compact
from outcomes_graph.vocab import CURIE_PREFIXES
from outcomes_graph.web.graphql.concepts import is_concept
from outcomes_graph.web.graphql.context import Info
from outcomes_graph.web.graphql.errors import UserError, bad_input, did_you_mean, not_found
from outcomes_graph.web.graphql.frameworks import framework_by_slug

__all__ = ["cell", "expand", "lookup", "resolve_concept", "slug_of", "suggestions"]


#: Which concept-lookup matches each lookup argument accepts.
_LOOKUP_FIELDS = {
    "notation": ("notation",),
    "fingertipsId": ("fingertips-id",),
    "lgInformId": ("lg-inform-id",),
}


def cell(row: dict[str, dict[str, str]], name: str) -> str:
    cell = row.get(name)
    return cell["value"] if cell else ""


def expand(text: str) -> str:
    """An absolute IRI from an IRI or a CURIE such as ``phof:indicator/90631``; an error otherwise."""
    value = text.strip()
    prefix, sep, rest = value.partition(":")
    if sep and prefix in CURIE_PREFIXES and rest and not rest.startswith("//"):
        value = CURIE_PREFIXES[prefix] + rest
    try:
        return ox.NamedNode(value).value
    except ValueError:
        raise bad_input(
            f"{text!r} is not an IRI or a known CURIE (prefixes: {', '.join(CURIE_PREFIXES)})"
        ) from None


async def slug_of(info: Info, framework: str) -> str:
    """A framework slug checked against the graph (NOT_FOUND with suggestions otherwise)."""
    return (await framework_by_slug(info, framework)).slug


async def suggestions(info: Info, text: str) -> list[str]:
    index = await info.context.index()
    hits = (await info.context.search_index()).search(text, limit=3)
    codes = {code: node.curie for node in index.nodes.values() for code in node.notations}
    close = [codes[c] for c in did_you_mean(text, codes)]
    curies = did_you_mean(compact(text), [n.curie for n in index.nodes.values()])
    return list(dict.fromkeys([*curies, *close, *(h.curie for h in hits)]))[:4]


async def resolve_concept(info: Info, text: str) -> str:
    """The IRI of a concept named by IRI, CURIE, notation or identifier (as the CLI's ``align`` accepts)."""
    if ":" in text:
        iri = expand(text)
        facts = await info.context.loaders.describe.load(iri)
        if is_concept(facts):
            return iri
    else:
        rows = await info.context.loaders.rows("concept-lookup", text=text.strip())
        best = min((int(cell(r, "rank")) for r in rows), default=None)
        nodes = sorted({cell(r, "node") for r in rows if best is not None and int(cell(r, "rank")) == best})
        if len(nodes) == 1:
            return nodes[0]
        if nodes:
            curies = [compact(n) for n in nodes]
            raise UserError(
                f"{text!r} names {len(nodes)} concepts: {', '.join(curies)}; give one of these CURIEs",
                code="AMBIGUOUS",
                suggestions=curies,
            )
    found = await suggestions(info, text)
    hint = "did you mean " + " or ".join(f"'{s}'" for s in found) + "?" if found else "try search(text:)"
    raise UserError(f"no concept '{text}'; {hint}", code="NOT_FOUND", suggestions=found)


async def lookup(info: Info, argument: str, text: str, framework: str | None) -> str:
    rows = await info.context.loaders.rows("concept-lookup", text=text.strip())
    slug = await slug_of(info, framework) if framework else None
    nodes = sorted(
        {
            cell(r, "node")
            for r in rows
            if cell(r, "match") in _LOOKUP_FIELDS[argument] and (slug is None or cell(r, "slug") == slug)
        }
    )
    if len(nodes) > 1:
        curies = [compact(n) for n in nodes]
        raise UserError(
            f"{argument} {text!r} names {len(nodes)} concepts: {', '.join(curies)}; add framework:, or "
            "ask by uri",
            code="AMBIGUOUS",
            suggestions=curies,
        )
    if not nodes:
        found = await suggestions(info, text)
        raise not_found(f"concept with {argument}", text, suggested=found, hint="try search(text:)")
    return nodes[0]
