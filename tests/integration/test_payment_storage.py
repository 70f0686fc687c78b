"""Payment storage on SQLite and PostgreSQL: purchase tokens, opt-ins, ledger look-ups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.db import Database

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


async def test_purchase_tokens_are_found_marked_used_once_and_listed(database: Database) -> None:
    async with database.unit_of_work() as uow:
        user = await uow.users.create("telegram", "8801", now=NOW)
        await uow.purchases.create(
            "tok-a", user.id, provider="telegram-stars", credits=5, price=250, now=NOW
        )
        await uow.purchases.mark_used("tok-a", now=NOW + timedelta(minutes=1))
        await uow.purchases.mark_used("tok-a", now=NOW + timedelta(minutes=9))
        token = await uow.purchases.get("tok-a")
        assert await uow.purchases.get("tok-missing") is None
        listed = await uow.purchases.for_user(user.id)
    assert token is not None and token.user_id == user.id and token.credits == 5
    assert token.used_at == NOW + timedelta(minutes=1)  # the first use counts
    assert [t.token for t in listed] == ["tok-a"]


async def test_the_ledger_finds_an_entry_and_keeps_unlinked_payments(database: Database) -> None:
    async with database.unit_of_work() as uow:
        user = await uow.users.create("telegram", "8802", now=NOW)
        assert await uow.ledger.add(
            None, kind="purchase", amount=5, provider="lemonsqueezy", external_id="o-1", now=NOW
        )
        assert not await uow.ledger.add(
            user.id, kind="purchase", amount=5, provider="lemonsqueezy", external_id="o-1",
            now=NOW,
        )  # fmt: skip
        found = await uow.ledger.find("lemonsqueezy", "o-1", "purchase")
        assert await uow.ledger.find("lemonsqueezy", "o-1", "refund") is None
        assert await uow.ledger.balance(user.id) == 0
    assert found == {"user_id": None, "amount": 5, "created_at": NOW}


async def test_the_marketing_record_is_created_then_updated(database: Database) -> None:
    async with database.unit_of_work() as uow:
        user = await uow.users.create("telegram", "8803", now=NOW)
        assert await uow.marketing.get(user.id) is None
        await uow.marketing.save(user.id, opted_in_at=NOW, method="double opt-in e-mail",
                                 subscriber_id="ml-9")  # fmt: skip
        await uow.marketing.save(user.id, opted_out_at=NOW + timedelta(days=1))
        record = await uow.marketing.get(user.id)
    assert record is not None and record.subscriber_id == "ml-9"
    assert record.opted_in_at == NOW and record.opted_out_at == NOW + timedelta(days=1)
