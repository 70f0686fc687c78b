"""The scoring rubric as data: six dimensions scored 1-5, weighted into a 0-100 overall.

One source for the offline coach, the cloud judge's prompt (`rubric_text`) and docs/rubric.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.models import DimensionScore


@dataclass(frozen=True, slots=True)
class Dimension:
    """One thing the rubric judges, with what each score from 1 to 5 means."""

    id: str
    title: str
    description: str
    levels: dict[int, str]
    weight: float


RUBRIC: tuple[Dimension, ...] = (
    Dimension(
        "star",
        "STAR completeness",
        "The answer tells a story: situation, task, the candidate's actions, and the result.",
        {
            1: "No story: opinions or generalities, no situation, action or result.",
            2: "One STAR part, usually a situation or a vague action.",
            3: "Two parts; typically situation and action with no clear result.",
            4: "Three parts; one is thin or missing (often the task or the result).",
            5: "All four parts: context, goal, concrete actions and an outcome.",
        },
        0.20,
    ),
    Dimension(
        "specificity",
        "Specificity",
        "Concrete detail: names of tools, teams, customers, numbers, dates; not generalities.",
        {
            1: "Generic throughout ('stuff', 'things', 'always', 'various').",
            2: "Mostly generic, one or two concrete details.",
            3: "Some concrete detail mixed with generic statements.",
            4: "Mostly concrete: named tools or people and figures.",
            5: "Vivid and checkable: names, numbers and details throughout.",
        },
        0.15,
    ),
    Dimension(
        "impact",
        "Quantified impact",
        "The outcome is stated and measured: %, money, time saved, counts, before and after.",
        {
            1: "No outcome is mentioned.",
            2: "An outcome in vague words ('it went well').",
            3: "A clear outcome, or a number that is not tied to an outcome.",
            4: "One quantified outcome.",
            5: "Several quantified outcomes or a clear before/after with numbers.",
        },
        0.20,
    ),
    Dimension(
        "ownership",
        "Ownership",
        "What the candidate personally did and decided, as opposed to the team.",
        {
            1: "No actions by anyone, or the candidate is absent from the story.",
            2: "'We' throughout; the candidate's own part is unclear.",
            3: "One personal action, the rest is the team.",
            4: "Several first-person actions.",
            5: "Clear personal ownership of decisions and actions, team credited fairly.",
        },
        0.15,
    ),
    Dimension(
        "relevance",
        "Relevance",
        "The answer addresses the question that was asked.",
        {
            1: "Off-topic: answers a different question.",
            2: "Touches the topic only in passing.",
            3: "On topic, but parts wander or the core of the question is missed.",
            4: "Answers the question with minor detours.",
            5: "Directly and fully answers the question asked.",
        },
        0.20,
    ),
    Dimension(
        "clarity",
        "Clarity and concision",
        "Easy to follow when heard once: right length, short sentences, few fillers and hedges.",
        {
            1: "Too short to follow, or a long ramble.",
            2: "Hard to follow: very long or very short, heavy fillers or hedging.",
            3: "Understandable with effort; noticeably long, short or padded.",
            4: "Clear, with small lapses (a few fillers, a long sentence).",
            5: "Crisp: 90-300 spoken words, short sentences, confident wording.",
        },
        0.10,
    ),
)
"""The six dimensions; weights sum to 1.0."""

DIMENSIONS: dict[str, Dimension] = {d.id: d for d in RUBRIC}
RELEVANCE_CAPS: dict[int, int] = {1: 25, 2: 60}
"""An answer to a different question cannot score well overall, however polished it is."""


def rubric_text() -> str:
    """The rubric rendered as plain text for a model prompt or a help message."""
    blocks = []
    for d in RUBRIC:
        levels = "\n".join(f"  {n}: {d.levels[n]}" for n in sorted(d.levels))
        blocks.append(f"{d.id} - {d.title} (weight {d.weight:.0%}): {d.description}\n{levels}")
    caps = ", ".join(f"relevance {r} caps the overall at {c}" for r, c in RELEVANCE_CAPS.items())
    return (
        "Score each dimension from 1 to 5.\n\n"
        + "\n\n".join(blocks)
        + f"\n\nOverall (0-100) is the weighted mean mapped from 1-5 to 0-100; {caps}."
    )


def overall_score(dimensions: Iterable[DimensionScore]) -> int:
    """Weighted mean of the known dimensions, 1-5 mapped linearly to 0-100, then capped.

    Unknown dimension names are ignored and missing ones drop out of the mean; scores are
    clamped to 1-5. A relevance score of 1 or 2 caps the result (`RELEVANCE_CAPS`).
    """
    total = weight = 0.0
    cap = 100
    for ds in dimensions:
        dim = DIMENSIONS.get(ds.name)
        if dim is None:
            continue
        score = min(5, max(1, ds.score))
        total += dim.weight * score
        weight += dim.weight
        if ds.name == "relevance":
            cap = RELEVANCE_CAPS.get(score, 100)
    if weight == 0:
        return 0
    return min(cap, round((total / weight - 1) / 4 * 100))
