"""Text-to-speech through Cartesia's `/tts/bytes` with the official `cartesia` SDK (4.x).

Asks for raw 16-bit little-endian PCM (`container: raw`, `pcm_s16le`) at `sample_rate` and
returns it as `Pcm`; the voice note's OGG/Opus is encoded in-process (Cartesia has no Opus
output). The SDK does not retry (`max_retries=0`); `bot.providers.retry` does, with jitter,
on 429, 5xx, timeouts and connection errors only. The spoken text is never logged.
"""

from __future__ import annotations

from typing import cast

import cartesia
import httpx
from cartesia import AsyncCartesia
from cartesia.types.raw_output_format_param import RawOutputFormatParam

from bot.core.errors import ProviderError
from bot.core.models import Pcm
from bot.providers.retry import RetryPolicy, status_is_retryable, with_retries

SAMPLE_RATES = (8000, 16000, 22050, 24000, 44100, 48000)


def as_provider_error(exc: cartesia.CartesiaError) -> ProviderError:
    """Translate an SDK error; the message names the failure, never the text."""
    if isinstance(exc, cartesia.APITimeoutError):
        return ProviderError("voice synthesis timed out", retryable=True)
    if isinstance(exc, cartesia.APIConnectionError):
        return ProviderError("voice synthesis unreachable", retryable=True)
    if isinstance(exc, cartesia.APIStatusError):
        retryable = status_is_retryable(exc.status_code)
        return ProviderError(
            f"voice synthesis failed with HTTP {exc.status_code}", retryable=retryable
        )
    return ProviderError(f"voice synthesis failed ({type(exc).__name__})")


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
        retry: RetryPolicy | None = None,
    ) -> None:
        if sample_rate not in SAMPLE_RATES:
            raise ValueError(f"Cartesia cannot produce {sample_rate} Hz; use one of {SAMPLE_RATES}")
        self._client = AsyncCartesia(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0
        )
        self.voice_id = voice_id
        self.model = model
        self.sample_rate = sample_rate
        self.retry = retry or RetryPolicy()

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        """Speak `text` in `voice` (a Cartesia voice id; default: the configured one)."""

        async def once() -> Pcm:
            return Pcm(await self._request(text, voice or self.voice_id), self.sample_rate)

        return await with_retries(once, policy=self.retry, what="voice synthesis")

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
            raise as_provider_error(exc) from exc
        except httpx.HTTPError as exc:
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
