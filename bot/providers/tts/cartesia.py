"""Text-to-speech through Cartesia's `/tts/bytes` with the official `cartesia` SDK (4.x).

Asks for raw 16-bit little-endian PCM (`container: raw`, `pcm_s16le`) at `sample_rate` and
returns it as `Pcm`; the voice note's OGG/Opus is encoded in-process (Cartesia has no Opus
output). The SDK retries (`max_retries`: 429, 5xx, timeouts and connection errors, with
jitter, honouring `retry-after`); each whole call is bounded by
`bot.providers.retry.deadline_s`. The spoken text is never logged.
"""

from __future__ import annotations

from typing import cast

import cartesia
from cartesia import AsyncCartesia
from cartesia.types.raw_output_format_param import RawOutputFormatParam

from bot.core.errors import ProviderError
from bot.core.models import Pcm
from bot.core.usage import UsageMeter
from bot.providers.metering import metered
from bot.providers.retry import (
    BROKEN_BODY,
    DEFAULT_MAX_RETRIES,
    as_provider_error,
    deadline_s,
    within,
)

SAMPLE_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
WHAT = "voice synthesis"


class CartesiaTTS:
    """`TextToSpeech` over the official `cartesia` SDK."""

    name = "cartesia"

    def __init__(
        self,
        *,
        api_key: str,
        voice_id: str,
        base_url: str | None = None,
        model: str = "sonic-3",
        sample_rate: int = 24000,
        timeout_s: float = 30.0,
        max_retries: int = DEFAULT_MAX_RETRIES,
        meter: UsageMeter | None = None,
    ) -> None:
        if sample_rate not in SAMPLE_RATES:
            raise ValueError(f"Cartesia cannot produce {sample_rate} Hz; use one of {SAMPLE_RATES}")
        self._client = AsyncCartesia(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries
        )
        self.voice_id = voice_id
        self.model = model
        self.sample_rate = sample_rate
        self.deadline_s = deadline_s(timeout_s, max_retries)
        self.meter = meter

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        """Speak `text` in `voice` (a Cartesia voice id; default: the configured one)."""
        async with metered(self.meter, stage="tts", provider=self.name, model=self.model) as tally:
            tally.characters = len(text)
            request = self._request(text, voice or self.voice_id)
            pcm = Pcm(await within(request, seconds=self.deadline_s, what=WHAT), self.sample_rate)
            tally.audio_seconds = pcm.duration_s
            return pcm

    async def _request(self, text: str, voice_id: str) -> bytes:
        try:
            response = await self._client.tts.generate(
                model_id=self.model,
                transcript=text,
                voice={"id": voice_id},
                output_format=self._format(),
            )
            samples = await response.read()
        except cartesia.CartesiaError as exc:
            raise as_provider_error(exc, WHAT) from exc
        except BROKEN_BODY as exc:
            raise ProviderError("voice synthesis stream broke", retryable=True) from exc
        if len(samples) % 2:
            raise ProviderError("voice synthesis returned a partial sample", retryable=True)
        return samples

    def _format(self) -> RawOutputFormatParam:
        """Raw signed 16-bit little-endian mono at the configured rate."""
        raw = {"container": "raw", "encoding": "pcm_s16le", "sample_rate": self.sample_rate}
        return cast(RawOutputFormatParam, raw)

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()
