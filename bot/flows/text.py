"""Shared text helpers: tokens with offsets, sentences, a light stemmer, exact quotes.

Everything that reads a transcript (speech metrics, the rule-based coach, evidence checks)
tokenises it here, so every module agrees on what a "word" is. Offsets always point into
the caller's original string, so a quote cut from them is an exact substring.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.models import Transcript

_TOKEN_RE = re.compile(
    r"[$£€]?\d+(?:[.,]\d+)*(?:%|x\b|k\b|m\b|bn\b)?"  # 40, 3.5, $2,000, 30%, 10x, 5k
    r"|[^\W\d_][^\W_]*(?:['’][^\W\d_]+)*"  # words (p95, b2b too) and i'm, don't
)
_SENTENCE_END = frozenset(".!?")
_CLAUSE_BREAK = frozenset(",;:—–…")


def word_set(text: str) -> frozenset[str]:
    """A constant word list written as one whitespace-separated string."""
    return frozenset(text.split())


STOPWORDS = word_set(
    """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't could couldn't did didn't do does doesn't doing
    don't down during each few for from further get got had hadn't has hasn't have haven't
    having he he'd he'll he's her here hers herself him himself his how i i'd i'll i'm i've if
    in into is isn't it it's its itself just let's me more most my myself no nor not now of off
    on once only or other ought our ours ourselves out over own really same she she'd she's
    should shouldn't so some such than that that's the their theirs them themselves then there
    there's these they they'd they'll they're they've this those through to too under until up
    us very was wasn't we we'd we'll we're we've were weren't what what's when where which while
    who whom why will with won't would wouldn't yeah yes you you'd you'll you're you've your
    yours yourself um uh er ah erm hmm like okay ok also one two well thing things stuff lot
    lots kind sort
    """
)
"""Function words plus spoken padding; never evidence of topic."""

QUESTION_STOPWORDS = word_set(
    """
    tell describe give walk explain share talk example time times situation something someone
    anything would could handle handled approach go went think tells describes recent recently
    last particular specific specifically happened happen new
    explains names name says say shows show mentions mention gives states state uses use adds
    add real clear clearly concrete rather instead without ever first back need needs make
    makes made ask asks asked set sets find finds check checks start starts
    try again come
    """
)
"""Words prompts and answer notes use whatever the topic ("tell me about a time...")."""

SYNONYMS: dict[str, str] = {
    "teammate": "colleague",
    "coworker": "colleague",
    "co-worker": "colleague",
    "peer": "colleague",
    "boss": "manager",
    "client": "customer",
    "clients": "customer",
    "conflict": "disagree",
    "disagreement": "disagree",
    "pushback": "disagree",
    "argument": "disagree",
    "mistake": "fail",
    "mistakes": "fail",
    "failure": "fail",
    "failed": "fail",
    "metric": "measure",
    "metrics": "measure",
    "kpi": "measure",
    "kpis": "measure",
    "prioritize": "priority",
    "prioritise": "priority",
    "prioritization": "priority",
    "prioritisation": "priority",
    "angry": "upset",
    "frustrated": "upset",
    "unhappy": "upset",
    "furious": "upset",
    "complaint": "upset",
}
"""Collapsed to one stem so relevance survives everyday paraphrase."""

_SUFFIXES = (
    "ions", "ion", "ments", "ment", "fully", "ful", "ness",
    "ings", "ing", "ers", "est", "ed", "es", "ly", "er", "is", "e", "s", "y",
)  # fmt: skip
_STEM_LEN = 7  # crude stems are cut here, so negotiated/negotiation meet


@dataclass(frozen=True, slots=True)
class Token:
    """One word or number: lowercased text, its span in the original string and context."""

    text: str
    start: int
    end: int
    sentence: int
    boundary: bool  # first token, or right after . ! ? , ; : … or a dash between spaces

    @property
    def is_number(self) -> bool:
        """Digits, optionally after a currency sign: "40", "3.5", "$2,000", "30%"."""
        return self.text.lstrip("$£€")[:1].isdigit()


def tokenize(text: str) -> tuple[Token, ...]:
    """Split `text` into tokens carrying offsets into `text` itself."""
    out: list[Token] = []
    prev_end, sentence = 0, 0
    for m in _TOKEN_RE.finditer(text):
        gap = text[prev_end : m.start()]
        pre = "".join(gap.split())
        if out and any(c in _SENTENCE_END for c in pre):
            sentence += 1
        word = m.group().lower().replace("’", "'")
        spaced_dash = "-" in pre and gap != pre  # "x - y" breaks a clause, "e-commerce" doesn't
        boundary = (
            not out or spaced_dash or any(c in _SENTENCE_END or c in _CLAUSE_BREAK for c in pre)
        )
        out.append(Token(word, m.start(), m.end(), sentence, boundary))
        prev_end = m.end()
    return tuple(out)


def spoken_text(transcript: Transcript) -> str:
    """The transcript's text, rebuilt from its timed words when the text is empty."""
    return transcript.text or " ".join(w.text for w in transcript.words)


def words(text: str) -> list[str]:
    """Lowercased word and number tokens of `text`."""
    return [t.text for t in tokenize(text)]


def sentence_lengths(tokens: Sequence[Token]) -> list[int]:
    """Number of tokens in each sentence (sentences split on . ! ?)."""
    counts: dict[int, int] = {}
    for tok in tokens:
        counts[tok.sentence] = counts.get(tok.sentence, 0) + 1
    return [counts[k] for k in sorted(counts)]


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A deliberately small stemmer: synonyms folded, -ize read as -ise, up to two suffixes
    off, a doubled final consonant merged, and the result cut to seven letters."""
    w = SYNONYMS.get(word.lower(), word.lower()).removesuffix("'s")
    w = w.replace("iz", "is").replace("yz", "ys")
    if w.endswith(("ies", "ied")) and len(w) > 4:
        w = w[:-3] + "y"
    for _ in range(2):
        w = next((w[: -len(s)] for s in _SUFFIXES if _strippable(w, s)), w)
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    return SYNONYMS.get(w, w)[:_STEM_LEN]


def _strippable(word: str, suffix: str) -> bool:
    return word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss")


def content_words(text: str, *, extra_stop: frozenset[str] = frozenset()) -> list[str]:
    """The topic-bearing words of `text`, in order: no stopwords, numbers or short words."""
    stop = STOPWORDS | extra_stop
    return [w for w in words(text) if w not in stop and len(w) > 2 and not w[0].isdigit()]


def content_stems(text: str, *, extra_stop: frozenset[str] = frozenset()) -> set[str]:
    """Stems of the topic-bearing words of `text`."""
    return {stem(w) for w in content_words(text, extra_stop=extra_stop)}


def find_phrase(tokens: Sequence[Token], phrase: str) -> list[int]:
    """Indices where the space-separated lowercase `phrase` begins."""
    parts = phrase.split()
    n = len(parts)
    return [
        i
        for i in range(len(tokens) - n + 1)
        if all(tokens[i + k].text == parts[k] for k in range(n))
    ]


def quote(text: str, tokens: Sequence[Token], first: int, last: int, *, max_words: int = 15) -> str:
    """Exact substring of `text` from token `first` to `last` (inclusive), at most `max_words`
    tokens long."""
    if not tokens:
        return ""
    first = max(0, min(first, len(tokens) - 1))
    last = max(first, min(last, len(tokens) - 1, first + max_words - 1))
    return text[tokens[first].start : tokens[last].end]


def quote_around(
    text: str, tokens: Sequence[Token], index: int, *, before: int = 4, after: int = 9
) -> str:
    """An exact quote around token `index`, kept within its clause (commas, dashes, stops)."""
    if not tokens:
        return ""
    index = max(0, min(index, len(tokens) - 1))
    first = index
    while first > 0 and index - first < before and not tokens[first].boundary:
        first -= 1
    last = index
    while last + 1 < len(tokens) and last - index < after and not tokens[last + 1].boundary:
        last += 1
    return quote(text, tokens, first, last)


def token_line(tokens: Sequence[Token]) -> tuple[str, list[int]]:
    """Tokens joined by single spaces, with each token's offset in that line."""
    offsets, pos = [], 0
    for tok in tokens:
        offsets.append(pos)
        pos += len(tok.text) + 1
    return " ".join(t.text for t in tokens), offsets


def match_tokens(tokens: Sequence[Token], pattern: re.Pattern[str]) -> list[int]:
    """Token indices where `pattern` matches the normalised token line (one per match)."""
    line, offsets = token_line(tokens)
    found: list[int] = []
    for m in pattern.finditer(line):
        i = bisect.bisect_right(offsets, m.start()) - 1
        if i >= 0 and (not found or found[-1] != i):
            found.append(i)
    return found
