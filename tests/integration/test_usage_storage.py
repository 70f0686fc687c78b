"""Provider usage rows: recorded per turn, summarised per stage, kept (unlinked) on erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.core.usage import Usage
from storage.db import Database
from storage.tables import provider_usage

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def usage(stage: str, latency_s: float, *, ok: bool = True, **figures: float) -> Usage:
    provider = {"stt": "openai-whisper", "judge": "anthropic", "tts": "cartesia"}[stage]
    error = None if ok else "http_529"
    return Usage(stage, provider, "m", latency_s, ok, error, **figures)  # type: ignore[arg-type]


async def a_turn(database: Database) -> tuple[int, int]:
    async with database.unit_of_work() as uow:
        user = await uow.users.create("telegram", "77", now=NOW)
        session = await uow.sessions.start(
            user.id, platform="telegram", role="sales", level="mid", planned_questions=3,
            seed=1, now=NOW,
        )  # fmt: skip
        turn = await uow.turns.ask(
            session.id, seq=1, question_id="q", question_text="Why?", now=NOW
        )
    return user.id, turn.id


async def test_the_summary_gives_calls_errors_percentiles_and_totals_per_stage(
    database: Database,
) -> None:
    _, turn_id = await a_turn(database)
    async with database.unit_of_work() as uow:
        for ms in range(1, 21):
            await uow.usage.record(usage("stt", ms / 1000, audio_seconds=1.5), turn_id, NOW)
        await uow.usage.record(
            usage("judge", 2.0, input_tokens=900, output_tokens=120), turn_id, NOW
        )
        await uow.usage.record(usage("judge", 4.0, ok=False), turn_id, NOW)
        await uow.usage.record(usage("tts", 9.0, characters=40), None, NOW - timedelta(days=8))
    async with database.unit_of_work() as uow:
        rows = await uow.usage.summary(NOW - timedelta(days=7))

    assert [(r["stage"], r["provider"]) for r in rows] == [
        ("judge", "anthropic"), ("stt", "openai-whisper"),
    ]  # fmt: skip
    judge, stt = rows
    assert (judge["calls"], judge["errors"]) == (2, 1)
    assert (judge["input_tokens"], judge["output_tokens"]) == (900, 120)
    assert (judge["p50_latency_ms"], judge["p95_latency_ms"]) == (2000, 4000)
    assert (stt["calls"], stt["errors"], stt["audio_seconds"]) == (20, 0, 30.0)
    assert (stt["p50_latency_ms"], stt["p95_latency_ms"]) == (10, 19)


async def test_erasing_the_person_keeps_the_figures_but_unlinks_the_turn(
    database: Database,
) -> None:
    user_id, turn_id = await a_turn(database)
    async with database.unit_of_work() as uow:
        await uow.usage.record(usage("stt", 0.5, audio_seconds=3.0), turn_id, NOW)

    async with database.unit_of_work() as uow:
        counts = await uow.erasure.erase(user_id, now=NOW)
    async with database.unit_of_work() as uow:
        rows = await uow.usage.summary(NOW - timedelta(days=1))
    async with database.engine.connect() as conn:
        linked = await conn.execute(sa.select(provider_usage.c.turn_id))
        turn_ids = [r[0] for r in linked]

    assert counts["turns"] == 1
    assert turn_ids == [None]
    assert rows[0]["calls"] == 1 and rows[0]["audio_seconds"] == 3.0
