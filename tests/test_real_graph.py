"""The real graph, built from the repository's data: valid, sourced, and faithful to the reference."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from outcomes_graph.settings import Settings
from outcomes_graph.store import EmbeddedStore
from outcomes_graph.vocab import BASE, SCHEME_SLUGS
from reference_tables import ReferenceTitle, read_titles

REFERENCE = Path(__file__).parent / "data" / "reference"
SHARED_REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
PREFIXES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX og: <https://w3id.org/common-outcomes/def/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX sssom: <https://w3id.org/sssom/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
#: Reference cells that are descriptions, not titles, with the reason they are not checked.
NOT_ENCODED_AS_TITLES = {
    "8.4:Reception / Year 6 obesity, 5 years data combined": "two indicators (92026, 92033), one paraphrase",
    "8.4:ward-level obesity": "two ward-level indicators (93105, 93107) with no exact titles",
}
TITLES = [t for t in read_titles(REFERENCE / "frameworks.md") if t.id not in NOT_ENCODED_AS_TITLES]


@pytest.fixture(scope="module")
def store(real_settings: Settings) -> EmbeddedStore:
    return EmbeddedStore(real_settings.store)


def ask(store: EmbeddedStore, query: str, **values: ox.NamedNode | ox.Literal) -> bool:
    return bool(store.query(PREFIXES + query, substitutions={ox.Variable(k): v for k, v in values.items()}))


def test_the_build_has_no_violations(real_build):
    assert real_build.report.ok
    assert real_build.report.units_checked > 20


def test_every_scheme_is_present(store):
    found = {
        row["slug"].value
        for row in store.select(PREFIXES + "SELECT ?slug { ?s a skos:ConceptScheme ; og:slug ?slug }")
    }
    assert set(SCHEME_SLUGS) <= found


def test_every_concept_has_a_source_and_a_fact_status(store):
    rows = store.select(
        PREFIXES
        + """
        SELECT ?c WHERE { ?c a skos:Concept .
          FILTER (NOT EXISTS { ?c dct:source ?s } || NOT EXISTS { ?c og:status ?st }
                  || EXISTS { ?c og:status ?bad FILTER (?bad NOT IN (og:Verified, og:PartlyVerified)) }) }"""
    )
    assert rows == []


def test_every_gap_and_mapping_has_a_status(store):
    assert not ask(
        store,
        "ASK { { ?x a og:KnownGap } UNION { ?x a sssom:Mapping } FILTER NOT EXISTS { ?x og:status ?s } }",
    )
    assert not ask(store, "ASK { ?x a og:KnownGap , skos:Concept }")


def test_no_unverified_code_is_a_notation(store):
    """Only the PHOF codes the reference confirms may be skos:notation; U codes are candidates.

    Confirmed: the indicator codes of §8.2, and the domain letters B, C and E (§8.1: A and D are U).
    """
    text = (REFERENCE / "frameworks.md").read_text(encoding="utf-8")
    confirmed = set(re.findall(r"^\| ([A-E][0-9]{2}[a-z]?) \|", text, re.M)) | {"B", "C", "E"}
    rows = store.select(
        PREFIXES + "SELECT ?code { ?c skos:notation ?code FILTER(DATATYPE(?code) = og:PhofCode) }"
    )
    codes = {row["code"].value for row in rows}
    assert codes, "no PHOF code was encoded as a notation"
    assert codes <= confirmed
    assert not codes & {"A", "D"}
    assert not ask(store, "ASK { ?c og:candidateNotation ?n ; skos:notation ?m FILTER(STR(?n) = STR(?m)) }")


def test_school_readiness_is_keyed_by_its_fingertips_id(store):
    readiness = ox.NamedNode(BASE + "id/phof/indicator/90631")
    assert ask(store, "ASK { ?c og:fingertipsId '90631' ; og:candidateNotation 'B02a' }", c=readiness)
    assert not ask(store, "ASK { ?c skos:notation 'B02a' }", c=readiness)


def test_the_lof_revises_the_lgof(store):
    assert ask(
        store,
        "ASK { ?lof prov:wasRevisionOf ?lgof }",
        lof=ox.NamedNode(BASE + "id/lof"),
        lgof=ox.NamedNode(BASE + "id/lgof"),
    )


def test_all_33_boroughs(store):
    rows = store.select(PREFIXES + "SELECT ?b { ?b a og:LocalAuthority ; og:gssCode ?g }")
    assert len(rows) == 33


@cache
def labels(store: EmbeddedStore, graph: str | None) -> frozenset[str]:
    query = (
        PREFIXES
        + """SELECT ?l { GRAPH ?g { ?x ?p ?l } VALUES ?p { skos:prefLabel skos:altLabel dct:title } }"""
    )
    subs = {ox.Variable("g"): ox.NamedNode(f"{BASE}graph/{graph}")} if graph else None
    if subs:
        query = query.replace("SELECT ?l", "SELECT ?l ?g")
    return frozenset(row["l"].value for row in store.select(query, substitutions=subs))


@pytest.mark.parametrize("ref", TITLES, ids=[t.id for t in TITLES])
def test_official_title_is_in_the_graph_exactly(store, ref: ReferenceTitle):
    found = labels(store, ref.graph)
    assert ref.title in found or any(alt in found for alt in ref.alternatives), (
        f"{ref.column} {ref.title!r} ({ref.status}) is not a label in {ref.graph or 'any graph'}"
    )


def test_vendored_reference_matches_shared():
    if not SHARED_REFERENCE.is_dir():
        pytest.skip("../shared/reference is not beside this checkout")
    for name in ("frameworks.md", "crosswalks.md"):
        assert (REFERENCE / name).read_text(encoding="utf-8") == (SHARED_REFERENCE / name).read_text(
            encoding="utf-8"
        ), name


CROSSWALK_IDS = re.findall(r"^\| (X\d+) \|", (REFERENCE / "crosswalks.md").read_text(encoding="utf-8"), re.M)
#: Crosswalk rows that are not mapping records, and the triple that encodes each instead.
ENCODED_AS_NOTATION = {
    "X52": ("http://id.esd.org.uk/metricType/5172", "NI 056"),  # "also known as", a legacy indicator code
    "X58": (
        BASE + "id/phof/indicator/90631",
        "1.02i",
    ),  # a renumbering: the legacy code of the same indicator
}
NOT_GRADED = {"X57"}  # "not graded": FingertipsNext reuses Fingertips ids; kept as a note, not a link


@pytest.mark.parametrize("crosswalk", CROSSWALK_IDS)
def test_every_crosswalk_row_is_encoded(store, crosswalk):
    if crosswalk in ENCODED_AS_NOTATION:
        subject, code = ENCODED_AS_NOTATION[crosswalk]
        assert ask(
            store, "ASK { ?s og:historicalNotation ?code }", s=ox.NamedNode(subject), code=ox.Literal(code)
        )
    elif crosswalk in NOT_GRADED:
        row = next(line for line in (REFERENCE / "crosswalks.md").read_text(encoding="utf-8").splitlines()
                   if line.startswith(f"| {crosswalk} |"))  # fmt: skip
        assert "not graded" in row
    else:
        assert ask(store, "ASK { ?r a sssom:Mapping ; og:crosswalkId ?x }", x=ox.Literal(crosswalk))
