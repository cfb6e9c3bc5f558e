"""SSSOM TSV to RDF and back.

The contract for the files is ``mappings/README.md``. Each row becomes an ``sssom:Mapping``
record; rows with status V, P or P* and no ``Not`` modifier are also asserted as the plain
``subject predicate object`` triple, so SKOS tools see curated links and nothing else.
The file is parsed with ``csv`` and ``yaml`` (sssom-py is slow to import and is used only in tests).

>>> from rdflib import Graph
>>> mapping_sets_to_sssom(Graph(), "https://example.org/none")
Traceback (most recent call last):
...
outcomes_graph.errors.UsageError: mapping set <https://example.org/none> is not in the input; sets present: -
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Final

import yaml
from rdflib import Graph, Literal
from rdflib.term import Node, URIRef

from outcomes_graph.errors import Location, SourceError, UsageError
from outcomes_graph.sources import LoadedSource, SourceUnit
from outcomes_graph.vocab import (
    CURIE_PREFIXES,
    DCAT,
    DCTERMS,
    OG,
    PROV,
    RDF,
    SEMAPV,
    SKOS,
    SSSOM,
    STATUS_CODES,
    XSD,
)

__all__ = [
    "ALLOWED_PREDICATES",
    "COLUMNS",
    "JUSTIFICATIONS",
    "load_sssom",
    "mapping_sets_to_sssom",
]

#: The columns of a mapping file, in the order they are written.
COLUMNS: Final = (
    "record_id", "subject_id", "subject_label", "predicate_id", "predicate_modifier", "object_id",
    "object_label", "mapping_justification", "confidence", "author_id", "mapping_date", "see_also",
    "comment", "og_status", "status_note", "crosswalk_id",
)  # fmt: skip
OPTIONAL_COLUMNS: Final = frozenset({"predicate_modifier", "status_note", "crosswalk_id"})
NON_EMPTY: Final = ("record_id", "subject_id", "predicate_id", "object_id", "mapping_justification",
                    "og_status")  # fmt: skip
ALLOWED_PREDICATES: Final = (
    SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch,
    PROV.wasInfluencedBy, DCTERMS.references, DCTERMS.isReplacedBy,
)  # fmt: skip
#: The SEMAPV terms the SSSOM schema allows as ``mapping_justification``.
JUSTIFICATIONS: Final = frozenset(SEMAPV[name] for name in (
    "ManualMappingCuration", "BackgroundKnowledgeBasedMatching", "LexicalMatching", "LogicalReasoning",
    "CompositeMatching", "UnspecifiedMatching", "SemanticSimilarityThresholdMatching", "MappingChaining",
    "LexicalSimilarityThresholdMatching", "MappingReview", "MappingInversion", "StructuralMatching",
    "InstanceBasedMatching",
))  # fmt: skip
ASSERTED_STATUSES: Final = frozenset({"V", "P", "P*"})
NOT: Final = "Not"
#: Select every triple about one mapping set and its records; bind ``?set`` with
#: ``substitutions=`` (pyoxigraph) or a ``VALUES`` block, then feed the rows to ``mapping_sets_to_sssom``.
_CURIE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*):(\S+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL = re.compile(r"^https?://\S+$")
_IRI_COLUMNS: Final = {
    "subject_id": SSSOM.subject_id, "predicate_id": SSSOM.predicate_id, "object_id": SSSOM.object_id,
    "mapping_justification": SSSOM.mapping_justification,
}  # fmt: skip
_TEXT_COLUMNS: Final = {
    "subject_label": SSSOM.subject_label, "object_label": SSSOM.object_label, "comment": SSSOM.comment,
    "status_note": OG.statusNote, "crosswalk_id": OG.crosswalkId,
}  # fmt: skip
_TYPED_COLUMNS: Final = {
    "confidence": (SSSOM.confidence, XSD.double),
    "mapping_date": (SSSOM.mapping_date, XSD.date),
}
#: dcat:version is DCAT 3; rdflib's closed DCAT namespace predates it and would warn.
DCAT_VERSION: Final = URIRef(f"{DCAT}version")
_SET_TEXT: Final = {
    "mapping_set_title": DCTERMS.title,
    "mapping_set_description": DCTERMS.description,
    "mapping_set_version": DCAT_VERSION,
}
#: Prefixes the SSSOM standard defines for every file, so a curie_map need not declare them.
BUILTIN_PREFIXES: Final = {p: CURIE_PREFIXES[p] for p in ("owl", "rdfs", "skos", "semapv", "sssom")}
_STATUS_OF: Final = {iri: code for code, iri in reversed(STATUS_CODES.items())}
_Fail = Callable[[str | None, str], SourceError]
_EXTENSIONS: Final = [
    {"slot_name": "og_status", "property": "og:status"},
    {"slot_name": "status_note", "property": "og:statusNote"},
    {"slot_name": "crosswalk_id", "property": "og:crosswalkId"},
]


class _Row:
    """One data row: its cells by column, and errors that name the row and column."""

    def __init__(self, path: Path, number: int, cells: dict[str, str], prefixes: Mapping[str, str]) -> None:
        self.path, self.number, self.cells, self.prefixes = path, number, cells, prefixes

    def fail(self, column: str | None, message: str) -> SourceError:
        return SourceError(Location(self.path, row=self.number, column=column), message)

    def iri(self, column: str, value: str | None = None) -> URIRef:
        return _expand(value if value is not None else self.cells[column], self.prefixes, self.fail, column)


def load_sssom(path: Path, *, unit: SourceUnit, graph_iri: URIRef) -> LoadedSource:
    """Read one SSSOM TSV file into a graph of ``sssom:Mapping`` records plus the curated plain triples.

    ``origins`` maps each record to its data row (the first data row is row 1) and the set to line 1.
    """
    lines = _read_lines(path)
    count = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    meta = _parse_header(path, lines[:count])
    prefixes = _curie_map(path, lines, meta)
    set_iri = URIRef(str(meta["mapping_set_id"]))
    table = list(csv.reader(io.StringIO("".join(lines[count:]), newline=""), delimiter="\t"))
    if not table or not any(table[0]):
        raise SourceError(Location(path, line=count + 1), f"no column header row; write {_list(COLUMNS)}")
    columns = _check_columns(path, table[0], count + 1)
    graph = Graph(identifier=graph_iri)
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace)
    origins: dict[Node, Location] = {set_iri: Location(path, line=1)}
    _add_set(graph, set_iri, meta, prefixes, lambda key: Location(path, line=_key_line(lines, key)))
    first_row: dict[URIRef, int] = {}
    for number, cells in enumerate((cells for cells in table[1:] if any(cells)), start=1):
        if len(cells) != len(columns):
            raise SourceError(Location(path, row=number), f"has {len(cells)} cells but the header has "
                              f"{len(columns)} columns; check for a missing or extra tab")  # fmt: skip
        row = _Row(path, number, dict(zip(columns, cells, strict=True)), prefixes)
        for column in NON_EMPTY:
            if not row.cells[column].strip():
                raise row.fail(column, f"is empty; {column} is required in every row")
        record = row.iri("record_id")
        if record in first_row:
            first = first_row[record]
            raise row.fail("record_id", f"duplicate record_id {row.cells['record_id']!r} (first used in row "
                           f"{first}); every record_id must be unique and never reused")  # fmt: skip
        first_row[record] = number
        origins[record] = Location(path, row=number)
        _add_record(graph, set_iri, record, row)
    return LoadedSource(unit=unit, graph_iri=graph_iri, graph=graph, origins=origins)


def _read_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise SourceError(Location(path, line=line), f"is not UTF-8: byte 0x{data[err.start]:02x} cannot be "
                          "decoded; save the file as UTF-8") from None  # fmt: skip
    if not text.strip():
        raise SourceError(Location(path), "is empty; an SSSOM TSV file starts with a '#'-prefixed YAML "
                          "header, then a tab-separated column header row and a row per mapping")  # fmt: skip
    return text.splitlines(keepends=True)


def _parse_header(path: Path, header: list[str]) -> dict[str, Any]:
    # One line of YAML per physical line, so a YAML error mark is also the file's line number.
    text = "".join(line.lstrip("#") for line in header)
    try:
        meta = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err)
        context = getattr(err, "context_mark", None)
        if context is not None and context.line + 1 != line:
            problem += f" (in what starts at line {context.line + 1})"
        raise SourceError(Location(path, line=line), f"the '#' header is not valid YAML: {problem}; "
                          "write '#key: value' lines (lists indented under '#key:')") from None  # fmt: skip
    if not isinstance(meta, dict):
        raise SourceError(Location(path, line=1), "the '#' header must be YAML 'key: value' lines")
    for key in ("mapping_set_id", "curie_map"):
        if key not in meta:
            raise SourceError(Location(path, line=1), f"the '#' header has no {key!r} (mappings/README.md)")
    if not _URL.match(str(meta["mapping_set_id"])):
        raise SourceError(Location(path, line=1), f"mapping_set_id {meta['mapping_set_id']!r} is not an "
                          "http(s) IRI; use https://w3id.org/common-outcomes/mappings/{a}-{b}")  # fmt: skip
    return meta


def _curie_map(path: Path, lines: list[str], meta: dict[str, Any]) -> dict[str, str]:
    curie_map = meta["curie_map"]
    where = Location(path, line=_key_line(lines, "curie_map"))
    if not isinstance(curie_map, dict) or not all(isinstance(v, str) for v in curie_map.values()):
        raise SourceError(where, "'curie_map' must map each prefix to a namespace ('#  skos: http://...')")
    for prefix, namespace in curie_map.items():
        expected = CURIE_PREFIXES.get(str(prefix))
        if expected != namespace:
            at = Location(path, line=_key_line(lines, str(prefix)))
            fix = (f"it must be {expected!r}, as in vocab.CURIE_PREFIXES" if expected
                   else f"the prefix is not in vocab.CURIE_PREFIXES ({_list(CURIE_PREFIXES)})")  # fmt: skip
            raise SourceError(at, f"curie_map prefix {prefix!r} is {namespace!r}, but {fix}")
    return {**BUILTIN_PREFIXES, **{str(k): v for k, v in curie_map.items()}}


def _check_columns(path: Path, header: list[str], line: int) -> list[str]:
    columns = [c.strip() for c in header]
    for name in columns:
        if name not in COLUMNS:
            raise SourceError(Location(path, line=line, column=name), f"unexpected column {name!r}; "
                              f"the columns are {_list(COLUMNS)}")  # fmt: skip
        if columns.count(name) > 1:
            raise SourceError(Location(path, line=line, column=name), f"column {name!r} appears twice")
    missing = [c for c in COLUMNS if c not in columns and c not in OPTIONAL_COLUMNS]
    if missing:
        raise SourceError(Location(path, line=line, column=missing[0]), f"missing required column(s) "
                          f"{_list(missing)}; the columns are {_list(COLUMNS)}")  # fmt: skip
    return columns


def _add_set(graph: Graph, set_iri: URIRef, meta: dict[str, Any], prefixes: Mapping[str, str],
             at: Callable[[str], Location]) -> None:  # fmt: skip
    graph.add((set_iri, RDF.type, SSSOM.MappingSet))
    graph.add((set_iri, RDF.type, DCAT.Dataset))
    for key, prop in _SET_TEXT.items():
        if meta.get(key):
            graph.add((set_iri, prop, Literal(str(meta[key]))))
    if meta.get("license"):
        graph.add((set_iri, DCTERMS.license, URIRef(str(meta["license"]))))
    creators = meta.get("creator_id") or []
    for creator in [creators] if isinstance(creators, str) else creators:

        def fail(column: str | None, message: str) -> SourceError:
            return SourceError(at("creator_id"), f"creator_id: {message}")

        graph.add((set_iri, DCTERMS.creator, _expand(str(creator), prefixes, fail, "creator_id")))


def _add_record(graph: Graph, set_iri: URIRef, record: URIRef, row: _Row) -> None:
    cells = row.cells
    graph.add((set_iri, SSSOM.mappings, record))
    graph.add((record, RDF.type, SSSOM.Mapping))
    graph.add((record, DCTERMS.isPartOf, set_iri))
    iris = {column: row.iri(column) for column in _IRI_COLUMNS}
    for column, prop in _IRI_COLUMNS.items():
        graph.add((record, prop, iris[column]))
    if iris["predicate_id"] not in ALLOWED_PREDICATES:
        raise row.fail("predicate_id", f"predicate {cells['predicate_id']!r} is not allowed; use one of "
                       f"{_list(_curie(p) for p in ALLOWED_PREDICATES)}")  # fmt: skip
    if iris["mapping_justification"] not in JUSTIFICATIONS:
        raise row.fail("mapping_justification", f"{cells['mapping_justification']!r} is not a SEMAPV "
                       "justification; use semapv:ManualMappingCuration (stated) or "
                       "semapv:BackgroundKnowledgeBasedMatching (inferred)")  # fmt: skip
    for author in _split(cells["author_id"]):
        graph.add((record, SSSOM.author_id, row.iri("author_id", author)))
    for column, prop in _TEXT_COLUMNS.items():
        if cells.get(column, "").strip():
            graph.add((record, prop, Literal(cells[column].strip())))
    for column, (prop, datatype) in _TYPED_COLUMNS.items():
        if cells[column].strip():
            graph.add((record, prop, Literal(_checked_typed(row, column), datatype=datatype)))
    for url in _split(cells["see_also"]):
        if not _URL.match(url):
            raise row.fail("see_also", f"{url!r} is not an http(s) URL; separate source URLs with '|'")
        graph.add((record, DCTERMS.source, URIRef(url)))
    modifier = cells.get("predicate_modifier", "").strip()
    if modifier not in ("", NOT):
        raise row.fail("predicate_modifier", f"{modifier!r} is not a modifier; use 'Not' or leave it empty")
    if modifier:
        graph.add((record, SSSOM.predicate_modifier, SSSOM.Not))
    status = cells["og_status"].strip()
    if status not in STATUS_CODES:
        raise row.fail("og_status", f"unknown og_status {status!r}; use one of {_list(STATUS_CODES)}")
    graph.add((record, OG.status, STATUS_CODES[status]))
    if status == "NF" and iris["object_id"] != SSSOM.NoTermFound:
        raise row.fail("object_id", f"og_status NF needs sssom:NoTermFound, not {cells['object_id']!r}")
    gap = SSSOM.NoTermFound in (iris["subject_id"], iris["object_id"])
    if status in ASSERTED_STATUSES and not modifier and not gap:
        graph.add((iris["subject_id"], iris["predicate_id"], iris["object_id"]))


def _checked_typed(row: _Row, column: str) -> str:
    value = row.cells[column].strip()
    if column == "confidence":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not 0.0 <= number <= 1.0:
            raise row.fail(column, f"confidence {value!r} is not a number between 0 and 1 (e.g. 0.95)")
        return value
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        date.fromisoformat(value)
    except ValueError:
        raise row.fail(column, f"mapping_date {value!r} is not a date YYYY-MM-DD (e.g. 2026-11-22)") from None
    return value


def _expand(value: str, prefixes: Mapping[str, str], fail: _Fail, column: str) -> URIRef:
    match = _CURIE.match(value.strip())
    if not match or match.group(2).startswith("//"):
        raise fail(column, f"{value!r} is not a CURIE; write prefix:local with a prefix from the curie_map")
    prefix, local = match.groups()
    if prefix not in prefixes:
        known = _list(prefixes)
        raise fail(column, f"unknown prefix {prefix!r} in {value.strip()!r}; known prefixes: {known}")
    return URIRef(prefixes[prefix] + local)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def _list(values: Iterable[str]) -> str:
    return ", ".join(values)


def _key_line(lines: list[str], key: str) -> int | None:
    pattern = re.compile(rf"^#\s*{re.escape(key)}\s*:")
    return next((i for i, line in enumerate(lines, 1) if pattern.match(line)), None)


def _curie(iri: str) -> str:
    namespace = max((ns for ns in CURIE_PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if namespace is None or len(iri) == len(namespace):
        raise UsageError(f"<{iri}> cannot be written as a CURIE; no vocab.CURIE_PREFIXES namespace fits")
    prefix = next(p for p, ns in CURIE_PREFIXES.items() if ns == namespace)
    return f"{prefix}:{iri[len(namespace) :]}"


def mapping_sets_to_sssom(source: Graph | Iterable[Mapping[str, str]], set_iri: str) -> str:
    """Write the records of one mapping set back as SSSOM TSV text, header first.

    ``source`` is an rdflib Graph, or the rows of a SPARQL SELECT with variables ``s``, ``p`` and
    ``o`` (IRIs and literal lexical forms as plain strings), e.g. the result of the named query
    ``mapping-set-triples``.
    ``og:PartlyVerified`` is written as ``P`` (the graph does not keep P apart from P*).
    """
    about: defaultdict[str, defaultdict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = source if not isinstance(source, Graph) else ({"s": s, "p": p, "o": o} for s, p, o in source)
    for triple in rows:
        about[str(triple["s"])][str(triple["p"])].append(str(triple["o"]))
    target, is_set = str(set_iri), str(SSSOM.MappingSet)
    props = about.get(target)
    if props is None or is_set not in props.get(str(RDF.type), []):
        present = _list(sorted(s for s, p in about.items() if is_set in p.get(str(RDF.type), [])))
        raise UsageError(f"mapping set <{target}> is not in the input; sets present: {present or '-'}")
    used: set[str] = {"og"}

    def compact(iri: str) -> str:
        curie = _curie(iri)
        used.add(curie.split(":", 1)[0])
        return curie

    body = io.StringIO()
    writer = csv.writer(body, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    # (length, text) puts ogmap:a-b/9 before ogmap:a-b/10.
    for record in sorted(props.get(str(SSSOM.mappings), []), key=lambda r: (len(r), r)):
        writer.writerow(_record_cells(compact(record), about[record], compact))
    header: dict[str, Any] = {"mapping_set_id": target}
    for key, prop in {**_SET_TEXT, "license": DCTERMS.license}.items():
        if props.get(str(prop)):
            header[key] = props[str(prop)][0]
    if props.get(str(DCTERMS.creator)):
        header["creator_id"] = sorted(compact(c) for c in props[str(DCTERMS.creator)])
    header["curie_map"] = {p: ns for p, ns in CURIE_PREFIXES.items() if p in used}
    header["extension_definitions"] = _EXTENSIONS
    dumped = yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=10**6)
    return "".join(f"#{line}\n" for line in dumped.splitlines()) + body.getvalue()


def _record_cells(record: str, props: Mapping[str, list[str]], compact: Callable[[str], str]) -> list[str]:
    def one(prop: URIRef) -> str:
        return props.get(str(prop), [""])[0]

    cells = {"record_id": record}
    for column, prop in _IRI_COLUMNS.items():
        cells[column] = compact(one(prop))
    for column, prop in _TEXT_COLUMNS.items():
        cells[column] = one(prop)
    for column, (prop, _) in _TYPED_COLUMNS.items():
        cells[column] = one(prop)
    cells["author_id"] = "|".join(sorted(compact(a) for a in props.get(str(SSSOM.author_id), [])))
    cells["see_also"] = "|".join(sorted(props.get(str(DCTERMS.source), [])))
    cells["predicate_modifier"] = NOT if one(SSSOM.predicate_modifier) == str(SSSOM.Not) else ""
    cells["og_status"] = _STATUS_OF.get(URIRef(one(OG.status)), "")
    return [cells[column] for column in COLUMNS]
