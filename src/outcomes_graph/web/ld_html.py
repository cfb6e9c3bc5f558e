"""Plain HTML for linked-data documents: valid HTML5, every value escaped, alternates linked.

The pages issue makes these good; until then they show every statement, grouped by subject,
with labels in place of IRIs where the description has them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from html import escape

import pyoxigraph as ox

from outcomes_graph.linked_data_describe import LdDocument, MappingRecord
from outcomes_graph.linked_data_dumps import DumpSet
from outcomes_graph.linked_data_jsonld import Context
from outcomes_graph.vocab import DCTERMS, RDFS, SKOS, XSD
from outcomes_graph.web.ld_negotiate import LdFormat

__all__ = ["Alternate", "downloads_page", "ld_page", "not_found_page", "page"]

Alternate = tuple[LdFormat, str]  # a format and the path that serves it

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;line-height:1.4}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}"
    "th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "th{width:16rem;font-weight:600}code{word-break:break-all}.capped{background:#fff3cd;padding:.5rem}"
    "nav a{margin-right:1rem}small{color:#555}"
)


def local_href(iri: str, base: str) -> str:
    """Where a browser on this server finds ``iri``: ``id/...`` pages directly at ``/doc/...``."""
    if not iri.startswith(base):
        return iri
    rest = iri[len(base) :]
    return "/doc/" + rest[3:] if rest.startswith("id/") else "/" + rest


def page(title: str, body: str, *, alternates: Sequence[Alternate] = ()) -> str:
    links = "".join(
        f'<link rel="alternate" type="{escape(fmt.media_type)}" href="{escape(href)}">'
        for fmt, href in alternates
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} · outcomes-graph</title>\n{links}\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n"
        '<nav><a href="/def/">Vocabulary</a><a href="/catalog">Catalogue</a>'
        '<a href="/.well-known/void">VoID</a><a href="/download/">Downloads</a>'
        '<a href="/sparql">SPARQL</a></nav>\n'
        f"<main>\n<h1>{escape(title)}</h1>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _alternates_list(alternates: Sequence[Alternate]) -> str:
    items = "".join(
        f'<li><a href="{escape(href)}" type="{escape(fmt.media_type)}">{escape(fmt.name.title())}</a> '
        f"<small>{escape(fmt.media_type)}</small></li>"
        for fmt, href in alternates
        if fmt is not LdFormat.HTML
    )
    return f"<h2>Other formats</h2>\n<ul>{items}</ul>" if items else ""


class _Terms:
    """Display of RDF terms: labels where known, prefixed names otherwise, links for IRIs."""

    def __init__(self, ctx: Context, labels: dict[str, str], base: str) -> None:
        self.ctx, self.labels, self.base = ctx, labels, base

    def iri(self, value: str) -> str:
        label = self.labels.get(value)
        shown = escape(label) if label else f"<code>{escape(self.ctx.curie(value))}</code>"
        title = f' title="{escape(value)}"' if label else ""
        return f'<a href="{escape(local_href(value, self.base))}"{title}>{shown}</a>'

    def term(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            return f'<a href="#b-{escape(term.value)}"><code>_:{escape(term.value)}</code></a>'
        note = f" <small>@{escape(term.language)}</small>" if term.language else ""
        datatype = term.datatype.value
        if not term.language and datatype != str(XSD.string):
            note = f" <small>{escape(self.ctx.curie(datatype))}</small>"
        return f"{escape(term.value)}{note}"


def _statement_table(rows: Iterable[ox.Triple], terms: _Terms, *, inbound: bool = False) -> str:
    body = "".join(
        f"<tr><th>{terms.term(t.subject)}</th><td>{terms.iri(t.predicate.value)}</td></tr>"  # type: ignore[arg-type]
        if inbound
        else f"<tr><th>{terms.iri(t.predicate.value)}</th><td>{terms.term(t.object)}</td></tr>"  # type: ignore[arg-type]
        for t in rows
    )
    return f"<table>\n<tbody>{body}</tbody>\n</table>"


def _mapping_table(records: Sequence[MappingRecord], terms: _Terms) -> str:
    def cell(value: str | None, *, link: bool = True) -> str:
        if value is None:
            return "<td></td>"
        return f"<td>{terms.iri(value) if link and ':' in value else escape(value)}</td>"

    rows = "".join(
        "<tr>"
        + cell(r.subject)
        + ("<td>not " if r.modifier else "<td>")
        + (terms.iri(r.predicate) if r.predicate else "")
        + "</td>"
        + cell(r.object)
        + cell(r.status)
        + cell(None if r.confidence is None else f"{r.confidence:g}", link=False)
        + cell(r.justification)
        + "<td>"
        + " ".join(
            f'<a href="{escape(local_href(s, terms.base))}">{escape(terms.ctx.curie(s))}</a>'
            for s in r.sources
        )
        + "</td>"
        + cell(r.record)
        + "</tr>"
        for r in records
    )
    head = "".join(
        f"<th scope='col'>{h}</th>"
        for h in (
            "subject",
            "predicate",
            "object",
            "status",
            "confidence",
            "justification",
            "sources",
            "record",
        )
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>{rows}</tbody>\n</table>"


def ld_page(doc: LdDocument, ctx: Context, *, base: str, alternates: Sequence[Alternate]) -> str:
    """The HTML of a description: its statements, what links to it, its mappings, other subjects."""
    terms = _Terms(ctx, doc.labels, base)
    topic = doc.topic
    records = {m.record for m in doc.mappings}
    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = defaultdict(list)
    inbound = []
    for t in doc.triples:
        subject = t.subject
        if isinstance(subject, ox.Triple):
            continue
        if subject == topic:
            by_subject[topic].append(t)
        elif t.object == topic and subject.value not in records:
            inbound.append(t)
        elif subject.value not in records:
            by_subject[subject].append(t)
    parts = [f"<p><code>{escape(topic.value)}</code></p>"]
    if doc.capped:
        caps = ", ".join(f"{escape(part)}: {limit}" for part, limit in sorted(doc.capped.items()))
        parts.append(
            f'<p class="capped">This description is capped ({caps}); the SPARQL endpoint has the rest.</p>'
        )
    parts.append(_statement_table(by_subject.pop(topic, []), terms))
    if inbound:
        parts.append("<h2>Links to this</h2>\n" + _statement_table(inbound, terms, inbound=True))
    if doc.mappings:
        parts.append(f"<h2>Mappings ({len(doc.mappings)})</h2>\n" + _mapping_table(doc.mappings, terms))
    others = [s for s in by_subject if not _labels_only(by_subject[s])]
    if others:
        parts.append("<h2>Related resources</h2>")
        for subject in others:
            anchor = f' id="b-{escape(subject.value)}"' if isinstance(subject, ox.BlankNode) else ""
            parts.append(
                f"<h3{anchor}>{terms.term(subject)}</h3>\n" + _statement_table(by_subject[subject], terms)
            )
    parts.append(_alternates_list(alternates))
    return page(doc.title, "\n".join(parts), alternates=alternates)


_LABEL_PREDICATES = {str(SKOS.prefLabel), str(RDFS.label), str(DCTERMS.title)}


def _labels_only(triples: list[ox.Triple]) -> bool:
    return all(t.predicate.value in _LABEL_PREDICATES for t in triples)


def not_found_page(iri: str, detail: str) -> str:
    body = f"<p>{escape(detail)}</p>\n<p><code>{escape(iri)}</code></p>\n" + (
        '<p>Browse the <a href="/catalog">catalogue</a> or the <a href="/def/">vocabulary</a>.</p>'
    )
    return page("Not found", body)


def downloads_page(dumps: DumpSet, *, license_iri: str, alternates: Sequence[Alternate]) -> str:
    rows = "".join(
        f'<tr id="{escape(f.name)}"><td><a href="/download/{escape(f.name)}">{escape(f.name)}</a></td>'
        f"<td>{escape(f.title)}</td><td>{escape(f.media_type)}</td><td>{f.bytes}</td>"
        f"<td><code>{escape(f.sha256)}</code></td></tr>"
        for f in dumps.files
    )
    head = "".join(
        f"<th scope='col'>{h}</th>" for h in ("file", "contents", "media type", "bytes", "SHA-256")
    )
    body = (
        f"<p>Version (build) <code>{escape(dumps.build_id)}</code>. Every file is published under the "
        f'<a href="{escape(license_iri)}">Open Government Licence v3.0</a>. The SSSOM crosswalks are one '
        "TSV file per mapping set, under <code>sssom/</code>.</p>\n"
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>{rows}</tbody>\n</table>\n"
        + _alternates_list(alternates)
    )
    return page("Downloads", body, alternates=alternates)
