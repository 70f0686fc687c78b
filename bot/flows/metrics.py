"""Speech metrics in plain code: pace, filler words, pauses, hedges, "I" versus "we".

Pure functions over a `Transcript` (and optionally the decoded audio); no provider calls.
Word lists are module constants so the docs, the coach and the tests share one truth.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from bot.core.models import Pcm, SpeechMetrics, Transcript
from bot.flows.text import Token, spoken_text, tokenize, word_set

TYPED_WPM = 150.0
"""Speaking rate assumed for typed answers, which have no timings (`timed=False`)."""
LONG_PAUSE_S = 2.0

SOUND_FILLERS = frozenset({"um", "uh", "er", "ah", "erm", "hmm"})
"""Always fillers. Spellings like "umm", "uhh", "hmmm", "uhm" are folded onto these."""
PHRASE_FILLERS = ("you know", "sort of", "kind of", "i mean")
CONTEXT_FILLERS = frozenset({"like", "basically", "actually", "literally", "so"})
"""Fillers only in some positions; see `_is_filler`."""
_SOUND_SPELLINGS = {"um": "um", "uhm": "um", "uh": "uh", "er": "er", "erm": "erm", "ah": "ah"}
_SOUND_SPELLINGS |= {"hm": "hmm", "mhm": "hmm", "hmm": "hmm"}
_SOUND_LETTERS = frozenset("umhera")

HEDGES = (
    "i'm not sure", "i am not sure", "not sure", "i think", "i guess", "i suppose", "i believe",
    "i feel like", "i'd say", "maybe", "perhaps", "probably", "possibly", "hopefully", "might",
    "kind of", "sort of", "somewhat", "more or less", "to some extent", "in a way",
)  # fmt: skip
"""Phrases that soften a claim; longest match wins, so "i'm not sure" counts once."""

I_WORDS = frozenset({"i", "i'm", "i've", "i'd", "i'll", "me", "my", "mine", "myself"})
WE_WORDS = frozenset({"we", "we're", "we've", "we'd", "we'll", "us", "our", "ours", "ourselves"})

# Context for the position-dependent fillers (see `_is_filler` and `_is_filler_like`).
_SUBJECTS = word_set("i you we they he she people who would i'd we'd you'd they'd do don't did")
_SUBJECTS |= word_set("didn't does to")  # "I like", "would like", "to like": the verb
_LIKE_VERBS = word_set(
    """look looks looked looking seem seems seemed sound sounds sounded feel feels felt
    something nothing anything much exactly more less likes liked"""
)  # "looks like", "something like": not fillers
_ADVERBS = word_set("really also actually genuinely always still just")
_LIKE_FILLER_BEFORE = word_set(
    "was is were are it's and but so or because then there's he's she's they're we're"
)
_KIND_DETERMINERS = word_set(
    "a an the this that what which any some every one same different right wrong other each "
    "all these those that's"
)  # "what kind of tool": not a filler
_YOU_KNOW_BLOCKERS = word_set("do did don't didn't if as would let whether what might may will")
_YOU_KNOW_OBJECTS = word_set(
    "how what that the a an about if when why where who whether him her them this it my your "
    "our their someone something exactly more"
)  # "you know how...": a real question
_SO_FOLLOWERS = word_set("yeah anyway basically like") | SOUND_FILLERS

Match = tuple[str, int]  # (canonical phrase, index of its first token)
_Accept = Callable[[Sequence[Token], int, str], bool]


def speech_metrics(
    transcript: Transcript, *, duration_s: float | None = None, pauses_s: Sequence[float] = ()
) -> SpeechMetrics:
    """Delivery figures for one answer.

    Duration comes from the audio (`duration_s`, else `transcript.duration_s`), else the last
    word's end time, else is estimated at `TYPED_WPM` (then `timed=False`). Long pauses are
    gaps over `LONG_PAUSE_S` between timed words plus the VAD `pauses_s`; pass `pauses_s` only
    for transcripts without word timings, or the same silence is counted twice.
    """
    text = spoken_text(transcript)
    tokens = tokenize(text)
    duration, timed = _duration(transcript, duration_s, len(tokens))
    minutes = duration / 60.0
    fillers: dict[str, int] = {}
    for name, _ in find_fillers(tokens):
        fillers[name] = fillers.get(name, 0) + 1
    filler_count = sum(fillers.values())
    pauses = [p for p in (*word_gaps(transcript), *pauses_s) if p > LONG_PAUSE_S]
    return SpeechMetrics(
        duration_s=round(duration, 2),
        word_count=len(tokens),
        words_per_minute=round(len(tokens) / minutes, 1) if minutes > 0 else 0.0,
        filler_count=filler_count,
        fillers_per_minute=round(filler_count / minutes, 2) if minutes > 0 else 0.0,
        fillers=fillers,
        long_pauses=len(pauses),
        longest_pause_s=round(max(pauses, default=0.0), 2),
        hedges=len(find_hedges(tokens)),
        i_count=sum(1 for t in tokens if t.text in I_WORDS),
        we_count=sum(1 for t in tokens if t.text in WE_WORDS and text[t.start : t.end] != "US"),
        timed=timed,
    )


def _duration(transcript: Transcript, duration_s: float | None, n_words: int) -> tuple[float, bool]:
    for known in (duration_s, transcript.duration_s):
        if known is not None and known > 0:
            return float(known), True
    last_end = max((w.end_s for w in transcript.words), default=0.0)
    if last_end > 0:
        return last_end, True
    return n_words / TYPED_WPM * 60.0, False


def word_gaps(transcript: Transcript) -> list[float]:
    """Silences between consecutive timed words (leading/trailing silence excluded)."""
    timed = sorted((w for w in transcript.words if w.end_s > 0), key=lambda w: w.start_s)
    return [b.start_s - a.end_s for a, b in zip(timed, timed[1:], strict=False)]


def find_fillers(tokens: Sequence[Token]) -> list[Match]:
    """Filler words and phrases, each as (canonical filler, token index)."""
    return _scan(tokens, PHRASE_FILLERS, _is_filler)


def find_hedges(tokens: Sequence[Token]) -> list[Match]:
    """Hedging phrases, each as (phrase, token index)."""
    return _scan(tokens, HEDGES, _is_hedge)


def _scan(tokens: Sequence[Token], phrases: Sequence[str], accept: _Accept) -> list[Match]:
    """Left to right, longest phrase first; a token left unmatched is tried on its own."""
    starting = _by_first_word(tuple(phrases))
    found: list[Match] = []
    i = 0
    while i < len(tokens):
        candidates = starting.get(tokens[i].text, ())
        hit = next((p for p in candidates if _matches(tokens, i, p) and accept(tokens, i, p)), None)
        if hit is None:
            single = _canonical(tokens[i].text)
            if accept(tokens, i, single):
                found.append((single, i))
            i += 1
            continue
        found.append((hit, i))
        i += len(hit.split())
    return found


@lru_cache(maxsize=8)
def _by_first_word(phrases: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Phrases grouped by their first word, longest first within each group."""
    groups: dict[str, list[str]] = {}
    for phrase in sorted(phrases, key=lambda p: -len(p.split())):
        groups.setdefault(phrase.split()[0], []).append(phrase)
    return {word: tuple(group) for word, group in groups.items()}


def _matches(tokens: Sequence[Token], i: int, phrase: str) -> bool:
    parts = phrase.split()
    if i + len(parts) > len(tokens):
        return False
    within_clause = all(not tokens[i + k].boundary for k in range(1, len(parts)))
    return within_clause and all(tokens[i + k].text == w for k, w in enumerate(parts))


def _canonical(word: str) -> str:
    """Fold "ummm", "uhh", "hmmm", "kinda" onto one spelling; other words unchanged."""
    if set(word) <= _SOUND_LETTERS:
        collapsed = re.sub(r"(.)\1+", r"\1", word)
        return _SOUND_SPELLINGS.get(collapsed, word)
    return {"kinda": "kind of", "sorta": "sort of"}.get(word, word)


def _around(tokens: Sequence[Token], i: int, n: int = 1) -> tuple[str, str, bool]:
    """(previous word, next word, is the phrase followed by a break) for a phrase at `i`."""
    prev = tokens[i - 1].text if i > 0 and not tokens[i].boundary else ""
    j = i + n
    nxt = tokens[j].text if j < len(tokens) and not tokens[j].boundary else ""
    return prev, nxt, j >= len(tokens) or tokens[j].boundary


def _is_filler(tokens: Sequence[Token], i: int, phrase: str) -> bool:
    if phrase in SOUND_FILLERS:
        return True
    n = len(phrase.split()) if _matches(tokens, i, phrase) else 1  # "kinda" is one token
    prev, nxt, break_after = _around(tokens, i, n)
    if phrase in ("kind of", "sort of"):
        return prev not in _KIND_DETERMINERS and not prev.endswith("'s")
    if phrase == "you know":
        return break_after or (prev not in _YOU_KNOW_BLOCKERS and nxt not in _YOU_KNOW_OBJECTS)
    if phrase == "i mean":
        return break_after or (tokens[i].boundary and nxt not in {"to", "it", "that"})
    if phrase == "like":
        return _is_filler_like(tokens, i)
    if phrase == "so":
        return nxt == "yeah" or (tokens[i].boundary and (break_after or nxt in _SO_FOLLOWERS))
    if phrase in CONTEXT_FILLERS:  # basically / actually / literally
        return tokens[i].boundary or break_after or _canonical(prev) in SOUND_FILLERS
    return False


def _is_filler_like(tokens: Sequence[Token], i: int) -> bool:
    """Whether "like" is a filler: not the verb ("I'd like") nor "such as" ("tools like Jira")."""
    prev, nxt, break_after = _around(tokens, i)
    anchor = prev
    if prev in _ADVERBS and i >= 2 and not tokens[i - 1].boundary:
        anchor = tokens[i - 2].text
    if anchor in _SUBJECTS or anchor in _LIKE_VERBS or prev in _LIKE_VERBS:
        return False
    return (
        tokens[i].boundary
        or break_after
        or prev in _LIKE_FILLER_BEFORE
        or _canonical(prev) in SOUND_FILLERS
        or _canonical(nxt) in SOUND_FILLERS
        or (i + 1 < len(tokens) and tokens[i + 1].is_number)
    )


def _is_hedge(tokens: Sequence[Token], i: int, phrase: str) -> bool:
    if phrase in ("kind of", "sort of"):
        return _is_filler(tokens, i, phrase)
    return phrase in HEDGES


def estimate_pauses_from_pcm(
    pcm: Pcm, *, threshold_s: float = LONG_PAUSE_S, frame_s: float = 0.03
) -> tuple[float, ...]:
    """Silent gaps longer than `threshold_s` inside the speech, from frame energy.

    A frame is silent when its RMS is under 10% of the loud (95th percentile) frames' RMS,
    with an absolute floor of -50 dBFS; silence before the first and after the last voiced
    frame is not a pause. For transcribers that return no word timings.
    """
    samples = np.frombuffer(pcm.samples[: len(pcm.samples) // 2 * 2], dtype="<i2")
    frame = max(1, int(pcm.sample_rate * frame_s)) if pcm.sample_rate > 0 else 0
    if frame == 0 or samples.size < frame:
        return ()
    frames = samples[: samples.size // frame * frame].astype(np.float64).reshape(-1, frame)
    rms = np.sqrt(np.mean(np.square(frames / 32768.0), axis=1))
    loud = float(np.percentile(rms, 95))
    voiced = np.flatnonzero(rms >= max(10 ** (-50 / 20), 0.1 * loud))
    if voiced.size < 2:
        return ()
    gaps = (np.diff(voiced) - 1) * frame / pcm.sample_rate
    return tuple(round(float(g), 2) for g in gaps if g > threshold_s)
