"""In-tree fakes of our own ports, for unit tests of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.errors import NotAudio, ProviderError
from bot.core.models import (
    Assessment,
    Attachment,
    AudioClip,
    ChatRef,
    DimensionScore,
    Inbound,
    InterviewContext,
    Pcm,
    Question,
    Reply,
    SpeechMetrics,
    Transcript,
    Word,
)
from bot.flows.questions import pick_questions


class FakeSpeechToText:
    """Transcribes `audio:<seconds>:<text>` clips to <text>, with one word per 0.4 s."""

    name = "fake-stt"

    def __init__(self) -> None:
        self.calls = 0
        self.fail_next = 0

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript:
        self.calls += 1
        if self.fail_next:
            self.fail_next -= 1
            raise ProviderError("recogniser down", retryable=True)
        text = clip.data.decode().split(":", 2)[2]
        words = tuple(Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(text.split()))
        return Transcript(text=text, words=words, language="en", duration_s=clip.duration_s)


class FakeTextToSpeech:
    name = "fake-tts"

    def __init__(self) -> None:
        self.spoken: list[str] = []
        self.fail = False

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        if self.fail:
            raise ProviderError("voice down")
        self.spoken.append(text)
        return Pcm(b"\x00\x00" * 1600, 16000)


class FakeCodec:
    """Decodes `audio:<seconds>:...` bytes; anything else is not audio."""

    async def decode(self, data: bytes, *, sample_rate: int = 16000) -> Pcm:
        if not data.startswith(b"audio:"):
            raise NotAudio("That file isn't audio I can play.")
        seconds = float(data.split(b":")[1])
        return Pcm(b"\x00\x01" * int(seconds * sample_rate), sample_rate)

    async def probe(self, data: bytes) -> float:
        return (await self.decode(data)).duration_s

    async def warm_up(self) -> None:
        return None

    async def encode_voice(self, pcm: Pcm) -> AudioClip:
        return AudioClip(b"OggS" + pcm.samples[:8], duration_s=pcm.duration_s)


@dataclass
class RecordingSink:
    """Collects replies; `texts` joins what the candidate saw."""

    replies: list[tuple[ChatRef, Reply]] = field(default_factory=list)

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        self.replies.append((chat, reply))

    @property
    def last(self) -> Reply:
        return self.replies[-1][1]

    def texts(self) -> str:
        return "\n".join(r.text for _, r in self.replies)

    def clear(self) -> None:
        self.replies.clear()


class Candidate:
    """Drives the engine like a person in one chat: text, buttons, voice notes."""

    def __init__(self, engine: object, platform: str = "telegram", user_id: str = "1001") -> None:
        self.engine = engine
        self.chat = ChatRef(platform, user_id, user_id)
        self.sink = RecordingSink()
        self.fetches = 0
        self._next = 0

    def _id(self) -> str:
        self._next += 1
        return f"{id(self)}-{self._next}"

    async def send(self, inbound: Inbound) -> Reply:
        await self.engine.handle(inbound, self.sink)  # type: ignore[attr-defined]
        return self.sink.last

    async def say(self, text: str) -> Reply:
        return await self.send(Inbound(self.chat, self._id(), text=text))

    async def press(self, data: str) -> Reply:
        return await self.send(Inbound(self.chat, self._id(), button=data))

    async def voice(self, text: str, seconds: float = 20.0, raw: bytes | None = None) -> Reply:
        data = raw if raw is not None else f"audio:{seconds}:{text}".encode()

        async def fetch() -> bytes:
            self.fetches += 1
            return data

        att = Attachment("voice", fetch, "voice.oga", "audio/ogg", len(data), seconds)
        return await self.send(Inbound(self.chat, self._id(), attachment=att))

    async def document(self, data: bytes, filename: str, mime: str | None) -> Reply:
        async def fetch() -> bytes:
            self.fetches += 1
            return data

        att = Attachment("document", fetch, filename, mime, len(data))
        return await self.send(Inbound(self.chat, self._id(), attachment=att))

    async def consent(self) -> None:
        await self.say("/start")
        await self.press("age:16plus")
        await self.press("consent:agree:16plus")


class FakeCoach:
    """Scores by length (1 point a word, max 100); answers under 8 words get a follow-up."""

    name = "fake-coach"

    def __init__(self) -> None:
        self.assessed: list[str] = []
        self.contexts: list[InterviewContext] = []

    async def assess(
        self, *, question: Question, transcript: Transcript, metrics: SpeechMetrics
    ) -> Assessment:
        self.assessed.append(transcript.text)
        words = transcript.text.split()
        score = max(1, min(5, len(words) // 15 + 1))
        quote = " ".join(words[:6])
        dims = tuple(DimensionScore(n, score, f"{n} is {score}", quote) for n in DIMENSIONS)
        return Assessment(
            overall=min(100, len(words)),
            dimensions=dims,
            feedback="Good effort. Add a number next time.",
            improvements=("Say what you did yourself.",),
            follow_up="What was the result?" if len(words) < 8 else None,
        )

    async def next_question(self, context: InterviewContext) -> Question:
        self.contexts.append(context)
        picked = pick_questions(
            context.role, context.level, 1, seed=context.seed, exclude=set(context.asked_ids)
        )
        if not picked:
            raise LookupError("bank exhausted")
        return picked[0]


DIMENSIONS = ("star", "specificity", "impact", "ownership", "relevance", "clarity")
