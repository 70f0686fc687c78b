"""The bot's spoken voice: sentences synthesized, joined, encoded; text only on failure.

`Voice.speak(*parts)` cuts the parts into sentences (`bot.flows.sentences`), synthesizes
runs of them concurrently (the TTS provider's own cap bounds how many run at once), joins
the PCM in order and encodes one voice note. When the interviewer streams its next
question, `Voice.early()` gives an `EarlyVoice` that starts synthesizing each sentence as
soon as it is complete; `speak(..., early=...)` then reuses that audio for every sentence
whose text matches exactly, so the note says the same words whichever path made it, only
sooner.
`streaming=False` turns the early path off (for comparisons and benchmarks).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict, deque
from collections.abc import Awaitable, Sequence

import numpy as np

from bot.core.errors import AudioError, ProviderError
from bot.core.models import AudioClip, Pcm
from bot.core.ports import AudioCodec, TextToSpeech
from bot.flows.sentences import SentenceCutter, split_sentences

log = logging.getLogger(__name__)
RUN_CHARS = 200
"""At most this many characters in one synthesis request (about 13 s of speech)."""


def join_pcm(parts: Sequence[Pcm]) -> Pcm:
    """The parts one after another, at the first part's rate (others resampled linearly)."""
    rate = parts[0].sample_rate
    chunks = []
    for part in parts:
        samples = np.frombuffer(part.samples[: len(part.samples) // 2 * 2], dtype="<i2")
        if part.sample_rate != rate and samples.size:
            count = round(samples.size * rate / part.sample_rate)
            positions = np.linspace(0, samples.size - 1, count)
            samples = np.interp(positions, np.arange(samples.size), samples).astype("<i2")
        chunks.append(samples)
    return Pcm(np.concatenate(chunks).astype("<i2").tobytes(), rate)


class EarlyVoice:
    """Voices a text's sentences while the text is still being written (`feed`, then `end`)."""

    def __init__(self, tts: TextToSpeech) -> None:
        self.tts = tts
        self._cutter = SentenceCutter()
        self._started: defaultdict[str, deque[asyncio.Task[Pcm]]] = defaultdict(deque)

    def feed(self, text: str) -> None:
        """More text: start voicing every sentence it completes."""
        for sentence in self._cutter.feed(text):
            self._start(sentence)

    def end(self) -> None:
        """The text is complete: start voicing its last sentence."""
        for sentence in self._cutter.finish():
            self._start(sentence)

    def take(self, sentence: str) -> asyncio.Task[Pcm] | None:
        """The synthesis already started for exactly this sentence, if any."""
        started = self._started.get(sentence)
        return started.popleft() if started else None

    def discard(self) -> None:
        """Cancel what was voiced early but not used (the question asked was another)."""
        for started in self._started.values():
            for task in started:
                task.cancel()
        self._started.clear()

    def _start(self, sentence: str) -> None:
        task = asyncio.create_task(self.tts.synthesize(sentence))
        task.add_done_callback(_retrieve)
        self._started[sentence].append(task)


def _retrieve(task: asyncio.Task[Pcm]) -> None:
    """Mark a failure as seen: `speak` handles it, or nobody needed that sentence."""
    if not task.cancelled():
        task.exception()


class Voice:
    def __init__(
        self, tts: TextToSpeech | None, codec: AudioCodec, *, streaming: bool = True
    ) -> None:
        self.tts = tts
        self.codec = codec
        self.streaming = streaming

    def early(self) -> EarlyVoice | None:
        """Somewhere to stream text into, when there is a voice and streaming is on."""
        return EarlyVoice(self.tts) if self.tts is not None and self.streaming else None

    async def speak(self, *parts: str, early: EarlyVoice | None = None) -> AudioClip | None:
        """A voice note saying `parts`, or None when voice is off or failed (text still goes)."""
        sentences = [sentence for part in parts for sentence in split_sentences(part)]
        if self.tts is None or not sentences:
            return None
        try:
            pcm = await asyncio.gather(*self._syntheses(sentences, early))
            return await self.codec.encode_voice(join_pcm(pcm))
        except (ProviderError, AudioError) as exc:
            log.warning("voice reply unavailable (%s): %s", self.tts.name, type(exc).__name__)
            return None
        finally:
            if early is not None:
                early.discard()

    def _syntheses(self, sentences: list[str], early: EarlyVoice | None) -> list[Awaitable[Pcm]]:
        """In order: each sentence voiced early as it was, and one request per run of the
        others (up to `RUN_CHARS`). Each request costs a few ms of CPU in the HTTP stack,
        and a run keeps its intonation across sentences."""
        assert self.tts is not None
        syntheses: list[Awaitable[Pcm]] = []
        run: list[str] = []
        for sentence in sentences:
            started = early.take(sentence) if early is not None else None
            if run and (started is not None or len(" ".join([*run, sentence])) > RUN_CHARS):
                syntheses.append(self.tts.synthesize(" ".join(run)))
                run = []
            if started is not None:
                syntheses.append(started)
            else:
                run.append(sentence)
        if run:
            syntheses.append(self.tts.synthesize(" ".join(run)))
        return syntheses
