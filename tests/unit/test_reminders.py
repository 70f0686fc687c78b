"""Practice reminders: set in the candidate's time zone, sent once when due, easy to stop."""

from __future__ import annotations

import json
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import FixedClock
from bot.flows.reminders import (
    ALREADY_OFF,
    STOPPED,
    next_occurrence,
    parse_time,
    parse_zone,
)
from bot.scheduler import (
    REMINDER_INTERVAL_S,
    REMINDER_JOB_ID,
    run_reminders,
    start_scheduler,
    stop_scheduler,
)
from tests.fakes import RecordingSink
from tests.world import World, make_world

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 3, 27, 20, 0, tzinfo=UTC)  # a Friday; Berlin moves to summer time Sunday


@pytest.fixture
async def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def timed(tmp_path: Path, clock: FixedClock) -> AsyncIterator[World]:
    w = await make_world(tmp_path, clock=clock)
    yield w
    await w.app.close()


def test_times_and_zones_are_read_leniently_and_refused_plainly() -> None:
    assert parse_time("7:45") == time(7, 45) == parse_time("07.45") == parse_time("07h45")
    assert parse_time("24:00") is None and parse_time("seven") is None
    assert parse_zone("Europe/Berlin") == BERLIN
    for bad in ("Mars/Olympus", "../../etc/passwd", "", "Europe/"):
        assert parse_zone(bad) is None


def test_the_next_reminder_follows_the_local_clock_across_daylight_saving() -> None:
    first = next_occurrence(START, time(8, 30), BERLIN)
    assert first == datetime(2026, 3, 28, 7, 30, tzinfo=UTC)  # CET, UTC+1
    second = next_occurrence(first, time(8, 30), BERLIN)
    assert second == datetime(2026, 3, 29, 6, 30, tzinfo=UTC)  # CEST, UTC+2
    assert next_occurrence(START, time(22, 0), BERLIN) == datetime(2026, 3, 27, 21, tzinfo=UTC)


async def test_a_reminder_is_set_shown_and_stopped(timed: World) -> None:
    c = timed.candidate()
    await c.consent()
    assert "no practice reminder" in (await c.say("/reminders")).text
    reply = await c.say("/reminders 08:30 Europe/Berlin")
    assert "08:30 (Europe/Berlin), starting Sat 28 Mar at 08:30" in reply.text
    assert "next one Sat 28 Mar at 08:30" in (await c.say("/reminders")).text
    assert "couldn't read the time '25:00'" in (await c.say("/reminders 25:00 UTC")).text
    assert (
        "don't know the time zone 'Mars/Base'" in (await c.say("/reminders 08:30 Mars/Base")).text
    )
    assert (await c.say("/reminders off")).text == STOPPED
    assert (await c.say("/reminders off")).text == ALREADY_OFF
    assert await timed.count("reminders") == 0


async def test_a_due_reminder_sends_one_question_through_the_platform_sender(
    timed: World, clock: FixedClock
) -> None:
    c = timed.candidate()
    await c.consent()
    await c.press("level:sales:senior")
    await c.say("/end")
    await c.say("/reminders 08:30 Europe/Berlin")
    sink = RecordingSink()
    timed.app.senders["telegram"] = sink
    job = timed.app.reminders
    assert job is not None
    assert await job.run() == 0
    clock.advance(hours=11, minutes=30)  # 07:30 UTC = 08:30 in Berlin
    assert await job.run() == 1
    assert await job.run() == 0  # once per day
    [(chat, reply)] = sink.replies
    assert chat == c.chat and "Practice time!" in reply.text
    assert [b.data for row in reply.buttons for b in row] == ["level:sales:senior"]
    clock.advance(hours=23)  # Sunday 06:30 UTC is 08:30 summer time
    assert await job.run() == 1


async def test_reminders_stop_when_consent_is_withdrawn_and_wait_for_a_connected_platform(
    timed: World, clock: FixedClock
) -> None:
    c, other = timed.candidate("1"), timed.candidate("2")
    for person in (c, other):
        await person.consent()
        await person.say("/reminders 21:30 Europe/Berlin")
    await other.say("/consent withdraw")
    job = timed.app.reminders
    assert job is not None
    clock.advance(minutes=31)
    assert await job.run() == 0  # no telegram sender connected yet; consent gone for one
    assert await timed.count("reminders") == 1
    sink = RecordingSink()
    timed.app.senders["telegram"] = sink
    clock.advance(days=1)
    assert await job.run() == 1 and sink.replies[0][0] == c.chat


async def test_a_reminder_is_exported_and_erased(timed: World) -> None:
    c = timed.candidate()
    await c.consent()
    await c.say("/reminders 7:05 America/New_York")
    async with timed.app.db.engine.connect() as conn:
        sealed = (await conn.exec_driver_sql("SELECT chat FROM reminders")).scalar_one()
    assert c.chat.chat_id.encode() not in sealed
    await c.say("/export")
    archive = next(r.document for _, r in c.sink.replies if r.document is not None)
    data = json.loads(zipfile.ZipFile(BytesIO(archive.data)).read("data.json"))
    reminder = data["practice_reminder"]
    assert reminder["local_time"] == "07:05" and reminder["timezone"] == "America/New_York"
    assert reminder["chat_id"] == c.chat.chat_id
    await c.say("/delete")
    await c.press("delete:now")
    assert await timed.count("reminders") == 0


async def test_the_scheduler_runs_reminders_every_minute_and_survives_a_failing_round(
    timed: World, caplog: pytest.LogCaptureFixture
) -> None:
    job = timed.app.reminders
    assert job is not None
    scheduler = start_scheduler(timed.app.purge, interval_s=3600, reminders=job)
    try:
        trigger = scheduler.get_job(REMINDER_JOB_ID).trigger
        assert trigger.interval.total_seconds() == REMINDER_INTERVAL_S == 60
    finally:
        await stop_scheduler(scheduler)

    class Broken:
        async def run(self) -> int:
            raise RuntimeError("database gone")

    await run_reminders(Broken())  # type: ignore[arg-type]
    assert "practice reminders failed" in caplog.text
