"""Telegram end to end with the real provider stacks: offline, and cloud through their SDKs."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.telegram import TelegramConnector
from bot.app import build_app
from bot.config import load_settings
from tests.fake_servers import anthropic_api, cartesia_api, openai_api
from tests.fake_servers.telegram_api import FakeBotApi, voice_update
from tests.integration.test_claude_coach import tool_input
from tests.integration.test_telegram import CHAT, consent_and_start_interview, options

ANSWER = Path(__file__).parents[1] / "fixtures" / "answer.ogg"


async def spoken_turn(api: FakeBotApi, env: dict[str, str]) -> str:
    """Run consent, /interview and one voice answer; return the feedback text."""
    app = build_app(load_settings({"COACH_QUESTIONS": "2", **env}))
    await app.start()
    connector = TelegramConnector(options(api))
    await connector.start(app.engine.handle)
    try:
        await consent_and_start_interview(api)
        data = ANSWER.read_bytes()
        file_id = api.add_file(data)
        await api.push(voice_update(CHAT, file_id, duration=23, size=len(data)))
        await api.wait_for(lambda a: any("Score:" in t for t in a.texts(CHAT)), timeout=120)
    finally:
        await connector.stop()
        await app.close()
    voices = api.sent("sendVoice", CHAT)
    assert voices and all(v.files["voice"][1].startswith(b"OggS") for v in voices)
    return next(t for t in api.texts(CHAT) if "Score:" in t)


def local_env(tmp_path: Path) -> dict[str, str]:
    return {
        "COACH_DATA_DIR": str(tmp_path / "data"),
        "COACH_MASTER_KEY_FILE": str(tmp_path / "master.key"),
    }


async def test_a_complete_spoken_turn_with_the_offline_providers(
    api: FakeBotApi, tmp_path: Path
) -> None:
    feedback = await spoken_turn(api, local_env(tmp_path))
    assert "words/min" in feedback  # timings came from the real recogniser


async def test_a_complete_spoken_turn_with_the_cloud_providers(
    api: FakeBotApi, tmp_path: Path
) -> None:
    whisper = openai_api.FakeOpenAI()
    claude = anthropic_api.FakeAnthropic(tool_inputs=[tool_input()])
    voice = cartesia_api.FakeCartesia()
    for server in (whisper, claude, voice):
        await server.start()
    try:
        env = local_env(tmp_path) | {
            "OPENAI_API_KEY": openai_api.API_KEY, "OPENAI_BASE_URL": whisper.base_url,
            "ANTHROPIC_API_KEY": anthropic_api.API_KEY, "ANTHROPIC_BASE_URL": claude.base_url,
            "CARTESIA_API_KEY": cartesia_api.API_KEY, "CARTESIA_BASE_URL": voice.base_url,
            "COACH_TTS_VOICE_ID": "voice-under-test",
        }  # fmt: skip
        feedback = await spoken_turn(api, env)
    finally:
        for server in (whisper, claude, voice):
            await server.stop()
    assert "Good story." in feedback
    assert whisper.uploads and voice.requests and claude.requests


async def test_a_cv_sent_as_a_document_is_read_and_confirmed(
    api: FakeBotApi, tmp_path: Path
) -> None:
    from tests.fake_servers.telegram_api import message_update

    app = build_app(load_settings(local_env(tmp_path)))
    await app.start()
    connector = TelegramConnector(options(api))
    await connector.start(app.engine.handle)
    try:
        await consent_and_start_interview(api)
        cv = b"Jane Doe\nSenior engineer. Cut p99 latency by 60% with Python and caching.\n"
        file_id = api.add_file(cv, suffix="txt")
        document = {
            "file_id": file_id, "file_unique_id": file_id, "file_name": "cv.txt",
            "mime_type": "text/plain", "file_size": len(cv),
        }  # fmt: skip
        update = message_update(CHAT, document=document)
        before = len(api.texts(CHAT))
        await api.push(update)
        await api.wait_for(lambda a: len(a.texts(CHAT)) > before)
    finally:
        await connector.stop()
        await app.close()
    assert len(api.downloads) == 1
    assert "cv.txt" in api.texts(CHAT)[before]
