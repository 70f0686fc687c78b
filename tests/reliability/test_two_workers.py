"""Two workers on one database never run the same update or turn twice (SQLite and PG)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import App
from bot.core.clock import FixedClock
from bot.core.models import Inbound
from bot.flows.texts import ALREADY_ANSWERED
from storage.db import Database
from tests.fakes import Candidate, RecordingSink
from tests.reliability.helpers import StallingSTT, feedback, inbox_rows, make_app, second_handle

ANSWER = "I redesigned our deployment pipeline so releases went from weekly to daily"


async def _one_turn_in_progress(database: Database, tmp_path: Path, clock: FixedClock) -> str:
    """A worker accepts an answer and dies inside the recogniser; returns the person's id."""
    stt = StallingSTT()
    app = await make_app(tmp_path, clock=clock, db=database, stt=stt)
    c = Candidate(app.engine, user_id="2001")
    await c.consent()
    await c.press("level:software-engineer:mid")
    task = asyncio.create_task(c.voice(ANSWER))
    await stt.entered.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return c.chat.user_id


async def test_racing_take_overs_of_one_turn_have_exactly_one_winner(
    database: Database, tmp_path: Path
) -> None:
    clock = FixedClock()
    await _one_turn_in_progress(database, tmp_path, clock)
    [row] = await inbox_rows(database)
    other = second_handle(database)
    try:
        app = await make_app(tmp_path, clock=clock, db=database)
        inbox = app.engine.interview.inbox
        wins = 0
        for _ in range(10):
            clock.advance(seconds=inbox.lease_s + 1)

            async def take(db: Database) -> bool:
                async with db.unit_of_work() as uow:
                    return await inbox.take_over(uow, row.turn_id) is not None

            results = await asyncio.gather(take(database), take(other))
            assert sorted(results) == [False, True]
            wins += sum(results)
    finally:
        await other.close()
    assert wins == 10


async def test_two_workers_resuming_at_once_send_one_reply(
    database: Database, tmp_path: Path
) -> None:
    clock = FixedClock()
    await _one_turn_in_progress(database, tmp_path, clock)
    other = second_handle(database)
    try:
        first = await make_app(tmp_path, clock=clock, db=database)
        second = await make_app(tmp_path, clock=clock, db=other)
        clock.advance(seconds=first.settings.turn_lease_s + 1)
        sinks = RecordingSink(), RecordingSink()
        resumed = await asyncio.gather(
            first.resumer().run_once({"telegram": sinks[0]}),
            second.resumer().run_once({"telegram": sinks[1]}),
        )
        rows = await inbox_rows(database)
    finally:
        await other.close()
    assert sorted(resumed) == [0, 1]
    assert len(feedback([r for s in sinks for _, r in s.replies])) == 1
    assert [r.step for r in rows] == ["replied"]


@asynccontextmanager
async def two_workers(
    database: Database, tmp_path: Path, user_id: str
) -> AsyncIterator[tuple[App, App, Candidate]]:
    """Two apps on one database (the second through its own engine) and a candidate who
    has consented and started an interview through the first."""
    clock = FixedClock()
    other = second_handle(database)
    try:
        first = await make_app(tmp_path, clock=clock, db=database)
        second = await make_app(tmp_path, clock=clock, db=other)
        c = Candidate(first.engine, user_id=user_id)
        await c.consent()
        await c.press("level:software-engineer:mid")
        yield first, second, c
    finally:
        await other.close()


async def test_one_update_delivered_to_two_workers_is_answered_once(
    database: Database, tmp_path: Path
) -> None:
    async with two_workers(database, tmp_path, "2002") as (first, second, c):
        update = Inbound(c.chat, "same-update", text=ANSWER)
        sinks = RecordingSink(), RecordingSink()
        await asyncio.gather(
            first.engine.handle(update, sinks[0]), second.engine.handle(update, sinks[1])
        )
        rows = await inbox_rows(database)
    assert len(feedback([r for s in sinks for _, r in s.replies])) == 1
    assert [r.step for r in rows] == ["replied"]


async def test_two_answers_to_one_turn_on_two_workers_are_scored_once(
    database: Database, tmp_path: Path
) -> None:
    async with two_workers(database, tmp_path, "2003") as (first, second, c):
        sinks = RecordingSink(), RecordingSink()
        await asyncio.gather(
            first.engine.handle(Inbound(c.chat, "u1", text=ANSWER), sinks[0]),
            second.engine.handle(Inbound(c.chat, "u2", text=ANSWER + " twice"), sinks[1]),
        )
        rows = await inbox_rows(database)
    assert len(feedback([r for s in sinks for _, r in s.replies])) == 1
    assert [(r.step, r.attempts) for r in rows] == [("replied", 1)]
    refused = [r for s in sinks for _, r in s.replies if r.text == ALREADY_ANSWERED]
    assert len(refused) == 1
