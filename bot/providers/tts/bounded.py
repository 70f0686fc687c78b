"""A cap on concurrent voice requests: cloud voice plans allow only a few at once."""

from __future__ import annotations

import asyncio

from bot.core.models import Pcm
from bot.core.ports import TextToSpeech


class BoundedTTS:
    """At most `limit` synthesize calls of `inner` run at once; the rest wait their turn."""

    def __init__(self, inner: TextToSpeech, *, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.inner = inner
        self.name = inner.name
        self.providers = (inner,)
        self._slots = asyncio.Semaphore(limit)

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        async with self._slots:
            return await self.inner.synthesize(text, voice=voice)
