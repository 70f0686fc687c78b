"""Try text-to-speech providers in order until one works."""

from __future__ import annotations

from bot.core.models import Pcm
from bot.core.ports import TextToSpeech
from bot.providers.in_order import first_that_works


class FallbackTTS:
    """Use `primary`; on a `ProviderError` try each fallback in turn.

    A requested `voice` goes to the primary only: voice names differ between providers, so
    fallbacks speak in their own default voice.
    """

    def __init__(self, primary: TextToSpeech, *fallbacks: TextToSpeech) -> None:
        self.providers = (primary, *fallbacks)
        self.name = "+".join(provider.name for provider in self.providers)

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        async def speak(index: int, provider: TextToSpeech) -> Pcm:
            return await provider.synthesize(text, voice=voice if index == 0 else None)

        return await first_that_works(self.providers, speak, kind="text-to-speech")
