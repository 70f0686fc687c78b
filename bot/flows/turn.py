"""One answered question: validate, persist, transcribe, measure, assess, plan what's next."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.core.errors import AudioError, ProviderError
from bot.core.models import (
    Assessment,
    AudioClip,
    Inbound,
    InterviewContext,
    Question,
    SpeechMetrics,
    Transcript,
)
from bot.core.ports import AudioCodec, Coach, SpeechToText
from bot.flows import texts
from bot.flows.metrics import estimate_pauses_from_pcm, speech_metrics
from bot.flows.voice import EarlyVoice


class TurnRejected(Exception):
    """The input can't be used as an answer; `message` tells the candidate why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class AnswerInput:
    """A validated answer: typed text, or audio bytes (checked to play) and their length."""

    text: str | None = None
    audio: bytes | None = None
    mime: str = "audio/ogg"
    duration_s: float | None = None


@dataclass(frozen=True, slots=True)
class TurnResult:
    transcript: Transcript
    metrics: SpeechMetrics
    assessment: Assessment
    next_question: Question | None
    early_voice: EarlyVoice | None = None
    """The next question, voiced sentence by sentence while the interviewer wrote it."""


log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnswerLimits:
    max_seconds: float
    max_bytes: int


MAX_TEXT_CHARS = 20_000
TEXT_TOO_LONG = (
    "That answer is too long for me (the limit is about 3,000 words). Please send a shorter "
    "answer, or record it as a voice note."
)


async def read_answer(inbound: Inbound, codec: AudioCodec, limits: AnswerLimits) -> AnswerInput:
    """Check limits from metadata before downloading, then download and check it plays."""
    if inbound.attachment is None:
        text = (inbound.text or "").strip()
        if not text:
            raise TurnRejected(texts.EMPTY_TEXT)
        if len(text) > MAX_TEXT_CHARS:  # a hostile or pasted wall of text (#12)
            raise TurnRejected(TEXT_TOO_LONG)
        return AnswerInput(text=text)
    att = inbound.attachment
    if att.kind == "document" and not (att.mime or "").startswith(("audio/", "video/")):
        raise TurnRejected(texts.NOT_AN_ANSWER_FILE)
    if att.size is not None and att.size > limits.max_bytes:
        raise TurnRejected(_too_large(limits.max_bytes))
    if att.duration_s is not None and att.duration_s > limits.max_seconds:
        raise TurnRejected(_too_long(att.duration_s, limits.max_seconds))
    data = await att.fetch()
    if len(data) > limits.max_bytes:
        raise TurnRejected(_too_large(limits.max_bytes))
    try:
        seconds = await codec.probe(data)
    except AudioError as exc:
        raise TurnRejected(exc.user_message) from exc
    return AnswerInput(audio=data, mime=att.mime or "audio/ogg", duration_s=seconds)


def _too_large(max_bytes: int) -> str:
    return f"That file is too big for me (the limit is {max_bytes // (1024 * 1024)} MB)."


def _too_long(seconds: float, limit: float) -> str:
    return (
        f"That recording is {seconds / 60:.1f} min long; answers can be up to "
        f"{limit / 60:.0f} min. Please record a shorter answer."
    )


async def transcribe(answer: AnswerInput, stt: SpeechToText, filename: str) -> Transcript:
    """The typed text as a transcript, or the speech recogniser's transcript of the audio."""
    if answer.text is not None:
        return Transcript(text=answer.text)
    assert answer.audio is not None
    clip = AudioClip(answer.audio, answer.mime, filename, answer.duration_s)
    try:
        return await stt.transcribe(clip)
    except ProviderError as exc:
        log.warning("transcription failed with %s: %s", stt.name, type(exc).__name__)
        raise TurnRejected(texts.TRANSCRIBE_FAILED) from exc


async def measure(answer: AnswerInput, transcript: Transcript, codec: AudioCodec) -> SpeechMetrics:
    """Speech metrics; pauses come from the decoded audio when the recogniser gave no
    word timings (the only case that decodes a recording sent to a cloud recogniser)."""
    if answer.audio is None:
        return speech_metrics(transcript)
    pauses: tuple[float, ...] = ()
    if not transcript.words:
        try:
            pauses = estimate_pauses_from_pcm(await codec.decode(answer.audio))
        except AudioError:  # it played at the start; the pauses are only a detail
            log.info("pauses not measured: the recording did not decode to the end")
    return speech_metrics(transcript, duration_s=answer.duration_s, pauses_s=pauses)


async def assess_and_plan(
    coach: Coach,
    *,
    question: Question,
    transcript: Transcript,
    metrics: SpeechMetrics,
    context: InterviewContext | None,
    early_voice: EarlyVoice | None = None,
) -> tuple[Assessment, Question | None]:
    """Score the answer and plan the next question concurrently (streamed into `early_voice`
    when the coach can stream it)."""

    async def plan() -> Question | None:
        if context is None:
            return None
        try:
            stream = getattr(coach, "stream_question", None)
            if early_voice is None or stream is None:
                return await coach.next_question(context)
            try:
                question: Question = await stream(context, early_voice.feed)
                return question
            finally:
                early_voice.end()
        except LookupError:
            return None

    return await asyncio.gather(
        coach.assess(question=question, transcript=transcript, metrics=metrics), plan()
    )
