"""Small wording helpers shared by the rule-based scorers."""

from __future__ import annotations

from bot.core.models import DimensionScore
from bot.flows.text import quote_around
from bot.providers.coach.rule_signals import Signals

FOLLOW_UPS = {
    "example": "Could you walk me through a specific example: what happened, what you did, "
    "and how it turned out?",
    "personal": "What did you personally do, as opposed to the team?",
    "result": "What was the measurable result of that? Can you put a number on it?",
    "ending": "How did it end? What was the result, and can you put a number on it?",
    "approach": "Could you walk me through your approach step by step, and why you'd do it "
    "that way?",
    "case": "Can you give me an example from your own work where you did this, and how it "
    "turned out?",
}
"""The coach's stock follow-up questions, keyed by the gap they target."""


def scored(name: str, score: int, said: str, evidence: str, missing: str) -> DimensionScore:
    """Quote `evidence` when the dimension is solid (3+) and has words to quote; else the gap."""
    score = min(5, max(1, score))
    if score >= 3 and evidence:
        return DimensionScore(name, score, f'{said}: "{evidence}"', evidence)
    return DimensionScore(name, score, missing)


def quote_near(sig: Signals, index: int, *, before: int = 4, after: int = 9) -> str:
    """The candidate's exact words around token `index`, within its clause."""
    return quote_around(sig.text, sig.tokens, index, before=before, after=after)


def join_words(items: list[str]) -> str:
    """Join for a sentence: "a", "a and b", "a, b and c"."""
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def is_stock_follow_up(text: str) -> bool:
    """Whether `text` is one of our own generic follow-ups (which carry no topic words)."""
    return text in FOLLOW_UPS.values()
