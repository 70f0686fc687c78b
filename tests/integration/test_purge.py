"""Erasure and the purge job, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.core.clock import FixedClock
from bot.core.models import ChatRef
from bot.core.records import UserRecord
from bot.privacy import registry
from bot.privacy.purge import PurgeJob
from storage.db import Database, UnitOfWork
from storage.tables import documents, metadata, turns

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Person:
    user: UserRecord
    platform_id: str
    marker: str
    session_id: int
    recording_id: int
    charge: str  # the payment reference, kept (anonymised) on erasure

    @property
    def name(self) -> str:
        return f"Name {self.marker}"

    @property
    def email(self) -> str:
        return f"{self.marker}@x.org"

    @property
    def secrets(self) -> list[bytes]:
        return [t.encode() for t in (self.marker, self.platform_id, self.name, self.email)]


async def plant(db: Database, *, due_in: timedelta | None, at: datetime = NOW) -> Person:
    """A person with a unique marker in every table and blob they can own."""
    marker, platform_id = f"MARK{secrets.token_hex(6).upper()}", str(secrets.randbelow(10**12))
    charge = f"charge-{secrets.token_hex(4)}"
    async with db.unit_of_work() as uow:
        user = await uow.users.create("telegram", platform_id, now=at)
        await uow.users.set_profile(user, display_name=f"Name {marker}", email=f"{marker}@x.org")
        await uow.contacts.remember(user, ChatRef("telegram", platform_id, platform_id), now=at)
        await uow.consents.give(
            user.id, policy_version="1", purposes=("interview",), age_confirmed=True, now=at
        )
        session_id, recording_id = await _interview(uow, user, marker, at)
        blob = db.blobs.put(
            db.keyring.seal(user.data_key or b"", marker.encode(), bound_to="documents"),
            prefix="document",
        )
        text = uow.erasure.seal_text(user, "documents.text", f"CV of {marker}")
        await uow.conn.execute(
            sa.insert(documents).values(
                user_id=user.id, kind="cv", filename="cv.pdf", blob_key=blob, text=text,
                created_at=at,
            )
        )  # fmt: skip
        await uow.ledger.add(
            user.id, kind="purchase", amount=10, provider="stars", external_id=charge, now=at
        )
        await uow.stories.save(
            user, text=f"Story of {marker}", question=None, tags=(), overall=None, now=at
        )
        await uow.reminders.set(
            user, platform="telegram", chat_id=platform_id, chat_user_id=platform_id,
            local_time="08:00", timezone="UTC", next_at=at, now=at,
        )  # fmt: skip
        if due_in is not None:
            await uow.deletions.request(user.id, now=at, due_at=at + due_in)
    return Person(user, platform_id, marker, session_id, recording_id, charge)


async def _interview(
    uow: UnitOfWork, user: UserRecord, marker: str, at: datetime
) -> tuple[int, int]:
    """A session with two answered turns and one recording, all carrying the marker."""
    session = await uow.sessions.start(
        user.id, platform="telegram", role="sales", level="mid",
        planned_questions=2, seed=1, now=at,
    )  # fmt: skip
    rec = await uow.recordings.save(user, marker.encode(), mime="audio/ogg", duration_s=1.0, now=at)
    for seq in (1, 2):
        turn = await uow.turns.ask(
            session.id, seq=seq, question_id="q", question_text=f"Q {marker}", now=at
        )
        await uow.turns.record_answer(
            turn.id, user, kind="voice", recording_id=rec.id, text=marker, now=at
        )
        await uow.turns.record_result(
            turn.id, user, transcript={"text": marker}, metrics={"wpm": 120},
            assessment={"quote": marker}, overall=60,
        )  # fmt: skip
    return session.id, rec.id


async def linked_rows(db: Database, user_id: int) -> dict[str, int]:
    """Rows of every registered table that still lead to the person (should be none)."""
    counts: dict[str, int] = {}
    async with db.unit_of_work() as uow:
        for name, link in ((e.name, e.link) for e in registry.TABLES if e.link):
            table = metadata.tables[name]
            where = table.c[link.column] == user_id
            if link.via is not None:
                parent = metadata.tables[link.via]
                ids = sa.select(parent.c.id).where(parent.c.user_id == user_id)
                where = table.c[link.column].in_(ids)
            stmt = sa.select(sa.func.count()).select_from(table).where(where)
            counts[name] = int((await uow.conn.execute(stmt)).scalar_one())
    return {name: n for name, n in counts.items() if n}


async def all_rows_text(db: Database) -> str:
    """Every row of every table, as text (sealed values stay opaque bytes)."""
    async with db.unit_of_work() as uow:
        parts = [repr((await uow.conn.execute(sa.select(t))).all()) for t in metadata.sorted_tables]
    return "\n".join(parts)


def raw_files(root: Path) -> dict[Path, bytes]:
    """Every file under the data folder, including the database, its WAL and shm."""
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


async def assert_intact(db: Database, person: Person) -> None:
    async with db.unit_of_work() as uow:
        user = await uow.users.find("telegram", person.platform_id)
        assert user is not None and user.data_key is not None
        profile = await uow.users.profile(user)
        assert (profile["display_name"], profile["email"]) == (person.name, person.email)
        [turn, _] = await uow.turns.for_session(person.session_id, user)
        assert turn.transcript == {"text": person.marker} and turn.answer_text == person.marker
        recording = await uow.recordings.get(person.recording_id)
        assert recording is not None
        assert await uow.recordings.load(recording, user) == person.marker.encode()
        assert await uow.ledger.balance(user.id) == 10


async def test_a_purged_person_leaves_no_byte_behind_and_the_neighbour_keeps_everything(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gone = await plant(database, due_in=timedelta(days=-1))
    kept = await plant(database, due_in=None)
    report = await PurgeJob(db=database, clock=FixedClock(NOW)).run(now=NOW)

    assert (report.people_erased, report.people_failed, report.skipped) == (1, 0, False)
    assert await linked_rows(database, gone.user.id) == {}
    async with database.unit_of_work() as uow:
        assert await uow.users.get(gone.user.id) is None
        assert await uow.users.find("telegram", gone.platform_id) is None
    everything = await all_rows_text(database)
    assert not any(s.decode() in everything for s in gone.secrets)
    assert kept.marker in everything  # the scan sees plaintext when it is there (Q <marker>)
    if database.dialect == "sqlite":
        files = raw_files(tmp_path)
        assert {"coach.db", "blobs"} <= {f.name for f in files} | {f.parent.name for f in files}
        leaks = [(f.name, s) for f, data in files.items() for s in gone.secrets if s in data]
        assert leaks == []
        assert any(kept.marker.encode() in data for data in files.values())  # Q <marker>
    await assert_intact(database, kept)
    assert gone.platform_id not in caplog.text and gone.marker not in caplog.text


async def test_unsealed_plaintext_is_scrubbed_from_the_sqlite_file_and_wal(
    sqlite_db: Database, tmp_path: Path
) -> None:
    secret = f"PLAINTEXT-{secrets.token_hex(8)}".encode()
    person = await plant(sqlite_db, due_in=None)
    async with sqlite_db.unit_of_work() as uow:
        stmt = sa.update(turns).values(answer_text=secret)  # bypassing the sealing
        await uow.conn.execute(stmt.where(turns.c.session_id == person.session_id))
    assert any(secret in data for data in raw_files(tmp_path).values())  # in the WAL
    async with sqlite_db.engine.connect() as conn:
        await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert secret in (tmp_path / "coach.db").read_bytes()  # now in the main file's pages

    counts = await PurgeJob(db=sqlite_db, clock=FixedClock(NOW)).erase_now(person.user.id)

    assert counts["turns"] == 2 and counts["users"] == 1
    assert [f.name for f, data in raw_files(tmp_path).items() if secret in data] == []


def crash_the_first_blob_delete(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk goes away during the first blob deletion, then comes back."""
    real_delete, calls = database.blobs.delete, []

    def delete_crashing_once(key: str) -> bool:
        calls.append(key)
        if len(calls) == 1:
            raise OSError("disk went away")
        return real_delete(key)

    monkeypatch.setattr(database.blobs, "delete", delete_crashing_once)


async def test_a_purge_that_crashes_after_shredding_the_key_finishes_on_the_next_run(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashing = await plant(database, due_in=timedelta(days=-1))
    kept = await plant(database, due_in=None)
    crash_the_first_blob_delete(database, monkeypatch)
    job = PurgeJob(db=database, clock=FixedClock(NOW))
    first = await job.run(now=NOW)
    assert (first.people_erased, first.people_failed) == (0, 1)
    async with database.unit_of_work() as uow:
        half = await uow.users.get(crashing.user.id)
        assert half is not None and half.data_key is None  # unreadable already
        assert await uow.erasure.receipts() == []

    second = await job.run(now=NOW)
    assert (second.people_erased, second.people_failed) == (1, 0)
    assert await linked_rows(database, crashing.user.id) == {}
    control = await plant(database, due_in=timedelta(days=-1))  # the same, never interrupted
    await job.run(now=NOW)
    assert await linked_rows(database, control.user.id) == {}
    async with database.unit_of_work() as uow:
        [interrupted, uninterrupted] = [r.counts for r in await uow.erasure.receipts()]
    assert interrupted == uninterrupted
    assert len(database.blobs.keys()) == 2  # only the neighbour's recording and CV remain
    await assert_intact(database, kept)


async def test_deletion_waits_for_the_grace_period_and_a_cancelled_one_never_comes(
    database: Database,
) -> None:
    clock = FixedClock(NOW)
    leaving = await plant(database, due_in=timedelta(days=30))
    staying = await plant(database, due_in=timedelta(days=30))
    async with database.unit_of_work() as uow:
        assert await uow.deletions.cancel(staying.user.id, now=NOW) == 1
    job = PurgeJob(db=database, clock=clock)
    clock.advance(days=29, hours=23)
    assert (await job.run()).people_erased == 0
    await assert_intact(database, leaving)
    clock.advance(hours=1)
    assert (await job.run()).people_erased == 1
    assert await linked_rows(database, leaving.user.id) == {}
    clock.advance(days=400)
    assert (await job.run()).people_erased == 0
    await assert_intact(database, staying)


async def test_financial_rows_are_anonymised_then_deleted_after_the_retention(
    database: Database,
) -> None:
    gone = await plant(database, due_in=timedelta(days=0))
    kept = await plant(database, due_in=None)
    job = PurgeJob(db=database, clock=FixedClock(NOW), financial_retention_years=7)
    report = await job.run(now=NOW)
    assert report.rows["credit_ledger:anonymised"] == 1 and report.financial_rows_deleted == 0
    query = sa.text("SELECT user_id, amount, external_id FROM credit_ledger ORDER BY id")
    async with database.unit_of_work() as uow:
        rows = [tuple(r) for r in await uow.conn.execute(query)]
    assert rows == [(None, 10, gone.charge), (kept.user.id, 10, kept.charge)]

    assert (await job.run(now=datetime(2033, 3, 1, 11, tzinfo=UTC))).financial_rows_deleted == 0
    later = await job.run(now=datetime(2033, 3, 1, 13, tzinfo=UTC))
    assert later.financial_rows_deleted == 1
    async with database.unit_of_work() as uow:
        assert [tuple(r) for r in await uow.conn.execute(query)] == [rows[1]]


async def test_an_erasure_leaves_a_receipt_with_counts_and_no_identifiers(
    database: Database,
) -> None:
    person = await plant(database, due_in=None)
    counts = await PurgeJob(db=database, clock=FixedClock(NOW)).erase_now(person.user.id)
    async with database.unit_of_work() as uow:
        [receipt] = await uow.erasure.receipts()
    assert receipt.counts == counts and receipt.at == NOW
    assert counts == {
        "blobs": 2, "turns": 2, "recordings": 1, "interview_sessions": 1, "documents": 1,
        "consents": 1, "identities": 1, "deletion_requests": 1, "contact_points": 1,
        "credit_ledger:anonymised": 1, "users": 1, "purchase_tokens": 0, "marketing_optins": 0,
        "stories": 1, "reminders": 1, "turn_inbox": 0, "email_codes": 0,
    }  # fmt: skip
    assert set(receipt._mapping) == {"id", "at", "counts"}
    assert not any(s.decode() in repr(receipt) for s in person.secrets)
    assert await PurgeJob(db=database, clock=FixedClock(NOW)).erase_now(person.user.id) == {}


@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # the lock is PostgreSQL's
async def test_a_purge_is_skipped_while_another_worker_holds_the_lock(database: Database) -> None:
    person = await plant(database, due_in=timedelta(days=-1))
    async with database.unit_of_work() as other_worker:
        assert await other_worker.erasure.try_purge_lock()
        report = await PurgeJob(db=database, clock=FixedClock(NOW)).run(now=NOW)
    assert report.skipped and report.people_erased == 0
    await assert_intact(database, person)


@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # workers share PostgreSQL
async def test_concurrent_purges_erase_each_person_once(database: Database) -> None:
    people = [await plant(database, due_in=timedelta(days=-1)) for _ in range(4)]
    jobs = [PurgeJob(db=database, clock=FixedClock(NOW)) for _ in range(3)]
    reports = await asyncio.gather(*(job.run(now=NOW) for job in jobs))
    assert sum(r.people_erased for r in reports) == 4
    assert sum(r.people_failed for r in reports) == 0
    async with database.unit_of_work() as uow:
        assert len(await uow.erasure.receipts()) == 4
    for person in people:
        assert await linked_rows(database, person.user.id) == {}


async def test_a_purge_in_several_batches_erases_everyone_and_no_neighbour(
    database: Database,
) -> None:
    gone = [await plant(database, due_in=timedelta(days=-1)) for _ in range(5)]
    kept = [await plant(database, due_in=None), await plant(database, due_in=timedelta(days=1))]
    report = await PurgeJob(db=database, clock=FixedClock(NOW), batch_size=2).run(now=NOW)

    assert (report.people_erased, report.people_failed) == (5, 0)
    assert (report.rows["turns"], report.rows["users"], report.blobs_deleted) == (10, 5, 10)
    for person in gone:
        assert await linked_rows(database, person.user.id) == {}
    async with database.unit_of_work() as uow:
        receipts = [r.counts for r in await uow.erasure.receipts()]
    assert len(receipts) == 5 and all(counts == receipts[0] for counts in receipts)
    assert receipts[0]["users"] == 1 and receipts[0]["turns"] == 2 and receipts[0]["blobs"] == 2
    assert len(database.blobs.keys()) == 4  # the neighbours' recordings and CVs
    for person in kept:
        await assert_intact(database, person)


async def test_a_forgetter_failing_for_one_person_leaves_only_that_person_due(
    database: Database,
) -> None:
    people = [await plant(database, due_in=timedelta(days=-1)) for _ in range(3)]
    stubborn, asked = people[1].user.id, []
    unreachable = {stubborn}

    async def forget(user_id: int) -> None:
        asked.append(user_id)
        if user_id in unreachable:
            raise ConnectionError("processor unreachable")

    job = PurgeJob(db=database, clock=FixedClock(NOW), forgetters=[forget])
    first = await job.run(now=NOW)

    assert (first.people_erased, first.people_failed) == (2, 1)
    assert sorted(asked) == sorted(p.user.id for p in people)
    async with database.unit_of_work() as uow:
        assert await uow.deletions.due(NOW) == [stubborn]
        left = await uow.users.get(stubborn)
        assert left is not None and left.data_key is None  # shredded, rows not yet erased
        assert len(await uow.erasure.receipts()) == 2
    for person in (people[0], people[2]):
        assert await linked_rows(database, person.user.id) == {}

    unreachable.clear()
    second = await job.run(now=NOW)
    assert (second.people_erased, second.people_failed) == (1, 0) and asked[-1] == stubborn
    assert await linked_rows(database, stubborn) == {}


async def test_a_failing_batch_is_left_due_and_the_next_batch_goes_on(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = [await plant(database, due_in=timedelta(days=-1)) for _ in range(3)]
    crash_the_first_blob_delete(database, monkeypatch)
    job = PurgeJob(db=database, clock=FixedClock(NOW), batch_size=2)
    first = await job.run(now=NOW)

    assert (first.people_erased, first.people_failed) == (1, 2)
    async with database.unit_of_work() as uow:
        assert len(await uow.deletions.due(NOW)) == 2
    second = await job.run(now=NOW)
    assert (second.people_erased, second.people_failed) == (2, 0)
    for person in people:
        assert await linked_rows(database, person.user.id) == {}
