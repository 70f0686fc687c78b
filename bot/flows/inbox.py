"""This worker's handle on the durable inbox (#12): claim an answer, record each step.

An accepted answer is stored together with an inbox entry in one transaction, before any
provider is called. The entry then moves received → transcribed → scored → replied (or
failed, when the candidate was told to send it again). Each claim carries a fresh token
and a lease; a step is written only while the token still holds the turn, so a turn that
was taken over (its lease ran out) is finished by exactly one worker.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.models import ChatRef
from bot.core.records import UserRecord
from bot.core.store import Store, UnitOfWork

log = logging.getLogger(__name__)


SAVED_WILL_FINISH = (
    "Something went wrong on my side while scoring your answer. It is saved: I'll send your "
    "feedback as soon as I can, no need to send it again."
)


class LeaseLost(Exception):
    """Another worker took this turn over; stop without storing or sending anything."""


@dataclass(frozen=True, slots=True)
class Claim:
    turn_id: int
    token: str


class TurnInbox:
    def __init__(self, *, clock: Clock, lease_s: float) -> None:
        self.clock = clock
        self.lease_s = lease_s

    def lease_until(self) -> datetime:
        return self.clock.now() + timedelta(seconds=self.lease_s)

    async def accept(
        self, uow: UnitOfWork, user: UserRecord, turn_id: int, chat: ChatRef
    ) -> Claim | None:
        """Hold a newly received answer; None while another worker is still on this turn."""
        token = secrets.token_hex(8)
        reply_to = (chat.platform, chat.chat_id, chat.user_id)
        held = await uow.inbox.accept(
            turn_id, user, reply_to=reply_to, worker=token, lease_until=self.lease_until(),
            now=self.clock.now(),
        )  # fmt: skip
        return Claim(turn_id, token) if held else None

    async def take_over(self, uow: UnitOfWork, turn_id: int) -> Claim | None:
        """Claim an unfinished turn whose lease ran out; None when another worker won."""
        token = secrets.token_hex(8)
        now = self.clock.now()
        won = await uow.inbox.take_over(
            turn_id, worker=token, lease_until=self.lease_until(), now=now
        )
        return Claim(turn_id, token) if won else None

    async def advance(self, uow: UnitOfWork, claim: Claim, step: str) -> None:
        """Record `step` (renewing the lease); LeaseLost rolls the unit of work back."""
        done = step in ("replied", "failed")
        lease = None if done else self.lease_until()
        held = await uow.inbox.advance(
            claim.turn_id, worker=claim.token, step=step, lease_until=lease, now=self.clock.now()
        )
        if not held:
            raise LeaseLost(f"turn {claim.turn_id} was taken over")

    async def settle(self, store: Store, claim: Claim, step: str, *, attempts: int = 5) -> None:
        """Record a final step after the reply went out; a busy database is retried, since
        failing here would make the turn look unfinished and its reply be sent again."""
        for attempt in range(1, attempts + 1):
            try:
                async with store.unit_of_work() as uow:
                    await self.advance(uow, claim, step)
                return
            except LeaseLost:
                raise
            except Exception:
                if attempt == attempts:
                    raise
                log.warning("turn %s: recording %s failed, retrying", claim.turn_id, step)
                await asyncio.sleep(0.2 * attempt)
