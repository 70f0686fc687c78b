"""The interview engine end to end, through its one entry point, with fakes of our ports."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.core.models import Inbound
from bot.logs import configure_logging
from tests.fakes import Candidate, FakeCoach
from tests.world import World, make_world

STRONG = (
    "When our checkout service started timing out during a big sale, I was the on-call "
    "engineer responsible for fixing it. I profiled the slow endpoint, found an unindexed "
    "query, added the index and a cache, and rolled it out behind a feature flag. As a result "
    "p99 latency dropped from 2 seconds to 300 milliseconds and we recovered about 40 thousand "
    "dollars of orders a day."
)
THIN = "I fixed some stuff."


async def start_interview(c: Candidate) -> None:
    await c.consent()
    await c.press("level:software-engineer:mid")


async def test_voice_note_before_consent_is_not_downloaded_stored_or_transcribed(
    world: World,
) -> None:
    c = world.candidate()
    reply = await c.voice("hello there")
    assert "consent" in reply.text.lower()
    assert [b.data for row in reply.buttons for b in row] == ["age:16plus", "age:under16"]
    assert c.fetches == 0 and world.stt.calls == 0
    assert await world.count("users") == 0 and await world.count("recordings") == 0


async def test_under_sixteen_is_refused_and_nothing_is_stored(world: World) -> None:
    c = world.candidate()
    await c.say("/start")
    reply = await c.press("age:under16")
    assert "16" in reply.text and "haven't stored" in reply.text
    assert await world.count("users") == 0 and await world.count("consents") == 0


async def test_consent_is_stored_with_policy_version_and_age_then_roles_are_offered(
    world: World,
) -> None:
    c = world.candidate()
    await c.consent()
    assert "role" in c.sink.last.text.lower()
    assert len([b for row in c.sink.last.buttons for b in row]) == 6
    async with world.app.db.engine.connect() as conn:
        row = (
            await conn.execute(sa.text("SELECT policy_version, age_confirmed FROM consents"))
        ).one()
    assert row.policy_version and row.age_confirmed


async def test_a_complete_interview_scores_each_answer_and_ends_with_a_summary(
    world: World,
) -> None:
    c = world.candidate()
    await start_interview(c)
    assert "Question 1 of 2" in c.sink.last.text and c.sink.last.voice is not None
    reply = await c.say(STRONG)
    assert "Score:" in reply.text and "Question 2 of 2" in reply.text
    await c.say(STRONG.replace("checkout", "search"))
    texts = c.sink.texts()
    assert "Interview summary" in texts and "Overall:" in texts
    assert await world.count("interview_sessions") == 1
    async with world.app.db.engine.connect() as conn:
        status = (await conn.execute(sa.text("SELECT status FROM interview_sessions"))).scalar()
    assert status == "finished"


async def test_a_thin_answer_gets_a_follow_up_before_the_next_question(world: World) -> None:
    c = world.candidate()
    await start_interview(c)
    reply = await c.say(THIN)
    assert "Follow-up:" in reply.text and "Question 2" not in reply.text
    reply = await c.say(STRONG)
    assert "Question 2 of 2" in reply.text
    assert "With your follow-up: 4 →" in reply.text


async def test_a_voice_answer_is_sealed_stored_transcribed_and_answered_with_voice(
    world: World,
) -> None:
    c = world.candidate()
    await start_interview(c)
    c.sink.clear()
    await c.voice(STRONG, seconds=40)
    progress, final = c.sink.replies[0][1], c.sink.last
    assert progress.progress and "Score:" in final.text and final.voice is not None
    assert world.stt.calls == 1 and await world.count("recordings") == 1
    blob = world.app.db.blobs.keys()[0]
    assert b"checkout" not in world.app.db.blobs.get(blob)


async def test_audio_that_is_not_audio_gets_a_clear_message_and_the_question_stays_open(
    world: World,
) -> None:
    c = world.candidate()
    await start_interview(c)
    reply = await c.voice("", raw=b"%PDF-1.4 not audio")
    assert "isn't audio" in reply.text
    assert world.stt.calls == 0 and await world.count("recordings") == 0
    reply = await c.say(STRONG)
    assert "Score:" in reply.text


async def test_a_recording_over_the_length_limit_is_refused_before_download(world: World) -> None:
    c = world.candidate()
    await start_interview(c)
    reply = await c.voice("long", seconds=600)
    assert "up to 3 min" in reply.text and c.fetches == 0


async def test_a_transcription_failure_keeps_the_recording_and_the_answer_can_be_resent(
    world: World,
) -> None:
    c = world.candidate()
    await start_interview(c)
    world.stt.fail_next = 1
    reply = await c.voice(STRONG)
    assert "saved" in reply.text and await world.count("recordings") == 1
    reply = await c.voice(STRONG)
    assert "Score:" in reply.text


async def test_when_the_voice_fails_the_reply_still_arrives_as_text(world: World) -> None:
    c = world.candidate()
    await c.consent()
    world.tts.fail = True
    reply = await c.press("level:sales:junior")
    assert "Question 1 of 2" in reply.text and reply.voice is None


async def test_a_duplicated_update_is_handled_once(world: World) -> None:
    c = world.candidate()
    await start_interview(c)
    answer = Inbound(c.chat, "same-update", text=STRONG)
    await c.send(answer)
    count = len(c.sink.replies)
    await c.send(answer)
    assert len(c.sink.replies) == count


async def test_skip_retry_and_end_work_and_retry_shows_the_score_change(world: World) -> None:
    c = world.candidate()
    await start_interview(c)
    await c.say(STRONG)
    reply = await c.say("/retry")
    assert "try that one again" in reply.text and "Question 1 of 2" in reply.text
    reply = await c.say(STRONG + " I also wrote the postmortem and trained two engineers.")
    assert "Retry:" in reply.text and "Question 2 of 2" in reply.text
    reply = await c.say("/skip")
    assert "Interview summary" in c.sink.texts() and "skipped: 1" in c.sink.texts()


async def test_an_interview_survives_a_restart_of_the_process(tmp_path: Path) -> None:
    first = await make_world(tmp_path)
    c = first.candidate()
    await start_interview(c)
    question = c.sink.last.text.split("Question 1 of 2: ")[1]
    await first.app.close()
    second = await make_world(tmp_path)
    try:
        again = second.candidate()
        reply = await again.say("/start")
        assert "Welcome back" in reply.text and question in reply.text
        reply = await again.say(STRONG)
        assert "Score:" in reply.text
    finally:
        await second.app.close()


async def test_unknown_commands_and_stale_buttons_get_a_plain_answer(world: World) -> None:
    c = world.candidate()
    await c.consent()
    assert "/frobnicate" in (await c.say("/frobnicate")).text
    assert "expired" in (await c.press("level:astronaut:mid")).text
    assert "no interview running" in (await c.say("/skip")).text.lower()


async def test_logs_never_contain_answers_or_platform_ids(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("DEBUG")  # as production does: our loggers verbose, libraries quiet
    root.addHandler(caplog.handler)
    try:
        c = world.candidate(user_id="987654321")
        await start_interview(c)
        world.stt.fail_next = 1
        await c.voice(STRONG)
        await c.say(STRONG)
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged, "expected some log lines"
    assert "987654321" not in logged and "checkout" not in logged


async def test_a_follow_up_answer_is_judged_together_with_the_answer_it_follows(
    world: World,
) -> None:
    c = world.candidate()
    await start_interview(c)
    await c.say(THIN)
    await c.say("We cut the error rate by 30 percent in two weeks.")
    coach = world.app.coach
    assert isinstance(coach, FakeCoach)
    assert coach.assessed[-1] == f"{THIN}\nWe cut the error rate by 30 percent in two weeks."


def test_the_summary_shows_a_weakness_where_it_was_weakest() -> None:
    from bot.core.models import Assessment, DimensionScore
    from bot.flows.summary import summarise

    weak = DimensionScore("relevance", 1, "Drifts from the question.", "")
    fair = DimensionScore("relevance", 3, "On the question.", "our checkout service")
    strong = DimensionScore("impact", 5, "Measured outcome.", "cut latency by 80%")
    summary = summarise([Assessment(40, (weak, strong)), Assessment(70, (fair, strong))])
    [improvement] = summary.improvements
    assert improvement.advice == "Drifts from the question." and improvement.quote == ""
    assert summary.strengths[0].quote == "cut latency by 80%"
