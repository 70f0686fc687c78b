"""Regenerate the shipped pocketsphinx model files for interview answers.

Run from the repository root (takes about a minute and ~2 GB of memory)::

    .venv/bin/python tools/build_stt_model.py

It writes, deterministically (same inputs -> byte-identical files):

* ``bot/providers/stt/model/interview.lm.bin`` -- the default pocketsphinx English trigram
  model (``en-us.lm.bin`` from the installed wheel) linearly interpolated with a small
  interview-domain trigram model, as one back-off model in pocketsphinx's binary format;
* ``bot/providers/stt/model/interview.dict`` -- cmudict pruned to the words of that model,
  plus hand-written pronunciations for domain words cmudict lacks (``EXTRA_PRONUNCIATIONS``);
* ``bot/providers/stt/model/default.dict`` -- cmudict pruned to the words of the default model.

How the domain model is built: the sentences in ``bot/providers/stt/corpus/*.txt`` plus the
question texts of ``bot/flows/banks/*.json`` (if present) are normalised (lower case, no
punctuation, digits spelled as words) and counted; an interpolated Kneser-Ney trigram model
is estimated from the counts.  Mixing: for every n-gram of either model,
``p(w|h) = weight * p_domain(w|h) + (1 - weight) * p_default(w|h)`` (each side evaluated
with its own back-off), and back-off weights are recomputed so each context normalises
(what SRILM's ``ngram -mix-lm`` does).  The default model is read straight from its binary
trie with numpy, because pocketsphinx 5.1.1 crashes writing it back as ARPA.

Options: ``--weight`` (domain weight), ``--vocab`` (keep only the N most probable words of the
default model, plus all domain words, to make the model smaller), ``--out-dir``.  Never add
the benchmark's held-out sentences (``bench/data``) to the corpus.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pocketsphinx as ps

ROOT = Path(__file__).resolve().parents[1]
STT_DIR = ROOT / "bot" / "providers" / "stt"
LOG10_LOGBASE = math.log10(1.0001)  # pocketsphinx stores log-probabilities in base 1.0001
NO_PROB = -99.0

# Domain words cmudict lacks (ARPAbet, as in cmudict).
EXTRA_PRONUNCIATIONS = {
    "changelog": "CH EY N JH L AO G",
    "dbt": "D IY B IY T IY",
    "elasticsearch": "IH L AE S T IH K S ER CH",
    "escalations": "EH S K AH L EY SH AH N Z",
    "idempotent": "AY D AH M P OW T AH N T",
    "imbalanced": "IH M B AE L AH N S T",
    "iteratively": "IH T ER EY T IH V L IY",
    "kubernetes": "K UW B ER N EH T IY Z",
    "logins": "L AO G IH N Z",
    "macros": "M AE K R OW Z",
    "maybes": "M EY B IY Z",
    "meetups": "M IY T AH P S",
    "onboarding": "AA N B AO R D IH NG",
    "postgresql": "P OW S T G R EH S K Y UW EH L",
    "prioritization": "P R AY AO R AH T AH Z EY SH AH N",
    "readme": "R IY D M IY",
    "rebalanced": "R IY B AE L AH N S T",
    "reproducible": "R IY P R AH D UW S AH B AH L",
    "runbook": "R AH N B UH K",
    "scikit": "S AY K IH T",
    "typescript": "T AY P S K R IH P T",
    "usability": "Y UW Z AH B IH L IH T IY",
    "zendesk": "Z EH N D EH S K",
}


# ---------------------------------------------------------------- text normalisation

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """Spell a non-negative integer below a billion the way people say it."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = "" if n % 100 == 0 else " and " + number_words(n % 100)
        return _ONES[n // 100] + " hundred" + rest
    for size, name in ((1_000_000, "million"), (1000, "thousand")):
        if n >= size:
            rest = "" if n % size == 0 else " " + number_words(n % size)
            return number_words(n // size) + " " + name + rest
    raise ValueError(n)


def normalise(text: str) -> list[str]:
    """Lower-case words as a recogniser would output them (no punctuation, no digits)."""
    text = text.lower().replace("%", " percent ")
    text = re.sub(r"\d+", lambda m: " " + number_words(int(m.group())) + " ", text)
    text = re.sub(r"[^a-z']+", " ", text)
    return [w.strip("'") for w in text.split() if w.strip("'")]


def corpus_sentences() -> Iterator[list[str]]:
    """The domain corpus, then the question banks' texts, one token list per sentence."""
    for path in sorted((STT_DIR / "corpus").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if words := normalise(line):
                yield words
    for path in sorted((ROOT / "bot" / "flows" / "banks").glob("*.json")):
        for text in _question_texts(json.loads(path.read_text(encoding="utf-8"))):
            for sentence in re.split(r"(?<=[.?!])\s+", text):
                if words := normalise(sentence):
                    yield words


def _question_texts(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "follow_up", "follow_ups") and isinstance(value, str):
                yield value
            elif key in ("follow_up", "follow_ups") and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from _question_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _question_texts(item)


# ---------------------------------------------------------------- back-off models


@dataclass
class BackoffLM:
    """A trigram back-off model over a shared vocabulary, log10 probabilities, numpy arrays.

    Bigram keys are ``h * V + w``, trigram keys ``(h2 * V + h1) * V + w``, both sorted.
    """

    vocab: list[str]
    uni_p: np.ndarray
    uni_bo: np.ndarray
    bi_key: np.ndarray
    bi_p: np.ndarray
    bi_bo: np.ndarray
    tri_key: np.ndarray
    tri_p: np.ndarray

    def bigram_bo(self, keys: np.ndarray) -> np.ndarray:
        pos, found = _lookup(self.bi_key, keys)
        return np.where(found, self.bi_bo[pos], 0.0)

    def prob2(self, h: np.ndarray, w: np.ndarray) -> np.ndarray:
        pos, found = _lookup(self.bi_key, h * len(self.vocab) + w)
        return np.where(found, self.bi_p[pos], self.uni_bo[h] + self.uni_p[w])

    def prob3(self, h2: np.ndarray, h1: np.ndarray, w: np.ndarray) -> np.ndarray:
        v = len(self.vocab)
        pos, found = _lookup(self.tri_key, (h2 * v + h1) * v + w)
        backed_off = self.bigram_bo(h2 * v + h1) + self.prob2(h1, w)
        return np.where(found, self.tri_p[pos], backed_off)


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pos = np.searchsorted(sorted_keys, keys)
    pos = np.minimum(pos, max(len(sorted_keys) - 1, 0))
    found = sorted_keys[pos] == keys if len(sorted_keys) else np.zeros(len(keys), bool)
    return pos, found
