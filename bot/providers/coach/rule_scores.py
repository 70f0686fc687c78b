"""Scores for each rubric dimension from detected signals, each justified with a quote.

A strong dimension quotes the candidate's own words (an exact substring, in `evidence`);
a weak one says what is missing instead. Thresholds are documented in docs/rubric.md.
"""

from __future__ import annotations

from bot.core.models import DimensionScore, Question, SpeechMetrics
from bot.flows.metrics import find_fillers, find_hedges
from bot.flows.text import quote, sentence_lengths
from bot.providers.coach.rule_relevance import score_relevance
from bot.providers.coach.rule_signals import GENERIC_WORDS, Signals
from bot.providers.coach.rule_text import join_words, quote_near, scored

SWEET_SPOT = (90, 300)
"""Spoken answers of this many words score best on clarity; longer is not better."""
_LENGTH_STEPS = ((15, 1), (40, 2), (70, 3), (90, 4), (300, 5), (400, 4), (550, 3))
NO_STORY = "There's no story yet: no situation, task, action or result."
NO_APPROACH = (
    "There's no approach yet: say how you'd start, the steps, why, and an example from your work."
)
GAPS = {
    ("situation", 0.0): "the situation",
    ("task", 0.0): "your task or goal",
    ("action", 0.0): "what you did",
    ("action", 0.5): "what you did yourself",
    ("result", 0.0): "the result",
    ("result", 0.5): "a measurable result",
    ("frame", 0.0): "how you'd approach it",
    ("steps", 0.0): "the steps",
    ("steps", 0.5): "clear steps",
    ("reasons", 0.0): "why",
    ("example", 0.0): "an example from your own work",
}
NO_OUTCOME = "No outcome at all: finish the story with what happened because of your work."
NO_OUTCOME_ROLE = (
    "No result or figure yet: back the approach with an outcome from your own work, "
    "or the number you'd watch."
)


def score_all(
    question: Question, sig: Signals, metrics: SpeechMetrics
) -> tuple[DimensionScore, ...]:
    """One `DimensionScore` per rubric dimension, in rubric order."""
    role = question.kind == "role"
    return (
        score_star(sig, role=role),
        score_specificity(sig),
        score_impact(sig, role=role),
        score_ownership(sig, metrics, role=role),
        score_relevance(question, sig),
        score_clarity(sig, metrics),
    )


def star_parts(sig: Signals) -> dict[str, float]:
    """How much of each STAR part is present: 1 full, 0.5 partial ("we" only, vague result)."""
    result_said = bool(sig.result or sig.qualitative)
    return {
        "situation": 1.0 if sig.situation else 0.0,
        "task": 1.0 if sig.task else 0.0,
        "action": 1.0 if sig.i_actions else 0.5 if sig.we_actions else 0.0,
        "result": (1.0 if sig.outcome_quantities else 0.5) if result_said else 0.0,
    }


def structure_parts(sig: Signals) -> dict[str, float]:
    """For role questions, STAR's place is taken by framing, steps, reasons and an example."""
    return {
        "frame": 1.0 if sig.frame else 0.0,
        "steps": min(1.0, len(sig.steps) / 2),
        "reasons": 1.0 if sig.reasons else 0.0,
        "example": 1.0 if sig.examples or sig.situation else 0.0,
    }


def score_star(sig: Signals, *, role: bool = False) -> DimensionScore:
    """STAR completeness; for role questions, the structure of the approach instead."""
    parts = structure_parts(sig) if role else star_parts(sig)
    score = 1 + int(sum(parts.values()))
    gaps = join_words([GAPS[p, v] for p, v in parts.items() if v < 1])
    firsts = (sig.frame, sig.steps) if role else (sig.situation, sig.task, sig.i_actions)
    anchor = next((cue[0] for cue in firsts if cue), None)
    opening = quote_near(sig, anchor, before=1, after=11) if anchor is not None else ""
    kind = "structured answer" if role else "STAR story"
    if not gaps and opening:
        return DimensionScore("star", score, f'Complete {kind}, set up with "{opening}"', opening)
    how = "say how you'd start, the steps and why" if role else "set the scene, say what you did"
    missing = f"Missing {gaps}: {how}."
    if not any(parts.values()):
        missing = NO_APPROACH if role else NO_STORY
    return scored("star", score, f"Partial {kind} (missing {gaps}); it starts", opening, missing)


def score_specificity(sig: Signals) -> DimensionScore:
    """Numbers, names and domain terms, minus generic words; steps at 1, 2.5, 4.5 and 7."""
    q, n, d, g = (len(sig.quantities), len(sig.names), len(sig.domain_terms), len(sig.generic))
    points = min(q, 4) + min(n, 4) + 0.5 * min(d, 4) - 0.5 * g
    score = 1 + sum(points >= step for step in (1, 2.5, 4.5, 7))
    concrete = sorted(sig.quantities + sig.names)
    generic = sorted({sig.tokens[i].text for i in sig.generic} & GENERIC_WORDS)[:3]
    vague = f" and leans on {', '.join(repr(w) for w in generic)}" if generic else ""
    return scored(
        "specificity",
        score,
        "Concrete detail",
        quote_near(sig, _densest(sig, concrete)) if concrete else "",
        f"Few concrete details{vague}; name the tool, the team, the customer, the numbers.",
    )


def _densest(sig: Signals, indices: list[int]) -> int:
    """The first index inside the sentence holding the most of `indices`."""
    counts: dict[int, int] = {}
    for i in indices:
        counts[sig.tokens[i].sentence] = counts.get(sig.tokens[i].sentence, 0) + 1
    best = max(counts, key=lambda s: (counts[s], -s))
    return next(i for i in indices if sig.tokens[i].sentence == best)


def score_impact(sig: Signals, *, role: bool = False) -> DimensionScore:
    """Outcome numbers: two or more score 5, one scores 4; a result in words at most 3."""
    oq = len(sig.outcome_quantities)
    said = bool(sig.result or sig.qualitative)
    if oq:
        score = 5 if oq >= 2 else 4
    else:
        score = (3 if said else 2) if sig.quantities else (2 if said else 1)
    missing = "No measurable outcome: say what changed and by how much (%, time, money, count)."
    if not said:
        missing = NO_OUTCOME_ROLE if role else NO_OUTCOME
    anchor = (sig.outcome_quantities or sig.result or sig.qualitative)[-1:]
    return scored(
        "impact",
        score,
        "Measured outcome" if oq else "Outcome stated",
        quote_near(sig, anchor[0], before=7, after=7) if anchor else "",
        missing,
    )


def score_ownership(sig: Signals, metrics: SpeechMetrics, *, role: bool = False) -> DimensionScore:
    """First-person actions, held back when "we" outweighs "I"."""
    mine, ours = len(sig.i_actions), len(sig.we_actions)
    i_share = metrics.i_count / max(1, metrics.i_count + metrics.we_count)
    if mine == 0:
        score = 2 if ours else 1
    else:
        score = min(5, 2 + mine) if i_share >= 0.5 else min(4, 1 + mine)
    quotes = [quote_near(sig, i - 1, before=0, after=11) for i in sig.i_actions[:3]]
    missing = (
        "It's 'we' throughout; say what you personally did and decided."
        if ours
        else f"No concrete actions: say what you {'would do' if role else 'did'}, step by step, "
        "in the first person."
    )
    best = max(quotes, key=len, default="")
    return scored("ownership", score, "Clear personal actions", best, missing)


def score_clarity(sig: Signals, metrics: SpeechMetrics) -> DimensionScore:
    """Length against the sweet spot, minus run-ons, fillers, generalities and hedging."""
    wc = len(sig.tokens)
    score = next((s for limit, s in _LENGTH_STEPS if wc < limit), 2)
    problems: list[str] = []
    if not SWEET_SPOT[0] - 20 <= wc <= SWEET_SPOT[1]:
        problems.append(f"{wc} words (aim for {SWEET_SPOT[0]}-{SWEET_SPOT[1]})")
    penalties, padded_at = _padding(sig, metrics)
    score = min(5, max(1, score - sum(points for points, _ in penalties)))
    problems += [problem for _, problem in penalties]
    if not problems:
        first = _opening(sig)
        opening = quote(sig.text, sig.tokens, first, first + 11)
        return DimensionScore(
            "clarity", score, f'Easy to follow, opening with "{opening}"', opening
        )
    summary = "; ".join(problems)
    if padded_at is None or score <= 2:
        verdict = "Hard to follow:" if score <= 2 else "Mostly clear, but"
        return DimensionScore("clarity", score, f"{verdict} {summary}.")
    example = quote_near(sig, padded_at, before=2)
    said = f'Mostly clear, but {summary}, as in "{example}"'
    return DimensionScore("clarity", score, said, example)


def _opening(sig: Signals) -> int:
    """Index of the first token of the first sentence with six or more words."""
    lengths = sentence_lengths(sig.tokens)
    sentence = next((n for n, count in enumerate(lengths) if count >= 6), 0)
    return next(i for i, t in enumerate(sig.tokens) if t.sentence == sentence)


def _padding(sig: Signals, metrics: SpeechMetrics) -> tuple[list[tuple[int, str]], int | None]:
    """Clarity penalties for run-on sentences, fillers and hedging, and where the worst is."""
    wc = len(sig.tokens)
    penalties: list[tuple[int, str]] = []
    lengths = sentence_lengths(sig.tokens)
    if (len(lengths) > 1 or wc < 40) and wc / max(1, len(lengths)) > 30:
        penalties.append((1, "long, run-on sentences"))
    fillers, hedges = find_fillers(sig.tokens), find_hedges(sig.tokens)
    fpm = metrics.fillers_per_minute
    if fpm > 3 and fillers:
        penalties.append((2 if fpm > 8 else 1, f"{fpm:.0f} fillers a minute"))
    if len(sig.generic) >= 4:
        penalties.append((1, "padded with generalities"))
    if len(hedges) >= 2 and len(hedges) * 100 / max(wc, 1) > 2.5:
        penalties.append((1, "hedging ('" + "', '".join(h for h, _ in hedges[:2]) + "')"))
    padded = [i for _, i in fillers] if fpm > 3 else []
    padded += [i for _, i in hedges] if any("hedging" in p for _, p in penalties) else []
    return penalties, min(padded, default=None)
