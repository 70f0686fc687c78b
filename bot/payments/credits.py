"""Credits: welcome grant, the interview charge and its automatic refund, and `/credits`.

The balance is the sum of the person's append-only ledger entries. Every entry has a unique
(provider, external id, kind), so a retried step never counts twice: the welcome grant is
keyed by the person, an interview's charge and refund by its session.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.models import Inbound, Reply
from bot.core.records import SessionRecord, TurnRecord, UserRecord
from bot.core.store import Store, UnitOfWork
from bot.flows.commands import Command
from bot.flows.features import Request
from bot.payments import texts

log = logging.getLogger(__name__)
COACH = "coach"
"""Provider name of the entries the coach makes itself (grants, interview charges, refunds)."""
KIND_LABELS = {
    "grant": "free credits",
    "purchase": "bought",
    "spend": "interview",
    "refund": "refund",
    "adjust": "adjustment",
}


@dataclass(frozen=True, slots=True)
class CreditPolicy:
    enabled: bool = True
    free: int = 3
    cost: int = 1


def credit_policy(settings: Settings) -> CreditPolicy:
    return CreditPolicy(
        enabled=settings.credits == "on", free=settings.free_credits, cost=settings.interview_cost
    )


def welcome_id(user: UserRecord) -> str:
    """The welcome grant's reference: one per person (row ids can be reused after erasure)."""
    return f"welcome:{user.id}:{user.created_at:%Y%m%dT%H%M%S%f}"


def session_id(session: SessionRecord) -> str:
    """An interview's charge and refund reference."""
    return f"session:{session.id}:{session.created_at:%Y%m%dT%H%M%S%f}"


class Credits:
    """The credit rules; also the interview Guard and the session hooks of the engine."""

    def __init__(self, *, clock: Clock, policy: CreditPolicy) -> None:
        self.clock = clock
        self.policy = policy

    async def welcome(self, uow: UnitOfWork, user: UserRecord) -> bool:
        """Grant the free credits, once per person (on consent; again is a no-op)."""
        if not self.policy.enabled or not self.policy.free:
            return False
        return await uow.ledger.add(
            user.id, kind="grant", amount=self.policy.free, provider=COACH,
            external_id=welcome_id(user), now=self.clock.now(),
        )  # fmt: skip

    async def balance(self, uow: UnitOfWork, user: UserRecord) -> int:
        """The person's balance; people who consented before credits existed get the
        welcome credits on their first look."""
        await self.welcome(uow, user)
        return await uow.ledger.balance(user.id)

    async def before_start(self, uow: UnitOfWork, user: UserRecord) -> Reply | None:
        """Refuse an interview the person cannot pay for (the charge follows at start)."""
        if not self.policy.enabled or not self.policy.cost:
            return None
        balance = await self.balance(uow, user)
        if balance >= self.policy.cost:
            return None
        return Reply(texts.OUT_OF_CREDITS.format(cost=self.policy.cost, balance=balance))

    async def before_answer(
        self, uow: UnitOfWork, user: UserRecord, inbound: Inbound
    ) -> Reply | None:
        return None  # an interview is paid for once, at its start

    async def started(self, uow: UnitOfWork, user: UserRecord, session: SessionRecord) -> None:
        """Charge the interview, in the unit of work that opened it (a failed start rolls back)."""
        if not self.policy.enabled or not self.policy.cost:
            return
        await uow.ledger.add(
            user.id, kind="spend", amount=-self.policy.cost, provider=COACH,
            external_id=session_id(session), now=self.clock.now(),
        )  # fmt: skip

    async def ended(
        self, uow: UnitOfWork, user: UserRecord, session: SessionRecord, turns: list[TurnRecord]
    ) -> None:
        """Give the charge back when the interview ends before any answer was scored."""
        if any(turn.status == "scored" for turn in turns):
            return
        reference = session_id(session)
        charge = await uow.ledger.find(COACH, reference, "spend")
        if charge is None:  # started while credits were off
            return
        refunded = await uow.ledger.add(
            user.id, kind="refund", amount=-int(charge["amount"]), provider=COACH,
            external_id=reference, now=self.clock.now(),
        )  # fmt: skip
        if refunded:
            log.info("interview ended before a scored answer: charge refunded")


class CreditsFeature:
    """`/credits`: the balance and the most recent ledger entries."""

    commands = frozenset({"credits"})
    buttons: frozenset[str] = frozenset()
    before_consent: frozenset[str] = frozenset()

    def __init__(self, *, store: Store, credits: Credits, recent: int = 10) -> None:
        self.store = store
        self.credits = credits
        self.recent = recent

    async def command(self, request: Request, command: Command) -> None:
        user = request.user
        assert user is not None  # routed after the consent gate
        if not self.credits.policy.enabled:
            await request.reply(texts.CREDITS_OFF)
            return
        async with self.store.unit_of_work() as uow:
            balance = await self.credits.balance(uow, user)
            entries = (await uow.ledger.entries(user.id))[-self.recent :]
        lines = [texts.BALANCE.format(balance=balance, cost=self.credits.policy.cost)]
        if entries:
            lines.append("\nRecent:")
            lines += [_entry_line(e) for e in reversed(entries)]
        lines.append("\n" + texts.BUY_HINT)
        await request.reply("\n".join(lines))

    async def button(self, request: Request, kind: str, args: tuple[str, ...]) -> None:
        return None


def _entry_line(entry: dict[str, Any]) -> str:
    """`27 Nov 2026  +5  bought (ref stx...)`: payments show the provider's reference."""
    label = KIND_LABELS.get(entry["kind"], entry["kind"])
    reference = "" if entry["provider"] == COACH else f" (ref {entry['reference']})"
    return f"{entry['created_at']:%d %b %Y}  {entry['amount']:+d}  {label}{reference}"
