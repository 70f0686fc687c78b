"""One repository contract, run against SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.core.records import SessionRecord
from storage.db import Database, UnitOfWork
from storage.tables import metadata, turns

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def start_session(
    uow: UnitOfWork, user_id: int, platform: str, *, level: str = "mid", seed: int = 0
) -> SessionRecord:
    return await uow.sessions.start(
        user_id, platform=platform, role="sales", level=level, planned_questions=3, seed=seed,
        now=NOW,
    )  # fmt: skip


async def test_migrations_create_every_table_of_the_schema(database: Database) -> None:
    async with database.engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
    assert set(metadata.tables) <= names
    assert await database.current_revision() is not None


async def test_a_person_is_found_by_platform_identity_only_after_creation(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        assert await uow.users.find("telegram", "42") is None
        created = await uow.users.create("telegram", "42", now=NOW)
    async with database.unit_of_work() as uow:
        found = await uow.users.find("telegram", "42")
        assert found is not None and found.id == created.id
        assert found.created_at == NOW
        assert await uow.users.find("discord", "42") is None


async def test_latest_unwithdrawn_consent_is_current(database: Database) -> None:
    async with database.unit_of_work() as uow:
        user = await uow.users.create("telegram", "1", now=NOW)
        await uow.consents.give(
            user.id, policy_version="1", purposes=("interview",), age_confirmed=True, now=NOW
        )
        await uow.consents.give(
            user.id,
            policy_version="2",
            purposes=("interview", "marketing"),
            age_confirmed=True,
            now=NOW + timedelta(days=1),
        )
        current = await uow.consents.current(user.id)
        assert current is not None
        assert (current.policy_version, current.purposes) == ("2", ("interview", "marketing"))
        assert await uow.consents.withdraw(user.id, now=NOW) == 2
        assert await uow.consents.current(user.id) is None
        assert len(await uow.consents.history(user.id)) == 2


async def test_answers_are_sealed_in_the_database_and_readable_through_the_repository(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        user = await uow.users.create("console", "me", now=NOW)
        session = await start_session(uow, user.id, "console", level="mid", seed=7)
        turn = await uow.turns.ask(
            session.id, seq=1, question_id="q1", question_text="Why?", now=NOW
        )
        await uow.turns.record_answer(
            turn.id, user, kind="text", text="Because I sold 40 units", now=NOW
        )
        await uow.turns.record_result(
            turn.id,
            user,
            transcript={"text": "Because I sold 40 units"},
            metrics={"wpm": 140.0},
            assessment={"overall": 61},
            overall=61,
        )
    async with database.unit_of_work() as uow:
        raw = (await uow.conn.execute(sa.select(turns.c.answer_text, turns.c.transcript))).one()
        assert b"sold 40" not in raw.answer_text and b"sold 40" not in raw.transcript
        loaded = await uow.turns.latest(session.id, user)
        assert loaded is not None
        assert loaded.answer_text == "Because I sold 40 units"
        assert loaded.transcript == {"text": "Because I sold 40 units"}
        assert (loaded.status, loaded.overall, loaded.metrics) == ("scored", 61, {"wpm": 140.0})


async def test_sessions_have_one_active_and_keep_finished_ones(database: Database) -> None:
    async with database.unit_of_work() as uow:
        user = await uow.users.create("discord", "9", now=NOW)
        first = await start_session(uow, user.id, "discord", level="junior", seed=1)
        await uow.sessions.finish(first.id, status="finished", now=NOW)
        assert await uow.sessions.active(user.id) is None
        second = await start_session(uow, user.id, "discord", level="junior", seed=2)
        active = await uow.sessions.active(user.id)
        assert active is not None and active.id == second.id
        statuses = [s.status for s in await uow.sessions.for_user(user.id)]
        assert statuses == ["finished", "active"]


async def test_two_turns_with_the_same_sequence_number_are_rejected(database: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        async with database.unit_of_work() as uow:
            user = await uow.users.create("console", "x", now=NOW)
            session = await start_session(uow, user.id, "console", level="mid", seed=0)
            await uow.turns.ask(session.id, seq=1, question_id="a", question_text="A", now=NOW)
            await uow.turns.ask(session.id, seq=1, question_id="b", question_text="B", now=NOW)


async def test_a_duplicate_update_is_claimed_once(database: Database) -> None:
    async with database.unit_of_work() as uow:
        assert await uow.updates.claim("telegram", "1001", now=NOW) is True
        assert await uow.updates.claim("telegram", "1001", now=NOW) is False
        assert await uow.updates.claim("discord", "1001", now=NOW) is True
        assert await uow.updates.forget_before(NOW + timedelta(seconds=1)) == 2


async def test_ledger_balance_is_derived_and_retries_never_double_count(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        user = await uow.users.create("telegram", "5", now=NOW)
        assert await uow.ledger.add(
            user.id, kind="grant", amount=3, provider="coach", external_id="free", now=NOW
        )
        assert not await uow.ledger.add(
            user.id, kind="grant", amount=3, provider="coach", external_id="free", now=NOW
        )
        await uow.ledger.add(
            user.id, kind="spend", amount=-1, provider="coach", external_id="s1", now=NOW
        )
        assert await uow.ledger.balance(user.id) == 2


async def test_deletion_requests_come_due_after_the_grace_period_unless_cancelled(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        keep = await uow.users.create("telegram", "keep", now=NOW)
        gone = await uow.users.create("telegram", "gone", now=NOW)
        for user in (keep, gone):
            await uow.deletions.request(user.id, now=NOW, due_at=NOW + timedelta(days=30))
        assert await uow.deletions.cancel(keep.id, now=NOW) == 1
        assert await uow.deletions.due(NOW + timedelta(days=29)) == []
        assert await uow.deletions.due(NOW + timedelta(days=30)) == [gone.id]


async def test_deleting_a_person_cascades_to_everything_they_own(database: Database) -> None:
    async with database.unit_of_work() as uow:
        user = await uow.users.create("telegram", "7", now=NOW)
        session = await start_session(uow, user.id, "telegram", level="mid", seed=0)
        await uow.turns.ask(session.id, seq=1, question_id="q", question_text="Q", now=NOW)
        await uow.recordings.save(user, b"OggS...", mime="audio/ogg", duration_s=1.0, now=NOW)
    async with database.unit_of_work() as uow:
        await uow.conn.execute(sa.text("DELETE FROM users WHERE id = :id"), {"id": user.id})
    async with database.unit_of_work() as uow:
        for table in ("identities", "interview_sessions", "turns", "recordings"):
            count = (await uow.conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar()
            assert count == 0, table


async def test_audit_entries_keep_actor_hash_action_and_counts(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.audit.record(actor="h:abc", action="consent.given", now=NOW, detail={"n": 1})
        [entry] = await uow.audit.recent()
        assert (entry.actor, entry.action, entry.detail) == ("h:abc", "consent.given", {"n": 1})


async def test_recordings_are_sealed_in_the_blob_store_and_open_for_their_owner(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        user = await uow.users.create("telegram", "11", now=NOW)
        saved = await uow.recordings.save(
            user, b"OggS voice bytes", mime="audio/ogg", duration_s=2.5, now=NOW
        )
    assert b"voice bytes" not in database.blobs.get(saved.blob_key)
    async with database.unit_of_work() as uow:
        loaded = await uow.recordings.get(saved.id)
        assert loaded is not None and loaded.size == len(b"OggS voice bytes")
        assert await uow.recordings.load(loaded, user) == b"OggS voice bytes"


async def test_platform_ids_are_stored_only_as_keyed_hashes(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.users.create("telegram", "555000111", now=NOW)
        rows = (await uow.conn.execute(sa.text("SELECT * FROM identities"))).all()
    assert rows and all("555000111" not in str(tuple(row)) for row in rows)


async def test_many_units_of_work_at_once_all_commit(database: Database) -> None:
    """Hundreds of candidates answering at once: each unit reads, waits a little (a busy
    event loop), then writes. On SQLite they take turns instead of failing with "database
    is locked"; on PostgreSQL they run side by side."""
    open_now = most_open = 0

    async def one(n: int) -> None:
        nonlocal open_now, most_open
        async with database.unit_of_work() as uow:
            open_now += 1
            most_open = max(most_open, open_now)
            await uow.users.find("telegram", str(n))
            await asyncio.sleep(0.005)
            await uow.users.create("telegram", str(n), now=NOW)
            open_now -= 1

    await asyncio.gather(*(one(n) for n in range(60)))

    async with database.unit_of_work() as uow:
        found = [await uow.users.find("telegram", str(n)) for n in range(60)]
    assert all(found)
    assert most_open == 1 if database.dialect == "sqlite" else most_open > 1


async def test_a_unit_of_work_opened_inside_another_does_not_wait_for_it(
    database: Database,
) -> None:
    """The purge holds one open (its lock on PostgreSQL) while it erases in others."""
    async with database.unit_of_work() as outer:
        assert await outer.erasure.try_purge_lock()
        async with asyncio.timeout(5), database.unit_of_work() as inner:
            await inner.users.create("telegram", "nested", now=NOW)
    async with database.unit_of_work() as uow:
        assert await uow.users.find("telegram", "nested") is not None
