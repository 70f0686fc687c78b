"""Concepts of a text: thesaurus topics (`bot.flows.topics`) and the stems of other words.

Relevance compares the concepts of a question with those of an answer, so "we rolled back the
deploy" and "rollback" meet on one concept however they are inflected or split.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from bot.flows.text import STOPWORDS, stem, words
from bot.flows.topics import TOPICS

_Phrase = tuple[str, ...]
_STEMMED: dict[str, list[tuple[_Phrase, str]]] = defaultdict(list)  # first stem -> phrases
_EXACT: dict[str, set[str]] = defaultdict(set)  # exact word -> topics
for _topic, _entries in TOPICS.items():
    for _entry in _entries:
        if _entry.startswith("="):
            _EXACT[_entry[1:]].add(_topic)
            continue
        _stems = tuple(stem(w) for w in words(_entry.replace("_", " ")))
        _STEMMED[_stems[0]].append((_stems, _topic))


def concept_hits(
    tokens: Sequence[str], *, skip: frozenset[str] = frozenset()
) -> dict[str, dict[int, str]]:
    """Where each concept of `tokens` (lowercase words) occurs: concept -> {index: form}.

    A phrase ("token bucket") claims its words before any single word does. A word on a topic
    counts as that topic ("#topic"); any other content word as its own stem. Single words
    never match stopwords or `skip`.
    """
    stems = [stem(t) for t in tokens]
    hits: dict[str, dict[int, str]] = defaultdict(dict)
    claimed: set[int] = set()
    for i in range(len(tokens)):
        for phrase, topic in _STEMMED.get(stems[i], ()):
            n = len(phrase)
            if n > 1 and tuple(stems[i : i + n]) == phrase:
                hits["#" + topic].setdefault(i, " ".join(phrase))
                claimed.update(range(i, i + n))
    for i, token in enumerate(tokens):
        if i in claimed or token in STOPWORDS or token in skip or len(token) < 2:
            continue
        topics = _EXACT.get(token, set()) | {
            t for p, t in _STEMMED.get(stems[i], ()) if len(p) == 1
        }
        for topic in topics:
            hits["#" + topic][i] = stems[i]
        if not topics and len(token) > 2 and token[0].isalpha():
            hits[stems[i]][i] = stems[i]
    return dict(hits)
