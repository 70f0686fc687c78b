"""Scores for each rubric dimension from detected signals, each justified with a quote.

A strong dimension quotes the candidate's own words (an exact substring, in `evidence`);
a weak one says what is missing instead. Thresholds are documented in docs/rubric.md.
"""

from __future__ import annotations

from bot.core.models import DimensionScore, Question, SpeechMetrics
from bot.flows.metrics import find_fillers, find_hedges
from bot.flows.text import (
    QUESTION_STOPWORDS,
    STOPWORDS,
    content_stems,
    quote_around,
    sentence_lengths,
    stem,
    words,
)
from bot.flows.topics import topics_of, topics_of_stem
from bot.providers.coach.rule_signals import Signals

SWEET_SPOT = (90, 300)
"""Spoken answers of this many words score best on clarity; longer is not better."""
_LENGTH_STEPS = ((15, 1), (40, 2), (70, 3), (90, 4), (300, 5), (400, 4), (550, 3))
RELEVANCE_STEPS = (1.0, 2.0, 3.0, 4.0)
"""Relevance points needed for scores 2, 3, 4 and 5 (see `relevance_points`)."""


def score_all(question: Question, sig: Signals, metrics: SpeechMetrics) -> tuple[DimensionScore, ...]:
    """One `DimensionScore` per rubric dimension, in rubric order."""
    return (
        score_star(sig),
        score_specificity(sig),
        score_impact(sig),
        score_ownership(sig, metrics),
        score_relevance(question, sig),
        score_clarity(sig, metrics),
    )


def _scored(name: str, score: int, said: str, quote: str, missing: str) -> DimensionScore:
    """Quote when the dimension is solid (3+) and we have words to quote; else name the gap."""
    score = min(5, max(1, score))
    if score >= 3 and quote:
        return DimensionScore(name, score, f'{said}: "{quote}"', quote)
    return DimensionScore(name, score, missing)


def _q(sig: Signals, index: int, *, before: int = 4, after: int = 9) -> str:
    return quote_around(sig.text, sig.tokens, index, before=before, after=after)


def star_parts(sig: Signals) -> dict[str, float]:
    """How much of each STAR part is present: 1 full, 0.5 partial ("we" only, vague result)."""
    result_said = bool(sig.result or sig.qualitative)
    return {
        "situation": 1.0 if sig.situation else 0.0,
        "task": 1.0 if sig.task else 0.0,
        "action": 1.0 if sig.i_actions else 0.5 if sig.we_actions else 0.0,
        "result": (1.0 if sig.outcome_quantities else 0.5) if result_said else 0.0,
    }


def score_star(sig: Signals) -> DimensionScore:
    parts = star_parts(sig)
    score = 1 + int(sum(parts.values()))
    missing = [p for p, v in parts.items() if v < 1]
    gap = " and ".join(missing) if missing else "nothing"
    anchor = sig.outcome_quantities[-1:] or sig.result[-1:] or sig.i_actions[:1] or sig.situation
    said = "Complete STAR story" if not missing else f"Partial STAR story (thin on {gap})"
    return _scored(
        "star",
        score,
        said,
        _q(sig, anchor[0]) if anchor else "",
        f"The story is missing its {gap}: set the scene, say what you did and how it ended.",
    )


def score_specificity(sig: Signals) -> DimensionScore:
    q, n, d, g = (len(sig.quantities), len(sig.names), len(sig.domain_terms), len(sig.generic))
    points = min(q, 4) + min(n, 4) + 0.5 * min(d, 4) - 0.75 * g
    score = 1 + sum(points >= step for step in (1, 2.5, 4.5, 7))
    concrete = sorted(sig.quantities + sig.names)
    generic = sorted({sig.tokens[i].text for i in sig.generic})[:3]
    vague = f" and leans on {', '.join(repr(w) for w in generic)}" if generic else ""
    return _scored(
        "specificity",
        score,
        "Concrete detail",
        _q(sig, _densest(sig, concrete)) if concrete else "",
        f"Few concrete details{vague}; name the tool, the team, the customer, the numbers.",
    )


def _densest(sig: Signals, indices: list[int]) -> int:
    """The first index inside the sentence holding the most of `indices`."""
    counts: dict[int, int] = {}
    for i in indices:
        counts[sig.tokens[i].sentence] = counts.get(sig.tokens[i].sentence, 0) + 1
    best = max(counts, key=lambda s: (counts[s], -s))
    return next(i for i in indices if sig.tokens[i].sentence == best)


def score_impact(sig: Signals) -> DimensionScore:
    oq = len(sig.outcome_quantities)
    said = bool(sig.result or sig.qualitative)
    score = 5 if oq >= 2 else 4 if oq == 1 else 3 if said and sig.quantities else 2 if said else 1
    if not said and sig.quantities and score < 2:
        score = 2
    return _scored(
        "impact",
        score,
        "Measured outcome" if oq else "Outcome stated",
        _q(sig, (sig.outcome_quantities or sig.result or sig.qualitative)[-1]) if said else "",
        "No measurable outcome: say what changed and by how much (%, time, money, count)."
        if said
        else "No outcome at all: finish the story with what happened because of your work.",
    )


def score_ownership(sig: Signals, metrics: SpeechMetrics) -> DimensionScore:
    mine, ours = len(sig.i_actions), len(sig.we_actions)
    i_share = metrics.i_count / max(1, metrics.i_count + metrics.we_count)
    if mine == 0:
        score = 2 if ours else 1
    else:
        score = min(5, 2 + mine) if i_share >= 0.5 else min(4, 1 + mine)
    first_i = sig.i_actions[0] - 1 if sig.i_actions else 0
    missing = (
        "It's 'we' throughout; say what you personally did and decided."
        if ours
        else "No concrete actions: say what you did, step by step, in the first person."
    )
    return _scored("ownership", score, "Clear personal actions", _q(sig, first_i, before=0), missing)


def question_terms(question: Question) -> tuple[dict[str, str], set[str], set[str]]:
    """The question's topic stems (stem -> word), its thesaurus topics, its answer-note stems."""
    stop = STOPWORDS | QUESTION_STOPWORDS
    primary: dict[str, str] = {}
    for word in [*" ".join(question.keywords).split(), *words(question.text)]:
        if word.lower() not in stop and len(word) > 2:
            primary.setdefault(stem(word), word.lower())
    competencies = " ".join(question.competencies).replace("-", " ").split()
    topics = topics_of([*primary.values(), *competencies])
    notes = content_stems(" ".join(question.strong_answer), extra_stop=QUESTION_STOPWORDS)
    return primary, topics, notes - primary.keys()


def relevance_points(question: Question, sig: Signals) -> tuple[float, list[int]]:
    """Evidence the answer is on the question, and the answer tokens that carry it.

    One point per question word the answer uses, half a point per answer word on one of the
    question's topics (at most four per topic), a quarter per answer-note word (at most 4).
    """
    primary, topics, notes = question_terms(question)
    hits: list[int] = []
    matched: set[str] = set()
    per_topic: dict[str, set[str]] = {t: set() for t in topics}
    for i, tok in enumerate(sig.tokens):
        if tok.text in STOPWORDS:
            continue
        s = stem(tok.text)
        if s in primary or s in notes or topics & topics_of_stem(s):
            hits.append(i)
        matched.add(s)
        for topic in topics & topics_of_stem(s):
            per_topic[topic].add(s)
    direct = len(matched & primary.keys())
    on_topic = sum(min(4, len(found)) for found in per_topic.values())
    return direct + 0.5 * on_topic + 0.25 * min(4, len(matched & notes)), hits


def score_relevance(question: Question, sig: Signals) -> DimensionScore:
    primary, topics, _ = question_terms(question)
    points, hits = relevance_points(question, sig)
    if not primary and not topics:
        score = 4 if len(sig.tokens) >= 20 else 3
    else:
        score = 1 + sum(points >= step for step in RELEVANCE_STEPS)
    topic = ", ".join(f"'{w}'" for w in list(primary.values())[:3]) or "the question"
    return _scored(
        "relevance",
        score,
        "On the question",
        _q(sig, hits[0]) if hits else "",
        f"Drifts from the question: little about {topic}. Answer the question asked first.",
    )


def score_clarity(sig: Signals, metrics: SpeechMetrics) -> DimensionScore:
    wc = len(sig.tokens)
    score = next((s for limit, s in _LENGTH_STEPS if wc < limit), 2)
    problems: list[str] = []
    if not SWEET_SPOT[0] - 20 <= wc <= SWEET_SPOT[1]:
        problems.append(f"{wc} words (aim for {SWEET_SPOT[0]}-{SWEET_SPOT[1]})")
    penalties, worst = _padding(sig, metrics)
    score -= sum(points for points, _ in penalties)
    problems += [problem for _, problem in penalties]
    said = "Easy to follow" if not problems else "Mostly clear, but " + "; ".join(problems)
    return _scored(
        "clarity",
        score,
        said,
        _q(sig, worst, before=2) if wc >= 4 else "",
        "Hard to follow: " + ("; ".join(problems) or "too short to judge") + ".",
    )


def _padding(sig: Signals, metrics: SpeechMetrics) -> tuple[list[tuple[int, str]], int]:
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
    if len(hedges) >= 2 and len(hedges) * 100 / max(wc, 1) > 2.5:
        penalties.append((1, "hedging ('" + "', '".join(h for h, _ in hedges[:2]) + "')"))
    worst = fillers[0][1] if fillers else hedges[0][1] if hedges else 0
    return penalties, worst
