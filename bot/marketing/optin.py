"""`/marketing on EMAIL | off`: the opt-in to e-mail tips, recorded and sent to MailerLite.

Opting in records the marketing purpose as consent, stores the address sealed (like the
profile e-mail), and adds the person to MailerLite as unconfirmed: MailerLite sends the
confirmation link (double opt-in). Opting out unsubscribes them there. Nothing reaches
MailerLite before the person's own `/marketing on EMAIL`. Without MailerLite configured,
`/marketing` keeps its plain consent-flag behaviour (bot.privacy.rights).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from bot.core.clock import Clock
from bot.core.errors import ProviderError
from bot.core.models import Reply
from bot.core.records import UserRecord
from bot.core.store import Store, UnitOfWork
from bot.flows.commands import Command
from bot.flows.features import Request
from bot.payments import texts
from bot.privacy.rights import PrivacyRights, validate_profile

log = logging.getLogger(__name__)
METHOD = "double opt-in e-mail"


class MailingList(Protocol):
    async def subscribe(self, email: str, *, opted_in_at: datetime) -> str: ...
    async def unsubscribe(self, subscriber_id: str) -> None: ...
    async def forget(self, subscriber_id: str) -> None: ...


class MarketingFeature:
    commands = frozenset({"marketing"})
    buttons: frozenset[str] = frozenset()
    before_consent: frozenset[str] = frozenset()

    def __init__(
        self, *, store: Store, clock: Clock, rights: PrivacyRights, mailing: MailingList | None
    ) -> None:
        self.store = store
        self.clock = clock
        self.rights = rights
        self.mailing = mailing

    async def button(self, request: Request, kind: str, args: tuple[str, ...]) -> None:
        """Owns no buttons, so the engine never routes one here."""

    async def command(self, request: Request, command: Command) -> None:
        user = request.user
        assert user is not None  # routed after the consent gate
        choice = command.args[0].lower() if command.args else ""
        try:
            async with self.store.unit_of_work() as uow:
                reply = await self._choose(uow, user, request, choice, command.args[1:])
        except ProviderError as exc:
            log.warning("marketing change not made: %s", exc)
            reply = Reply(texts.MARKETING_UNAVAILABLE)
        await request.reply(reply)

    async def _choose(
        self, uow: UnitOfWork, user: UserRecord, request: Request, choice: str,
        rest: tuple[str, ...],
    ) -> Reply:  # fmt: skip
        if self.mailing is None:  # no mailing list: the consent flag alone
            return await self.rights.marketing(uow, user, request.chat, (choice,))
        record = await uow.marketing.get(user.id)
        subscribed = record is not None and record.opted_out_at is None
        if choice == "on" and rest:
            return await self._opt_in(uow, user, request, " ".join(rest).strip())
        if choice == "on":
            return Reply(texts.MARKETING_ASK_EMAIL)
        if choice == "off":
            if subscribed and record is not None and record.subscriber_id:
                await self.mailing.unsubscribe(record.subscriber_id)
                await uow.marketing.save(user.id, opted_out_at=self.clock.now())
            await self.rights.marketing(uow, user, request.chat, ("off",))
            return Reply(texts.MARKETING_OFF)
        return Reply(texts.MARKETING_STATE.format(state="on" if subscribed else "off"))

    async def _opt_in(
        self, uow: UnitOfWork, user: UserRecord, request: Request, email: str
    ) -> Reply:
        assert self.mailing is not None
        problem = validate_profile("email", email)
        if problem:
            return Reply(problem)
        now = self.clock.now()
        await self.rights.marketing(uow, user, request.chat, ("on",))
        await uow.users.set_profile(user, email=email)
        subscriber = await self.mailing.subscribe(email, opted_in_at=now)  # raises: rollback
        await uow.marketing.save(
            user.id, opted_in_at=now, method=METHOD, subscriber_id=subscriber, opted_out_at=None
        )
        log.info("marketing opt-in recorded; confirmation e-mail requested")
        return Reply(texts.MARKETING_CONFIRM_SENT.format(email=email), private=True)


def subscriber_forgetter(store: Store, mailing: MailingList) -> ForgetHook:
    """For the purge: ask MailerLite to forget a person before their rows are erased."""

    async def forget(user_id: int) -> None:
        async with store.unit_of_work() as uow:
            record = await uow.marketing.get(user_id)
        if record is not None and record.subscriber_id:
            await mailing.forget(record.subscriber_id)  # raises: the purge retries the person

    return forget


class ForgetHook(Protocol):
    async def __call__(self, user_id: int) -> None: ...
