"""Per-person limits: voice notes per minute and interviews per day say when to try again;
the answer-length and file-size caps refuse before anything is downloaded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from tests.fakes import Candidate
from tests.world import World, make_world

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ANSWER = "When the checkout service failed I profiled it, added an index and cut latency by half"


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[World]:
    world = await make_world(
        tmp_path, clock=FixedClock(START), COACH_QUESTIONS="5",
        COACH_RATE_VOICE_PER_MINUTE="2", COACH_RATE_INTERVIEWS_PER_DAY="2",
        COACH_MAX_AUDIO_BYTES="1000",
    )  # fmt: skip
    yield world
    await world.app.close()


def clock(world: World) -> FixedClock:
    return world.app.engine.clock  # type: ignore[return-value]


async def interviewing(world: World) -> Candidate:
    c = world.candidate()
    await c.consent()
    await c.say("/interview software-engineer mid")
    return c


async def test_a_third_voice_note_within_a_minute_is_refused_with_the_wait(limited: World) -> None:
    c = await interviewing(limited)
    await c.voice(ANSWER)
    clock(limited).advance(seconds=20)
    await c.voice(ANSWER)
    clock(limited).advance(seconds=10)
    fetched = c.fetches
    reply = await c.voice(ANSWER)
    assert "2 voice notes in a minute" in reply.text and "again in 30 seconds" in reply.text
    assert c.fetches == fetched and await limited.count("recordings") == 2
    typed = await c.say(ANSWER)  # typing is not limited
    assert "Score" in typed.text or "?" in typed.text
    clock(limited).advance(seconds=31)
    reply = await c.voice(ANSWER)
    assert "voice notes in a minute" not in reply.text
    assert await limited.count("recordings") == 3


async def test_a_third_interview_in_a_day_is_refused_with_the_time_to_come_back(
    limited: World,
) -> None:
    c = await interviewing(limited)
    clock(limited).advance(hours=2)
    await c.say("/end")
    await c.say("/interview sales junior")
    await c.say("/end")
    reply = await c.say("/interview sales senior")
    assert "2 interviews in the last 24 hours" in reply.text
    assert "at 09:00 UTC (in 22 h 00 min)" in reply.text
    assert await limited.count("interview_sessions") == 2
    clock(limited).advance(hours=22)
    reply = await c.say("/interview sales senior")
    assert "24 hours" not in reply.text and await limited.count("interview_sessions") == 3


async def test_a_file_over_the_size_cap_is_refused_before_download(limited: World) -> None:
    c = await interviewing(limited)
    reply = await c.voice("big", raw=b"audio:20:" + b"x" * 2000)
    assert "too big" in reply.text and c.fetches == 0
    assert await limited.count("recordings") == 0


async def test_an_answer_over_the_length_cap_is_refused_before_download(limited: World) -> None:
    c = await interviewing(limited)
    reply = await c.voice("long", seconds=600)
    assert "up to 3 min" in reply.text and c.fetches == 0
