"""Store the provider calls made for one turn (`uow.usage`), whether the turn worked or not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.core.clock import Clock
from bot.core.store import Store
from bot.core.usage import Usage, UsageMeter


@asynccontextmanager
async def turn_usage(
    meter: UsageMeter | None, store: Store, clock: Clock, turn_id: int
) -> AsyncIterator[None]:
    """Collect the calls reported inside the block, then record them against `turn_id`."""
    if meter is None:
        yield
        return
    with meter.collect() as calls:
        try:
            yield
        finally:
            await record_usage(store, clock, turn_id, list(calls))


async def record_usage(store: Store, clock: Clock, turn_id: int, calls: list[Usage]) -> None:
    """One unit of work for a turn's calls (none when there were no calls)."""
    if not calls:
        return
    async with store.unit_of_work() as uow:
        await uow.usage.record_all(calls, turn_id, clock.now())
