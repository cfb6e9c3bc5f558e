"""Search: the side index written at build, ranking, case and accents."""

from __future__ import annotations

import pytest

from alignment_support import fixture_aligner
from outcomes_graph.alignment import Aligner
from outcomes_graph.alignment_index import build_folder, named_rows
from outcomes_graph.search import INDEX_FILE, SearchIndex, normalise


@pytest.fixture(scope="module")
def aligner(tmp_path_factory) -> Aligner:
    return fixture_aligner(tmp_path_factory)


def hits(aligner: Aligner, text: str, **options) -> list[tuple[str, str, str]]:
    return [(h.curie, h.match, h.field) for h in aligner.search(text, **options)]


def test_build_writes_the_side_index(aligner):
    folder = build_folder(aligner.store)
    assert folder is not None
    path = folder / INDEX_FILE
    assert path.is_file()
    from_file = SearchIndex.from_json(path.read_bytes())
    from_store = SearchIndex.from_rows(named_rows(aligner.store, aligner.registry, "search-index-rows"))
    assert sorted((e.iri, sorted(e.terms)) for e in from_file.entries) == sorted(
        (e.iri, sorted(e.terms)) for e in from_store.entries
    )


def test_ranking_exact_notation_then_label_prefix_then_word(aligner):
    found = hits(aligner, "safe")
    ranks = [match for _, match, _ in found]
    assert ranks == sorted(ranks, key=["exact-notation", "label-prefix", "word-match"].index)
    # equal titles first, then longer titles that start with the text, then word matches
    assert found[:3] == [
        ("cof:domain/safe", "label-prefix", "label"),
        ("fhab:domain/safe", "label-prefix", "label"),
        ("sf:outcome/H08", "label-prefix", "label"),
    ]
    assert ("sf:outcome/H06", "word-match", "label") in found


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("B04", ("phof:indicator/10401", "exact-notation", "notation")),
        ("90631", ("phof:indicator/90631", "exact-notation", "notation")),
        ("1.02i", ("phof:indicator/90631", "exact-notation", "historical-notation")),
        ("school read", ("phof:indicator/90631", "label-prefix", "label")),
        ("readiness", ("phof:indicator/90631", "word-match", "label")),
        ("protecting children", ("sf:outcome/H06", "label-prefix", "altLabel")),
    ],
)
def test_first_hit(aligner, text, first):
    assert hits(aligner, text)[0] == first


def test_a_notation_beats_a_title_containing_it(aligner):
    found = hits(aligner, "o5")
    assert found[:2] == [
        ("lgof:outcome/best-start-in-life", "exact-notation", "notation"),
        ("lof:outcome/best-start-in-life", "exact-notation", "notation"),
    ]


def test_a_linked_identifier_ranks_after_the_concept_that_owns_it(aligner):
    found = hits(aligner, "90631")
    assert found[1] == ("bsil:target/gld-75-by-2028", "exact-notation", "linked-id")


@pytest.mark.parametrize("text", ["rôle play", "ROLE-PLAY", "Role   play!", "rôle"])
def test_case_and_accents_do_not_matter(aligner, text):
    assert hits(aligner, text)[0][0] == "fhab:example/role-play"


def test_scheme_filter_and_limit(aligner):
    assert {c for c, _, _ in hits(aligner, "safe", scheme="sf")} == {"sf:outcome/H06", "sf:outcome/H08"}
    assert len(hits(aligner, "o", limit=2)) == 2


@pytest.mark.parametrize("text", ['" } UNION { ?s ?p ?o }', "<https://w3id.org/>", "", "   ", "*"])
def test_odd_text_finds_nothing(aligner, text):
    assert hits(aligner, text) == []


def test_kinds_and_schemes_are_reported(aligner):
    hit = aligner.search("B04")[0]
    assert (hit.scheme, hit.type, hit.label) == (
        "phof",
        "Indicator",
        "First time entrants to the youth justice system",
    )
    assert hit.to_dict()["curie"] == "phof:indicator/10401"


def test_known_gaps_are_searchable(aligner):
    assert hits(aligner, "descriptor")[0] == ("sf:gap/descriptors", "label-prefix", "label")


def test_normalise():
    assert normalise("Ça va? 75%") == "ca va 75"
