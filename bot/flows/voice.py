"""The bot's spoken voice: synthesize, encode to a voice note, degrade to text on failure."""

from __future__ import annotations

import logging

from bot.core.errors import AudioError, ProviderError
from bot.core.models import AudioClip
from bot.core.ports import AudioCodec, TextToSpeech

log = logging.getLogger(__name__)


class Voice:
    def __init__(self, tts: TextToSpeech | None, codec: AudioCodec) -> None:
        self.tts = tts
        self.codec = codec

    async def speak(self, text: str) -> AudioClip | None:
        """A voice note saying `text`, or None when voice is off or failed (text still goes)."""
        if self.tts is None or not text.strip():
            return None
        try:
            pcm = await self.tts.synthesize(text)
            return await self.codec.encode_voice(pcm)
        except (ProviderError, AudioError) as exc:
            log.warning("voice reply unavailable (%s): %s", self.tts.name, type(exc).__name__)
            return None
