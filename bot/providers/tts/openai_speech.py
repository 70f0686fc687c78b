"""Text-to-speech through any OpenAI-compatible `/v1/audio/speech`, with the `openai` SDK.

Asks for `response_format: pcm`, which the API defines as raw 24 kHz signed 16-bit
little-endian mono, and returns it as `Pcm`; the voice note's OGG/Opus is encoded
in-process like every other voice. The SDK retries (`max_retries`: 429, 5xx, timeouts,
with jitter, honouring `retry-after`); each whole call is bounded by
`bot.providers.retry.deadline_s`. The spoken text is never logged.
"""

from __future__ import annotations

import openai
from openai import AsyncOpenAI

from bot.core.errors import ProviderError
from bot.core.models import Pcm
from bot.core.usage import UsageMeter
from bot.providers.metering import metered
from bot.providers.retry import DEFAULT_MAX_RETRIES, as_provider_error, deadline_s, within

SAMPLE_RATE = 24000
"""The rate of OpenAI's `pcm` output (fixed by the API)."""
WHAT = "voice synthesis"


class OpenAISpeechTTS:
    """`TextToSpeech` over the official `openai` SDK."""

    name = "openai-speech"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str = "gpt-4o-mini-tts",
        voice: str = "alloy",
        timeout_s: float = 30.0,
        max_retries: int = DEFAULT_MAX_RETRIES,
        meter: UsageMeter | None = None,
    ) -> None:
        self._client = AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries
        )
        self.model = model
        self.voice = voice
        self.deadline_s = deadline_s(timeout_s, max_retries)
        self.meter = meter

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        """Speak `text` in `voice` (a voice name; default: the configured one)."""
        async with metered(self.meter, stage="tts", provider=self.name, model=self.model) as tally:
            tally.characters = len(text)
            request = self._request(text, voice or self.voice)
            pcm = Pcm(await within(request, seconds=self.deadline_s, what=WHAT), SAMPLE_RATE)
            tally.audio_seconds = pcm.duration_s
            return pcm

    async def _request(self, text: str, voice: str) -> bytes:
        try:
            response = await self._client.audio.speech.create(
                model=self.model, voice=voice, input=text, response_format="pcm"
            )
            samples = await response.aread()
        except openai.OpenAIError as exc:  # a body that breaks off is retried by the SDK
            raise as_provider_error(exc, WHAT) from exc
        if not samples or len(samples) % 2:
            raise ProviderError("voice synthesis returned no whole samples", retryable=True)
        return samples

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()
