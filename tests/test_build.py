"""Build: sources to a validated store, swapped in atomically; bad input leaves the old store untouched."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
import pytest

from outcomes_graph.build import build, validate_sources
from outcomes_graph.errors import ValidationFailed
from outcomes_graph.settings import Settings
from outcomes_graph.store import EmbeddedStore, builds_dir

GRAPH = "https://w3id.org/common-outcomes/graph/"


def snapshot(settings: Settings) -> dict[str, str]:
    """Every file under the store's builds folder with its hash, plus where the link points."""
    state = {"link": str(settings.store.readlink())}
    for path in sorted(builds_dir(settings.store).rglob("*")):
        if path.is_file():
            state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def test_build_writes_one_graph_per_source(mini_settings):
    result = build(mini_settings)
    assert result.report.ok
    store = EmbeddedStore(mini_settings.store)
    graphs = {g.value for g in store.public_graphs}
    assert {
        GRAPH + "cof",
        GRAPH + "sf",
        GRAPH + "sources",
        GRAPH + "mappings/sf-cof",
        GRAPH + "ontology/og",
    } <= graphs
    ask = "ASK { GRAPH ?g { <https://w3id.org/common-outcomes/id/cof/domain/safe> ?p ?o } }"
    assert bool(store.query(ask, substitutions={ox.Variable("g"): ox.NamedNode(GRAPH + "cof")}))
    assert result.info.build_id in str(mini_settings.store.readlink())


def test_inferred_mapping_is_a_record_not_a_fact(mini_settings):
    build(mini_settings)
    store = EmbeddedStore(mini_settings.store)
    skos = "http://www.w3.org/2004/02/skos/core#"
    h06 = ox.NamedNode("https://w3id.org/common-outcomes/id/sf/outcome/H06")
    h09 = ox.NamedNode("https://w3id.org/common-outcomes/id/sf/outcome/H09")
    safe = ox.NamedNode("https://w3id.org/common-outcomes/id/cof/domain/safe")
    direct = "ASK { ?s ?p ?o }"
    assert not store.query(
        direct,
        substitutions={
            ox.Variable("s"): h06,
            ox.Variable("p"): ox.NamedNode(skos + "broadMatch"),
            ox.Variable("o"): safe,
        },
    )
    assert store.query(
        direct,
        substitutions={
            ox.Variable("s"): h09,
            ox.Variable("p"): ox.NamedNode(skos + "relatedMatch"),
            ox.Variable("o"): safe,
        },
    )


def test_second_build_uses_the_validation_cache_and_swaps(mini_settings):
    first = build(mini_settings)
    second = build(mini_settings)
    assert second.report.units_from_cache == second.report.units_checked > 0
    assert first.folder != second.folder
    assert mini_settings.store.resolve() == second.folder.resolve()
    # The build it replaced is kept for readers that still have it open.
    assert first.folder.is_dir()


def test_changed_source_is_revalidated(mini_settings):
    build(mini_settings)
    concepts = mini_settings.frameworks_dir / "sf" / "concepts.csv"
    concepts.write_text(
        concepts.read_text(encoding="utf-8") + "outcome,H10,Financial stability,,10,V,S2,\n", encoding="utf-8"
    )
    report, _ = validate_sources(mini_settings)
    assert report.ok
    assert report.units_from_cache < report.units_checked


def break_turtle(s: Settings) -> str:
    path = s.frameworks_dir / "cof" / "scheme.ttl"
    path.write_text(
        path.read_text(encoding="utf-8").replace('og:slug "cof" .', 'og:slug "cof"'), encoding="utf-8"
    )
    return "frameworks/cof/scheme.ttl"


def break_sssom_curie(s: Settings) -> str:
    path = s.mappings_dir / "sf-cof.sssom.tsv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "cof:domain/safe\tSafe\tsemapv:Manual", "cofx:domain/safe\tSafe\tsemapv:Manual"
        ),
        encoding="utf-8",
    )
    return "row 2"


def break_csv_title(s: Settings) -> str:
    path = s.frameworks_dir / "sf" / "concepts.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("outcome,H09,Secure housing,", "outcome,H09,,"),
        encoding="utf-8",
    )
    return "frameworks/sf/concepts.csv, row 2, line 3, column 'pref_label'"


def break_broader_cycle(s: Settings) -> str:
    path = s.frameworks_dir / "cof" / "concepts.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "domain,healthy,Healthy,,,,2,V,,S1", "domain,healthy,Healthy,,,outcome/safe-at-home,2,V,,S1"
    )
    text = text.replace(
        "Children are safe at home,,A fixture outcome,domain/safe,",
        "Children are safe at home,,A fixture outcome,domain/healthy,",
    )
    text += "domain,loop,Loop,,,domain/healthy,3,V,,S1\n"
    text = text.replace(
        "domain,healthy,Healthy,,,outcome/safe-at-home,", "domain,healthy,Healthy,,,domain/loop,"
    )
    path.write_text(text, encoding="utf-8")
    return "frameworks/cof/concepts.csv"


@pytest.mark.parametrize(
    ("breaker", "expected_phrase"),
    [
        (break_turtle, "is not valid Turtle"),
        (break_sssom_curie, "cofx"),
        (break_csv_title, "is empty"),
        (break_broader_cycle, "broader"),
    ],
    ids=["malformed-turtle", "sssom-unknown-curie", "csv-missing-title", "broader-cycle"],
)
def test_bad_input_names_the_place_and_leaves_the_store_untouched(mini_settings, breaker, expected_phrase):
    build(mini_settings)
    before = snapshot(mini_settings)
    place = breaker(mini_settings)
    with pytest.raises(ValidationFailed) as failed:
        build(mini_settings)
    text = failed.value.report.render()
    assert place in text
    assert expected_phrase in text
    assert snapshot(mini_settings) == before
    # The old store still answers.
    assert bool(EmbeddedStore(mini_settings.store).query("ASK { ?s ?p ?o }"))
