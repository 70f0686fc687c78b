"""The next question is voiced sentence by sentence while the model is still writing it.

Real SDKs against the loopback fakes: the fake model holds back its last text delta until
the fake voice service has received a request, so the test only passes when the first
sentence went to text-to-speech before the stream ended.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import av
import pytest

from bot.audio import AudioLimits
from bot.core.models import InterviewContext
from bot.core.ports import TextToSpeech
from bot.flows.voice import Voice
from bot.providers.coach.claude import ClaudeCoach
from bot.providers.coach.llm import ModelCoach
from bot.providers.coach.openai_chat import OpenAIChatModel
from bot.providers.codec import PyAvCodec
from bot.providers.tts.cartesia import CartesiaTTS
from bot.providers.tts.openai_speech import OpenAISpeechTTS
from tests.fake_servers import anthropic_api, cartesia_api, openai_api

CHUNKS = ("Tell me about a time ", "you changed a plan. ", "What ", "happened next?")
FIRST, SECOND = "Tell me about a time you changed a plan.", "What happened next?"
CONTEXT = InterviewContext(role="software-engineer", level="mid")
HOLD_S = 10.0
"""How long the fake model waits for a voice request before giving up (a failure)."""


@dataclass
class Run:
    said: list[str]
    """What the voice service was asked to say, in the order the requests arrived."""
    seen_while_streaming: bool
    question: str
    duration_s: float


async def voice_the_next_question(coach: ModelCoach, tts: TextToSpeech) -> tuple[str, float]:
    voice = Voice(tts, PyAvCodec(AudioLimits()))
    early = voice.early()
    assert early is not None
    question = await coach.stream_question(CONTEXT, early.feed)
    early.end()
    clip = await voice.speak("Question 2 of 5:", question.text, early=early)
    assert clip is not None
    with av.open(io.BytesIO(clip.data)) as container:
        assert container.streams.audio[0].codec_context.name == "opus"
    return question.text, clip.duration_s or 0.0


def holder(event: asyncio.Event, seen: list[bool]) -> object:
    async def hold() -> None:
        await asyncio.wait_for(event.wait(), HOLD_S)
        seen.append(True)

    return hold


async def claude_and_cartesia() -> Run:
    model = anthropic_api.FakeAnthropic(chunks=CHUNKS)
    voice = cartesia_api.FakeCartesia()
    seen: list[bool] = []
    model.before_last_chunk = holder(voice.first_request, seen)  # type: ignore[assignment]
    for server in (model, voice):
        await server.start()
    coach = ClaudeCoach(api_key=anthropic_api.API_KEY, base_url=model.base_url, model="m")
    tts = CartesiaTTS(api_key=cartesia_api.API_KEY, voice_id="v", base_url=voice.base_url)
    try:
        text, seconds = await voice_the_next_question(coach, tts)
    finally:
        await coach.aclose()
        await tts.aclose()
        for server in (model, voice):
            await server.stop()
    return Run([r["transcript"] for r in voice.requests], seen == [True], text, seconds)


async def openai_chat_and_speech() -> Run:
    server = openai_api.FakeOpenAI(chat_chunks=CHUNKS)
    seen: list[bool] = []
    server.before_last_chunk = holder(server.first_speech, seen)  # type: ignore[assignment]
    await server.start()
    model = OpenAIChatModel(model="m", base_url=server.base_url, api_key=openai_api.API_KEY)
    coach = ModelCoach(model)
    tts = OpenAISpeechTTS(api_key=openai_api.API_KEY, base_url=server.base_url)
    try:
        text, seconds = await voice_the_next_question(coach, tts)
    finally:
        await coach.aclose()
        await tts.aclose()
        await server.stop()
    return Run([r["input"] for r in server.speeches], seen == [True], text, seconds)


@pytest.mark.parametrize("vendors", [claude_and_cartesia, openai_chat_and_speech])
async def test_the_first_sentence_is_sent_to_the_voice_before_the_stream_ends(
    vendors: Callable[[], Awaitable[Run]],
) -> None:
    run = await vendors()

    assert run.seen_while_streaming
    assert run.said[0] == FIRST
    assert sorted(run.said) == sorted([FIRST, SECOND, "Question 2 of 5:"])
    assert run.question == f"{FIRST} {SECOND}"
    assert run.duration_s > 0
