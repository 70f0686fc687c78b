"""Data: the purge of many deleted accounts, and one person's export, per database.

The purge's people are bulk-inserted (one executemany per table and thousand people), shaped
as the repositories make them: each with their own wrapped data key, a hashed platform
identity, a consent, sessions and a due deletion request. The export's person goes through
the repositories (turns with sealed answers and results). Only `PurgeJob.run` and the export
are timed. PostgreSQL runs in a throwaway database when COACH_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.app import export_document
from bot.core.clock import FixedClock
from bot.core.models import ChatRef
from bot.core.records import UserRecord
from bot.privacy.purge import PurgeJob
from storage.blobs import FileBlobStore
from storage.db import Database, UnitOfWork, create_engine
from storage.sealing import KeyRing
from storage.tables import consents, deletion_requests, identities, interview_sessions, users

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BATCH = 1000


@asynccontextmanager
async def database(kind: str) -> AsyncIterator[Database]:
    """A migrated, empty database: a SQLite file, or a fresh PostgreSQL database."""
    with tempfile.TemporaryDirectory(prefix="coach-bench-db-") as tmp:
        admin_url = os.environ.get("COACH_TEST_POSTGRES_URL", "")
        name = f"coach_bench_{secrets.token_hex(4)}"
        if kind == "postgres":
            await _admin(admin_url, f'CREATE DATABASE "{name}"')
            url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'coach.db'}"
        keyring, blobs = KeyRing(secrets.token_bytes(32)), FileBlobStore(Path(tmp) / "blobs")
        db = Database(create_engine(url), keyring, blobs)
        await db.upgrade()
        try:
            yield db
        finally:
            await db.close()
            if kind == "postgres":
                await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(url: str, statement: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(sa.text(statement))
    await engine.dispose()


async def _person(uow: UnitOfWork, n: int, sessions: int) -> UserRecord:
    user = await uow.users.create("telegram", str(30_000_000 + n), now=NOW)
    await uow.consents.give(
        user.id, policy_version="1", purposes=("interview",), age_confirmed=True, now=NOW
    )
    for seed in range(sessions):
        await uow.sessions.start(
            user.id, platform="telegram", role="sales", level="mid", planned_questions=5,
            seed=seed, now=NOW,
        )  # fmt: skip
    return user


async def _seed_due(db: Database, numbers: range, sessions: int) -> None:
    """People `numbers` as `_person` makes them, plus a due deletion request, in bulk."""
    new_users = sa.insert(users).returning(users.c.id, sort_by_parameter_order=True)
    people = [{"created_at": NOW, "data_key": db.keyring.new_data_key()} for _ in numbers]
    async with db.unit_of_work() as uow:
        ids = [int(i) for i in (await uow.conn.execute(new_users, people)).scalars()]
        hashed = [db.keyring.lookup_hash("telegram", str(30_000_000 + n)) for n in numbers]
        rows = {
            identities: [
                {"platform": "telegram", "lookup_hash": h, "user_id": i, "created_at": NOW}
                for i, h in zip(ids, hashed, strict=True)
            ],
            consents: [
                {"user_id": i, "policy_version": "1", "purposes": "interview",
                 "age_confirmed": True, "given_at": NOW}
                for i in ids
            ],
            interview_sessions: [
                {"user_id": i, "platform": "telegram", "role": "sales", "level": "mid",
                 "planned_questions": 5, "seed": seed, "status": "active", "created_at": NOW}
                for i in ids for seed in range(sessions)
            ],
            deletion_requests: [
                {"user_id": i, "requested_at": NOW, "due_at": NOW - timedelta(days=1)}
                for i in ids
            ],
        }  # fmt: skip
        for table, values in rows.items():
            if values:
                await uow.conn.execute(sa.insert(table), values)


async def purge_seconds(db: Database, accounts: int, sessions: int = 5) -> float:
    """Seed `accounts` people whose deletion is due, each with `sessions` sessions; purge."""
    for start in range(0, accounts, BATCH):
        await _seed_due(db, range(start, min(accounts, start + BATCH)), sessions)
    started = time.perf_counter()
    report = await PurgeJob(db=db, clock=FixedClock(NOW)).run(now=NOW)
    elapsed = time.perf_counter() - started
    if report.people_erased != accounts:
        raise RuntimeError(f"purged {report.people_erased} of {accounts} accounts")
    return elapsed


async def export_seconds(db: Database, turns: int, per_session: int = 10) -> tuple[float, int]:
    """One person with `turns` answered and scored turns; build their export ZIP."""
    async with db.unit_of_work() as uow:
        user = await _person(uow, 0, 0)
        for first in range(0, turns, per_session):
            session = await uow.sessions.start(
                user.id, platform="telegram", role="sales", level="mid",
                planned_questions=per_session, seed=first, now=NOW,
            )  # fmt: skip
            for seq in range(1, min(per_session, turns - first) + 1):
                await _scored_turn(uow, user, session.id, seq)
    chat = ChatRef("telegram", "30000000", "30000000")
    started = time.perf_counter()
    async with db.unit_of_work() as uow:
        found = await uow.users.find("telegram", "30000000")
        assert found is not None
        document = await export_document(uow, found, NOW, chat, contact="privacy@example.org")
    return time.perf_counter() - started, len(document.data)


async def _scored_turn(uow: UnitOfWork, user: UserRecord, session_id: int, seq: int) -> None:
    answer = "When our checkout service timed out I traced it to a missing index. " * 4
    turn = await uow.turns.ask(
        session_id, seq=seq, question_id=f"q{seq}", question_text="Tell me about an incident.",
        now=NOW,
    )  # fmt: skip
    await uow.turns.record_answer(turn.id, user, kind="text", text=answer, now=NOW)
    await uow.turns.record_result(
        turn.id, user, transcript={"text": answer}, metrics={"words_per_minute": 140},
        assessment={"overall": 60, "feedback": "Good story.", "quote": answer[:60]}, overall=60,
    )  # fmt: skip


async def data(accounts: int = 10_000, turns: int = 200) -> dict[str, Any]:
    kinds = ["sqlite"] + (["postgres"] if os.environ.get("COACH_TEST_POSTGRES_URL") else [])
    figures: dict[str, Any] = {"accounts": accounts, "turns": turns}
    for kind in kinds:
        async with database(kind) as db:
            figures[f"purge_s_{kind}"] = await purge_seconds(db, accounts)
        async with database(kind) as db:
            seconds, size = await export_seconds(db, turns)
            figures[f"export_s_{kind}"], figures[f"export_bytes_{kind}"] = seconds, size
    return figures
