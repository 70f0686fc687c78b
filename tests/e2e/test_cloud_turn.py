"""A voice note through the real cloud SDKs against loopback servers, to a voice reply."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av
import pytest
import sqlalchemy as sa

from bot.app import build_app
from bot.audio import decode_sync
from bot.config import load_settings
from bot.core.models import Reply
from storage.tables import provider_usage, turns
from tests.fake_servers import anthropic_api, cartesia_api, openai_api
from tests.fakes import Candidate
from tests.integration.test_claude_coach import tool_input

FIXTURE = Path(__file__).parents[1] / "fixtures" / "answer.ogg"
QUESTION = ("Tell me about a time ", "you changed a plan. ", "What ", "happened next?")


@dataclass
class Cloud:
    whisper: openai_api.FakeOpenAI
    claude: anthropic_api.FakeAnthropic
    voice: cartesia_api.FakeCartesia

    def env(self) -> dict[str, str]:
        return {
            "OPENAI_API_KEY": openai_api.API_KEY,
            "OPENAI_BASE_URL": self.whisper.base_url,
            "ANTHROPIC_API_KEY": anthropic_api.API_KEY,
            "ANTHROPIC_BASE_URL": self.claude.base_url,
            "CARTESIA_API_KEY": cartesia_api.API_KEY,
            "CARTESIA_BASE_URL": self.voice.base_url,
            "COACH_TTS_VOICE_ID": "voice-under-test",
        }


async def started_cloud(**judge: object) -> Cloud:
    cloud = Cloud(
        openai_api.FakeOpenAI(),
        anthropic_api.FakeAnthropic(tool_inputs=[tool_input(**judge)], chunks=QUESTION),
        cartesia_api.FakeCartesia(),
    )
    for server in (cloud.whisper, cloud.claude, cloud.voice):
        await server.start()
    return cloud


async def stop(cloud: Cloud) -> None:
    for server in (cloud.whisper, cloud.claude, cloud.voice):
        await server.stop()


@pytest.fixture
async def cloud() -> AsyncIterator[Cloud]:
    servers = await started_cloud()
    yield servers
    await stop(servers)


@dataclass
class Turn:
    replies: list[Reply]
    """The last reply to each voice note sent."""
    providers: str
    usage: list[dict[str, Any]]
    """`uow.usage.summary` after the turn."""
    linked: list[int | None]
    """The turn each stored provider call belongs to."""
    first_turn: dict[str, Any]
    """The first question's row: status, answer_kind, recording_id."""

    @property
    def reply(self) -> Reply:
        return self.replies[-1]


async def answer_first_question(
    tmp_path: Path, env: dict[str, str], *, then: Callable[[], None] | None = None,
    **overrides: Any,
) -> Turn:  # fmt: skip
    """Consent, start an interview and answer its first question with a real voice note;
    with `then`, call it and send the same voice note again."""
    settings = load_settings(
        {
            "COACH_DATA_DIR": str(tmp_path / "data"),
            "COACH_MASTER_KEY_FILE": str(tmp_path / "master.key"),
            "COACH_QUESTIONS": "2",
            **env,
        }
    )
    app = build_app(settings, **overrides)
    await app.start()
    try:
        names = f"{app.stt.name} / {app.coach.name} / {app.tts.name if app.tts else None}"
        c = Candidate(app.engine, user_id="4242")
        await c.consent()
        await c.press("level:product-manager:mid")
        replies = [await c.voice("", seconds=23.3, raw=FIXTURE.read_bytes())]
        if then is not None:
            then()
            replies.append(await c.voice("", seconds=23.3, raw=FIXTURE.read_bytes()))
        async with app.db.unit_of_work() as uow:
            usage = await uow.usage.summary(datetime(2000, 1, 1, tzinfo=UTC))
        async with app.db.engine.connect() as conn:
            linked = [r[0] for r in await conn.execute(sa.select(provider_usage.c.turn_id))]
            first = (await conn.execute(sa.select(turns).where(turns.c.seq == 1))).one()
    finally:
        await app.close()
    return Turn(replies, names, usage, linked, dict(first._mapping))


def assert_opus(reply: Reply) -> None:
    assert reply.voice is not None
    with av.open(io.BytesIO(reply.voice.data)) as container:
        assert container.streams.audio[0].codec_context.name == "opus"


async def test_a_voice_note_flows_through_every_cloud_provider_to_a_voice_reply(
    tmp_path: Path, cloud: Cloud
) -> None:
    turn = await answer_first_question(tmp_path, cloud.env())
    reply, names = turn.reply, turn.providers

    assert names == "openai-whisper+pocketsphinx / anthropic+rules / cartesia+flite+espeak-ng"
    assert "Score:" in reply.text and "Good story." in reply.text
    assert_opus(reply)
    assert cloud.whisper.uploads and cloud.whisper.uploads[0].filename == "voice.ogg"
    judged = [r.body for r in cloud.claude.requests if not r.body.get("stream")]
    transcript = " ".join(word for word, _, _ in openai_api.WORDS)
    assert any(transcript in str(body["messages"]) for body in judged)
    assert cloud.voice.requests, "the reply was voiced by Cartesia"


async def test_the_turn_s_provider_calls_are_recorded_with_their_usage(
    tmp_path: Path, cloud: Cloud
) -> None:
    turn = await answer_first_question(tmp_path, cloud.env())

    rows = {row["stage"]: row for row in turn.usage}
    assert set(rows) == {"stt", "judge", "interviewer", "tts"}
    assert rows["stt"]["provider"] == "openai-whisper" and rows["stt"]["audio_seconds"] > 20
    assert (rows["judge"]["input_tokens"], rows["judge"]["output_tokens"]) == (120, 80)
    assert rows["interviewer"]["output_tokens"] == 12
    assert rows["tts"]["characters"] > 0 and rows["tts"]["audio_seconds"] > 0
    assert all(row["errors"] == 0 for row in turn.usage)
    assert len(set(turn.linked)) == 1 and None not in turn.linked, "all of one turn"


async def test_an_openai_compatible_server_can_serve_every_role(tmp_path: Path) -> None:
    server = openai_api.FakeOpenAI(
        completions=[json.dumps(tool_input(feedback="Local model says hi."))]
    )
    await server.start()
    env = {
        "OPENAI_API_KEY": openai_api.API_KEY,
        "OPENAI_BASE_URL": server.base_url,
        "COACH_STT": "openai",
        "COACH_LLM": "openai",
        "COACH_LLM_MODEL": "llama3.1",
        "COACH_TTS": "openai",
    }
    try:
        turn = await answer_first_question(tmp_path, env)
    finally:
        await server.stop()
    reply, names = turn.reply, turn.providers

    assert (
        names == "openai-whisper+pocketsphinx / openai-chat+rules / openai-speech+flite+espeak-ng"
    )
    assert "Local model says hi." in reply.text
    assert_opus(reply)
    assert server.uploads and server.speeches
    assert any(chat.get("stream") for chat in server.chats)
    rows = {row["stage"]: row for row in turn.usage}
    assert {row["provider"] for row in turn.usage} == {
        "openai-whisper", "openai-chat", "openai-speech",
    }  # fmt: skip
    assert (rows["judge"]["input_tokens"], rows["judge"]["output_tokens"]) == (150, 60)
    assert rows["interviewer"]["output_tokens"] == 12, "from the stream's usage chunk"


async def test_streamed_and_sequential_voice_replies_say_the_same(tmp_path: Path) -> None:
    said: dict[str, list[str]] = {}
    audio: dict[str, bytes] = {}
    for streaming in ("true", "false"):
        cloud = await started_cloud(follow_up=None)  # so the streamed question is asked
        try:
            env = {**cloud.env(), "COACH_VOICE_STREAMING": streaming}
            reply = (await answer_first_question(tmp_path / streaming, env)).reply
        finally:
            await stop(cloud)
        assert reply.voice is not None and "happened next?" in reply.text
        said[streaming] = sorted(r["transcript"] for r in cloud.voice.requests)
        audio[streaming] = decode_sync(reply.voice.data, sample_rate=24000).samples

    def words(requests: list[str]) -> list[str]:
        return sorted(" ".join(requests).split())

    assert words(said["true"]) == words(said["false"])
    assert "Tell me about a time you changed a plan." in said["true"]  # voiced early, alone
    assert len(said["false"]) < len(said["true"])  # sequential: one run, fewer requests
    assert len(audio["true"]) == pytest.approx(len(audio["false"]), rel=0.05)
