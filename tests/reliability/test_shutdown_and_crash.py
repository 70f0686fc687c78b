"""`coach run` under SIGTERM and SIGKILL: answers in flight get exactly one reply."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_servers.telegram_api import FakeBotApi, voice_update
from tests.integration.test_telegram import CHAT, consent_and_start_interview
from tests.reliability.coach_process import ANSWER, CoachProcess, SlowWhisper, coach_env


@pytest.fixture
async def whisper() -> AsyncIterator[SlowWhisper]:
    server = SlowWhisper(hold=True)
    await server.start()
    yield server
    server.release.set()
    await server.stop()


def feedback_count(api: FakeBotApi) -> int:
    return sum("Score:" in text for text in api.texts(CHAT))


def inbox_steps(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "data" / "coach.db") as conn:
        return [row[0] for row in conn.execute("SELECT step FROM turn_inbox")]


async def answer_and_wait_until_transcribing(api: FakeBotApi, whisper: SlowWhisper) -> None:
    await consent_and_start_interview(api)
    data = ANSWER.read_bytes()
    file_id = api.add_file(data)
    await api.push(voice_update(CHAT, file_id, duration=23, size=len(data)))
    async with asyncio.timeout(60):
        await whisper.arrived.wait()


async def test_sigterm_lets_the_answer_in_flight_finish_and_exits_0(
    api: FakeBotApi, whisper: SlowWhisper, tmp_path: Path
) -> None:
    bot = CoachProcess(coach_env(tmp_path, api, whisper), tmp_path)
    await bot.start(api)
    try:
        await answer_and_wait_until_transcribing(api, whisper)
        bot.signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        assert bot.proc is not None and bot.proc.returncode is None  # draining, not gone
        polls = len(api.sent("getUpdates"))
        whisper.release.set()
        code = await bot.wait()
    finally:
        await bot.kill()
    assert code == 0, bot.output.decode()
    assert feedback_count(api) == 1
    assert len(api.sent("getUpdates")) == polls  # no new updates fetched while draining
    assert inbox_steps(tmp_path) == ["replied"]


async def test_an_answer_outlasting_the_grace_period_is_finished_after_the_restart(
    api: FakeBotApi, whisper: SlowWhisper, tmp_path: Path
) -> None:
    env = coach_env(
        tmp_path, api, whisper, COACH_SHUTDOWN_GRACE_SECONDS="1", COACH_TURN_LEASE_SECONDS="2"
    )
    bot = CoachProcess(env, tmp_path)
    await bot.start(api)
    try:
        await answer_and_wait_until_transcribing(api, whisper)
        bot.signal(signal.SIGTERM)
        code = await bot.wait()
    finally:
        await bot.kill()
    assert code == 0, bot.output.decode()
    assert feedback_count(api) == 0 and inbox_steps(tmp_path) == ["received"]
    await restart_and_expect_one_reply(api, whisper, env, tmp_path)


async def test_a_worker_killed_mid_turn_replies_exactly_once_after_restart(
    api: FakeBotApi, whisper: SlowWhisper, tmp_path: Path
) -> None:
    env = coach_env(tmp_path, api, whisper, COACH_TURN_LEASE_SECONDS="2")
    bot = CoachProcess(env, tmp_path)
    await bot.start(api)
    try:
        await answer_and_wait_until_transcribing(api, whisper)
        bot.signal(signal.SIGKILL)
        assert await bot.wait() == -signal.SIGKILL
    finally:
        await bot.kill()
    assert feedback_count(api) == 0 and inbox_steps(tmp_path) == ["received"]
    await restart_and_expect_one_reply(api, whisper, env, tmp_path)


async def restart_and_expect_one_reply(
    api: FakeBotApi, whisper: SlowWhisper, env: dict[str, str], tmp_path: Path
) -> None:
    whisper.hold = False
    whisper.release.set()
    again = CoachProcess(env, tmp_path)
    await again.start(api)
    try:
        await api.wait_for(lambda a: feedback_count(a) >= 1, timeout=60)
        while inbox_steps(tmp_path) != ["replied"]:
            await asyncio.sleep(0.1)
        again.signal(signal.SIGTERM)
        assert await again.wait() == 0, again.output.decode()
    finally:
        await again.kill()
    assert feedback_count(api) == 1
    [reply] = [t for t in api.texts(CHAT) if "Score:" in t]
    assert "Follow-up:" in reply or "Question 2 of 2" in reply  # the interview goes on
