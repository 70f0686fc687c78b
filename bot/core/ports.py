"""The seams: every outside-world dependency is one of these Protocols."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.core.models import (
    Assessment,
    AudioClip,
    ChatRef,
    Inbound,
    InterviewContext,
    Pcm,
    Question,
    Reply,
    SpeechMetrics,
    Transcript,
)


class ReplySink(Protocol):
    async def send(self, chat: ChatRef, reply: Reply) -> None: ...


Handler = Callable[[Inbound, ReplySink], Awaitable[None]]


class ChatAdapter(Protocol):
    name: str

    async def start(self, handle: Handler) -> None: ...

    async def stop(self) -> None: ...


class Connector(ChatAdapter, ReplySink, Protocol):
    """A chat platform the runner starts; `send` reaches a person outside a conversation."""


class SpeechToText(Protocol):
    name: str

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript: ...


class TextToSpeech(Protocol):
    name: str

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm: ...


class Coach(Protocol):
    """Judge and interviewer: scores answers and plans the next question."""

    name: str

    async def assess(
        self, *, question: Question, transcript: Transcript, metrics: SpeechMetrics
    ) -> Assessment: ...

    async def next_question(self, context: InterviewContext) -> Question: ...


class StreamingCoach(Coach, Protocol):
    """A coach whose interviewer writes the next question as a stream of text deltas."""

    async def stream_question(
        self, context: InterviewContext, on_text: Callable[[str], None]
    ) -> Question:
        """`next_question`, passing each text delta to `on_text` as soon as it is written."""
        ...


class AudioCodec(Protocol):
    """Decoding and encoding off the event loop; raises AudioError for unusable input."""

    async def decode(self, data: bytes, *, sample_rate: int = 16000) -> Pcm: ...

    async def probe(self, data: bytes) -> float:
        """Check that `data` plays and is within the limits; its length in seconds."""
        ...

    async def encode_voice(self, pcm: Pcm) -> AudioClip: ...

    async def warm_up(self) -> None:
        """Get ready before the first answer (start worker processes)."""
        ...
