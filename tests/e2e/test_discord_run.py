"""`coach run` serving Discord: a subprocess against the loopback fake Discord, offline speech."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.discord import DiscordConnector
from bot.app import build_app
from bot.config import load_settings
from bot.runner import _connectors
from storage.repos.discord import DiscordGuildStore
from tests.fake_servers import discord_api as fake
from tests.fake_servers.discord_api import FakeDiscord
from tests.integration.test_discord import USER, press, run_command, voice_messages

ROOT = Path(__file__).parents[2]
ANSWER = ROOT / "tests" / "fixtures" / "answer.ogg"


@pytest.fixture
async def discord_api() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


async def coach_run(discord_api: FakeDiscord, tmp_path: Path) -> asyncio.subprocess.Process:
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("COACH_", "TELEGRAM_", "DISCORD_"))}  # fmt: skip
    environ.update({
        "COACH_DATA_DIR": str(tmp_path / "data"),
        "COACH_MASTER_KEY_FILE": str(tmp_path / "master.key"),
        "COACH_HTTP_PORT": "0", "COACH_QUESTIONS": "2",
        "DISCORD_BOT_TOKEN": discord_api.token,
        "DISCORD_API_BASE_URL": discord_api.api_base_url,
        "DISCORD_GATEWAY_URL": discord_api.gateway_url,
    })  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=environ, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_coach_run_completes_a_voice_interview_turn_on_discord(
    discord_api: FakeDiscord, tmp_path: Path
) -> None:
    process = await coach_run(discord_api, tmp_path)
    try:
        await discord_api.wait_ready(timeout=120)
        dm = discord_api.dm_channel(USER)
        await run_command(discord_api, "consent", dm=True, channel=dm)
        await press(discord_api, "age:16plus", dm)
        await press(discord_api, "consent:agree:16plus", dm, replies=2)
        role_level = fake.string_options(role="software-engineer", level="mid")
        await run_command(discord_api, "interview", dm=True, channel=dm, options=role_level)
        asked = len(voice_messages(discord_api.to(dm)))
        data = ANSWER.read_bytes()
        url = discord_api.add_file(data)
        voice = fake.voice_attachment(url, len(data), 23.0)
        await discord_api.dispatch("MESSAGE_CREATE", fake.message(USER, dm, attachments=[voice],
                                                                 flags=8192))  # fmt: skip
        await discord_api.wait_for(lambda f: any("Score" in c for c in f.contents(dm)), timeout=180)
        await discord_api.wait_for(lambda f: len(voice_messages(f.to(dm))) > asked)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert discord_api.downloads == [url]
    feedback = next(c for c in discord_api.contents(dm) if "Score" in c)
    assert "words/min" in feedback  # timings came from the real recogniser
    reply = voice_messages(discord_api.to(dm))[-1]
    assert reply.files[0][1].startswith(b"OggS") and reply.payload["attachments"][0]["waveform"]
    assert discord_api.token not in stderr.decode()


async def test_the_discord_connector_shares_the_applications_database_engine(
    tmp_path: Path,
) -> None:
    settings = load_settings({
        "COACH_DATA_DIR": str(tmp_path / "data"),
        "COACH_MASTER_KEY_FILE": str(tmp_path / "master.key"),
        "DISCORD_BOT_TOKEN": fake.TOKEN,
    })  # fmt: skip
    app = build_app(settings)
    try:
        (connector,) = _connectors(settings, app.db.engine)
        assert isinstance(connector, DiscordConnector)
        guilds = connector.guilds
        assert isinstance(guilds, DiscordGuildStore)
        assert guilds.engine is app.db.engine and not guilds.owns_engine
    finally:
        await app.close()
