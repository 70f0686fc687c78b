"""The story bank and reminder repositories, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clock import FixedClock
from bot.privacy.purge import PurgeJob
from storage.db import Database

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_stories_are_sealed_listed_in_order_retagged_and_deleted_per_person(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        ann = await uow.users.create("telegram", "1", now=NOW)
        bob = await uow.users.create("telegram", "2", now=NOW)
        first = await uow.stories.save(
            ann, text="I led the migration.", question="Lead?", tags=("leadership",),
            overall=80, now=NOW,
        )  # fmt: skip
        await uow.stories.save(ann, text="Second.", question=None, tags=(), overall=None, now=NOW)
        assert not await uow.stories.delete(bob, first)  # not Bob's story
        assert not await uow.stories.set_tags(bob, first, ("impact",), now=NOW)
    async with database.engine.connect() as conn:
        raw = (await conn.exec_driver_sql("SELECT text FROM stories ORDER BY id")).scalars().all()
    assert all(b"migration" not in bytes(value) for value in raw)
    async with database.unit_of_work() as uow:
        later = NOW + timedelta(hours=1)
        assert await uow.stories.set_tags(ann, first, ("leadership", "impact"), now=later)
        stories = await uow.stories.for_user(ann)
        assert [s.text for s in stories] == ["I led the migration.", "Second."]
        assert stories[0].tags == ("leadership", "impact") and stories[0].updated_at == later
        assert stories[0].question == "Lead?" and stories[1].question is None
        assert await uow.stories.for_user(bob) == []
        assert await uow.stories.delete(ann, first)
        assert [s.text for s in await uow.stories.for_user(ann)] == ["Second."]


async def test_reminders_are_one_per_person_due_in_order_and_moved_on_when_sent(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        ann = await uow.users.create("telegram", "1", now=NOW)
        bob = await uow.users.create("discord", "2", now=NOW)
        for user, minutes in ((ann, 30), (bob, 10), (ann, 20)):  # Ann's second replaces her first
            await uow.reminders.set(
                user, platform="telegram" if user is ann else "discord", chat_id=f"c{user.id}",
                chat_user_id=f"u{user.id}", local_time="08:00", timezone="Europe/Paris",
                next_at=NOW + timedelta(minutes=minutes), now=NOW,
            )  # fmt: skip
    async with database.unit_of_work() as uow:
        assert await uow.reminders.due(now=NOW) == []
        due = await uow.reminders.due(now=NOW + timedelta(minutes=25))
        assert [(u.id, r.chat_id, r.platform) for u, r in due] == [
            (bob.id, f"c{bob.id}", "discord"), (ann.id, f"c{ann.id}", "telegram"),
        ]  # fmt: skip
        await uow.reminders.sent(bob.id, now=NOW, next_at=NOW + timedelta(days=1))
        due = await uow.reminders.due(now=NOW + timedelta(minutes=25))
        assert [u.id for u, _ in due] == [ann.id]
        stored = await uow.reminders.get(bob)
        assert stored is not None and stored.last_sent_at == NOW
        assert stored.chat_user_id == f"u{bob.id}" and stored.timezone == "Europe/Paris"


async def test_erasure_removes_stories_and_reminders_and_shredded_people_are_never_due(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        ann = await uow.users.create("telegram", "1", now=NOW)
        await uow.stories.save(ann, text="Mine.", question=None, tags=(), overall=1, now=NOW)
        await uow.reminders.set(
            ann, platform="telegram", chat_id="1", chat_user_id="1", local_time="08:00",
            timezone="UTC", next_at=NOW, now=NOW,
        )  # fmt: skip
        await uow.erasure.shred_key(ann.id, now=NOW)
    async with database.unit_of_work() as uow:
        assert await uow.reminders.due(now=NOW + timedelta(days=1)) == []
    counts = await PurgeJob(db=database, clock=FixedClock(NOW)).erase_now(ann.id)
    assert counts["stories"] == 1 and counts["reminders"] == 1
