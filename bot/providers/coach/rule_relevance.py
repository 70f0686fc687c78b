"""Relevance: does the answer address the question that was asked?

Evidence is lexical: the question's own words and keywords, its topics in the thesaurus
(`bot.flows.topics`) and the bank's strong-answer notes. Words every answer uses count for
little, and a topic counts only when the answer uses two or more of its words.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.models import DimensionScore, Question
from bot.flows.text import (
    QUESTION_STOPWORDS,
    STOPWORDS,
    content_stems,
    content_words,
    stem,
    words,
)
from bot.flows.topics import COMMON_TERMS, topics_of, topics_of_stem
from bot.providers.coach.rule_signals import Signals
from bot.providers.coach.rule_text import is_stock_follow_up, join_words, quote_near, scored

RELEVANCE_STEPS = (1.0, 1.5, 2.5, 3.5)
"""Relevance points needed for scores 2, 3, 4 and 5 (see `relevance_points`)."""
COVERAGE_FOR_3 = 0.5
"""Using half the question's own words is on topic, however short the question."""


@dataclass(frozen=True, slots=True)
class QuestionTerms:
    """What an on-topic answer is likely to say, from one question."""

    words: dict[str, str]  # stem -> the question's own word, from its text and keywords
    topics: frozenset[str]  # thesaurus topics of its text and competencies
    notes: frozenset[str]  # stems of the strong-answer notes not already in `words`


def question_terms(question: Question) -> QuestionTerms:
    """The topic-bearing words, thesaurus topics and note words of `question`.

    A stock follow-up ("What did you personally do...?") contributes no words of its own, so
    its answer is judged on the keywords it inherited from the original question, if any.
    """
    text = "" if is_stock_follow_up(question.text) else question.text
    own: dict[str, str] = {}
    for word in content_words(" ".join((*question.keywords, text)), extra_stop=QUESTION_STOPWORDS):
        own.setdefault(stem(word), word)
    competencies = " ".join(question.competencies).replace("-", " ").split()
    topics = topics_of([*words(text), *competencies])
    notes = content_stems(" ".join(question.strong_answer), extra_stop=QUESTION_STOPWORDS)
    return QuestionTerms(own, frozenset(topics), frozenset(notes - own.keys()))


def relevance_points(terms: QuestionTerms, sig: Signals) -> tuple[float, float, list[int]]:
    """Evidence the answer is on the question: points, share of the question's words it uses,
    and the answer tokens that carry the evidence.

    A point per question word the answer shares (a quarter for `COMMON_TERMS`), half a point
    per answer word on one of the question's topics when it uses two or more (at most four
    per topic), and a quarter per answer-note word (at most four).
    """
    hits: list[int] = []
    said: set[str] = set()
    for i, tok in enumerate(sig.tokens):
        s = stem(tok.text)
        if tok.text not in STOPWORDS and s not in said:
            said.add(s)
            if s in terms.words or s in terms.notes or terms.topics & topics_of_stem(s):
                hits.append(i)
    shared = said & terms.words.keys()
    points = len(shared - COMMON_TERMS) + 0.25 * len(shared & COMMON_TERMS)
    for topic in terms.topics:
        found = sum(1 for s in said if topic in topics_of_stem(s))
        points += 0.5 * min(4, found) if found >= 2 else 0
    coverage = len(shared - COMMON_TERMS) / max(1, len(terms.words.keys() - COMMON_TERMS))
    return points + 0.25 * min(4, len(said & terms.notes)), coverage, hits


def score_relevance(question: Question, sig: Signals) -> DimensionScore:
    """Relevance from `relevance_points`, at least 3 when half the question's words are used."""
    terms = question_terms(question)
    points, coverage, hits = relevance_points(terms, sig)
    if not terms.words and not terms.topics:
        score = 4 if len(sig.tokens) >= 20 else 3
    else:
        score = 1 + sum(points >= step for step in RELEVANCE_STEPS)
        score = max(score, 3 if coverage >= COVERAGE_FOR_3 else 1)
    topic = join_words([f"'{w}'" for w in list(terms.words.values())[:3]]) or "the question"
    return scored(
        "relevance",
        score,
        "On the question",
        quote_near(sig, hits[0]) if hits else "",
        f"Touches the question only in passing; say more about {topic}."
        if score == 2
        else f"Drifts from the question: nothing about {topic}. Answer the question asked first.",
    )
