"""``borough check`` on three realistic overlays, in every format, covering every report section.

The fixtures (tests/data/boroughs/) follow the reference's case studies: Tower Hamlets marks its
priorities within the common structure, Merton ties everything to one outcomes spine built on the
ten Supporting Families headline outcomes, Westminster maps partners' services to outcomes by locality.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes_graph.borough_format import read_tables, table_rows, tables_to_xlsx
from outcomes_graph.boroughs import BoroughTools, check_overlay

DATA = Path(__file__).parent / "data" / "boroughs"
BOROUGHS = ("tower-hamlets", "merton", "westminster")
SECTIONS = ("errors", "coverage", "gaps", "targets", "data_availability", "services")


@pytest.fixture(scope="module")
def tools(real_settings) -> BoroughTools:
    return BoroughTools.open(real_settings)


@pytest.fixture(scope="module")
def reports(tools) -> dict[str, dict]:
    return {name: check_overlay([DATA / name], tools).to_dict() for name in BOROUGHS}


def _xlsx(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(tables_to_xlsx(table_rows(read_tables([DATA / name]))))
    return path


@pytest.mark.parametrize("name", BOROUGHS)
def test_fixture_is_valid(reports, name):
    report = reports[name]
    assert report["valid"], [e["text"] for e in report["errors"]]
    assert set(SECTIONS) <= set(report)


@pytest.mark.parametrize("name", BOROUGHS)
def test_xlsx_gives_the_same_report(tools, reports, tmp_path, name):
    report = check_overlay([_xlsx(tmp_path, name)], tools).to_dict()
    assert report["format"] == "xlsx"
    for section in SECTIONS:
        assert report[section] == reports[name][section], section


@pytest.mark.parametrize("name", BOROUGHS)
def test_csv_files_given_one_by_one(tools, reports, name):
    report = check_overlay(sorted((DATA / name).glob("*.csv")), tools).to_dict()
    assert report["coverage"] == reports[name]["coverage"]


def test_turtle_overlay_gives_the_same_analysis(tools, reports, tmp_path):
    overlay = check_overlay([DATA / "merton"], tools).overlay
    assert overlay is not None
    path = tmp_path / "merton.ttl"
    overlay.graph.serialize(path, format="turtle")
    report = check_overlay([path], tools).to_dict()
    assert report["valid"], report["errors"]
    assert report["coverage"] == reports["merton"]["coverage"]
    gld = report["targets"]["gld_target"]["priorities"]
    assert sorted(gld, key=str) == sorted(reports["merton"]["targets"]["gld_target"]["priorities"], key=str)
    by_priority = sorted(report["targets"]["lof_outcomes"], key=lambda e: e["priority"])
    assert by_priority == sorted(reports["merton"]["targets"]["lof_outcomes"], key=lambda e: e["priority"])


def test_jsonld_overlay_is_read(tools, tmp_path):
    overlay = check_overlay([DATA / "westminster"], tools).overlay
    assert overlay is not None
    path = tmp_path / "westminster.jsonld"
    overlay.graph.serialize(path, format="json-ld")
    report = check_overlay([path], tools).to_dict()
    assert report["valid"], report["errors"]
    assert report["counts"]["service"] == 6


def _coverage(report: dict, framework: str) -> dict:
    return next(c for c in report["coverage"] if c["framework"] == framework)


def test_coverage_counts_each_national_framework(reports):
    merton = reports["merton"]
    assert [c["framework"] for c in merton["coverage"]] == ["lof", "phof", "bsil", "sf", "cscnf", "ffp"]
    sf = _coverage(merton, "sf")
    assert (sf["reached"], sf["total"], sf["percent_reached"]) == (10, 10, 100.0)


def test_coverage_through_crosswalks_is_derived(reports):
    """Merton maps to LG Inform 19346; the crosswalks carry it to the LOF GLD metric."""
    lof = _coverage(reports["merton"], "lof")
    reached = {i["curie"]: i for i in lof["reached_items"]}
    assert reached["lof:metric/gld-at-5"]["how"] == "derived"
    assert "lgi:19346" in reached["lof:metric/gld-at-5"]["path"]


def test_coverage_by_fhab_domain_and_tier(reports):
    phof = _coverage(reports["tower-hamlets"], "phof")
    domains = {g["group"]: g for g in phof["by_domain"]}
    tiers = {g["group"]: g for g in phof["by_tier"]}
    assert set(domains) == {
        "fhab:domain/safe",
        "fhab:domain/healthy",
        "fhab:domain/happy",
        "fhab:domain/learning",
        "fhab:domain/engaged",
        "(none)",
    }
    assert domains["fhab:domain/healthy"]["covered"] >= 3  # low birth weight, breastfeeding, GLD...
    assert tiers["fhab:tier/parents"]["covered"] >= 1  # domestic abuse, through a parents-tier priority


def test_gaps_name_national_outcomes_not_reached(reports):
    gaps = reports["tower-hamlets"]["gaps"]
    missing = {g["curie"] for g in gaps["national_not_reached"]}
    assert "lof:outcome/housing-supply" in missing
    assert "sf:outcome/H10" in missing
    assert gaps["national_not_reached"][0]["type"] in ("Outcome", "Target", "OutcomeArea")


def test_gaps_name_local_priorities_without_national_counterpart(reports):
    gaps = reports["tower-hamlets"]["gaps"]
    alone = {p["id"] for p in gaps["priorities_without_counterpart"]}
    assert "TH-SY1" in alone  # no links, no indicator with one
    assert "TH-HE2" not in alone
    indicators = {i["id"] for i in gaps["indicators_without_counterpart"]}
    assert {"TH-I06", "TH-I11", "TH-I12"} <= indicators


def test_priorities_serving_the_best_start_gld_target(reports):
    gld = reports["tower-hamlets"]["targets"]["gld_target"]
    assert gld["curie"] == "bsil:target/gld-75-by-2028"
    assert [p["priority"] for p in gld["priorities"]] == ["TH-HE2"]
    merton = {p["priority"]: p for p in reports["merton"]["targets"]["gld_target"]["priorities"]}
    assert merton["M-SF02"]["strong"]


def test_lof_outcomes_per_priority(reports):
    lof = {e["priority"]: e["outcomes"] for e in reports["tower-hamlets"]["targets"]["lof_outcomes"]}
    assert [o["curie"] for o in lof["TH-HE2"]] == ["lof:outcome/best-start-in-life"]
    merton = {e["priority"]: e["outcomes"] for e in reports["merton"]["targets"]["lof_outcomes"]}
    # A priority's own related link is outranked by an indicator reaching a metric under the outcome.
    housing = next(o for o in merton["M-SF09"] if o["curie"] == "lof:outcome/homelessness-and-rough-sleeping")
    assert housing["how"] == "via metric lof:metric/households-with-children-in-temporary-accommodation"
    assert housing["through"] == "Households with children in temporary accommodation"
    assert merton["M-SF05"] == []


def test_data_availability_summary(reports):
    data = reports["tower-hamlets"]["data_availability"]
    assert data["counts"] == {"available": 5, "accessible": 3, "missing": 2}
    missing = {r["metric"]: r for r in data["records"] if r["status"] == "missing"}
    assert missing["borough:E09000030/indicator/TH-I08"]["reason"].startswith("No perinatal")
    frameworks = {row["framework"] for row in data["by_framework"]}
    assert {"phof", "fingertips", "local", "lof"} <= frameworks
    assert any(m["metric"] == "lof:metric/gld-at-5" for m in data["mapped_but_not_recorded"])


def test_services_by_outcome_and_locality(reports):
    services = reports["westminster"]["services"]
    assert services["count"] == 6
    localities = {row["locality"]: row["services"] for row in services["by_locality"]}
    assert localities["Church Street"] == 2
    assert localities["(borough-wide)"] == 1
    outcomes = {row["outcome"]: row["services"] for row in services["by_outcome"]}
    assert outcomes["W-P2 Young people take part in youth activities"] == [
        "Youth hub at Church Street",
        "Youth hub in Pimlico",
    ]


def test_check_is_stateless(tools, real_settings):
    before = sorted(str(q) for q in tools.store.quads())
    check_overlay([DATA / "tower-hamlets"], tools)
    assert sorted(str(q) for q in tools.store.quads()) == before
    assert not any("graph/borough/" in g["iri"] for g in tools.store.info.graphs)


def test_overlay_graph_stays_under_the_borough(tools):
    overlay = check_overlay([DATA / "westminster"], tools).overlay
    assert overlay is not None
    assert overlay.graph_iri == "https://w3id.org/common-outcomes/graph/borough/E09000033"
    own = "https://w3id.org/common-outcomes/id/borough/E09000033/"
    assert all(str(s).startswith(own) for s in overlay.graph.subjects())
