"""SSSOM TSV to RDF and back (``outcomes_graph.sssom``).

The unit tests mutate one cell or line of ``tests/data/sssom/valid.sssom.tsv`` each, so a failure
names the case. The parametrized tests at the end run sssom-py's validator and ``load_sssom`` on every
``mappings/*.sssom.tsv`` that exists when the tests run.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from outcomes_graph.errors import Location, SourceError, UsageError
from outcomes_graph.queries import parse_named_query
from outcomes_graph.sources import LoadedSource, SourceUnit
from outcomes_graph.sssom import COLUMNS, load_sssom, mapping_sets_to_sssom
from outcomes_graph.vocab import CURIE_PREFIXES, DCAT, DCTERMS, OG, RDF, SKOS, SSSOM, XSD

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "sssom"
VALID = DATA / "valid.sssom.tsv"
SET_IRI = "https://w3id.org/common-outcomes/mappings/fhab-phof"
GRAPH_IRI = URIRef("https://w3id.org/common-outcomes/graph/mappings/fhab-phof")
REPO_MAPPINGS = sorted((ROOT / "mappings").glob("*.sssom.tsv"))
SSSOM_PY_REJECTS = sorted(DATA.glob("rejected-*.sssom.tsv"))


def load(path: Path) -> LoadedSource:
    unit = SourceUnit(key=f"mappings/{path.name.removesuffix('.sssom.tsv')}", kind="mappings", files=(path,))
    return load_sssom(path, unit=unit, graph_iri=GRAPH_IRI)


def record(n: int) -> URIRef:
    return URIRef(f"{CURIE_PREFIXES['ogmap']}fhab-phof/{n}")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.sssom.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def header_and_table() -> tuple[list[str], list[list[str]]]:
    lines = VALID.read_text(encoding="utf-8").splitlines(keepends=True)
    header = [line for line in lines if line.startswith("#")]
    table = list(csv.reader(io.StringIO("".join(lines[len(header) :])), delimiter="\t"))
    return header, table


def render(header: list[str], table: list[list[str]]) -> str:
    return "".join(header) + "".join("\t".join(cells) + "\n" for cells in table)


def with_cell(tmp_path: Path, row: int, column: str, value: str) -> Path:
    """The valid fixture with one cell changed (row 1 is the first data row)."""
    header, table = header_and_table()
    table[row][table[0].index(column)] = value
    return write(tmp_path, render(header, table))


def with_line(tmp_path: Path, old: str, new: str) -> Path:
    text = VALID.read_text(encoding="utf-8")
    assert old in text
    return write(tmp_path, text.replace(old, new, 1))


def error_of(path: Path) -> str:
    with pytest.raises(SourceError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(str(Location(path)))
    return message


# ---- the graph a valid file yields -------------------------------------------------------------------


def test_valid_fixture_loads_every_row_as_a_record() -> None:
    source = load(VALID)
    records = set(source.graph.objects(URIRef(SET_IRI), SSSOM.mappings))
    assert records == {record(n) for n in range(1, 8)}
    assert all((r, RDF.type, SSSOM.Mapping) in source.graph for r in records)
    assert all((r, DCTERMS.isPartOf, URIRef(SET_IRI)) in source.graph for r in records)


def test_mapping_set_metadata() -> None:
    graph = load(VALID).graph
    s = URIRef(SET_IRI)
    assert {SSSOM.MappingSet, DCAT.Dataset} <= set(graph.objects(s, RDF.type))
    assert graph.value(s, DCTERMS.title) == Literal("FHAB to PHOF crosswalk (test fixture)")
    assert graph.value(s, DCTERMS.description) is not None
    assert graph.value(s, DCTERMS.license) == URIRef(
        "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    )
    assert graph.value(s, URIRef(f"{DCAT}version")) == Literal("2026-11-22")
    assert graph.value(s, DCTERMS.creator) == URIRef(CURIE_PREFIXES["ogorg"] + "outcomes-graph")


def test_record_carries_every_column() -> None:
    graph = load(VALID).graph
    r = record(1)
    fhab, phof = CURIE_PREFIXES["fhab"], CURIE_PREFIXES["phof"]
    assert graph.value(r, SSSOM.subject_id) == URIRef(fhab + "metric/school-readiness")
    assert graph.value(r, SSSOM.subject_label) == Literal("School readiness")
    assert graph.value(r, SSSOM.predicate_id) == SKOS.exactMatch
    assert graph.value(r, SSSOM.object_id) == URIRef(phof + "indicator/90631")
    assert graph.value(r, SSSOM.mapping_justification) == URIRef(
        "https://w3id.org/semapv/vocab/ManualMappingCuration"
    )
    assert graph.value(r, SSSOM.confidence) == Literal("0.95", datatype=XSD.double)
    assert graph.value(r, SSSOM.mapping_date) == Literal("2026-11-22", datatype=XSD.date)
    assert graph.value(r, SSSOM.author_id) == URIRef(CURIE_PREFIXES["ogorg"] + "outcomes-graph")
    assert set(graph.objects(r, DCTERMS.source)) == {
        URIRef("https://example.org/fhab"),
        URIRef("https://fingertips.phe.org.uk/indicator/90631"),
    }
    assert graph.value(r, SSSOM.comment) == Literal("The FHAB guidance names the PHOF indicator.")
    assert graph.value(r, OG.status) == OG.Verified
    assert graph.value(r, OG.statusNote) == Literal("Stated")
    assert graph.value(r, OG.crosswalkId) == Literal("X1")
    assert graph.value(r, SSSOM.predicate_modifier) is None


def test_not_modifier_is_recorded() -> None:
    assert load(VALID).graph.value(record(4), SSSOM.predicate_modifier) == SSSOM.Not


@pytest.mark.parametrize(
    ("row", "status", "asserted"),
    [
        pytest.param(1, OG.Verified, True, id="V-asserted"),
        pytest.param(2, OG.PartlyVerified, True, id="P-asserted"),
        pytest.param(6, OG.PartlyVerified, True, id="P*-asserted"),
        pytest.param(3, OG.Inferred, False, id="I-record-only"),
        pytest.param(7, OG.Unverified, False, id="U-record-only"),
        pytest.param(4, OG.Verified, False, id="Not-record-only"),
        pytest.param(5, OG.NotFound, False, id="NoTermFound-record-only"),
    ],
)
def test_plain_triple_only_for_curated_positive_links(row: int, status: URIRef, asserted: bool) -> None:
    graph = load(VALID).graph
    r = record(row)
    assert graph.value(r, OG.status) == status
    triple = tuple(graph.value(r, p) for p in (SSSOM.subject_id, SSSOM.predicate_id, SSSOM.object_id))
    assert (triple in graph) is asserted


def test_no_term_found_never_becomes_a_subject_or_object() -> None:
    graph = load(VALID).graph
    assert not list(graph.triples((None, SKOS.exactMatch, SSSOM.NoTermFound)))


def test_origins_name_the_data_row() -> None:
    source = load(VALID)
    for n in range(1, 8):
        location = source.locate(record(n))
        assert location is not None
        assert (location.file, location.row) == (VALID, n)
    set_location = source.locate(URIRef(SET_IRI))
    assert set_location is not None
    assert set_location.file == VALID


def test_blank_lines_do_not_count_as_rows(tmp_path: Path) -> None:
    source = load(write(tmp_path, VALID.read_text(encoding="utf-8") + "\n\n"))
    assert len(set(source.graph.objects(URIRef(SET_IRI), SSSOM.mappings))) == 7


# ---- errors: one case each, naming the place and the offending value -------------------------------


def test_error_missing_required_column(tmp_path: Path) -> None:
    header, table = header_and_table()
    i = table[0].index("og_status")
    message = error_of(write(tmp_path, render(header, [cells[:i] + cells[i + 1 :] for cells in table])))
    assert "column 'og_status'" in message
    assert "missing required column(s) og_status" in message
    assert "record_id, subject_id" in message


def test_error_extra_column(tmp_path: Path) -> None:
    header, table = header_and_table()
    message = error_of(write(tmp_path, render(header, [[*cells, "x"] for cells in table])))
    header_line = len(header) + 1
    assert f"line {header_line}" in message
    assert "unexpected column 'x'" in message
    assert "the columns are record_id" in message


def test_error_header_is_not_yaml(tmp_path: Path) -> None:
    message = error_of(with_line(tmp_path, "#mapping_set_title: FHAB", "#mapping_set_title: [FHAB"))
    assert "line 3: the '#' header is not valid YAML" in message
    assert "(in what starts at line 2)" in message


def test_error_unknown_prefix(tmp_path: Path) -> None:
    message = error_of(with_cell(tmp_path, 7, "object_id", "phofx:indicator/1"))
    assert "row 7, column 'object_id': unknown prefix 'phofx' in 'phofx:indicator/1'" in message
    assert "known prefixes: owl, rdfs, skos, semapv, sssom, fhab, phof, lgi" in message


def test_error_not_a_curie(tmp_path: Path) -> None:
    message = error_of(with_cell(tmp_path, 2, "subject_id", "https://example.org/x"))
    assert "row 2, column 'subject_id'" in message
    assert "'https://example.org/x' is not a CURIE" in message


def test_error_curie_map_differs_from_vocab(tmp_path: Path) -> None:
    message = error_of(with_line(tmp_path, "#  phof: https://w3id.org/", "#  phof: https://example.org/"))
    assert "line 10" in message
    assert "curie_map prefix 'phof' is 'https://example.org/common-outcomes/id/phof/'" in message
    assert f"it must be {CURIE_PREFIXES['phof']!r}" in message


def test_error_curie_map_prefix_not_in_vocab(tmp_path: Path) -> None:
    message = error_of(with_line(tmp_path, "#curie_map:\n", "#curie_map:\n#  phofx: https://example.org/\n"))
    assert "line 9" in message
    assert "'phofx'" in message
    assert "not in vocab.CURIE_PREFIXES" in message


def test_error_predicate_not_allowed(tmp_path: Path) -> None:
    message = error_of(with_cell(tmp_path, 3, "predicate_id", "skos:related"))
    assert "row 3, column 'predicate_id': predicate 'skos:related' is not allowed" in message
    assert "skos:exactMatch, skos:closeMatch" in message
    assert "dcterms:isReplacedBy" in message


@pytest.mark.parametrize("value", ["skos:exactMatch", "semapv:Guesswork"])
def test_error_justification_not_semapv(tmp_path: Path, value: str) -> None:
    message = error_of(with_cell(tmp_path, 2, "mapping_justification", value))
    assert f"row 2, column 'mapping_justification': {value!r} is not a SEMAPV justification" in message
    assert "semapv:ManualMappingCuration" in message


@pytest.mark.parametrize("value", ["high", "1.8", "-0.1", "nan"])
def test_error_confidence_not_in_unit_interval(tmp_path: Path, value: str) -> None:
    message = error_of(with_cell(tmp_path, 4, "confidence", value))
    assert f"row 4, column 'confidence': confidence {value!r} is not a number between 0 and 1" in message


@pytest.mark.parametrize("value", ["22/11/2026", "2026-13-01", "20261122"])
def test_error_bad_date(tmp_path: Path, value: str) -> None:
    message = error_of(with_cell(tmp_path, 5, "mapping_date", value))
    assert f"row 5, column 'mapping_date': mapping_date {value!r} is not a date YYYY-MM-DD" in message


def test_error_unknown_status(tmp_path: Path) -> None:
    message = error_of(with_cell(tmp_path, 1, "og_status", "Stated"))
    assert "row 1, column 'og_status': unknown og_status 'Stated'; use one of V, P, P*, I, U, NF" in message


def test_error_nf_without_no_term_found(tmp_path: Path) -> None:
    message = error_of(with_cell(tmp_path, 1, "og_status", "NF"))
    assert "row 1, column 'object_id'" in message
    assert "og_status NF needs sssom:NoTermFound, not 'phof:indicator/90631'" in message


def test_error_duplicate_record_id(tmp_path: Path) -> None:
    message = error_of(with_cell(tmp_path, 6, "record_id", "ogmap:fhab-phof/2"))
    assert "row 6, column 'record_id': duplicate record_id 'ogmap:fhab-phof/2'" in message
    assert "(first used in row 2)" in message


def test_error_wrong_number_of_cells(tmp_path: Path) -> None:
    header, table = header_and_table()
    table[3] = table[3][:-2]
    message = error_of(write(tmp_path, render(header, table)))
    assert f"row 3: has {len(COLUMNS) - 2} cells but the header has {len(COLUMNS)} columns" in message


def test_error_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.sssom.tsv"
    text = VALID.read_text(encoding="utf-8").replace("Family hub reach", "Caf\u00e9 reach")
    path.write_bytes(text.encode("latin-1"))
    message = error_of(path)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "Caf" in ln)
    assert f"line {line}: is not UTF-8: byte 0xe9" in message


def test_error_empty_file(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, ""))
    assert "is empty" in message
    assert "'#'-prefixed YAML header" in message


def test_error_header_without_table(tmp_path: Path) -> None:
    header, _ = header_and_table()
    message = error_of(write(tmp_path, "".join(header)))
    assert f"line {len(header) + 1}: no column header row" in message


def test_error_missing_mapping_set_id(tmp_path: Path) -> None:
    message = error_of(with_line(tmp_path, f"#mapping_set_id: {SET_IRI}\n", ""))
    assert "has no 'mapping_set_id'" in message


def test_error_empty_required_cell(tmp_path: Path) -> None:
    message = error_of(with_cell(tmp_path, 2, "subject_id", ""))
    assert "row 2, column 'subject_id': is empty" in message


def test_error_bad_predicate_modifier(tmp_path: Path) -> None:
    message = error_of(with_cell(tmp_path, 4, "predicate_modifier", "not"))
    assert "row 4, column 'predicate_modifier': 'not' is not a modifier; use 'Not'" in message


def test_error_see_also_not_a_url(tmp_path: Path) -> None:
    message = error_of(with_cell(tmp_path, 1, "see_also", "https://example.org/a|S18"))
    assert "row 1, column 'see_also': 'S18' is not an http(s) URL" in message


def test_error_unknown_creator_prefix(tmp_path: Path) -> None:
    message = error_of(with_line(tmp_path, "#  - ogorg:outcomes-graph", "#  - ogorgx:outcomes-graph"))
    assert "line 6" in message
    assert "unknown prefix 'ogorgx'" in message


# ---- back to SSSOM TSV ---------------------------------------------------------------------------


def test_round_trip_from_graph(tmp_path: Path) -> None:
    first = load(VALID)
    text = mapping_sets_to_sssom(first.graph, SET_IRI)
    second = load(write(tmp_path, text))
    assert isomorphic(first.graph, second.graph)


def test_round_trip_from_select_rows(tmp_path: Path) -> None:
    from pyoxigraph import NamedNode, RdfFormat, Store, Variable

    first = load(VALID)
    store = Store()
    store.load(first.graph.serialize(format="nt").encode(), format=RdfFormat.N_TRIPLES)
    export_query = parse_named_query(ROOT / "api" / "queries" / "mapping-set-triples.rq")
    solutions = store.query(export_query.sparql, substitutions={Variable("set"): NamedNode(SET_IRI)})
    rows = [{name: solution[name].value for name in ("s", "p", "o")} for solution in solutions]
    second = load(write(tmp_path, mapping_sets_to_sssom(rows, SET_IRI)))
    assert isomorphic(first.graph, second.graph)


def test_export_writes_the_readme_header_and_columns() -> None:
    text = mapping_sets_to_sssom(load(VALID).graph, SET_IRI)
    lines = text.splitlines()
    assert lines[0] == f"#mapping_set_id: {SET_IRI}"
    assert "#curie_map:" in lines
    assert "#- slot_name: og_status" in lines
    assert next(line for line in lines if not line.startswith("#")) == "\t".join(COLUMNS)


def test_export_of_unknown_set_lists_the_sets_present() -> None:
    with pytest.raises(UsageError, match=re.escape(f"sets present: {SET_IRI}")):
        mapping_sets_to_sssom(load(VALID).graph, "https://example.org/none")


def test_export_refuses_an_iri_without_prefix() -> None:
    graph = load(VALID).graph
    graph.set((record(1), SSSOM.object_id, URIRef("https://example.org/elsewhere/1")))
    with pytest.raises(UsageError, match=re.escape("<https://example.org/elsewhere/1>")):
        mapping_sets_to_sssom(graph, SET_IRI)


def test_export_rows_are_in_record_order() -> None:
    graph = Graph()
    for triple in load(VALID).graph:
        graph.add(triple)
    text = mapping_sets_to_sssom(graph, SET_IRI)
    ids = [line.split("\t", 1)[0] for line in text.splitlines() if line.startswith("ogmap:")]
    assert ids == [f"ogmap:fhab-phof/{n}" for n in range(1, 8)]


# ---- every mapping file in the repository, and sssom-py's own validator -------------------------------


def data_rows(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    body = "".join(line for line in lines if not line.startswith("#"))
    return sum(1 for cells in csv.reader(io.StringIO(body), delimiter="\t") if any(cells)) - 1


def sssom_py_validate(path: Path) -> None:
    """Parse and validate with sssom-py; also fail when it silently drops a row it cannot read."""
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    msdf = parse_sssom_table(path)
    validate(msdf, fail_on_error=True)
    assert len(msdf.df) == data_rows(path), "sssom-py dropped rows it could not parse (see its log)"


REPO_AND_VALID = [pytest.param(p, id=p.name) for p in [*REPO_MAPPINGS, VALID]]
#: sssom-py 0.4.21 calls pandas options that pandas 3 deprecates; those warnings are not ours to fix.
SSSOM_PY_WARNINGS = pytest.mark.filterwarnings("ignore:::sssom")


@SSSOM_PY_WARNINGS
@pytest.mark.parametrize("path", REPO_AND_VALID)
def test_sssom_py_accepts(path: Path) -> None:
    sssom_py_validate(path)


@pytest.mark.parametrize("path", REPO_AND_VALID)
def test_load_sssom_accepts(path: Path) -> None:
    source = load(path)
    assert len(source.origins) == data_rows(path) + 1


@pytest.mark.parametrize("path", REPO_AND_VALID)
def test_round_trip_every_file(tmp_path: Path, path: Path) -> None:
    first = load(path)
    (set_iri,) = first.graph.subjects(RDF.type, SSSOM.MappingSet)
    second = load(write(tmp_path, mapping_sets_to_sssom(first.graph, str(set_iri))))
    assert isomorphic(first.graph, second.graph)


@SSSOM_PY_WARNINGS
def test_sssom_py_check_fails_on_a_schema_error() -> None:
    """Confidence 1.8 breaks the SSSOM schema: sssom-py's validator itself must raise."""
    from jsonschema import ValidationError

    with pytest.raises(ValidationError, match="validation error"):
        sssom_py_validate(DATA / "rejected-confidence.sssom.tsv")


@SSSOM_PY_WARNINGS
def test_sssom_py_check_fails_on_a_row_sssom_py_drops() -> None:
    """A bad date makes sssom-py drop the row and still pass; the row count catches it."""
    with pytest.raises(AssertionError, match="dropped rows"):
        sssom_py_validate(DATA / "rejected-dropped-row.sssom.tsv")


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in SSSOM_PY_REJECTS])
def test_load_sssom_rejects_what_sssom_py_rejects(path: Path) -> None:
    message = error_of(path)
    assert "row 2, column 'confidence'" in message or "row 4, column 'mapping_date'" in message
