"""The coach's words: strengths, improvements, a short spoken-style paragraph, a follow-up.

Deterministic: wording variants are chosen by a hash of the question id, never at random.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from bot.core.models import DimensionScore, Question, SpeechMetrics
from bot.flows.rubric import DIMENSIONS
from bot.providers.coach.rule_scores import SWEET_SPOT

PACE_WPM = (110, 170)
"""Comfortable interview pace; outside it the feedback mentions speed."""
FILLERS_PER_MIN = 3.0

STRENGTH_LINES = {
    "star": "Clear story arc, right through to the result",
    "specificity": "Concrete, checkable detail",
    "impact": "You put a number on the outcome",
    "ownership": "Your own actions come through clearly",
    "relevance": "You answered the question that was asked",
    "clarity": "Easy to follow",
}
ADVICE = {
    "star": "Give it a clear shape: one sentence of context, what you were asked to do, "
    "two or three things you did, then the result.",
    "specificity": "Swap general statements for specifics: name the tool, the team or "
    "customer, when it happened and the numbers.",
    "impact": "End on the result and put a number on it: a percentage, time or money "
    "saved, or a before-and-after.",
    "ownership": "Say 'I' for your part: which decision was yours, what you built or "
    "changed, who you talked to.",
    "relevance": "Answer the question asked in your first sentence, then tell the one story "
    "that proves it.",
    "clarity": "Keep it to about a minute or two: short sentences, a pause instead of a "
    "filler, and no softeners like 'I think' or 'maybe'.",
}
LENGTH_ADVICE = {
    "short": "Say more: about a minute is right, enough for the context, two or three "
    "actions and the result.",
    "long": "Trim it to a minute or two (90-300 words): keep your actions and the result, "
    "cut the background.",
}
TIPS = {
    "star": "walk me from the situation through your actions to how it ended",
    "specificity": "swap the general statements for one real example with names and numbers",
    "impact": "finish with the outcome and put a number on it",
    "ownership": "tell me what you personally did, not just the team",
    "relevance": "start by answering the question asked, then back it with a story",
    "clarity": "tighten it up so each point lands",
}
NOTE_HINTS = {
    "impact": ("result", "metric", "measur", "number", "impact", "outcome", "quantif"),
    "star": ("situation", "context", "story", "step", "example", "structur"),
    "ownership": ("own", "personal", "decision", "responsib", "their", "they"),
    "specificity": ("specific", "example", "name", "tool", "detail", "concrete"),
    "clarity": ("concise", "clear", "structur", "short"),
    "relevance": (),
}
OPENERS = {
    80: ("That's a strong answer.", "Really solid answer."),
    60: ("Good answer with a solid core.", "Nice work, there's a good story here."),
    35: ("There's a good story in there, but it needs more shape.",
         "You're on the right track; now let's make it land."),  # fmt: skip
    0: ("Thanks for giving that a go; let's build it up together.",
        "Good start getting something down; let's turn it into a story."),  # fmt: skip
}
FOLLOW_UPS = {
    "example": "Could you walk me through a specific example: what happened, what you did, "
    "and how it turned out?",
    "personal": "What did you personally do, as opposed to the team?",
    "result": "What was the measurable result of that? Can you put a number on it?",
    "ending": "How did it end? What was the result, and can you put a number on it?",
}


def _variant(question: Question, options: Sequence[str]) -> str:
    return options[zlib.crc32(question.id.encode()) % len(options)]


def _ranked(dims: Sequence[DimensionScore], *, best: bool) -> list[DimensionScore]:
    """Dimensions by score (high or low first), heavier rubric weight breaking ties."""
    sign = -1 if best else 1
    return sorted(dims, key=lambda d: (sign * d.score, -DIMENSIONS[d.name].weight))


def strengths(dims: Sequence[DimensionScore]) -> tuple[str, ...]:
    """The top one or two dimensions scoring 4+, each with the quote that earned it."""
    top = [d for d in _ranked(dims, best=True) if d.score >= 4 and d.evidence][:2]
    return tuple(f'{STRENGTH_LINES[d.name]}: "{d.evidence}"' for d in top)


def improvements(
    question: Question, dims: Sequence[DimensionScore], *, words: int
) -> tuple[str, ...]:
    """One to three concrete fixes for the weakest dimensions, tied to the bank's notes."""
    weak = [d for d in _ranked(dims, best=False) if d.score <= 3][:3]
    if not weak:
        weak = [d for d in _ranked(dims, best=False) if d.score < 5][:1]
    used: set[str] = set()
    lines = []
    for d in weak:
        note = _note_for(question, d.name, used)
        advice = ADVICE[d.name]
        if d.name == "clarity":
            advice = LENGTH_ADVICE.get(length_hint(words), advice)
        lines.append(advice + (f" A strong answer here {note}." if note else ""))
    return tuple(lines)


def _note_for(question: Question, dim: str, used: set[str]) -> str:
    """The strong-answer note that best fits `dim` (else the first unused one), marked used."""
    notes = [n.strip().rstrip(".") for n in question.strong_answer if n.strip() not in used]
    fit = next((n for n in notes if any(h in n.lower() for h in NOTE_HINTS[dim])), None)
    chosen = fit or (notes[0] if notes else "")
    if chosen:
        used.add(chosen)
    return chosen


def follow_up(question: Question, dims: dict[str, int], *, words: int, measured: bool) -> str | None:
    """A question that targets the biggest gap of a thin answer, or None for a complete one."""
    if dims["relevance"] <= 2:
        return f"Let's come back to the question: {question.text}"
    if words < 40 or (dims["star"] <= 2 and dims["specificity"] <= 2):
        return FOLLOW_UPS["example"]
    if dims["ownership"] <= 2:
        return FOLLOW_UPS["personal"]
    if dims["impact"] <= 2:
        return FOLLOW_UPS["ending"]
    if not measured:
        return FOLLOW_UPS["result"]
    return None


def feedback(
    question: Question, dims: Sequence[DimensionScore], overall: int, metrics: SpeechMetrics
) -> str:
    """Two to four warm sentences: verdict, what worked, the one fix, delivery if it matters."""
    band = next(b for b in sorted(OPENERS, reverse=True) if overall >= b)
    parts = [_variant(question, OPENERS[band])]
    best = _ranked(dims, best=True)[0]
    if best.score >= 4 and best.evidence:
        parts.append(f'{STRENGTH_LINES[best.name]}; I liked "{best.evidence}".')
    worst = _ranked(dims, best=False)[0]
    if worst.score < 5:
        parts.append(f"To make it stronger, {TIPS[worst.name]}.")
    else:
        parts.append("Keep answering exactly like this.")
    delivery = delivery_note(metrics)
    if delivery:
        parts.append(delivery)
    return " ".join(parts)


def delivery_note(metrics: SpeechMetrics) -> str:
    """One sentence on pace, fillers or a long pause, only when one of them matters."""
    notes = []
    wpm = metrics.words_per_minute
    if metrics.timed and metrics.word_count >= 20 and wpm > PACE_WPM[1]:
        notes.append(f"you spoke at about {wpm:.0f} words a minute, so slow down a touch")
    elif metrics.timed and metrics.word_count >= 20 and 0 < wpm < PACE_WPM[0]:
        notes.append(f"your pace was about {wpm:.0f} words a minute, so pick it up a little")
    if metrics.fillers_per_minute > FILLERS_PER_MIN and metrics.filler_count >= 2:
        top = max(metrics.fillers, key=lambda f: (metrics.fillers[f], f), default="um")
        notes.append(f"about {metrics.fillers_per_minute:.0f} fillers a minute, mostly '{top}'")
    if metrics.long_pauses:
        notes.append(f"a {metrics.longest_pause_s:.0f}-second pause, fine if you were thinking")
    return f"On delivery: {'; '.join(notes)}." if notes else ""


def length_hint(words: int) -> str:
    """Where a word count sits against the clarity sweet spot: short, right or long."""
    low, high = SWEET_SPOT
    return "short" if words < low - 20 else "long" if words > high else "right"
