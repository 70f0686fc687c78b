"""The AudioCodec port on PyAV (bot.audio), with the configured answer limits."""

from __future__ import annotations

from bot import audio
from bot.core.models import AudioClip, Pcm


class PyAvCodec:
    def __init__(self, limits: audio.AudioLimits) -> None:
        self.limits = limits

    async def decode(self, data: bytes, *, sample_rate: int = 16000) -> Pcm:
        return await audio.decode(data, sample_rate=sample_rate, limits=self.limits)

    async def probe(self, data: bytes) -> float:
        return await audio.probe(data, limits=self.limits)

    async def encode_voice(self, pcm: Pcm) -> AudioClip:
        return await audio.encode_voice(pcm)

    async def warm_up(self) -> None:
        await audio.warm_up()
