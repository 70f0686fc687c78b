"""Coaching through the engine: stronger answers, retries per dimension, the end-of-session
report, the story bank, progress with a chart, and the language notice."""

from __future__ import annotations

import json
import zipfile
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path

import pytest

from bot.app import build_app
from bot.config import load_settings
from bot.core.models import Attachment, Inbound, Reply
from bot.flows import texts
from bot.flows.language import english_only_note
from bot.flows.rewrite import TITLE
from bot.flows.stories import EMPTY
from bot.providers.coach.rules import RuleBasedCoach
from tests.fakes import Candidate, FakeCodec, FakeSpeechToText, FakeTextToSpeech
from tests.world import World

STRONG = (
    "At my last job at a payments startup, our checkout service started timing out during a "
    "big sale. I was the on-call engineer, so it was my job to fix it. I profiled the slow "
    "endpoint, found an unindexed query, added the index and a cache, and rolled it out behind "
    "a feature flag. As a result p99 latency dropped from 2 seconds to 300 milliseconds and we "
    "recovered about 40 thousand dollars of orders a day."
)
WEAK = (
    "We had some problems with the service. We looked at it as a team and we fixed it "
    "eventually, so it worked out well in the end."
)


@pytest.fixture
async def coached(tmp_path: Path) -> AsyncIterator[World]:
    """The wired app with the real offline coach (and fakes of speech, voice and codec)."""
    settings = load_settings(
        {
            "COACH_DATA_DIR": str(tmp_path / "data"),
            "COACH_MASTER_KEY_FILE": str(tmp_path / "keys" / "master.key"),
            "COACH_QUESTIONS": "2",
        }
    )
    stt, tts = FakeSpeechToText(), FakeTextToSpeech()
    app = build_app(settings, stt=stt, tts=tts, codec=FakeCodec(), coach=RuleBasedCoach())
    await app.start()
    yield World(app, stt, tts)
    await app.close()


async def start(c: Candidate) -> None:
    await c.consent()
    await c.press("level:software-engineer:mid")


def button_data(reply: Reply) -> list[str]:
    return [b.data for row in reply.buttons for b in row]


def dimension_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("  ") and "→" in line]


async def test_feedback_offers_a_stronger_answer_that_keeps_the_candidates_facts(
    coached: World,
) -> None:
    c = coached.candidate()
    await start(c)
    reply = await c.say(WEAK)
    stronger = next(d for d in button_data(reply) if d.startswith("stronger:"))
    assert f"story:{stronger.split(':')[1]}" in button_data(reply)
    rewrite = await c.press(stronger)
    assert rewrite.text.startswith(TITLE)
    assert "We looked at it as a team" in rewrite.text
    assert "[Your part:" in rewrite.text and "[Add a number:" in rewrite.text


async def test_a_forged_or_foreign_stronger_answer_button_reveals_nothing(coached: World) -> None:
    owner, other = coached.candidate("1"), coached.candidate("2")
    await start(owner)
    reply = await owner.say(STRONG)
    stronger = next(d for d in button_data(reply) if d.startswith("stronger:"))
    await other.consent()
    assert "no scored answer" in (await other.press(stronger)).text
    assert "no scored answer" in (await other.press("stronger:abc")).text


async def test_a_retry_shows_the_score_change_per_dimension(coached: World) -> None:
    c = coached.candidate()
    await start(c)
    await c.say(WEAK)
    if "Follow-up" in c.sink.last.text:
        await c.say("/skip")
    await c.say("/end")
    await c.press("level:software-engineer:mid")
    first = await c.say(WEAK)
    assert "Retry:" not in first.text
    await c.say("/retry")
    reply = await c.say(STRONG)
    head = reply.text.split("\n\n")[0]
    assert head.startswith("Retry: ")
    lines = dimension_lines(head)
    assert len(lines) == 6
    assert any(line.startswith("  Quantified impact: ") and "(+" in line for line in lines)


async def test_a_retry_after_a_pending_question_and_a_follow_up_both_show_the_change(
    coached: World,
) -> None:
    c = coached.candidate()
    await start(c)
    reply = await c.say("I fixed it with the team last year.")
    assert "Follow-up" in reply.text
    reply = await c.say("I added an index and latency dropped by 80 percent in one week.")
    head = reply.text.split("\n\n")[0]
    assert head.startswith("With your follow-up: ") and len(dimension_lines(head)) == 6
    assert "Question 2 of 2" in reply.text
    await c.say("/retry")  # question 2 is pending: it waits, the follow-up is asked again
    reply = await c.say(STRONG)
    head = reply.text.split("\n\n")[0]
    assert head.startswith("Retry: ") and len(dimension_lines(head)) == 6


async def test_the_end_of_session_report_has_three_strengths_three_fixes_and_a_rewrite(
    coached: World,
) -> None:
    c = coached.candidate()
    await start(c)
    await c.say(STRONG)
    if "Follow-up" in c.sink.last.text:
        await c.say("/skip")
    await c.say(WEAK)
    if "Follow-up" in c.sink.last.text:
        await c.say("/end")
    texts_sent = [r.text for _, r in c.sink.replies]
    at = next(n for n, text in enumerate(texts_sent) if text.startswith("Interview summary"))
    report, rewrite = texts_sent[at], texts_sent[at + 1]
    strengths = report.split("Strengths:\n")[1].split("\n\n")[0].splitlines()
    fixes = report.split("Work on:\n")[1].split("\n\n")[0].splitlines()
    assert 1 <= len(strengths) <= 3 and len(fixes) == 3
    assert all('You said: "' in line for line in fixes)
    assert rewrite.startswith("Your weakest answer, made stronger (") and TITLE in rewrite
    assert "We looked at it as a team" in rewrite


async def test_ending_early_sends_the_summary_then_the_rewrite_after_the_commit(
    coached: World,
) -> None:
    c = coached.candidate()
    await start(c)
    await c.say(WEAK)
    c.sink.clear()
    await c.say("/end")
    summary, rewrite = (r.text for _, r in c.sink.replies)
    assert summary.startswith("Interview summary") and "made stronger" not in summary
    assert rewrite.startswith("Your weakest answer, made stronger")
    assert "no interview running" in (await c.say("/end")).text.lower()
    c.sink.clear()
    await c.press("level:software-engineer:mid")
    await c.say("/skip")  # skipping the first question keeps the interview going
    assert not any("made stronger" in r.text for _, r in c.sink.replies)


async def test_stories_are_saved_listed_read_retagged_and_deleted(coached: World) -> None:
    c = coached.candidate()
    await c.consent()
    assert (await c.say("/stories")).text == EMPTY
    assert "no scored answer" in (await c.say("/stories save")).text
    await c.press("level:software-engineer:mid")
    reply = await c.say(STRONG)
    saved = await c.press(next(d for d in button_data(reply) if d.startswith("story:")))
    assert saved.text.startswith("Saved as story 1. Tags: ") and "impact" in saved.text
    saved = await c.say("/stories save leadership #conflict")
    assert saved.text.startswith("Saved as story 2. Tags: leadership, conflict.")
    assert "don't know the tag(s) heroics" in (await c.say("/stories save heroics")).text
    listing = (await c.say("/stories")).text
    assert listing.startswith("Your story bank:\n1. [") and "\n2. [leadership, conflict]" in listing
    story = (await c.say("/stories 1")).text
    assert STRONG in story and "To refine it, in STAR form:\nSituation:" in story
    assert "now tagged: failure" in (await c.say("/stories tag 2 failure")).text
    assert (await c.say("/stories delete 1")).text == "Story 1 is deleted."
    listing = (await c.say("/stories")).text
    assert "1. [failure]" in listing and "2. [" not in listing
    assert "no story 7" in (await c.say("/stories delete 7")).text
    assert await coached.count("stories") == 1


async def test_stories_are_sealed_exported_and_erased(coached: World) -> None:
    c = coached.candidate()
    await start(c)
    await c.say(STRONG)
    await c.say("/stories save impact")
    async with coached.app.db.engine.connect() as conn:
        raw = (await conn.exec_driver_sql("SELECT text, question FROM stories")).one()
    assert b"checkout" not in raw.text and b"checkout" not in (raw.question or b"")
    await c.say("/export")
    archive = next(r.document for _, r in c.sink.replies if r.document is not None)
    data = json.loads(zipfile.ZipFile(BytesIO(archive.data)).read("data.json"))
    assert data["stories"][0]["text"] == STRONG and data["stories"][0]["tags"] == ["impact"]
    await c.say("/delete")
    await c.press("delete:now")
    assert await coached.count("stories") == 0


async def test_progress_comes_as_a_png_chart_with_the_text_summary(coached: World) -> None:
    c = coached.candidate()
    await c.consent()
    empty = await c.say("/progress")
    assert empty.text == texts.NO_PROGRESS and empty.image is None
    await c.press("level:software-engineer:mid")
    await c.voice(STRONG, seconds=40)
    reply = await c.say("/progress")
    assert reply.image is not None and reply.image.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert reply.image.mime == "image/png" and reply.image.filename.endswith(".png")
    assert "Software" in reply.text and "wpm" in reply.text


async def test_offline_mode_says_once_per_answer_that_it_coaches_in_english_only(
    coached: World,
) -> None:
    c = coached.candidate()
    await start(c)
    reply = await c.send(Inbound(c.chat, "de-1", text=STRONG, language="de-DE"))
    assert reply.text.startswith(texts.ENGLISH_ONLY)
    assert reply.text.count(texts.ENGLISH_ONLY) == 1


async def test_english_speakers_and_cloud_coaches_get_no_language_notice(world: World) -> None:
    c = world.candidate()
    await c.consent()
    await c.press("level:software-engineer:mid")
    reply = await c.send(Inbound(c.chat, "de-1", text=STRONG, language="de"))
    assert texts.ENGLISH_ONLY not in reply.text  # the fake coach stands for a cloud one
    coach = world.app.coach
    assert coach.contexts[-1].language == "de"  # type: ignore[attr-defined]


async def test_a_voice_answer_from_a_german_chat_app_gets_the_notice_offline(
    coached: World,
) -> None:
    c = coached.candidate()
    await start(c)
    data = f"audio:40:{STRONG}".encode()

    async def fetch() -> bytes:
        return data

    voice = Attachment("voice", fetch, "voice.oga", "audio/ogg", len(data), 40.0)
    reply = await c.send(Inbound(c.chat, "de-voice", attachment=voice, language="de"))
    assert reply.text.startswith(texts.ENGLISH_ONLY)  # the recogniser said "en" regardless


def test_the_notice_is_for_the_offline_coach_and_any_non_english_language_only() -> None:
    assert english_only_note("rules", "en", "de-AT") == texts.ENGLISH_ONLY
    assert english_only_note("rules", "en", None, "en-GB") is None
    assert english_only_note("anthropic+rules", "de") is None
