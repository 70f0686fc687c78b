"""The rubric as data and the overall score."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.models import DimensionScore
from bot.flows.rubric import DIMENSIONS, RELEVANCE_CAPS, RUBRIC, overall_score, rubric_text


def scores(**by_name: int) -> list[DimensionScore]:
    return [DimensionScore(name, score, "") for name, score in by_name.items()]


def all_at(score: int) -> list[DimensionScore]:
    return scores(**{d.id: score for d in RUBRIC})


def test_the_rubric_has_six_dimensions_in_order() -> None:
    assert [d.id for d in RUBRIC] == [
        "star",
        "specificity",
        "impact",
        "ownership",
        "relevance",
        "clarity",
    ]


def test_every_dimension_says_what_each_score_from_one_to_five_means() -> None:
    for dim in RUBRIC:
        assert sorted(dim.levels) == [1, 2, 3, 4, 5]
        assert all(text.strip() for text in dim.levels.values())
        assert dim.title and dim.description


def test_the_weights_sum_to_one() -> None:
    assert sum(d.weight for d in RUBRIC) == pytest.approx(1.0)


def test_all_fives_score_100_and_all_ones_score_0() -> None:
    assert overall_score(all_at(5)) == 100
    assert overall_score(all_at(1)) == 0
    assert overall_score(all_at(3)) == 50


def test_overall_is_the_weighted_mean_mapped_to_0_100() -> None:
    dims = all_at(3)
    dims[0] = DimensionScore("star", 5, "")  # star weighs 20%: mean 3.4 -> 60
    assert overall_score(dims) == 60
    dims[-1] = DimensionScore("clarity", 1, "")  # clarity weighs 10%: mean 3.2 -> 55
    assert overall_score(dims) == 55


@pytest.mark.parametrize("relevance", [1, 2])
def test_an_off_topic_answer_is_capped_however_polished(relevance: int) -> None:
    dims = [
        d if d.name != "relevance" else DimensionScore("relevance", relevance, "")
        for d in all_at(5)
    ]
    assert overall_score(dims) == RELEVANCE_CAPS[relevance]


def test_unknown_dimensions_are_ignored_and_scores_are_clamped() -> None:
    assert overall_score(scores(star=9, charisma=1)) == 100
    assert overall_score(scores(star=-3)) == 0
    assert overall_score([]) == 0


def test_rubric_text_names_every_dimension_level_and_weight() -> None:
    text = rubric_text()
    for dim in RUBRIC:
        assert f"{dim.id} - {dim.title}" in text
        assert all(level in text for level in dim.levels.values())
        assert f"weight {dim.weight:.0%}" in text
    assert "caps the overall" in text
    assert DIMENSIONS["impact"].title == "Quantified impact"


def test_the_rubric_doc_matches_the_rubric_data() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "rubric.md").read_text(encoding="utf-8")
    for dim in RUBRIC:
        assert f"### {dim.title} (`{dim.id}`, weight {dim.weight:.0%})" in doc
        assert all(f"| {n} | {text} |" in doc for n, text in dim.levels.items())
    assert all(f"relevance {r} caps the overall at {c}" in doc for r, c in RELEVANCE_CAPS.items())
