"""Read pocketsphinx 5's binary trigram language models ("Trie Language Model" files).

pocketsphinx can load these but not list their contents (and 5.1.1 crashes writing one back
as ARPA), so this reads the layout directly: a quantised, reversed trie in which each unigram
(the predicted word) points at the bigram entries that end in it (keyed by the previous word),
and each of those at the trigram entries keyed by the word before. Probabilities come back as
log10 values. Used by `tools/build_stt_model.py` and by tests; not on the transcription path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

_HEADER = b"Trie Language Model"
_LOG10_LOGBASE = math.log10(1.0001)  # values are stored in pocketsphinx's log base 1.0001
_QUANT_BINS = 65536

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TrieLM:
    """Every n-gram of a trigram model; words are indices into `vocab`, probs are log10."""

    vocab: tuple[str, ...]
    uni_p: FloatArray
    uni_bo: FloatArray
    bi_h: IntArray
    bi_w: IntArray
    bi_p: FloatArray
    bi_bo: FloatArray
    tri_h2: IntArray
    tri_h1: IntArray
    tri_w: IntArray
    tri_p: FloatArray


@dataclass(frozen=True, slots=True)
class _Layout:
    counts: tuple[int, int, int]
    quant_at: int
    unigrams_at: int
    mem_at: int
    mid_size: int
    long_size: int
    words_at: int


def _layout(raw: bytes, path: Path) -> _Layout:
    if not raw.startswith(_HEADER) or raw[len(_HEADER)] != 3:
        raise ValueError(f"{path}: not a pocketsphinx trigram trie model")
    pos = len(_HEADER) + 1
    n1, n2, n3 = (int(c) for c in np.frombuffer(raw, "<u4", 3, pos))
    quant_at = pos + 12 + 4  # the counts, then an unused int
    unigrams_at = quant_at + 3 * _QUANT_BINS * 4
    mem_at = unigrams_at + 12 * (n1 + 1)
    word_bits = n1.bit_length()
    mid_bits = word_bits + 32 + n3.bit_length()
    mid_size = ((1 + n2) * mid_bits + 7) // 8 + 8
    long_size = ((1 + n3) * (word_bits + 16) + 7) // 8 + 8
    words_at = mem_at + mid_size + long_size
    return _Layout((n1, n2, n3), quant_at, unigrams_at, mem_at, mid_size, long_size, words_at)


def _words(raw: bytes, at: int) -> tuple[str, ...]:
    n_chars = int(np.frombuffer(raw, "<i4", 1, at)[0])
    return tuple(w.decode() for w in raw[at + 4 : at + 4 + n_chars].split(b"\0")[:-1])


def read_vocabulary(path: Path) -> tuple[str, ...]:
    """The words of a trie model, in model order (includes <s> and </s>)."""
    raw = path.read_bytes()
    return _words(raw, _layout(raw, path).words_at)


def _read_bits(mem: npt.NDArray[np.uint8], offsets: IntArray, nbits: int) -> IntArray:
    """Little-endian bit fields (at most 57 bits wide) starting at the given bit offsets."""
    start = offsets >> 3
    value = np.zeros(len(offsets), dtype=np.uint64)
    for k in range(8):
        value |= mem[start + k].astype(np.uint64) << np.uint64(8 * k)
    shifted = value >> (offsets & 7).astype(np.uint64)
    return (shifted & np.uint64((1 << nbits) - 1)).astype(np.int64)


def read_trie(path: Path) -> TrieLM:
    """Every unigram, bigram and trigram of a trie model (about 1 GB of memory for en-us)."""
    raw = path.read_bytes()
    lay = _layout(raw, path)
    n1, n2, n3 = lay.counts
    quant = np.frombuffer(raw, "<f4", 3 * _QUANT_BINS, lay.quant_at).astype(np.float64)
    quant *= _LOG10_LOGBASE
    bi_prob_bins, bi_bo_bins, tri_prob_bins = np.split(quant, 3)
    uni = np.frombuffer(
        raw, [("p", "<f4"), ("bo", "<f4"), ("next", "<u4")], n1 + 1, lay.unigrams_at
    )
    mem = np.frombuffer(raw, np.uint8, lay.mid_size + lay.long_size, lay.mem_at)
    word_bits, next_bits = n1.bit_length(), n3.bit_length()

    n_mid = int(uni["next"][-1])  # entries actually used (the header count may be larger)
    off = np.arange(n_mid + 1, dtype=np.int64) * (word_bits + 32 + next_bits)
    mid_word = _read_bits(mem, off, word_bits)[:n_mid]
    mid_bo = bi_bo_bins[_read_bits(mem, off + word_bits, 16)[:n_mid]]
    mid_p = bi_prob_bins[_read_bits(mem, off + word_bits + 16, 16)[:n_mid]]
    mid_next = _read_bits(mem, off + word_bits + 32, next_bits)

    n_long = int(mid_next[-1])
    long_mem = mem[lay.mid_size :]
    long_off = np.arange(n_long, dtype=np.int64) * (word_bits + 16)
    long_word = _read_bits(long_mem, long_off, word_bits)
    long_p = tri_prob_bins[_read_bits(long_mem, long_off + word_bits, 16)]

    starts = uni["next"].astype(np.int64)
    bi_w = np.searchsorted(starts, np.arange(n_mid), side="right").astype(np.int64) - 1
    parent = np.searchsorted(mid_next, np.arange(n_long), side="right").astype(np.int64) - 1
    del n2
    return TrieLM(
        vocab=_words(raw, lay.words_at),
        uni_p=uni["p"][:n1].astype(np.float64) * _LOG10_LOGBASE,
        uni_bo=uni["bo"][:n1].astype(np.float64) * _LOG10_LOGBASE,
        bi_h=mid_word,
        bi_w=bi_w,
        bi_p=mid_p,
        bi_bo=mid_bo,
        tri_h2=long_word,
        tri_h1=mid_word[parent],
        tri_w=bi_w[parent],
        tri_p=long_p,
    )
