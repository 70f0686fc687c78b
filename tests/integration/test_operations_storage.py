"""The operations repositories on SQLite and PostgreSQL: contact points, counts, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.models import ChatRef
from storage.db import Database

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def test_contact_points_are_sealed_replaced_per_platform_and_gone_with_the_key(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        ada = await uow.users.create("telegram", "111", now=NOW)
        bob = await uow.users.create("discord", "222", now=NOW)
        await uow.contacts.remember(ada, ChatRef("telegram", "111", "111"), now=NOW)
        await uow.contacts.remember(ada, ChatRef("telegram", "111", "111"), now=NOW)
        await uow.contacts.remember(bob, ChatRef("discord", "dm-9", "222"), now=NOW)
        raw = (await uow.conn.exec_driver_sql("SELECT address FROM contact_points")).all()
    assert len(raw) == 2 and not any(b"111" in bytes(r[0]) or b"222" in bytes(r[0]) for r in raw)
    async with database.unit_of_work() as uow:
        everyone = await uow.contacts.everyone()
        assert {chat for _, chat in everyone} == {
            ChatRef("discord", "dm-9", "222"), ChatRef("telegram", "111", "111"),
        }  # fmt: skip
        assert await uow.erasure.shred_key(bob.id, now=NOW)
    async with database.unit_of_work() as uow:
        assert [chat.user_id for _, chat in await uow.contacts.everyone()] == ["111"]
        assert [c["chat_id"] for c in await uow.contacts.for_user(ada)] == ["111"]


async def test_counts_and_the_audit_trail_window(database: Database) -> None:
    async with database.unit_of_work() as uow:
        ada = await uow.users.create("telegram", "111", now=NOW)
        await uow.users.set_profile(ada, email="ada@example.org")
        await uow.consents.give(
            ada.id, policy_version="old", purposes=("interview",), age_confirmed=True, now=NOW
        )
        session = await uow.sessions.start(
            ada.id, platform="telegram", role="sales", level="mid", planned_questions=2, seed=1,
            now=NOW,
        )  # fmt: skip
        turn = await uow.turns.ask(session.id, seq=1, question_id="q", question_text="Q?", now=NOW)
        await uow.turns.record_answer(turn.id, ada, kind="text", text="an answer", now=NOW)
        for days in (800, 10, 0):
            await uow.audit.record(actor="a", action="x", now=NOW - timedelta(days=days))
    async with database.unit_of_work() as uow:
        assert await uow.stats.people() == 1 and await uow.stats.consented() == 0
        assert await uow.stats.active_sessions() == 1
        assert await uow.stats.answers_since(NOW) == 1
        assert await uow.stats.interview_starts(ada.id, NOW - timedelta(days=1)) == [NOW]
        assert await uow.contacts.confirmed_emails() == []  # given, not confirmed
        assert len(await uow.audit.since(NOW - timedelta(days=30))) == 2
        assert await uow.audit.forget_before(NOW - timedelta(days=730)) == 1
        assert len(await uow.audit.since()) == 2
