"""Try speech-to-text providers in order until one works (cloud first, offline after)."""

from __future__ import annotations

import logging

from bot.core.errors import ProviderError, ProviderUnavailable
from bot.core.models import AudioClip, Transcript
from bot.core.ports import SpeechToText

log = logging.getLogger(__name__)


class FallbackSTT:
    """Use `primary`; on a `ProviderError` try each fallback in turn.

    The transcript of a fallback may lack word timings or be less accurate, but the
    candidate gets feedback instead of an error while the cloud service is down.
    """

    def __init__(self, primary: SpeechToText, *fallbacks: SpeechToText) -> None:
        self.providers = (primary, *fallbacks)
        self.name = "+".join(provider.name for provider in self.providers)

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript:
        errors: list[ProviderError] = []
        for index, provider in enumerate(self.providers):
            try:
                return await provider.transcribe(clip, language=language)
            except ProviderError as exc:
                errors.append(exc)
                log.warning(
                    "speech-to-text provider %s failed (%s, %s of %s)",
                    provider.name,
                    type(exc).__name__,
                    index + 1,
                    len(self.providers),
                )
        names = ", ".join(provider.name for provider in self.providers)
        if all(isinstance(exc, ProviderUnavailable) for exc in errors):
            raise ProviderUnavailable(f"no speech-to-text provider can run: {names}") from errors[
                -1
            ]
        retryable = any(exc.retryable for exc in errors)
        raise ProviderError(
            f"every speech-to-text provider failed: {names}", retryable=retryable
        ) from errors[-1]

    def close(self) -> None:
        """Close providers that hold resources (the app calls this on shutdown)."""
        for provider in self.providers:
            close = getattr(provider, "close", None)
            if callable(close):
                close()
