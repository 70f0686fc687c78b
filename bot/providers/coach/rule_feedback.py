"""The coach's words: strengths, improvements, a short spoken-style paragraph, a follow-up.

Deterministic: wording variants are chosen by a hash of the question id, never at random.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from bot.core.models import DimensionScore, Question, SpeechMetrics
from bot.flows.rubric import DIMENSIONS
from bot.providers.coach.rule_scores import SWEET_SPOT
from bot.providers.coach.rule_text import FOLLOW_UPS

PACE_WPM = (110, 170)
"""Comfortable interview pace; outside it the feedback mentions speed."""
FILLERS_PER_MIN = 3.0

STRENGTH_LINES = {
    "star": "A complete story, well set up",
    "specificity": "Concrete, checkable detail",
    "impact": "You put a number on the outcome",
    "ownership": "Your own actions come through clearly",
    "relevance": "You answered the question that was asked",
    "clarity": "Easy to follow",
    "star-role": "A clear, structured approach",
    "impact-role": "You backed it with a number",
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
    "relevance": "Make the link to the question explicit: answer it in your first sentence, "
    "in its own words, then tell the one story that proves it.",
    "clarity": "Keep it to about a minute or two: short sentences, a pause instead of a "
    "filler, and no softeners like 'I think' or 'maybe'.",
    "star-role": "Give your approach a shape: how you'd start, two or three steps, why each "
    "matters, and an example from your own work.",
    "impact-role": "Back it with a number: a result from a time you did this, or the metric "
    "you'd watch to know it worked.",
}
"""What to do about a weak dimension (scored 1-2)."""
POLISH = {
    "star": "Make every step of the story explicit, including the goal you were given "
    "and how it ended.",
    "specificity": "Add a detail or two a listener could check: the tool, the team, the date "
    "or the exact figure.",
    "impact": "Make the result land harder: a before-and-after, or a second number such as "
    "time or money saved.",
    "ownership": "Make your own calls explicit: 'I decided', 'I proposed', 'I convinced'.",
    "relevance": "Name the question's own topic in your first sentence, so the link is "
    "unmistakable.",
    "clarity": "Trim fillers and softeners so each point lands.",
    "star-role": "Say why each step matters, and back the approach with one real example.",
    "impact-role": "Put a figure on it: what it changed when you did it, or the target you'd set.",
}
"""How to lift a decent dimension (scored 3-4)."""
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
    "relevance": "answer the question asked in your first sentence",
    "clarity": "tighten it up so each point lands",
    "star-role": "walk me through your approach step by step, and why",
    "impact-role": "back it with a result from your own work",
}
"""The one fix named in the spoken feedback, for a weak dimension."""
POLISH_TIPS = {
    "star": "make each step of the story explicit, especially your goal",
    "specificity": "add one more detail a listener could check",
    "impact": "add a before-and-after to the result",
    "ownership": "say which calls were yours",
    "relevance": "name the question's topic in your first sentence",
    "clarity": "trim the fillers and softeners",
    "star-role": "add an example from your own work",
    "impact-role": "put a figure on the outcome",
}
QUOTABLE = ("impact", "specificity", "ownership")
"""Dimensions whose evidence makes a good "I liked ..." line in the spoken feedback."""
NOTE_HINTS = {
    "impact": ("result", "metric", "measur", "number", "impact", "outcome", "quantif"),
    "star": ("situation", "context", "story", "step", "example", "structur"),
    "ownership": ("own", "personal", "decision", "responsib", "their", "they"),
    "specificity": ("specific", "example", "name", "tool", "detail", "concrete"),
    "clarity": ("concise", "clear", "structur", "short"),
    "relevance": (),
    "star-role": ("approach", "step", "start", "explain", "trade", "example"),
    "impact-role": ("result", "metric", "measur", "number", "impact", "outcome"),
}
OPENERS = {
    80: ("That's a strong answer.", "Really solid answer."),
    60: ("Good answer with a solid core.", "Nice work, there's a good story here."),
    35: (
        "There's a good story in there, but it needs more shape.",
        "You're on the right track; now let's make it land.",
    ),
    0: (
        "Thanks for giving that a go; let's build it up together.",
        "Good start getting something down; now let's build on it.",
    ),
}


def _key(question: Question, name: str) -> str:
    """The wording key: role questions have their own words for STAR and impact."""
    return f"{name}-role" if question.kind == "role" and name in ("star", "impact") else name


def _variant(question: Question, options: Sequence[str]) -> str:
    return options[zlib.crc32(question.id.encode()) % len(options)]


def _ranked(dims: Sequence[DimensionScore], *, best: bool) -> list[DimensionScore]:
    """Dimensions by score (high or low first), heavier rubric weight breaking ties."""
    sign = -1 if best else 1
    return sorted(dims, key=lambda d: (sign * d.score, -DIMENSIONS[d.name].weight))


def strengths(question: Question, dims: Sequence[DimensionScore]) -> tuple[str, ...]:
    """The top one or two dimensions scoring 4+, each with the quote that earned it."""
    top: list[DimensionScore] = []
    for d in _ranked(dims, best=True):
        if d.score >= 4 and d.evidence and all(d.evidence != t.evidence for t in top):
            top.append(d)
    return tuple(f'{STRENGTH_LINES[_key(question, d.name)]}: "{d.evidence}"' for d in top[:2])


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
        key = _key(question, d.name)
        note = _note_for(question, key, used)
        advice = ADVICE[key] if d.score <= 2 else POLISH[key]
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


def follow_up(
    question: Question, scores: dict[str, int], *, words: int, measured: bool, example: bool
) -> str | None:
    """A question that targets the biggest gap of a thin answer, or None for a complete one.

    `measured`: the answer puts a number on an outcome; `example`: it draws on a real case.
    """
    if scores["relevance"] <= 1:
        return f"Let's come back to the question: {question.text}"
    if question.kind == "role":
        if words < 40 or scores["star"] <= 2:
            return FOLLOW_UPS["approach"]
        return None if example else FOLLOW_UPS["case"]
    if words < 40 or (scores["star"] <= 2 and scores["specificity"] <= 2):
        return FOLLOW_UPS["example"]
    if scores["ownership"] <= 2:
        return FOLLOW_UPS["personal"]
    if scores["impact"] <= 2:
        return FOLLOW_UPS["ending"]
    return None if measured else FOLLOW_UPS["result"]


def feedback(
    question: Question, dims: Sequence[DimensionScore], overall: int, metrics: SpeechMetrics
) -> str:
    """Two to four warm sentences: verdict, what worked, the one fix, delivery if it matters."""
    band = next(b for b in sorted(OPENERS, reverse=True) if overall >= b)
    parts = [_variant(question, OPENERS[band])]
    quotable = [d for d in _ranked(dims, best=True) if d.name in QUOTABLE] or list(dims)
    best = quotable[0]
    on_topic = all(d.score >= 3 for d in dims if d.name == "relevance")
    if best.score >= 4 and best.evidence and on_topic:
        parts.append(f'{STRENGTH_LINES[_key(question, best.name)]}; I liked "{best.evidence}".')
    worst = _ranked(dims, best=False)[0]
    if worst.score < 5:
        key = _key(question, worst.name)
        tip = TIPS[key] if worst.score <= 2 else POLISH_TIPS[key]
        parts.append(f"To make it stronger, {tip}.")
    else:
        parts.append("Keep answering exactly like this.")
    delivery = delivery_note(metrics)
    if delivery:
        parts.append(delivery)
    return " ".join(parts)


def delivery_note(metrics: SpeechMetrics) -> str:
    """One sentence on pace, fillers or a long pause of a spoken answer, when one matters."""
    if not metrics.timed:
        return ""  # typed: no real pace, and fillers already cost clarity points
    notes = []
    wpm = metrics.words_per_minute
    if metrics.word_count >= 20 and wpm > PACE_WPM[1]:
        notes.append(f"you spoke at about {wpm:.0f} words a minute, so slow down a touch")
    elif metrics.word_count >= 20 and 0 < wpm < PACE_WPM[0]:
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
