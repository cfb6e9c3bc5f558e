"""REST for the alignment engine, on the alignment fixture graph (tests/data/alignment).

The answers must be the library's own (``to_dict`` and the CLI's CSV tables): these
tests compare with :class:`Aligner` directly, then pin what REST adds (filters, 404s).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from conftest import make_data_dir
from outcomes_graph.alignment import Aligner
from outcomes_graph.alignment_rules import parse_strength
from outcomes_graph.build import build
from outcomes_graph.settings import Settings
from outcomes_graph.web import create_app

FIXTURE = Path(__file__).parents[1] / "data" / "alignment"
ID = "https://w3id.org/common-outcomes/id/"
RESOURCES = [
    ("/api/counterparts", {"concept": "90631"}),
    ("/api/coverage/lof", {}),
    ("/api/coverage/fhab", {"by": "tier"}),
    ("/api/gaps/sf", {}),
    ("/api/matrix", {}),
    ("/api/diff/lgof/lof", {}),
    ("/api/search", {"q": "school readiness"}),
]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("rest-alignment")
    data = make_data_dir(root / "data", frameworks=FIXTURE / "frameworks", mappings=FIXTURE / "mappings")
    built = Settings(store=root / "var" / "store", data_dir=data, cache_dir=root / "var" / "cache")
    build(built)
    return built


@pytest.fixture(scope="module")
def rest(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="module")
def aligner(settings: Settings) -> Aligner:
    return Aligner.open(settings)


def same(data: object) -> object:
    """``data`` as it reads back from JSON."""
    return orjson.loads(orjson.dumps(data))


def curies(items: list[dict]) -> list[str]:
    return [item["curie"] for item in items]


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=[p for p, _ in RESOURCES])
def test_each_resource_answers_json_and_csv(rest, path, params):
    as_json = rest.get(path, params=params)
    assert as_json.status_code == 200, as_json.text
    assert as_json.headers["content-type"] == "application/json"
    assert rest.get(path + ".json", params=params).content == as_json.content
    as_csv = rest.get(path + ".csv", params=params)
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(as_csv.text)))[1:], "the CSV has rows"
    negotiated = rest.get(path, params=params, headers={"Accept": "text/csv"})
    assert negotiated.content == as_csv.content


def test_counterparts_are_the_library_answer(rest, aligner):
    body = rest.get("/api/counterparts", params={"concept": "90631"}).json()
    expected = aligner.counterparts("90631").to_dict(aligner.index)
    assert {k: v for k, v in body.items() if k not in ("min_strength", "min_confidence")} == same(expected)
    assert (body["min_strength"], body["min_confidence"]) == (None, 0.0)


def test_school_readiness_counterparts_over_rest(rest):
    body = rest.get("/api/counterparts", params={"concept": "phof:indicator/90631"}).json()
    assert body["concept"]["iri"] == ID + "phof/indicator/90631"
    target = next(c for c in body["direct"] if c["curie"] == "bsil:target/gld-75-by-2028")
    assert (target["relation_label"], target["basis"], target["steps"][0]["crosswalk"]) == (
        "close to",
        "curated",
        "X5",
    )
    metric = next(c for c in body["derived"] if c["curie"] == "lof:metric/gld-at-5")
    assert metric["kind"] == "derived"
    assert [s["to"] for s in metric["steps"]] == [ID + "fhab/example/gld", ID + "lof/metric/gld-at-5"]


@pytest.mark.parametrize("concept", ["90631", "phof:indicator/90631", ID + "phof/indicator/90631"])
def test_a_concept_by_id_curie_or_iri(rest, concept):
    body = rest.get("/api/counterparts", params={"concept": concept}).json()
    assert body["concept"]["curie"] == "phof:indicator/90631"


def test_direct_and_derived_can_be_left_out(rest):
    only_direct = rest.get("/api/counterparts", params={"concept": "90631", "derived": "false"}).json()
    only_derived = rest.get("/api/counterparts", params={"concept": "90631", "direct": "false"}).json()
    assert only_direct["derived"] == []
    assert only_direct["direct"]
    assert only_derived["direct"] == []
    assert only_derived["derived"]


@pytest.mark.parametrize(
    ("minimum", "kept"),
    [("exact", {"exact"}), ("close", {"exact", "close"}), ("narrow", {"exact", "close", "broad", "narrow"})],
)
def test_min_strength_keeps_only_stronger_relations(rest, minimum, kept):
    body = rest.get("/api/counterparts", params={"concept": "90631", "minStrength": minimum}).json()
    relations = {c["relation"] for c in body["direct"] + body["derived"]}
    assert relations <= kept
    assert body["min_strength"] == minimum
    assert not any(c["negated"] for c in body["direct"])


def test_depth_one_gives_direct_records_only(rest):
    body = rest.get("/api/counterparts", params={"concept": "90631", "depth": 1}).json()
    assert body["derived"] == []
    assert curies(body["direct"]) == ["bsil:target/gld-75-by-2028", "fhab:example/gld"]


def test_counterparts_csv_is_the_cli_table(rest):
    response = rest.get("/api/counterparts.csv", params={"concept": "90631", "derived": "false"})
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert list(table[0]) == [
        "kind",
        "relation",
        "counterpart",
        "label",
        "scheme",
        "confidence",
        "basis",
        "path",
        "records",
        "sources",
    ]
    assert [row["counterpart"] for row in table] == ["bsil:target/gld-75-by-2028", "fhab:example/gld"]


def test_an_unknown_concept_says_what_to_try(rest):
    response = rest.get("/api/counterparts", params={"concept": "B99x"})
    assert response.status_code == 400
    assert response.json()["error"]["detail"].startswith("no concept matches 'B99x'")


@pytest.mark.parametrize("by", ["concept", "hierarchy", "domain", "tier"])
def test_coverage_is_the_library_answer(rest, aligner, by):
    body = rest.get("/api/coverage/lof", params={"by": by}).json()
    result = aligner.coverage("lof")
    assert body["summary"] == same(result.summary())
    if by == "concept":
        assert body["rows"] == same([r.to_dict() for r in result.rows])
    else:
        assert body["groups"] == same([g.to_dict() for g in result.groups(aligner.index, by)])


def test_coverage_options_reach_the_engine(rest, aligner):
    params = {"strength": "exact,close", "depth": 1, "curatedOnly": "true", "against": ["fhab", "cof"]}
    body = rest.get("/api/coverage/lof", params=params).json()
    expected = aligner.coverage(
        "lof", against=("fhab", "cof"), strength=parse_strength("exact,close"), depth=1, curated_only=True
    )
    assert body["summary"] == same(expected.summary())
    assert body["summary"]["against"] == ["fhab", "cof"]


def test_an_unknown_framework_is_404_with_the_valid_slugs(rest):
    response = rest.get("/api/coverage/lofx")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "unknown-framework"
    assert error["detail"].startswith(
        "unknown framework 'lofx'; did you mean 'lof'? use one of: bsil, cof, fhab"
    )


def test_a_bad_strength_is_400_with_the_valid_values(rest):
    response = rest.get("/api/coverage/lof", params={"strength": "exact,strong-ish"})
    assert response.status_code == 400
    assert (
        "unknown strength 'strong-ish'; use one of: strong, all, exact" in response.json()["error"]["detail"]
    )


def test_a_bad_against_is_400(rest):
    response = rest.get("/api/gaps/sf", params={"against": "lofx"})
    assert response.status_code == 400
    assert "unknown framework 'lofx'" in response.json()["error"]["detail"]


def test_gaps_keep_the_three_kinds_apart(rest, aligner):
    body = rest.get("/api/gaps/sf").json()
    assert body == same(aligner.gaps("sf").to_dict())
    assert curies(body["unmapped"]) == ["sf:outcome/H10"]
    assert curies(body["not_found"]) == ["sf:outcome/H09"]
    assert curies(body["known_gaps"]) == ["sf:gap/descriptors"]
    table = list(csv.DictReader(io.StringIO(rest.get("/api/gaps/sf.csv").text)))
    assert [row["gap_type"] for row in table] == ["unmapped", "not-found", "known-gap"]


def test_the_matrix_as_records(rest, aligner):
    body = rest.get("/api/matrix").json()
    result = aligner.matrix()
    assert body["cells"] == same(result.records())
    assert body["frameworks"] == list(result.frameworks)
    assert [d["curie"] for d in body["domains"]] == [
        "fhab:domain/safe",
        "fhab:domain/healthy",
        "fhab:domain/learning",
    ]
    assert rest.get("/api/matrix.csv").text == result.csv()


def test_the_matrix_for_chosen_frameworks(rest):
    body = rest.get("/api/matrix", params={"framework": ["sf", "lof"]}).json()
    assert body["frameworks"] == ["sf", "lof"]
    assert {cell["framework"] for cell in body["cells"]} == {"sf", "lof"}


def test_the_edition_diff(rest, aligner):
    body = rest.get("/api/diff/lgof/lof").json()
    assert body == same(aligner.diff("lgof", "lof").to_dict())
    assert body["summary"]["stale_rows"] == len(body["stale"]) > 0
    assert rest.get("/api/diff/lgof/lofx").json()["error"]["code"] == "unknown-framework"


def test_search_ranks_codes_then_titles(rest):
    by_code = rest.get("/api/search", params={"q": "b04"}).json()
    assert by_code["hits"][0]["curie"] == "phof:indicator/10401"
    assert by_code["hits"][0]["match"] == "exact-notation"
    by_title = rest.get("/api/search", params={"q": "school readiness", "limit": 1}).json()
    assert [h["curie"] for h in by_title["hits"]] == ["phof:indicator/90631"]


def test_search_in_one_framework(rest):
    body = rest.get("/api/search", params={"q": "housing", "scheme": "lof"}).json()
    assert body["hits"]
    assert {h["scheme"] for h in body["hits"]} == {"lof"}
    assert rest.get("/api/search", params={"q": "housing", "scheme": "nope"}).status_code == 400


@pytest.mark.parametrize(
    "params",
    [{"depth": 0}, {"depth": 99}, {"minConfidence": 2}, {"minStrength": "strongest"}, {"direct": "perhaps"}],
)
def test_out_of_range_options_are_422(rest, params):
    response = rest.get("/api/counterparts", params={"concept": "90631", **params})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid-parameter"


@pytest.mark.parametrize("text", ['90631" } #', "<script>alert(1)</script>", "B04' OR '1'='1"])
def test_hostile_text_is_only_text(rest, text):
    assert rest.get("/api/search", params={"q": text}).status_code == 200
    assert rest.get("/api/counterparts", params={"concept": text}).status_code == 400
