"""The durable inbox: answers stored first, steps recorded, unfinished turns resumed once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.models import AudioClip, ChatRef, Reply, Transcript
from bot.flows.resume import CANNOT_READ_BACK, SCORED_BEFORE_RESTART
from bot.flows.texts import ALREADY_ANSWERED
from tests.fakes import Candidate, FakeCoach, FakeSpeechToText, RecordingSink
from tests.reliability.helpers import StallingSTT, feedback, inbox_rows, make_app

ANSWER = "I led the migration of our billing system and cut failed payments by a third"


async def start(c: Candidate) -> None:
    await c.consent()
    await c.press("level:software-engineer:mid")


class StepSpy:
    """Reads the answer's inbox step at the moment each provider is called."""

    def __init__(self, app_db: object) -> None:
        self.db = app_db
        self.seen: list[str] = []

    async def note(self) -> None:
        rows = await inbox_rows(self.db)  # type: ignore[arg-type]
        self.seen.append(rows[-1].step if rows else "none")


class SpyingSTT(FakeSpeechToText):
    spy: StepSpy

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript:
        await self.spy.note()
        return await super().transcribe(clip, language=language)


class SpyingCoach(FakeCoach):
    spy: StepSpy

    async def assess(self, **kwargs):  # type: ignore[no-untyped-def]
        await self.spy.note()
        return await super().assess(**kwargs)


async def test_each_step_of_an_answer_is_recorded_before_the_next_begins(tmp_path: Path) -> None:
    stt, coach = SpyingSTT(), SpyingCoach()
    app = await make_app(tmp_path, clock=FixedClock(), stt=stt, coach=coach)
    stt.spy = coach.spy = spy = StepSpy(app.db)
    try:
        c = Candidate(app.engine)
        await start(c)
        await c.voice(ANSWER)
        rows = await inbox_rows(app.db)
    finally:
        await app.close()
    assert spy.seen == ["received", "transcribed"]  # stored before the recogniser was called
    assert [(r.step, r.worker, r.chat) for r in rows] == [("replied", None, None)]
    assert len(feedback([r for _, r in c.sink.replies])) == 1


async def test_a_failed_transcription_keeps_the_answer_and_says_what_to_do(
    tmp_path: Path,
) -> None:
    stt = FakeSpeechToText()
    app = await make_app(tmp_path, clock=FixedClock(), stt=stt)
    try:
        c = Candidate(app.engine)
        await start(c)
        stt.fail_next = 1
        reply = await c.voice(ANSWER)
        assert "send it again" in reply.text
        assert [r.step for r in await inbox_rows(app.db)] == ["failed"]
        reply = await c.voice(ANSWER)  # sent again: accepted on the same turn
        rows = await inbox_rows(app.db)
    finally:
        await app.close()
    assert "Score:" in reply.text
    assert [(r.step, r.attempts) for r in rows] == [("replied", 2)]


async def crash_mid_turn(tmp_path: Path, clock: FixedClock, *, voice: bool) -> Candidate:
    """A worker takes an answer and dies (its task is cancelled) inside the recogniser."""
    stt = StallingSTT()
    app = await make_app(tmp_path, clock=clock, stt=stt)
    c = Candidate(app.engine)
    await start(c)
    if voice:
        task = asyncio.create_task(c.voice(ANSWER))
        await stt.entered.wait()
    else:
        task = asyncio.create_task(c.say(ANSWER))
        while not await inbox_rows(app.db):
            await asyncio.sleep(0)
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await app.close()
    return c


async def test_an_answer_cut_off_by_a_crash_is_finished_after_restart_with_one_reply(
    tmp_path: Path,
) -> None:
    clock = FixedClock()
    c = await crash_mid_turn(tmp_path, clock, voice=True)
    assert feedback([r for _, r in c.sink.replies]) == []
    restarted = await make_app(tmp_path, clock=clock)
    try:
        sink = RecordingSink()
        assert await restarted.resumer().run_once({"telegram": sink}) == 0  # lease still held
        clock.advance(seconds=181)
        assert await restarted.resumer().run_once({"telegram": sink}) == 1
        assert await restarted.resumer().run_once({"telegram": sink}) == 0
        rows = await inbox_rows(restarted.db)
    finally:
        await restarted.close()
    replies = [r for _, r in sink.replies]
    assert len(feedback(replies)) == 1 and "Question 2 of 2" in feedback(replies)[0].text
    assert {chat for chat, _ in sink.replies} == {c.chat}
    assert [r.step for r in rows] == ["replied"]


async def test_a_typed_answer_cut_off_by_a_crash_is_finished_after_restart(
    tmp_path: Path,
) -> None:
    clock = FixedClock()
    await crash_mid_turn(tmp_path, clock, voice=False)
    restarted = await make_app(tmp_path, clock=clock)
    try:
        sink = RecordingSink()
        clock.advance(seconds=181)
        assert await restarted.resumer().run_once({"telegram": sink}) == 1
    finally:
        await restarted.close()
    assert len(feedback([r for _, r in sink.replies])) == 1


class StallingSink(RecordingSink):
    """Dies while sending the feedback (after the result was stored)."""

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        if "Score:" in reply.text:
            await asyncio.Event().wait()
        await super().send(chat, reply)


async def test_a_crash_after_scoring_but_before_the_reply_sends_the_feedback_and_next_question(
    tmp_path: Path,
) -> None:
    clock = FixedClock()
    app = await make_app(tmp_path, clock=clock)
    c = Candidate(app.engine)
    await start(c)
    c.sink = StallingSink()
    task = asyncio.create_task(c.say(ANSWER))
    while [r.step for r in await inbox_rows(app.db)] != ["scored"]:
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await app.close()
    restarted = await make_app(tmp_path, clock=clock)
    try:
        sink = RecordingSink()
        clock.advance(seconds=181)
        assert await restarted.resumer().run_once({"telegram": sink}) == 1
    finally:
        await restarted.close()
    [(_, reply)] = sink.replies
    assert reply.text.startswith(SCORED_BEFORE_RESTART) and "Score:" in reply.text
    assert "Question 2 of 2" in reply.text


async def test_an_unreadable_stored_answer_is_not_lost_silently(tmp_path: Path) -> None:
    clock = FixedClock()
    await crash_mid_turn(tmp_path, clock, voice=True)
    for blob in (tmp_path / "data" / "blobs").rglob("answer-*"):
        blob.write_bytes(b"damaged")
    restarted = await make_app(tmp_path, clock=clock)
    try:
        sink = RecordingSink()
        clock.advance(seconds=181)
        assert await restarted.resumer().run_once({"telegram": sink}) == 1
        rows = await inbox_rows(restarted.db)
    finally:
        await restarted.close()
    assert [r.text for _, r in sink.replies] == [CANNOT_READ_BACK]
    assert [r.step for r in rows] == ["failed"]


async def test_a_second_answer_while_the_first_is_held_elsewhere_is_refused_plainly(
    tmp_path: Path,
) -> None:
    clock = FixedClock()
    c = await crash_mid_turn(tmp_path, clock, voice=True)
    restarted = await make_app(tmp_path, clock=clock)
    try:
        again = Candidate(restarted.engine, user_id=c.chat.user_id)
        reply = await again.voice(ANSWER)  # the crashed worker's lease has not run out
        recordings = await _count(restarted, "recordings")
    finally:
        await restarted.close()
    assert reply.text == ALREADY_ANSWERED
    assert recordings == 1  # the refused answer was not stored


async def _count(app: object, table: str) -> int:
    import sqlalchemy as sa

    async with app.db.engine.connect() as conn:  # type: ignore[attr-defined]
        return int((await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar_one())
