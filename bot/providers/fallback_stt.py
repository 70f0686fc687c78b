"""Try speech-to-text providers in order until one works (cloud first, offline after)."""

from __future__ import annotations

from bot.core.models import AudioClip, Transcript
from bot.core.ports import SpeechToText
from bot.providers.in_order import first_that_works


class FallbackSTT:
    """Use `primary`; on a `ProviderError` try each fallback in turn.

    The transcript of a fallback may lack word timings or be less accurate, but the
    candidate gets feedback instead of an error while the cloud service is down.
    """

    def __init__(self, primary: SpeechToText, *fallbacks: SpeechToText) -> None:
        self.providers = (primary, *fallbacks)
        self.name = "+".join(provider.name for provider in self.providers)

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript:
        async def hear(_index: int, provider: SpeechToText) -> Transcript:
            return await provider.transcribe(clip, language=language)

        return await first_that_works(self.providers, hear, kind="speech-to-text")

    def close(self) -> None:
        """Close providers that hold resources (the app calls this on shutdown)."""
        for provider in self.providers:
            close = getattr(provider, "close", None)
            if callable(close):
                close()
