"""200+ turns through the real OpenAI, Anthropic and Cartesia SDKs while 20% of their calls
fail (429, 500, 529, timeouts, connection resets, truncated bodies): every answer ends with
feedback (spoken, or text when the voice failed); none is lost, none is answered twice.

The resumer runs alongside, as in `coach run`: an answer whose processing failed half-way
(e.g. the database was busy) is finished by it once its lease runs out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.app import App
from bot.core.clock import SystemClock
from bot.core.models import ChatRef, Reply
from bot.flows.engine import GENERIC_ERROR
from bot.flows.resume import GIVING_UP, keep_resuming
from bot.providers.coach.claude import ClaudeCoach
from bot.providers.coach.fallback import FallbackCoach
from bot.providers.coach.rules import RuleBasedCoach
from bot.providers.stt.openai_whisper import OpenAIWhisperSTT
from bot.providers.tts.cartesia import CartesiaTTS
from tests.fake_servers import anthropic_api, cartesia_api, openai_api
from tests.fakes import Candidate, FakeCodec
from tests.integration.test_claude_coach import tool_input
from tests.reliability.chaos import Chaos, ChaoticAnthropic, ChaoticCartesia, ChaoticOpenAI
from tests.reliability.helpers import make_app

CANDIDATES = 55
AT_ONCE = 28
TIMEOUT_S = 1.0
LEASE_S = 2.0
ANSWER = "I rebuilt our on-call rota and halved the pages we got at night"
RESEND = "send it again"


@dataclass
class Figures:
    answers: int = 0
    feedback: int = 0
    resent: int = 0
    waits_for_resume: int = 0
    unanswered: int = 0
    interviews: int = 0
    with_voice: int = 0
    text_only: int = 0


class Router:
    """The platform's sender for resumed turns: each candidate's own sink."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self.sinks = {c.chat.user_id: c.sink for c in candidates}
        self.delivered = 0

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        self.delivered += 1
        await self.sinks[chat.user_id].send(chat, reply)


@pytest.fixture
async def chaos() -> AsyncIterator[tuple[Chaos, list[Any]]]:
    shared = Chaos(rate=0.2, hang_s=TIMEOUT_S + 0.5)
    servers = [
        ChaoticOpenAI(chaos=shared),
        ChaoticAnthropic(chaos=shared, tool_inputs=[tool_input()]),
        ChaoticCartesia(chaos=shared),
    ]
    for server in servers:
        await server.start()
    yield shared, servers
    for server in servers:
        await server.stop()


async def chaotic_app(tmp_path: Path, servers: list[Any]) -> App:
    whisper, claude, voice = servers
    stt = OpenAIWhisperSTT(
        api_key=openai_api.API_KEY, base_url=whisper.base_url, timeout_s=TIMEOUT_S
    )
    rules = RuleBasedCoach()
    judge = ClaudeCoach(
        api_key=anthropic_api.API_KEY, base_url=claude.base_url, model="claude-test",
        timeout_s=TIMEOUT_S, fallback_questions=rules,
    )  # fmt: skip
    tts = CartesiaTTS(
        api_key=cartesia_api.API_KEY, voice_id="v", base_url=voice.base_url, timeout_s=TIMEOUT_S
    )
    return await make_app(
        tmp_path, clock=SystemClock(), stt=stt, coach=FallbackCoach(judge, rules), tts=tts,
        codec=FakeCodec(), env={"COACH_TURN_LEASE_SECONDS": str(LEASE_S)},
    )  # fmt: skip


async def begin(c: Candidate, starting: asyncio.Semaphore) -> None:
    """Consent and start an interview, again when a busy database refused it."""
    async with starting:
        for _ in range(10):
            await c.consent()
            reply = await c.press("level:software-engineer:mid")
            if any(b.data == "continue" for row in reply.buttons for b in row):
                reply = await c.press("continue")  # started before the refusal came
            if "Question 1 of" in reply.text:
                return
            await asyncio.sleep(LEASE_S)
    raise AssertionError(f"candidate {c.chat.user_id} could not start an interview")


def scored(replies: list[Reply]) -> list[Reply]:
    return [r for r in replies if "Score:" in r.text]


async def answer_until_scored(c: Candidate, figures: Figures) -> list[Reply]:
    """Send one answer; send it again when told to; wait while it is being finished."""
    before = len(c.sink.replies)
    await c.voice(ANSWER, seconds=12)
    figures.answers += 1
    for _ in range(30):
        new = [r for _, r in c.sink.replies[before:]]
        if scored(new):
            return new
        if RESEND in c.sink.last.text or c.sink.last.text in (GENERIC_ERROR, GIVING_UP):
            figures.resent += 1  # told plainly to try again: do so
            await asyncio.sleep(LEASE_S)
            await c.voice(ANSWER, seconds=12)
        else:  # held by a failed attempt: the resumer finishes it
            figures.waits_for_resume += 1
            await asyncio.sleep(LEASE_S / 2)
    return []


async def interview(c: Candidate, figures: Figures, slots: asyncio.Semaphore) -> None:
    """Answer every question by voice until the summary."""
    while True:
        async with slots:
            new = await answer_until_scored(c, figures)
        feedback = scored(new)
        if not feedback:
            figures.unanswered += 1
            return
        figures.feedback += len(feedback)
        figures.with_voice += sum(r.voice is not None for r in feedback)
        figures.text_only += sum(r.voice is None for r in feedback)
        if any("summary" in r.text.lower() for r in new):
            figures.interviews += 1
            return


async def count_by(app: App, sql: str) -> dict[str, int]:
    async with app.db.engine.connect() as conn:
        return {key: count for key, count in await conn.execute(sa.text(sql))}


async def test_every_turn_gets_one_reply_while_a_fifth_of_provider_calls_fail(
    tmp_path: Path,
    chaos: tuple[Chaos, list[Any]],
    record_property: Callable[[str, object], None],
) -> None:
    shared, servers = chaos
    app = await chaotic_app(tmp_path, servers)
    figures, stop = Figures(), asyncio.Event()
    candidates = [Candidate(app.engine, user_id=str(5000 + n)) for n in range(CANDIDATES)]
    router = Router(candidates)
    resuming = asyncio.create_task(
        keep_resuming(app.resumer(), {"telegram": router}, interval_s=LEASE_S / 2, stop=stop)
    )
    try:
        starting = asyncio.Semaphore(4)  # few at once: a start holds SQLite's write lock
        await asyncio.gather(*(begin(c, starting) for c in candidates))
        slots = asyncio.Semaphore(AT_ONCE)
        await asyncio.gather(*(interview(c, figures, slots) for c in candidates))
        stop.set()
        await resuming
        turns = await count_by(app, "SELECT status, count(*) FROM turns GROUP BY status")
        steps = await count_by(app, "SELECT step, count(*) FROM turn_inbox GROUP BY step")
    finally:
        stop.set()
        with suppress(Exception):
            await resuming
        await app.close()
    completed = turns.get("scored", 0)
    in_progress = sum(n for step, n in steps.items() if step not in ("replied", "failed"))
    report = {
        "faults_injected": shared.total,
        "faults_by_kind": dict(shared.injected),
        "provider_requests": dict(shared.requests),
        "answers_sent": figures.answers,
        "turns_completed": completed,
        "feedback_replies": figures.feedback,
        "spoken": figures.with_voice,
        "text_only": figures.text_only,
        "sent_again_when_told": figures.resent,
        "finished_by_resumer": router.delivered,
        "turns_lost": figures.unanswered + in_progress,
        "turns_duplicated": figures.feedback - completed,
    }
    print("\nfault injection:", report)
    for name, value in report.items():
        record_property(name, value)
    assert completed >= 200 and figures.interviews == CANDIDATES
    assert shared.total >= 0.15 * sum(shared.requests.values())
    assert report["turns_lost"] == 0 and report["turns_duplicated"] == 0
    assert figures.feedback == completed == steps.get("replied", 0)
    # the SDKs' retries absorb most voice faults; a voice that keeps failing leaves a text
    # reply (by chance there may be none here: tests/e2e/test_cloud_faults.py forces it)
    assert figures.with_voice >= 0.9 * figures.feedback
