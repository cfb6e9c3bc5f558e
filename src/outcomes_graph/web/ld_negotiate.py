"""Content negotiation for linked-data documents: by file extension first, then by ``Accept``.

>>> negotiate("text/turtle;q=0.9, application/ld+json", ALL_FORMATS)
<LdFormat.JSONLD: 'jsonld'>
>>> negotiate("*/*", ALL_FORMATS)
<LdFormat.HTML: 'html'>
>>> negotiate("image/png", ALL_FORMATS) is None
True
>>> split_extension("phof/indicator/90631.ttl")
('phof/indicator/90631', <LdFormat.TURTLE: 'ttl'>)
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

__all__ = [
    "ALL_FORMATS",
    "RDF_FORMATS",
    "LdFormat",
    "negotiate",
    "parse_accept",
    "split_extension",
    "wants_html",
]


class LdFormat(Enum):
    """A representation of a linked-data document; the value is its file extension."""

    HTML = "html"
    TURTLE = "ttl"
    JSONLD = "jsonld"
    NTRIPLES = "nt"
    RDFXML = "rdf"
    JSON = "json"
    CSV = "csv"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPE[self]

    @property
    def content_type(self) -> str:
        return self.media_type + ("; charset=utf-8" if self in _TEXTUAL else "")

    @property
    def extension(self) -> str:
        return "." + self.value


_MEDIA_TYPE = {
    LdFormat.HTML: "text/html",
    LdFormat.TURTLE: "text/turtle",
    LdFormat.JSONLD: "application/ld+json",
    LdFormat.NTRIPLES: "application/n-triples",
    LdFormat.RDFXML: "application/rdf+xml",
    LdFormat.JSON: "application/json",
    LdFormat.CSV: "text/csv",
}
_TEXTUAL = {LdFormat.HTML, LdFormat.TURTLE, LdFormat.NTRIPLES, LdFormat.CSV}
# Other names clients send for the same formats.
_ALIASES = {
    "application/xhtml+xml": LdFormat.HTML,
    "application/x-turtle": LdFormat.TURTLE,
    "text/n3": LdFormat.TURTLE,
    "text/plain": LdFormat.NTRIPLES,
    "application/xml": LdFormat.RDFXML,
    "text/xml": LdFormat.RDFXML,
}

#: Server preference, best first: what ``*/*`` (or no Accept at all) gets.
ALL_FORMATS: tuple[LdFormat, ...] = tuple(LdFormat)
RDF_FORMATS: tuple[LdFormat, ...] = (LdFormat.TURTLE, LdFormat.JSONLD, LdFormat.NTRIPLES, LdFormat.RDFXML)


def parse_accept(header: str) -> list[tuple[str, float]]:
    """``(media range, q)`` pairs of an Accept header; malformed q values count as 0."""
    ranges = []
    for item in header.split(","):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(fmt: LdFormat, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """The q the header gives ``fmt`` and how specific the matching range was (2 exact, 1 type/*, 0 */*)."""
    names = [fmt.media_type, *(alias for alias, f in _ALIASES.items() if f is fmt)]
    best: tuple[int, float] = (-1, 0.0)
    for media, q in ranges:
        if media in names:
            specificity = 2 if media == fmt.media_type else 1
        elif media.endswith("/*") and fmt.media_type.startswith(media[:-1]):
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        best = max(best, (specificity, q))
    return best[1], best[0]


def negotiate(accept: str | None, offered: Sequence[LdFormat]) -> LdFormat | None:
    """The best of ``offered`` for an Accept header (``None`` when nothing acceptable is offered)."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    scored = []
    for rank, fmt in enumerate(offered):
        q, specificity = _quality(fmt, ranges)
        if q > 0:
            scored.append((q, specificity, -rank, fmt))
    return max(scored, key=lambda s: s[:3])[3] if scored else None


def wants_html(accept: str | None) -> bool:
    """Whether a client asked for HTML by name (a browser), rather than taking it by wildcard."""
    return any(
        media in ("text/html", "application/xhtml+xml") and q > 0 for media, q in parse_accept(accept or "")
    )


def split_extension(path: str) -> tuple[str, LdFormat | None]:
    """A path without a known format extension, and the format that extension names."""
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext:
        for fmt in LdFormat:
            if fmt.value == ext:
                return stem, fmt
    return path, None
