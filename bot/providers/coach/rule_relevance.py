"""Relevance: does the answer address the question that was asked?

An interviewer hears the question's topic, not its exact words. The topic here is the concepts
of the question's text, bank keywords, strong-answer notes and competencies, expanded through
the thesaurus (`bot.flows.topics`: "broke in production" is also an outage, a timeout or being
paged) and weighted by how specific each is to this question within its role's bank ("deal"
says little in sales). A question typed by the user borrows the topic of the nearest bank
question. The answer's evidence is the weighted overlap with that topic, graded on steps; a
weak match that fits an unrelated question of the bank far better is the answer to that
question instead, the usual way an answer goes off topic.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.models import DimensionScore, Question
from bot.flows.questions import ROLES, load_bank
from bot.flows.text import QUESTION_STOPWORDS, STOPWORDS, word_set, words
from bot.flows.topics import COMMON_TERMS
from bot.providers.coach.rule_concepts import concept_hits
from bot.providers.coach.rule_signals import Signals
from bot.providers.coach.rule_text import is_stock_follow_up, join_words, quote_near, scored

Sources = tuple[tuple[str, float], ...]
SOURCES: Sources = (("text", 2.0), ("keywords", 1.0), ("strong_answer", 0.5), ("competencies", 0.5))
"""Where a question's topic comes from, and how much each counts: the question asked most."""
EMPHASIS_CAP = 3.0
"""A concept several of the question's words share (rollback, hotfix, feature flag) counts
more, up to this weight."""
COMMON_WEIGHT = 0.25
"""Most a concept in `COMMON_TERMS` or in over half the role's questions can weigh."""
DEPTH_BONUS = (0.5, 3)
"""Each further distinct answer word for a concept adds half its weight, up to three."""
TEXT_FILLER = word_set(
    """
    big bigger biggest major huge large small high low difficult hard tough tricky tight very
    several used use using build built building make making dealt showed system systems
    """
)
"""Words a question's text wraps its topic in ("a difficult bug", "used data to")."""
NEAREST_SHARE = 0.35
"""A typed question borrows the topic of the bank question covering this share of its own..."""
BORROWED = 0.5
"""...at this weight."""
RELEVANCE_STEPS = (0.25, 0.6, 1.1, 1.7)
"""Evidence (see `evidence`) needed for scores 2, 3, 4 and 5."""
CORE_STEPS = ((0.6, 0.6, 4), (0.9, 1.1, 5))
"""(share of the question text's own concepts, evidence, score): an answer speaking to all
the question asked earns 4 or 5 with less evidence."""
RIVAL_RATIO = 2.8
"""A 3 whose evidence an unrelated question of the bank beats this many times over is the
answer to that question instead: 2."""
RELATED_SHARE = 0.5
"""Bank questions whose text and keywords speak to this share of the question's topic are
related to it (the same subject), never its rivals."""


@dataclass(frozen=True, slots=True)
class QuestionTerms:
    """What an on-topic answer is likely to talk about, from one question."""

    weights: dict[str, float]  # concept ("#topic" or stem) -> weight
    names: tuple[str, ...]  # the question's own topic words, for the advice


def _texts(question: Question) -> dict[str, str]:
    return {
        "text": "" if is_stock_follow_up(question.text) else question.text,
        "keywords": " ; ".join(question.keywords),
        "strong_answer": " ; ".join(question.strong_answer),
        "competencies": " ; ".join(question.competencies).replace("-", " "),
    }


@lru_cache(maxsize=4096)
def _emphasis(question: Question, sources: Sources = SOURCES) -> dict[str, float]:
    """Concept -> summed source weight of its distinct words, capped at `EMPHASIS_CAP`."""
    best: dict[str, dict[str, float]] = defaultdict(dict)
    texts = _texts(question)
    for source, weight in sources:
        skip = QUESTION_STOPWORDS | TEXT_FILLER if source == "text" else QUESTION_STOPWORDS
        for concept, found in concept_hits(words(texts[source]), skip=skip).items():
            for form in found.values():
                best[concept][form] = max(weight, best[concept].get(form, 0.0))
    return {c: min(EMPHASIS_CAP, sum(forms.values())) for c, forms in best.items()}


@lru_cache(maxsize=16)
def _document_frequency(role: str) -> tuple[int, dict[str, int]]:
    """How many of the role's bank questions have each concept in their topic."""
    bank = load_bank(role) if role in ROLES else tuple(q for r in ROLES for q in load_bank(r))
    counts: dict[str, int] = defaultdict(int)
    for question in bank:
        for concept in _emphasis(question):
            counts[concept] += 1
    return len(bank), dict(counts)


def specificity(role: str, concept: str) -> float:
    """1 for a concept in one or two of the role's questions, down to `COMMON_WEIGHT`."""
    size, counts = _document_frequency(role)
    share = math.log(size / max(1, counts.get(concept, 0))) / math.log(max(3, size) / 2)
    cap = COMMON_WEIGHT if concept in COMMON_TERMS else 1.0
    return max(COMMON_WEIGHT, min(cap, share))


def weighted(question: Question, sources: Sources = SOURCES) -> dict[str, float]:
    """Concept -> weight in `question`'s topic: emphasis times specificity in its role."""
    return {c: w * specificity(question.role, c) for c, w in _emphasis(question, sources).items()}


def _bank(question: Question) -> tuple[Question, ...]:
    return load_bank(question.role) if question.role in ROLES else ()


def shared(own: Mapping[str, float], other: Question) -> float:
    """The share of the topic `own` that `other`'s text and keywords speak to."""
    theirs = _emphasis(other, SOURCES[:2])
    return sum(w for c, w in own.items() if c in theirs) / (sum(own.values()) or 1.0)


def nearest_bank_question(question: Question) -> tuple[Question | None, float]:
    """The role's bank question that speaks to most of `question`'s topic, and that share;
    ties go to the one whose own text `question` covers best."""
    own = weighted(question)
    best: tuple[float, float, Question | None] = (0.0, 0.0, None)
    for other in _bank(question) if own else ():
        text = weighted(other, SOURCES[:1])
        back = sum(w for c, w in text.items() if c in own) / (sum(text.values()) or 1.0)
        best = max(best, (round(shared(own, other), 6), back, other), key=lambda t: t[:2])
    return best[2], best[0]


def question_terms(question: Question) -> QuestionTerms:
    """The weighted concepts of `question`'s topic.

    A question typed by the user (no bank keywords or notes) borrows, at `BORROWED` weight,
    the topic of the bank question that speaks to `NEAREST_SHARE` of its own.
    """
    weights = weighted(question)
    if not question.keywords and not question.strong_answer:
        nearest, share = nearest_bank_question(question)
        if nearest is not None and share >= NEAREST_SHARE:
            for concept, weight in weighted(nearest).items():
                weights[concept] = max(weights.get(concept, 0.0), BORROWED * weight)
    texts = _texts(question)
    found = words(f"{texts['text']} {texts['keywords']}")
    skip = STOPWORDS | QUESTION_STOPWORDS | TEXT_FILLER
    names = tuple(dict.fromkeys(w for w in found if w not in skip and len(w) > 2))
    return QuestionTerms(weights, names)


def evidence(
    terms: QuestionTerms, hits: Mapping[str, Mapping[int, str]]
) -> tuple[float, list[int]]:
    """How much of the question's topic the answer speaks to, and the answer tokens that carry
    it, strongest concept first.

    Each topic concept the answer uses earns its weight, plus half again for each further
    distinct word for it (`DEPTH_BONUS`); the sum is divided by the square root of the topic's
    total weight, so a broad bank question and a short typed one are judged alike.
    """
    bonus, most = DEPTH_BONUS
    earned: list[tuple[float, list[int]]] = []
    for concept, found in hits.items():
        weight = terms.weights.get(concept, 0.0)
        if weight:
            earned.append((weight * (1 + bonus * min(most, len(set(found.values())) - 1)), []))
            earned[-1][1].extend(sorted(found))
    earned.sort(key=lambda e: (-e[0], e[1][0]))
    points = sum(e[0] for e in earned) / math.sqrt(max(1.5, sum(terms.weights.values())))
    return points, [i for _, found in earned for i in found]


def rival(question: Question, hits: Mapping[str, Mapping[int, str]]) -> tuple[float, str]:
    """The best evidence for an unrelated question of the role's bank, and its id."""
    own = weighted(question)
    nearest = nearest_bank_question(question)[0] if not question.keywords else None
    best = (0.0, "")
    for other in _bank(question):
        if other.id in (question.id, nearest.id if nearest else "") or shared(own, other) >= (
            RELATED_SHARE
        ):
            continue
        best = max(best, (evidence(question_terms(other), hits)[0], other.id))
    return best


def relevance(question: Question, tokens: Sequence[str]) -> tuple[int, list[int]]:
    """Relevance 1-5 of an answer (its lowercase `tokens`) and the tokens that carry it."""
    terms = question_terms(question)
    if not terms.weights:
        return (4 if len(tokens) >= 20 else 3), []
    hits = concept_hits(tokens)
    found, carriers = evidence(terms, hits)
    score = 1 + sum(found >= step for step in RELEVANCE_STEPS)
    asked = weighted(question, SOURCES[:1])
    core = sum(w for c, w in asked.items() if c in hits) / (sum(asked.values()) or 1.0)
    score = max([score, *(s for share, least, s in CORE_STEPS if core >= share and found >= least)])
    if score == 3 and rival(question, hits)[0] >= RIVAL_RATIO * found:
        score = 2
    return score, carriers


def score_relevance(question: Question, sig: Signals) -> DimensionScore:
    """Relevance from `relevance`, quoting the answer where it speaks most to the topic."""
    score, carriers = relevance(question, [t.text for t in sig.tokens])
    topic = join_words([f"'{w}'" for w in question_terms(question).names[:3]])
    return scored(
        "relevance",
        score,
        "On the question",
        quote_near(sig, carriers[0]) if carriers else "",
        f"Touches the question only in passing; say more about {topic or 'its topic'}."
        if score == 2
        else f"Drifts from the question: nothing about {topic or 'it'}. "
        "Answer the question asked first.",
    )
