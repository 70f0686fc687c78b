"""Regenerate the shipped pocketsphinx model files for interview answers.

Run from the repository root (about 15 seconds and 1 GB of memory)::

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

Options: ``--weight`` (domain weight, default 0.6), ``--vocab N`` (keep only the N most
probable words of the default model, plus all domain words), ``--prune T`` (drop default
n-grams worth less than T), ``--out-dir``, ``--name``.  The defaults produce the shipped files;
smaller models measured worse on ``bench/data/stt_dev.txt`` (see ``bench/stt_wer.py``).
Re-run after editing the corpus or the question banks.  Never add the benchmark's sentences
(``bench/data``) to the corpus.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pocketsphinx as ps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.providers.stt.lm_trie import TrieLM, read_trie, read_vocabulary  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STT_DIR = ROOT / "bot" / "providers" / "stt"
NO_PROB = -99.0
DEFAULT_LM = Path(ps.get_model_path("en-us/en-us.lm.bin"))

# Domain words cmudict lacks (ARPAbet, as in cmudict).
EXTRA_PRONUNCIATIONS = {
    "async": "EY S IH NG K",
    "changelog": "CH EY N JH L AO G",
    "chatbot": "CH AE T B AA T",
    "classifier": "K L AE S AH F AY ER",
    "dbt": "D IY B IY T IY",
    "elasticsearch": "IH L AE S T IH K S ER CH",
    "endpoint's": "EH N D P OY N T S",
    "escalations": "EH S K AH L EY SH AH N Z",
    "freemium": "F R IY M IY AH M",
    "gamed": "G EY M D",
    "idempotent": "AY D AH M P OW T AH N T",
    "imbalanced": "IH M B AE L AH N S T",
    "iteratively": "IH T ER EY T IH V L IY",
    "kubernetes": "K UW B ER N EH T IY Z",
    "limiter": "L IH M IH T ER",
    "logins": "L AO G IH N Z",
    "macros": "M AE K R OW Z",
    "maybes": "M EY B IY Z",
    "meetups": "M IY T AH P S",
    "onboarding": "AA N B AO R D IH NG",
    "postgresql": "P OW S T G R EH S K Y UW EH L",
    "prioritization": "P R AY AO R AH T AH Z EY SH AH N",
    "readme": "R IY D M IY",
    "rebalanced": "R IY B AE L AH N S T",
    "redirects": "R IY D ER EH K T S",
    "regularization": "R EH G Y AH L ER AH Z EY SH AH N",
    "reproducible": "R IY P R AH D UW S AH B AH L",
    "runbook": "R AH N B UH K",
    "scikit": "S AY K IH T",
    "shortener": "SH AO R T AH N ER",
    "signup": "S AY N AH P",
    "typescript": "T AY P S K R IH P T",
    "unblocked": "AH N B L AA K T",
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


def normalise(text: str, known: Collection[str] = ()) -> list[str]:
    """Lower-case words as a recogniser would output them (no punctuation, no digits).

    With `known` (the pronounceable words): acronyms it lacks are spelled out ("MVP" ->
    "m v p") and British -ise spellings become American when only those are known.
    """
    if known:
        text = re.sub(r"\b([A-Z]{2,5})(s?)\b", lambda m: _acronym(m, known), text)
    text = text.lower().replace("%", " percent ")
    text = re.sub(r"\d+", lambda m: " " + number_words(int(m.group())) + " ", text)
    text = re.sub(r"[^a-z']+", " ", text)
    words = [w.strip("'") for w in text.split() if w.strip("'")]
    return [_americanise(w, known) for w in words] if known else words


def _acronym(match: re.Match[str], known: Collection[str]) -> str:
    letters, plural = match.group(1), match.group(2)
    if letters.lower() + plural in known or letters.lower() in known:
        return match.group(0)
    spelled = " ".join(letters.lower())
    return spelled + ("'s" if plural else "")


def _americanise(word: str, known: Collection[str]) -> str:
    if word in known:
        return word
    american = re.sub(r"is(e|ed|es|ing|ation|ations)$", r"iz\1", word)
    return american if american in known else word


def corpus_sentences(known: Collection[str]) -> Iterator[list[str]]:
    """The domain corpus, then the question banks' texts, one token list per sentence."""
    for path in sorted((STT_DIR / "corpus").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if words := normalise(line, known):
                yield words
    for path in sorted((ROOT / "bot" / "flows" / "banks").glob("*.json")):
        for text in _question_texts(json.loads(path.read_text(encoding="utf-8"))):
            for sentence in re.split(r"(?<=[.?!])\s+", text):
                if words := normalise(sentence, known):
                    yield words


def _bench_sentences() -> Iterator[str]:
    for path in sorted((ROOT / "bench" / "data").glob("stt_*.txt")):
        yield from (line for line in path.read_text(encoding="utf-8").splitlines() if line)


def _question_texts(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
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
        return np.asarray(np.where(found, self.bi_bo[pos], 0.0))

    def prob2(self, h: np.ndarray, w: np.ndarray) -> np.ndarray:
        pos, found = _lookup(self.bi_key, h * len(self.vocab) + w)
        return np.asarray(np.where(found, self.bi_p[pos], self.uni_bo[h] + self.uni_p[w]))

    def prob3(self, h2: np.ndarray, h1: np.ndarray, w: np.ndarray) -> np.ndarray:
        v = len(self.vocab)
        pos, found = _lookup(self.tri_key, (h2 * v + h1) * v + w)
        backed_off = self.bigram_bo(h2 * v + h1) + self.prob2(h1, w)
        return np.asarray(np.where(found, self.tri_p[pos], backed_off))


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pos = np.searchsorted(sorted_keys, keys)
    pos = np.minimum(pos, max(len(sorted_keys) - 1, 0))
    found = sorted_keys[pos] == keys if len(sorted_keys) else np.zeros(len(keys), bool)
    return pos, found


def _mixlog(weight: float, dom: np.ndarray, dfl: np.ndarray) -> np.ndarray:
    mixed = weight * np.power(10.0, dom) + (1.0 - weight) * np.power(10.0, dfl)
    return np.asarray(np.log10(np.maximum(mixed, 1e-99)))


def _backoff(explicit: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """log10 back-off weight from the summed explicit and lower-order probabilities."""
    return np.log10(np.maximum(1.0 - explicit, 1e-6) / np.maximum(1.0 - lower, 1e-6))


def default_model(trie: TrieLM, vocab: list[str]) -> BackoffLM:
    """The default model on the shared vocabulary (n-grams with dropped words removed)."""
    index = {w: i for i, w in enumerate(vocab)}
    remap = np.array([index.get(w, -1) for w in trie.vocab], dtype=np.int64)
    v = len(vocab)
    uni_p = np.full(v, NO_PROB)
    uni_bo = np.zeros(v)
    kept = remap >= 0
    uni_p[remap[kept]] = trie.uni_p[kept]
    uni_bo[remap[kept]] = trie.uni_bo[kept]
    spoken = uni_p > NO_PROB / 2
    uni_p[spoken] -= np.log10(np.power(10.0, uni_p[spoken]).sum())  # renormalise
    h, w = remap[trie.bi_h], remap[trie.bi_w]
    ok = (h >= 0) & (w >= 0)
    bi_key = h[ok] * v + w[ok]
    order = np.argsort(bi_key)
    h2, h1, w3 = remap[trie.tri_h2], remap[trie.tri_h1], remap[trie.tri_w]
    ok3 = (h2 >= 0) & (h1 >= 0) & (w3 >= 0)
    tri_key = (h2[ok3] * v + h1[ok3]) * v + w3[ok3]
    order3 = np.argsort(tri_key)
    return BackoffLM(
        vocab,
        uni_p,
        uni_bo,
        bi_key[order],
        trie.bi_p[ok][order],
        trie.bi_bo[ok][order],
        tri_key[order3],
        trie.tri_p[ok3][order3],
    )


def prune(lm: BackoffLM, threshold: float) -> BackoffLM:
    """Drop n-grams whose weighted log-probability gain over their back-off is below threshold.

    The score is p(history) * p(w|history) * |log10 p(w|history) - log10 p_backoff(w|history)|
    (a cheap cousin of Stolcke's relative-entropy pruning).  Bigrams that are the history of a
    kept trigram stay.  Back-off weights are recomputed after mixing, so the result stays
    normalised.
    """
    v = len(lm.vocab)
    ctx, w3 = lm.tri_key // v, lm.tri_key % v
    h2, h1 = ctx // v, ctx % v
    backoff3 = lm.bigram_bo(ctx) + lm.prob2(h1, w3)
    history3 = lm.uni_p[h2] + lm.prob2(h2, h1)
    score3 = np.power(10.0, history3 + lm.tri_p) * np.abs(lm.tri_p - backoff3)
    keep3 = score3 >= threshold
    h, w = lm.bi_key // v, lm.bi_key % v
    backoff2 = lm.uni_bo[h] + lm.uni_p[w]
    score2 = np.power(10.0, lm.uni_p[h] + lm.bi_p) * np.abs(lm.bi_p - backoff2)
    keep2 = (score2 >= threshold) | np.isin(lm.bi_key, ctx[keep3])
    return BackoffLM(
        lm.vocab,
        lm.uni_p,
        lm.uni_bo,
        lm.bi_key[keep2],
        lm.bi_p[keep2],
        lm.bi_bo[keep2],
        lm.tri_key[keep3],
        lm.tri_p[keep3],
    )


def _discount(counts: Iterable[int]) -> float:
    histogram = Counter(min(c, 3) for c in counts)
    n1, n2 = histogram[1], histogram[2]
    return n1 / (n1 + 2 * n2) if n1 and n2 else 0.5


def domain_model(sentences: list[list[str]], vocab: list[str]) -> BackoffLM:
    """Interpolated Kneser-Ney trigram model, stored in back-off form on the shared vocabulary."""
    index = {w: i for i, w in enumerate(vocab)}
    bos, eos = index["<s>"], index["</s>"]
    c3: Counter[tuple[int, int, int]] = Counter()
    c2_bos: Counter[tuple[int, int]] = Counter()  # bigrams after <s> keep their raw counts
    for sentence in sentences:
        ids = [bos, *(index[w] for w in sentence), eos]
        c2_bos[(ids[0], ids[1])] += 1
        c3.update(zip(ids, ids[1:], ids[2:], strict=False))
    cc2: Counter[tuple[int, int]] = Counter((h1, w) for (_h2, h1, w) in c3)  # continuation
    cc2.update(c2_bos)
    cc1: Counter[int] = Counter(w for (_h, w) in cc2)
    d3, d2, d1 = _discount(c3.values()), _discount(cc2.values()), _discount(cc1.values())
    v = len(vocab)

    total1 = sum(cc1.values())
    words = [i for i in range(v) if i in cc1 or i == eos]
    gamma1 = d1 * len(cc1) / total1
    uni_p = np.full(v, NO_PROB)
    for i in words:
        uni_p[i] = math.log10(max(cc1[i] - d1, 0) / total1 + gamma1 / len(words))

    def grouped(counts: Counter[tuple[int, ...]]) -> dict[tuple[int, ...], list[int]]:
        by_context: dict[tuple[int, ...], list[int]] = defaultdict(lambda: [0, 0])
        for key, c in counts.items():
            by_context[key[:-1]][0] += c
            by_context[key[:-1]][1] += 1
        return by_context

    ctx2, ctx3 = grouped(cc2), grouped(c3)  # type: ignore[arg-type]
    uni_bo = np.zeros(v)
    p2: dict[tuple[int, int], float] = {}
    for (h, w), c in cc2.items():
        total, types = ctx2[(h,)]
        gamma = d2 * types / total
        p2[(h, w)] = max(c - d2, 0) / total + gamma * 10 ** uni_p[w]
        uni_bo[h] = math.log10(gamma)
    bo2: dict[tuple[int, int], float] = {}
    p3: dict[tuple[int, int, int], float] = {}
    for (h2, h1, w), c in c3.items():
        total, types = ctx3[(h2, h1)]
        gamma = d3 * types / total
        lower = p2.get((h1, w), 10 ** (uni_bo[h1] + uni_p[w]))
        p3[(h2, h1, w)] = max(c - d3, 0) / total + gamma * lower
        bo2[(h2, h1)] = math.log10(gamma)
    bi_items = sorted((h * v + w, math.log10(p), bo2.get((h, w), 0.0)) for (h, w), p in p2.items())
    tri_items = sorted(((a * v + b) * v + c, math.log10(p)) for (a, b, c), p in p3.items())
    return BackoffLM(
        vocab,
        uni_p,
        uni_bo,
        np.array([k for k, _, _ in bi_items], dtype=np.int64),
        np.array([p for _, p, _ in bi_items]),
        np.array([b for _, _, b in bi_items]),
        np.array([k for k, _ in tri_items], dtype=np.int64),
        np.array([p for _, p in tri_items]),
    )


def mix(dom: BackoffLM, dfl: BackoffLM, weight: float) -> BackoffLM:
    """Linear interpolation of two back-off models as one back-off model over all their n-grams."""
    v = len(dom.vocab)
    uni_p = _mixlog(weight, dom.uni_p, dfl.uni_p)
    uni_p[dom.vocab.index("<s>")] = NO_PROB
    bi_key = np.union1d(dom.bi_key, dfl.bi_key)
    h, w = bi_key // v, bi_key % v
    bi_p = _mixlog(weight, dom.prob2(h, w), dfl.prob2(h, w))
    tri_key = np.union1d(dom.tri_key, dfl.tri_key)
    ctx, w3 = tri_key // v, tri_key % v
    tri_p = _mixlog(weight, dom.prob3(ctx // v, ctx % v, w3), dfl.prob3(ctx // v, ctx % v, w3))

    explicit = np.bincount(h, np.power(10.0, bi_p), v)
    lower = np.bincount(h, np.power(10.0, uni_p[w]), v)
    uni_bo = np.where(np.bincount(h, minlength=v) > 0, _backoff(explicit, lower), 0.0)
    mixed = BackoffLM(dom.vocab, uni_p, uni_bo, bi_key, bi_p, np.zeros(len(bi_key)), tri_key, tri_p)

    contexts, first = np.unique(ctx, return_index=True)
    explicit3 = np.add.reduceat(np.power(10.0, tri_p), first)
    lower3 = np.add.reduceat(np.power(10.0, mixed.prob2(ctx % v, w3)), first)
    pos, found = _lookup(bi_key, contexts)
    if not found.all():
        raise SystemExit("a trigram context is missing from the bigrams")
    mixed.bi_bo[pos] = _backoff(explicit3, lower3)
    return mixed


# ---------------------------------------------------------------- output


def write_arpa(lm: BackoffLM, path: Path) -> None:
    v, vocab = len(lm.vocab), lm.vocab
    with path.open("w", encoding="utf-8") as out:
        out.write("\\data\\\n")
        out.write(f"ngram 1={v}\nngram 2={len(lm.bi_key)}\nngram 3={len(lm.tri_key)}\n")
        out.write("\n\\1-grams:\n")
        for word, p, bo in zip(vocab, lm.uni_p.tolist(), lm.uni_bo.tolist(), strict=True):
            out.write(f"{p:.4f}\t{word}\t{bo:.4f}\n")
        out.write("\n\\2-grams:\n")
        hs, ws = (lm.bi_key // v).tolist(), (lm.bi_key % v).tolist()
        for h, w, p, bo in zip(hs, ws, lm.bi_p.tolist(), lm.bi_bo.tolist(), strict=True):
            out.write(f"{p:.4f}\t{vocab[h]} {vocab[w]}\t{bo:.4f}\n")
        out.write("\n\\3-grams:\n")
        ctx = lm.tri_key // v
        triples = zip(
            (ctx // v).tolist(), (ctx % v).tolist(), (lm.tri_key % v).tolist(), strict=True
        )
        for (a, b, c), p in zip(triples, lm.tri_p.tolist(), strict=True):
            out.write(f"{p:.4f}\t{vocab[a]} {vocab[b]} {vocab[c]}\n")
        out.write("\n\\end\\\n")


def arpa_to_bin(arpa: Path, out: Path) -> None:
    logmath = ps.LogMath()  # must outlive the model
    config = ps.Config(loglevel="ERROR")
    model = ps.NGramModel(config, logmath, str(arpa))
    model.write(str(out), ps.NGramModel.str_to_type("bin"))
    del model


def pronunciations() -> dict[str, list[str]]:
    """Headword -> dictionary lines (cmudict first, then EXTRA_PRONUNCIATIONS)."""
    lines: dict[str, list[str]] = defaultdict(list)
    cmudict = Path(ps.get_model_path("en-us/cmudict-en-us.dict"))
    for line in cmudict.read_text(encoding="utf-8").splitlines():
        if line.strip():
            lines[re.sub(r"\(\d+\)$", "", line.split(maxsplit=1)[0])].append(line.strip())
    for word, phones in EXTRA_PRONUNCIATIONS.items():
        if word not in lines:
            lines[word].append(f"{word} {phones}")
    return lines


def write_dict(words: Iterable[str], prons: dict[str, list[str]], path: Path) -> int:
    chosen = sorted(w for w in set(words) if w in prons)
    path.write_text("".join(line + "\n" for w in chosen for line in prons[w]), encoding="utf-8")
    return len(chosen)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weight", type=float, default=0.6, help="domain model weight")
    parser.add_argument("--vocab", type=int, default=0, help="keep N default words (0: all)")
    parser.add_argument("--prune", type=float, default=0.0, help="n-gram pruning threshold")
    parser.add_argument("--out-dir", type=Path, default=STT_DIR / "model")
    parser.add_argument("--name", default="interview", help="output file stem")
    args = parser.parse_args(argv)

    prons = pronunciations()
    trie = read_trie(DEFAULT_LM)
    sentences, skipped = [], 0
    for sentence in corpus_sentences(prons):
        if all(w in prons for w in sentence):
            sentences.append(sentence)
        else:
            skipped += 1
            print("skipped (no pronunciation):", " ".join(w for w in sentence if w not in prons))
    held_out = {tuple(normalise(line, prons)) for line in _bench_sentences()}
    if leaked := held_out & {tuple(s) for s in sentences}:
        raise SystemExit(f"benchmark sentences found in the corpus: {sorted(leaked)[:3]}")
    domain_words = {w for s in sentences for w in s}
    ranked = np.argsort(-trie.uni_p, kind="stable")
    if args.vocab:
        ranked = ranked[: args.vocab]
    default_words = {trie.vocab[i] for i in ranked.tolist() if trie.vocab[i] in prons}
    vocab = sorted(default_words | domain_words | {"<s>", "</s>"})
    print(f"{len(sentences)} sentences ({skipped} skipped), {len(domain_words)} domain words")
    print(f"vocabulary {len(vocab)} words ({len(domain_words - default_words)} new)")

    default = default_model(trie, vocab)
    if args.prune:
        default = prune(default, args.prune)
    mixed = mix(domain_model(sentences, vocab), default, args.weight)
    del trie
    print(f"mixed model: {len(mixed.bi_key)} bigrams, {len(mixed.tri_key)} trigrams")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        arpa = Path(tmp) / "mixed.arpa"
        write_arpa(mixed, arpa)
        arpa_to_bin(arpa, args.out_dir / f"{args.name}.lm.bin")
    n = write_dict(vocab, prons, args.out_dir / f"{args.name}.dict")
    m = write_dict(read_vocabulary(DEFAULT_LM), prons, args.out_dir / "default.dict")
    print(f"dictionaries: {args.name}.dict {n} words, default.dict {m} words")


if __name__ == "__main__":
    main()
