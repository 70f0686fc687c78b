"""Offline English speech-to-text with pocketsphinx, tuned for interview answers.

Two language models ship with the package (see `tools/build_stt_model.py`):

* ``"interview"`` (the default): pocketsphinx's English trigram model mixed with a model of
  interview answers and the question banks, with a dictionary pruned to its words;
* ``"default"``: pocketsphinx's own model, with a dictionary pruned to its words.

Audio is decoded to 16 kHz PCM in `bot.audio`'s thread pool; a thread of that pool then hands
the samples to one of a few worker processes (`pool_size`, started on first use), each owning
one decoder built once, and waits for the words. pocketsphinx holds the GIL for the whole
search, so decoding in a thread would stall the event loop for about a quarter of the
answer's length (see `sphinx_worker`). Figures are in `bench/stt_wer.py`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pocketsphinx

from bot import audio
from bot.core.errors import EmptyAudio, ProviderError, ProviderUnavailable
from bot.core.models import AudioClip, Pcm, Transcript, Word
from bot.providers.stt.sphinx_worker import (
    DecoderConfig,
    RecognitionError,
    WorkerGone,
    WorkerProcess,
)

ModelName = Literal["default", "interview"]
MODEL_DIR = Path(__file__).with_name("model")
SAMPLE_RATE = 16000
# Wider beams than pocketsphinx's defaults: fewer errors on bench/data/stt_dev.txt for about
# 1.5x the CPU time (still about 0.3 x real time).
SEARCH: Mapping[str, float] = {"beam": 1e-60, "wbeam": 1e-40, "pbeam": 1e-60}
# Peak level (of 32767) below which a clip is silence: pocketsphinx "hears" a word in digital
# silence, and nobody speaks this quietly (about -44 dBFS).
SILENCE_PEAK = 200


def model_files(model: ModelName) -> tuple[Path, Path]:
    """(language model, pronunciation dictionary) of a shipped model."""
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
        self._config = DecoderConfig(
            hmm=pocketsphinx.get_model_path("en-us/en-us"),
            lm=str(self.lm_path),
            dict=str(self.dict_path),
            search=tuple(sorted((SEARCH if search is None else search).items())),
        )
        self._changed = threading.Condition()
        self._idle: list[WorkerProcess] = []
        self._started = 0
        self._built = 0

    @property
    def decoders_built(self) -> int:
        """Decoders built so far (each costs ~0.3 s and ~100 MB in its worker process)."""
        return self._built

    async def warm_up(self) -> None:
        """Start a worker and build its decoder now, so the first answer does not wait."""
        await audio.run_cpu(self._recognise, Pcm(b"\x00\x00" * 1600, SAMPLE_RATE))

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript:
        try:
            pcm = await audio.decode(clip, sample_rate=SAMPLE_RATE, limits=self._limits)
        except EmptyAudio:
            return Transcript("", (), "en", 0.0)
        return await audio.run_cpu(self.transcribe_pcm, pcm)

    def transcribe_pcm(self, pcm: Pcm) -> Transcript:
        """Recognise 16 kHz mono PCM in one utterance; blocks until a worker has answered."""
        if _is_silent(pcm.samples):
            return Transcript("", (), "en", pcm.duration_s)
        words = self._recognise(pcm)
        return Transcript(" ".join(w.text for w in words), tuple(words), "en", pcm.duration_s)

    def close(self) -> None:
        """Stop the idle worker processes (later transcriptions start new ones)."""
        with self._changed:
            idle, self._idle = self._idle, []
            self._started -= len(idle)
        for worker in idle:
            worker.close()

    def _recognise(self, pcm: Pcm) -> list[Word]:
        if pcm.sample_rate != SAMPLE_RATE:
            raise ValueError(f"pocketsphinx needs {SAMPLE_RATE} Hz audio, not {pcm.sample_rate}")
        for path in (self.lm_path, self.dict_path):
            if not path.is_file():
                raise ProviderUnavailable(
                    f"pocketsphinx model file {path} is missing; run tools/build_stt_model.py"
                )
        worker = self._acquire()
        try:
            words, built = worker.recognise(
                pcm.samples[: len(pcm.samples) // 2 * 2], pcm.duration_s
            )
        except RecognitionError as exc:
            self._release(worker)
            raise ProviderError(str(exc)) from exc
        except BaseException as exc:
            self._discard(worker)
            if isinstance(exc, WorkerGone):
                raise ProviderError("the speech worker stopped", retryable=True) from exc
            raise
        with self._changed:
            self._built += built
        self._release(worker)
        return words

    def _acquire(self) -> WorkerProcess:
        """An idle worker, a new one while the pool is not full, or wait for one."""
        with self._changed:
            while not self._idle:
                if self._started < self.pool_size:
                    self._started += 1
                    break
                self._changed.wait()
            else:
                return self._idle.pop()
        try:
            return WorkerProcess(self._config)
        except OSError as exc:
            with self._changed:
                self._started -= 1
                self._changed.notify()
            raise ProviderUnavailable("could not start a speech worker process") from exc

    def _release(self, worker: WorkerProcess) -> None:
        with self._changed:
            self._idle.append(worker)
            self._changed.notify()

    def _discard(self, worker: WorkerProcess) -> None:
        worker.close()
        with self._changed:
            self._started -= 1
            self._changed.notify()


def _is_silent(samples: bytes) -> bool:
    levels = np.frombuffer(samples[: len(samples) // 2 * 2], dtype="<i2")
    return levels.size == 0 or int(np.abs(levels.astype(np.int32)).max()) < SILENCE_PEAK
