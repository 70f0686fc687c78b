"""Try text-to-speech providers in order until one works."""

from __future__ import annotations

import logging

from bot.core.errors import ProviderError, ProviderUnavailable
from bot.core.models import Pcm
from bot.core.ports import TextToSpeech

log = logging.getLogger(__name__)


class FallbackTTS:
    """Use `primary`; on a `ProviderError` try each fallback in turn.

    A requested `voice` goes to the primary only: voice names differ between providers, so
    fallbacks speak in their own default voice.
    """

    def __init__(self, primary: TextToSpeech, *fallbacks: TextToSpeech) -> None:
        self.providers = (primary, *fallbacks)
        self.name = "+".join(provider.name for provider in self.providers)

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        errors: list[ProviderError] = []
        for index, provider in enumerate(self.providers):
            try:
                return await provider.synthesize(text, voice=voice if index == 0 else None)
            except ProviderError as exc:
                errors.append(exc)
                log.warning(
                    "text-to-speech provider %s failed (%s, %s of %s)",
                    provider.name,
                    type(exc).__name__,
                    index + 1,
                    len(self.providers),
                )
        names = ", ".join(provider.name for provider in self.providers)
        if all(isinstance(exc, ProviderUnavailable) for exc in errors):
            raise ProviderUnavailable(f"no text-to-speech provider can run: {names}") from errors[
                -1
            ]
        retryable = any(exc.retryable for exc in errors)
        raise ProviderError(
            f"every text-to-speech provider failed: {names}", retryable=retryable
        ) from errors[-1]
