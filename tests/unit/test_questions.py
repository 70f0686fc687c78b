"""The question banks are complete and well formed, and questions are picked predictably."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from importlib import resources
from typing import Any

import pytest

from bot.core.models import Question
from bot.flows.questions import (
    LEVELS,
    ROLES,
    find_question,
    load_bank,
    normalise_level,
    normalise_role,
    parse_bank,
    pick_questions,
    questions_for,
)

ROLE_BANKS = [role for role in ROLES if role != "behavioural"]
ALL_QUESTIONS = [q for role in ROLES for q in load_bank(role)]


def _raw(role: str) -> dict[str, Any]:
    text = (resources.files("bot.flows") / "banks" / f"{role}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _kinds(questions: tuple[Question, ...] | list[Question]) -> Counter[str]:
    return Counter(q.kind for q in questions)


# --- the banks -------------------------------------------------------------------------------


def test_there_is_exactly_one_bank_file_per_role_with_matching_role_and_title() -> None:
    files = {p.name for p in (resources.files("bot.flows") / "banks").iterdir()}
    assert files == {f"{role}.json" for role in ROLES}
    for role, title in ROLES.items():
        assert (_raw(role)["role"], _raw(role)["title"]) == (role, title)


@pytest.mark.parametrize("role", list(ROLES))
def test_every_role_has_at_least_28_questions(role: str) -> None:
    assert len(load_bank(role)) >= 28


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("level", LEVELS)
def test_every_level_of_every_role_has_at_least_12_questions(role: str, level: str) -> None:
    assert len(questions_for(role, level)) >= 12


@pytest.mark.parametrize("role", ROLE_BANKS)
def test_role_banks_mix_at_least_8_behavioural_and_8_role_specific_questions(role: str) -> None:
    kinds = _kinds(load_bank(role))
    assert kinds["behavioural"] >= 8
    assert kinds["role"] >= 8


@pytest.mark.parametrize("role", ROLE_BANKS)
@pytest.mark.parametrize("level", LEVELS)
def test_every_level_of_a_role_bank_offers_both_kinds(role: str, level: str) -> None:
    kinds = _kinds(questions_for(role, level))
    assert kinds["behavioural"] >= 4
    assert kinds["role"] >= 4


def test_the_general_bank_is_all_behavioural() -> None:
    assert _kinds(load_bank("behavioural")) == Counter(behavioural=len(load_bank("behavioural")))


@pytest.mark.parametrize("role", list(ROLES))
def test_every_role_has_junior_only_and_senior_only_questions(role: str) -> None:
    levels = Counter(q.levels for q in load_bank(role))
    assert levels[("junior",)] >= 1
    assert levels[("senior",)] >= 1


def test_question_ids_are_unique_across_all_banks_and_follow_prefix_number() -> None:
    ids = [q.id for q in ALL_QUESTIONS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+-\d{3}", qid) for qid in ids)
    for role in ROLES:
        assert len({q.id.split("-")[0] for q in load_bank(role)}) == 1


def test_question_texts_are_unique_across_all_banks() -> None:
    texts = [q.text.casefold() for q in ALL_QUESTIONS]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: q.id)
def test_every_question_says_what_it_tests_and_what_a_strong_answer_contains(
    question: Question,
) -> None:
    assert question.text.endswith(("?", "."))
    assert question.competencies
    assert 3 <= len(question.strong_answer) <= 5
    assert 6 <= len(question.keywords) <= 15
    assert len(set(question.keywords)) == len(question.keywords)
    assert all(k == k.lower() for k in question.keywords)
    assert question.levels and set(question.levels) <= set(LEVELS)


def test_loaded_questions_carry_their_role() -> None:
    assert all(q.role == role for role in ROLES for q in load_bank(role))


def test_load_bank_reads_each_file_once() -> None:
    assert load_bank("sales") is load_bank("sales")


def test_unknown_role_raises_naming_the_role_and_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="astronaut") as excinfo:
        load_bank("astronaut")
    assert all(role in str(excinfo.value) for role in ROLES)


def test_find_question_returns_the_bank_question_or_none() -> None:
    assert find_question("sales", "sales-004") == load_bank("sales")[3]
    assert find_question("sales", "swe-001") is None
    assert find_question("astronaut", "sales-004") is None


def test_unknown_level_raises_naming_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="junior, mid, senior"):
        questions_for("sales", "wizard")


# --- validation of malformed entries -----------------------------------------------------------


def _broken(change: str, value: object) -> dict[str, Any]:
    data = copy.deepcopy(_raw("sales"))
    data["questions"][3][change] = value
    return data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "trivia"),
        ("levels", ["junior", "principal"]),
        ("keywords", []),
        ("strong_answer", "not a list"),
        ("competencies", ["ok", ""]),
        ("keywords", ["Pipeline", "quota"]),
        ("text", "  "),
    ],
)
def test_a_malformed_entry_raises_naming_the_file_and_the_question_id(
    field: str, value: object
) -> None:
    with pytest.raises(ValueError, match=r"banks/sales\.json: question 'sales-004'.*" + field):
        parse_bank(_broken(field, value), role="sales", source="banks/sales.json")


def test_an_entry_without_an_id_is_rejected() -> None:
    data = _broken("id", "")
    with pytest.raises(ValueError, match="sales.json: every question needs a string 'id'"):
        parse_bank(data, role="sales", source="sales.json")


def test_a_duplicate_id_within_a_bank_is_rejected() -> None:
    data = _broken("id", "sales-001")
    with pytest.raises(ValueError, match="sales-001"):
        parse_bank(data, role="sales", source="sales.json")


def test_a_bank_filed_under_the_wrong_role_is_rejected() -> None:
    with pytest.raises(ValueError, match="'customer-support'"):
        parse_bank(_raw("sales"), role="customer-support", source="customer-support.json")


# --- picking ----------------------------------------------------------------------------------


def test_pick_questions_is_deterministic_for_a_seed() -> None:
    first = pick_questions("software-engineer", "mid", 10, seed=42)
    assert first == pick_questions("software-engineer", "mid", 10, seed=42)


def test_different_seeds_give_different_interviews() -> None:
    picks = {tuple(q.id for q in pick_questions("sales", "mid", 6, seed=s)) for s in range(10)}
    assert len(picks) > 5


@pytest.mark.parametrize("seed", range(5))
def test_pick_questions_alternates_kinds_while_both_remain(seed: int) -> None:
    picked = pick_questions("data-scientist", "senior", 30, seed=seed)
    both = 2 * min(_kinds(picked).values())
    kinds = [q.kind for q in picked[:both]]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))
    assert len(set(kinds[both:])) <= 1


def test_pick_questions_only_returns_questions_for_the_level() -> None:
    picked = pick_questions("product-manager", "junior", 50, seed=3)
    assert picked and all("junior" in q.levels for q in picked)


def test_pick_questions_never_repeats_and_returns_fewer_only_when_the_bank_runs_out() -> None:
    available = questions_for("customer-support", "mid")
    assert len(pick_questions("customer-support", "mid", 8, seed=1)) == 8
    everything = pick_questions("customer-support", "mid", 500, seed=1)
    assert sorted(q.id for q in everything) == sorted(q.id for q in available)


def test_pick_questions_skips_excluded_ids() -> None:
    asked = {q.id for q in pick_questions("software-engineer", "senior", 6, seed=7)}
    rest = pick_questions("software-engineer", "senior", 100, seed=7, exclude=asked)
    assert not asked & {q.id for q in rest}
    assert len(rest) == len(questions_for("software-engineer", "senior")) - len(asked)


def test_pick_questions_from_the_all_behavioural_bank_still_fills_the_count() -> None:
    picked = pick_questions("behavioural", "junior", 10, seed=0)
    assert len(picked) == 10 and _kinds(picked) == Counter(behavioural=10)


def test_zero_count_picks_nothing() -> None:
    assert pick_questions("sales", "mid", 0, seed=0) == ()


@pytest.mark.parametrize("seed", range(5))
def test_questions_matching_cv_keywords_come_first_within_each_kind(seed: int) -> None:
    cv = {"Redis", "cache", "monitoring", "mentor"}
    wanted = {k.lower() for k in cv}
    picked = pick_questions("software-engineer", "mid", 40, seed=seed, prefer_keywords=cv)
    assert wanted & set(picked[0].keywords)
    for kind in ("behavioural", "role"):
        hits = [bool(wanted & set(q.keywords)) for q in picked if q.kind == kind]
        assert any(hits) and hits == sorted(hits, reverse=True)


def test_cv_keywords_change_which_questions_are_asked() -> None:
    plain = pick_questions("data-scientist", "mid", 4, seed=9)
    steered = pick_questions("data-scientist", "mid", 4, seed=9, prefer_keywords={"drift"})
    assert "drift" in steered[0].keywords
    assert plain != steered


# --- parsing what the candidate typed ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("software engineer", "software-engineer"),
        ("SWE", "software-engineer"),
        ("swe", "software-engineer"),
        ("Software-Engineer", "software-engineer"),
        ("I'm a backend developer", "software-engineer"),
        ("data science", "data-scientist"),
        ("Data Scientist", "data-scientist"),
        ("pm", "product-manager"),
        ("product", "product-manager"),
        ("support", "customer-support"),
        ("customer service", "customer-support"),
        ("account executive", "sales"),
        ("general", "behavioural"),
        ("behavioral", "behavioural"),
        ("Behavioural questions", "behavioural"),
        ("a sales position", "sales"),
    ],
)
def test_normalise_role_understands_common_names(text: str, role: str) -> None:
    assert normalise_role(text) == role


@pytest.mark.parametrize("text", ["", "astronaut", "a", "software astronaut"])
def test_normalise_role_returns_none_for_anything_else(text: str) -> None:
    assert normalise_role(text) is None


def test_every_role_id_and_title_normalises_to_itself() -> None:
    for role, title in ROLES.items():
        assert normalise_role(role) == role
        assert normalise_role(title) == role


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("jr", "junior"),
        ("Junior", "junior"),
        ("entry level", "junior"),
        ("graduate", "junior"),
        ("mid", "mid"),
        ("mid-level", "mid"),
        ("middle", "mid"),
        ("intermediate", "mid"),
        ("sr", "senior"),
        ("Sr.", "senior"),
        ("senior", "senior"),
        ("lead", "senior"),
        ("staff", "senior"),
    ],
)
def test_normalise_level_understands_common_names(text: str, level: str) -> None:
    assert normalise_level(text) == level


@pytest.mark.parametrize("text", ["", "expert-ish", "ceo of everything"])
def test_normalise_level_returns_none_for_anything_else(text: str) -> None:
    assert normalise_level(text) is None
