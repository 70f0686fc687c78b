"""Offline English speech-to-text with pocketsphinx, tuned for interview answers.

Two language models ship with the package (see `tools/build_stt_model.py`):

* ``"interview"`` (the default): pocketsphinx's English trigram model mixed with a small
  model of interview answers and the question banks, with a dictionary pruned to its words;
* ``"default"``: pocketsphinx's own model, with a dictionary pruned to its words.

Pruned dictionaries keep decoder start-up well under a second. Decoders are built lazily and
kept in a small pool, one utterance at a time each (a pocketsphinx Decoder is not
thread-safe); recognition runs in `bot.audio`'s bounded CPU pool, never on the event loop.
Measured figures are in `bench/stt_wer.py`'s docstring.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pocketsphinx

from bot import audio
from bot.core.errors import EmptyAudio, ProviderError, ProviderUnavailable
from bot.core.models import AudioClip, Pcm, Transcript, Word

log = logging.getLogger(__name__)

ModelName = Literal["default", "interview"]
MODEL_DIR = Path(__file__).with_name("model")
SAMPLE_RATE = 16000
# Wider beams than pocketsphinx's defaults: fewer errors on bench/data/stt_dev.txt for about
# twice the CPU time (still well under real time).
SEARCH: Mapping[str, float] = {"beam": 1e-60, "wbeam": 1e-40, "pbeam": 1e-60}
_ALTERNATE = re.compile(r"\(\d+\)$")
# Peak level (of 32767) below which a clip is silence: pocketsphinx "hears" a word in digital
# silence, and nobody speaks this quietly (about -44 dBFS).
SILENCE_PEAK = 200


def model_files(model: ModelName) -> tuple[Path, Path]:
    """(language model, pronunciation dictionary) for a shipped model."""
    if model == "interview":
        return MODEL_DIR / "interview.lm.bin", MODEL_DIR / "interview.dict"
    if model == "default":
        return Path(pocketsphinx.get_model_path("en-us/en-us.lm.bin")), MODEL_DIR / "default.dict"
    raise ValueError(f"unknown pocketsphinx model {model!r}")


class PocketsphinxSTT:
    """The `SpeechToText` port on pocketsphinx: English only, no network, no API key.

    `language` hints are ignored (the result is always English): a chat app's interface
    language says little about the language of an interview answer.
    """

    name = "pocketsphinx"

    def __init__(
        self,
        *,
        model: ModelName = "interview",
        lm_path: Path | None = None,
        dict_path: Path | None = None,
        pool_size: int | None = None,
        limits: audio.AudioLimits | None = None,
        search: Mapping[str, float | str] | None = None,
    ) -> None:
        default_lm, default_dict = model_files(model)
        self.lm_path = lm_path or default_lm
        self.dict_path = dict_path or default_dict
        self.pool_size = pool_size or min(2, os.cpu_count() or 1)
        self._limits = limits or audio.AudioLimits()
        self._search = dict(SEARCH if search is None else search)
        self._idle: queue.SimpleQueue[pocketsphinx.Decoder] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._built = 0

    @property
    def decoders_built(self) -> int:
        """How many decoders exist (each costs start-up time and ~100 MB of memory)."""
        return self._built

    async def warm_up(self) -> None:
        """Build one decoder now, so the first answer does not wait for it."""
        if self._built == 0:
            await audio.run_cpu(self._release, self._acquire())

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript:
        try:
            pcm = await audio.decode(clip, sample_rate=SAMPLE_RATE, limits=self._limits)
        except EmptyAudio:
            return Transcript("", (), "en", 0.0)
        return await audio.run_cpu(self.transcribe_pcm, pcm)

    def transcribe_pcm(self, pcm: Pcm) -> Transcript:
        """Recognise 16 kHz mono PCM in one utterance (blocking; call it off the event loop)."""
        if pcm.sample_rate != SAMPLE_RATE:
            raise ValueError(f"pocketsphinx needs {SAMPLE_RATE} Hz audio, not {pcm.sample_rate}")
        duration = pcm.duration_s
        samples = pcm.samples[: len(pcm.samples) // 2 * 2]
        if _is_silent(samples):
            return Transcript("", (), "en", duration)
        decoder = self._acquire()
        try:
            decoder.start_utt()
            decoder.process_raw(samples, False, True)
            decoder.end_utt()
            words = _words(decoder, duration)
        except RuntimeError as exc:
            self._discard()
            raise ProviderError("pocketsphinx could not decode the recording") from exc
        self._release(decoder)
        return Transcript(" ".join(w.text for w in words), words, "en", duration)

    def _acquire(self) -> pocketsphinx.Decoder:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            build = self._built < self.pool_size
            if build:
                self._built += 1
        if not build:
            return self._idle.get()  # all decoders busy: wait for one
        try:
            return self._build()
        except BaseException:
            self._discard()
            raise

    def _release(self, decoder: pocketsphinx.Decoder) -> None:
        self._idle.put(decoder)

    def _discard(self) -> None:
        with self._lock:
            self._built -= 1

    def _build(self) -> pocketsphinx.Decoder:
        for path in (self.lm_path, self.dict_path):
            if not path.is_file():
                raise ProviderUnavailable(
                    f"pocketsphinx model file {path} is missing; run tools/build_stt_model.py"
                )
        started = time.perf_counter()
        try:
            decoder = pocketsphinx.Decoder(
                hmm=pocketsphinx.get_model_path("en-us/en-us"),
                lm=str(self.lm_path),
                dict=str(self.dict_path),
                loglevel="FATAL",
                **self._search,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ProviderUnavailable("pocketsphinx could not load its model") from exc
        log.info(
            "pocketsphinx decoder %s built in %.2f s", self._built, time.perf_counter() - started
        )
        return decoder


def _is_silent(samples: bytes) -> bool:
    levels = np.frombuffer(samples, dtype="<i2")
    return levels.size == 0 or int(np.abs(levels.astype(np.int32)).max()) < SILENCE_PEAK


def _words(decoder: pocketsphinx.Decoder, duration: float) -> tuple[Word, ...]:
    """The best hypothesis's words with times, without silences, noises and fillers."""
    frame_s = 1.0 / float(decoder.config["frate"])
    words = []
    for seg in decoder.seg():
        text = _ALTERNATE.sub("", seg.word)
        if not text or text[0] in "<[+":
            continue
        start = min(seg.start_frame * frame_s, duration)
        end = min(max((seg.end_frame + 1) * frame_s, start), duration)
        words.append(Word(text, round(start, 3), round(end, 3)))
    return tuple(words)
