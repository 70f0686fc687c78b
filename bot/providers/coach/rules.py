"""The offline coach: deterministic, rule-based scoring and question planning.

It reads the answer for the signals a human interviewer listens for (a STAR story, names and
numbers, "I" versus "we", the question's own topic, length and padding), scores the rubric
from them, quotes the candidate's words as evidence and picks the next question from the
bank. Same input, same output; no network, no model.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Protocol

from bot.core.models import (
    Assessment,
    DimensionScore,
    InterviewContext,
    Question,
    SpeechMetrics,
    Transcript,
)
from bot.flows.questions import pick_questions
from bot.flows.rubric import RUBRIC, overall_score
from bot.flows.text import content_words, spoken_text
from bot.providers.coach import rule_feedback as fb
from bot.providers.coach.rule_scores import score_all
from bot.providers.coach.rule_signals import detect

MIN_WORDS = 4
"""Answers shorter than this are not scored: all 1s and a gentle retry."""


class QuestionPicker(Protocol):
    """The shape of `bot.flows.questions.pick_questions`, injectable for tests."""

    def __call__(
        self,
        role: str,
        level: str,
        count: int,
        *,
        seed: int,
        exclude: AbstractSet[str] = ...,
        prefer_keywords: AbstractSet[str] = ...,
    ) -> tuple[Question, ...]: ...


class RuleBasedCoach:
    """The `Coach` port without a model: rules over the transcript and its metrics."""

    name = "rules"

    def __init__(self, *, picker: QuestionPicker = pick_questions) -> None:
        self._pick = picker

    async def assess(
        self, *, question: Question, transcript: Transcript, metrics: SpeechMetrics
    ) -> Assessment:
        """Score one answer; see `judge`."""
        return judge(question, transcript, metrics)

    async def next_question(self, context: InterviewContext) -> Question:
        """A fresh question from the bank, steered by CV and job-description words."""
        picked = self._pick(
            context.role,
            context.level,
            1,
            seed=context.seed + len(context.asked_ids),
            exclude=set(context.asked_ids),
            prefer_keywords=profile_keywords(context),
        )
        if not picked:
            raise LookupError(f"no unasked {context.level} questions left for {context.role}")
        return picked[0]


def profile_keywords(context: InterviewContext) -> set[str]:
    """Lowercase content words of the CV and job description, to match bank keywords."""
    text = " ".join(t for t in (context.cv_text, context.job_description) if t)
    return set(content_words(text))


def judge(question: Question, transcript: Transcript, metrics: SpeechMetrics) -> Assessment:
    """Score one answer: rubric dimensions, overall, strengths, fixes, feedback, follow-up."""
    text = spoken_text(transcript)
    sig = detect(text, role_question=question.kind == "role")
    if len(sig.tokens) < MIN_WORDS:
        return _too_short(question)
    dims = score_all(question, sig, metrics)
    overall = overall_score(dims)
    scores = {d.name: d.score for d in dims}
    return Assessment(
        overall=overall,
        dimensions=dims,
        strengths=fb.strengths(question, dims),
        improvements=fb.improvements(question, dims, words=len(sig.tokens)),
        feedback=fb.feedback(question, dims, overall, metrics),
        follow_up=fb.follow_up(
            question,
            scores,
            words=len(sig.tokens),
            measured=bool(sig.outcome_quantities),
            example=bool(sig.examples or sig.situation or sig.result),
        ),
    )


def _too_short(question: Question) -> Assessment:
    missing = "Too short to judge: there wasn't enough of an answer to score yet."
    dims = tuple(DimensionScore(d.id, 1, missing) for d in RUBRIC)
    return Assessment(
        overall=min(10, overall_score(dims)),
        dimensions=dims,
        improvements=(fb.LENGTH_ADVICE["short"],),
        feedback=(
            "I didn't get much of an answer there, and that's completely fine, it happens. "
            "Take a breath, pick one real example, and talk me through it; "
            "about a minute is perfect."
        ),
        follow_up=f"Could you try that one again? {question.text}",
    )
