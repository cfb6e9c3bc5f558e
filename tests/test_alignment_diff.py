"""Edition diff on the fixture pair: LGOF draft (lgof) to LOF (lof)."""

from __future__ import annotations

import pytest

from alignment_support import fixture_aligner, iri
from outcomes_graph.alignment import Aligner
from outcomes_graph.errors import UsageError


@pytest.fixture(scope="module")
def diff(tmp_path_factory):
    return fixture_aligner(tmp_path_factory).diff("lgof", "lof")


@pytest.fixture(scope="module")
def aligner(tmp_path_factory) -> Aligner:
    return fixture_aligner(tmp_path_factory)


def by_before(diff) -> dict[str, tuple[tuple[str, ...], str, str | None]]:
    return {
        c.before.key: (c.kinds, c.matched_by, c.after.key if c.after else None)
        for c in diff.changes
        if c.before
    }


def test_summary(diff):
    assert diff.summary() == {
        "added": 7,
        "removed": 1,
        "relabelled": 2,
        "renumbered": 2,
        "moved": 2,
        "unchanged": 1,
        "stale_rows": 2,
        "known_gaps_before": 1,
        "known_gaps_after": 1,
    }


@pytest.mark.parametrize(
    ("before", "kinds", "matched_by", "after"),
    [
        ("outcome/best-start-in-life", ("relabelled",), "key", "outcome/best-start-in-life"),
        ("outcome/housing-supply", ("renumbered",), "key", "outcome/housing-supply"),
        (
            "outcome/rough-sleeping",
            ("relabelled", "moved"),
            "link",
            "outcome/homelessness-and-rough-sleeping",
        ),
        ("outcome/housing-quality", ("renumbered", "moved"), "label", "outcome/housing-quality-and-safety"),
        ("outcome/economic-prosperity-and-regeneration", ("removed",), "", None),
    ],
    ids=["relabelled", "renumbered", "linked-and-relabelled", "same-title-new-iri", "removed"],
)
def test_each_change(diff, before, kinds, matched_by, after):
    assert by_before(diff)[before] == (kinds, matched_by, after)


def test_unchanged_concepts_are_not_listed(diff):
    assert "outcome/child-poverty" not in by_before(diff)


def test_added_concepts(diff):
    added = sorted(c.after.key for c in diff.of_kind("added"))
    assert added[:3] == ["metric/child-health-review", "metric/gld-at-5", "metric/gld-fsm-gap"]
    assert "outcome/every-child-achieving-and-thriving" in added


def test_stale_crosswalk_rows(diff):
    stale = {s.record.rsplit("/", 2)[-2]: s for s in diff.stale}
    assert set(stale) == {"lgof-bsil", "fhab-lgof"}
    assert stale["lgof-bsil"].reasons == ("relabelled",)
    assert stale["lgof-bsil"].replacement == iri("lof:outcome/best-start-in-life")
    assert stale["fhab-lgof"].reasons == ("removed",)
    assert stale["fhab-lgof"].replacement is None
    # the edition link itself (lgof rough sleeping is replaced by lof homelessness) is not stale
    assert not any(s.record.endswith("lgof-lof/1") for s in diff.stale)


def test_an_edition_against_itself_has_no_changes(aligner):
    same = aligner.diff("lof", "lof")
    assert (same.changes, same.stale) == ((), ())
    assert same.unchanged == 12


def test_unknown_edition(aligner):
    with pytest.raises(UsageError, match="unknown framework 'lof2027'"):
        aligner.diff("lgof", "lof2027")


def test_diff_as_json(diff):
    data = diff.to_dict()
    assert (data["before"], data["after"]) == ("lgof", "lof")
    moved = [c for c in data["changes"] if "moved" in c["kinds"]]
    assert {c["before"]["curie"] for c in moved} == {
        "lgof:outcome/rough-sleeping",
        "lgof:outcome/housing-quality",
    }
