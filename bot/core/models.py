"""Frozen value objects passed between layers (never SDK objects or loose dicts)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

Platform = Literal["console", "telegram", "discord"]


@dataclass(frozen=True, slots=True)
class ChatRef:
    """Where a message came from and where its reply goes."""

    platform: str
    chat_id: str
    user_id: str


@dataclass(frozen=True, slots=True)
class AudioClip:
    """Encoded audio (OGG/Opus, WAV, MP3...) as bytes, with what we know about it."""

    data: bytes
    mime: str = "audio/ogg"
    filename: str = "audio.ogg"
    duration_s: float | None = None
    waveform: bytes | None = None
    """256 peak levels (0-255), set by our encoder: Discord shows them on voice messages."""


@dataclass(frozen=True, slots=True)
class Pcm:
    """Raw signed 16-bit little-endian mono samples."""

    samples: bytes
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / 2 / self.sample_rate if self.sample_rate else 0.0


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the candidate sent; `fetch` downloads it only when the engine decides to."""

    kind: Literal["voice", "audio", "document"]
    fetch: Callable[[], Awaitable[bytes]]
    filename: str = "voice.ogg"
    mime: str | None = None
    size: int | None = None
    duration_s: float | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a candidate did: a text, a command, a button press or an attachment."""

    chat: ChatRef
    update_id: str
    text: str | None = None
    button: str | None = None
    attachment: Attachment | None = None
    display_name: str | None = None
    language: str | None = None
    payment: Payment | None = None
    """Set only by an adapter, for a platform payment event (Telegram Stars)."""


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment event: a pre-checkout query to answer, or a completed payment (#8)."""

    kind: Literal["pre_checkout", "paid"]
    payload: str
    currency: str
    amount: int
    charge_id: str = ""
    query_id: str = ""


@dataclass(frozen=True, slots=True)
class Invoice:
    """An in-chat invoice (Telegram Stars: currency XTR); `payload` is an opaque token."""

    title: str
    description: str
    payload: str
    currency: str
    amount: int


@dataclass(frozen=True, slots=True)
class CheckoutAnswer:
    """The answer to a pre-checkout query: go ahead, or refuse with a plain reason."""

    query_id: str
    ok: bool
    error: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    data: bytes
    mime: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot says back; adapters render what they can and fall back to text."""

    text: str
    voice: AudioClip | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    document: Document | None = None
    image: Document | None = None
    """A picture (PNG chart); adapters that cannot show it keep the text, which stands alone."""
    private: bool = False
    progress: bool = False
    expects_answer: bool = False
    """A transient "working on it" cue: adapters may show it as a chat action instead."""
    speech: tuple[str, ...] = ()
    """Text still to be voiced: the flow turns it into `voice` after its database
    transaction has closed (no provider call holds a transaction); adapters ignore it."""
    invoice: Invoice | None = None
    """An invoice to pay in the chat; adapters without in-chat payments show the text."""
    checkout: CheckoutAnswer | None = None
    """Answers a pre-checkout query (not a message); adapters without payments ignore it."""


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    words: tuple[Word, ...] = ()
    language: str | None = None
    duration_s: float | None = None


@dataclass(frozen=True, slots=True)
class SpeechMetrics:
    """Delivery figures computed in code from the transcript and its timings."""

    duration_s: float
    word_count: int
    words_per_minute: float
    filler_count: int
    fillers_per_minute: float
    fillers: dict[str, int] = field(default_factory=dict)
    long_pauses: int = 0
    longest_pause_s: float = 0.0
    hedges: int = 0
    i_count: int = 0
    we_count: int = 0
    timed: bool = False


@dataclass(frozen=True, slots=True)
class Question:
    """One interview question from a bank, with what a strong answer contains."""

    id: str
    role: str
    text: str
    kind: Literal["behavioural", "role"] = "behavioural"
    competencies: tuple[str, ...] = ()
    strong_answer: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    levels: tuple[str, ...] = ("junior", "mid", "senior")


@dataclass(frozen=True, slots=True)
class DimensionScore:
    name: str
    score: int
    justification: str
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Assessment:
    """The coach's judgement of one answer."""

    overall: int
    dimensions: tuple[DimensionScore, ...]
    strengths: tuple[str, ...] = ()
    improvements: tuple[str, ...] = ()
    feedback: str = ""
    follow_up: str | None = None

    def dimension(self, name: str) -> DimensionScore | None:
        return next((d for d in self.dimensions if d.name == name), None)


@dataclass(frozen=True, slots=True)
class PastTurn:
    """What the interviewer may know about an earlier turn of the same session."""

    question: Question
    answer: str
    overall: int | None
    follow_up: bool = False


@dataclass(frozen=True, slots=True)
class InterviewContext:
    """Everything the interviewer may use to plan the next question."""

    role: str
    level: str
    turns: tuple[PastTurn, ...] = ()
    asked_ids: tuple[str, ...] = ()
    cv_text: str | None = None
    job_description: str | None = None
    seed: int = 0
    language: str | None = None
    """The candidate's language (ISO 639-1, from the transcriber or the chat client)."""
