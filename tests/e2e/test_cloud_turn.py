"""A voice note through the real OpenAI, Anthropic and Cartesia SDKs against loopback servers."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import av
import pytest

from bot.app import build_app
from bot.config import load_settings
from tests.fake_servers import anthropic_api, cartesia_api, openai_api
from tests.fakes import Candidate
from tests.integration.test_claude_coach import tool_input

FIXTURE = Path(__file__).parents[1] / "fixtures" / "answer.ogg"


@pytest.fixture
async def servers() -> AsyncIterator[tuple[object, object, object]]:
    whisper = openai_api.FakeOpenAI()
    claude = anthropic_api.FakeAnthropic(tool_inputs=[tool_input()])
    voice = cartesia_api.FakeCartesia()
    for server in (whisper, claude, voice):
        await server.start()
    yield whisper, claude, voice
    for server in (whisper, claude, voice):
        await server.stop()


async def test_a_voice_note_flows_through_every_cloud_provider_to_a_voice_reply(
    tmp_path: Path, servers: tuple[object, object, object]
) -> None:
    whisper, claude, voice = servers
    assert isinstance(whisper, openai_api.FakeOpenAI)
    assert isinstance(claude, anthropic_api.FakeAnthropic)
    assert isinstance(voice, cartesia_api.FakeCartesia)
    settings = load_settings(
        {
            "COACH_DATA_DIR": str(tmp_path / "data"),
            "COACH_MASTER_KEY_FILE": str(tmp_path / "master.key"),
            "COACH_QUESTIONS": "2",
            "OPENAI_API_KEY": openai_api.API_KEY,
            "OPENAI_BASE_URL": whisper.base_url,
            "ANTHROPIC_API_KEY": anthropic_api.API_KEY,
            "ANTHROPIC_BASE_URL": claude.base_url,
            "CARTESIA_API_KEY": cartesia_api.API_KEY,
            "CARTESIA_BASE_URL": voice.base_url,
            "COACH_TTS_VOICE_ID": "voice-under-test",
        }
    )
    app = build_app(settings)
    await app.start()
    try:
        assert (app.stt.name, app.coach.name) == ("openai-whisper+pocketsphinx", "anthropic+rules")
        c = Candidate(app.engine, user_id="4242")
        await c.consent()
        await c.press("level:product-manager:mid")
        data = FIXTURE.read_bytes()
        reply = await c.voice("", seconds=23.3, raw=data)
    finally:
        await app.close()
    assert "Score:" in reply.text and "Good story." in reply.text
    assert reply.voice is not None
    with av.open(io.BytesIO(reply.voice.data)) as container:
        assert container.streams.audio[0].codec_context.name == "opus"
    assert whisper.uploads and whisper.uploads[0].filename == "voice.ogg"
    judged = [r.body for r in claude.requests if not r.body.get("stream")]
    transcript = " ".join(word for word, _, _ in openai_api.WORDS)
    assert any(transcript in str(body["messages"]) for body in judged)
    assert voice.requests, "the reply was voiced by Cartesia"
