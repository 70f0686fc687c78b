"""Financial records outlive an erasure, unlinked, for the retention period; others unaffected."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bot.core.clock import FixedClock
from storage.tables import credit_ledger
from tests.world import World, make_world


async def balance_of(world: World, user_id: str) -> int:
    async with world.app.db.unit_of_work() as uow:
        user = await uow.users.find("telegram", user_id)
        assert user is not None
        return await uow.ledger.balance(user.id)


async def test_an_erasure_anonymises_the_ledger_and_leaves_other_balances_alone(
    tmp_path: Path,
) -> None:
    clock = FixedClock()
    world = await make_world(
        tmp_path, clock=clock, COACH_CREDITS="on", COACH_FINANCIAL_RETENTION_YEARS="7"
    )
    try:
        leaving, staying = world.candidate("3001"), world.candidate("3002")
        for person in (leaving, staying):
            await person.consent()
            await person.press("level:sales:mid")  # charged one credit each
        async with world.app.db.unit_of_work() as uow:
            user = await uow.users.find("telegram", "3002")
            assert user is not None
            await uow.ledger.add(
                user.id, kind="adjust", amount=4, provider="admin", external_id="goodwill-1",
                now=clock.now(),
            )  # fmt: skip
        assert await balance_of(world, "3002") == 6
        await leaving.say("/delete")
        await leaving.press("delete:now")
        async with world.app.db.engine.connect() as conn:
            rows = (await conn.execute(sa.select(credit_ledger))).all()
        orphans = [r for r in rows if r.user_id is None]
        assert len(rows) == 5 and len(orphans) == 2  # grant and charge of the erased person
        assert sorted(r.amount for r in orphans) == [-1, 3]
        assert await balance_of(world, "3002") == 6

        clock.advance(days=365 * 7 - 10)
        assert (await world.app.purge.run()).financial_rows_deleted == 0  # still kept
        clock.advance(days=20)
        report = await world.app.purge.run()
        assert report.financial_rows_deleted == 2
        assert await world.count("credit_ledger") == 3
        assert await balance_of(world, "3002") == 6  # the linked records stay
    finally:
        await world.app.close()
