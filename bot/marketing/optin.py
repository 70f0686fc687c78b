"""`/marketing on EMAIL | off`: the opt-in to e-mail tips, recorded and sent to MailerLite.

Opting in records the marketing purpose as consent, stores the address sealed (like the
profile e-mail), and adds the person to MailerLite as unconfirmed: MailerLite sends the
confirmation link (double opt-in). Opting out unsubscribes them there. Nothing reaches
MailerLite before the person's own `/marketing on EMAIL`. Without MailerLite configured,
`/marketing` keeps its plain consent-flag behaviour (bot.privacy.rights).

With an SMTP channel (`COACH_SMTP_URL`) the bot runs the double opt-in itself: it e-mails a
code (bot.marketing.confirmation), and `/marketing confirm CODE` marks the address confirmed
(so breach notices reach it), records the opt-in and adds the person to MailerLite as active.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from typing import Protocol

from bot.core.clock import Clock
from bot.core.errors import ProviderError
from bot.core.models import Reply
from bot.core.records import UserRecord
from bot.core.store import Store, UnitOfWork
from bot.flows.commands import Command
from bot.flows.features import Request
from bot.marketing import texts as code_texts
from bot.marketing.confirmation import CODE_TTL, EmailCodes, Outcome
from bot.payments import texts
from bot.privacy.rights import PrivacyRights, validate_profile

log = logging.getLogger(__name__)
METHOD = "double opt-in e-mail"
CODE_METHOD = "double opt-in code e-mail"
REFUSED: dict[Outcome, str] = {
    "none": code_texts.NO_CODE, "expired": code_texts.EXPIRED_CODE,
    "locked": code_texts.LOCKED_CODE, "wrong": code_texts.WRONG_CODE,
}  # fmt: skip


class MailingList(Protocol):
    async def subscribe(
        self, email: str, *, opted_in_at: datetime, confirmed: bool = False
    ) -> str: ...
    async def unsubscribe(self, subscriber_id: str) -> None: ...
    async def forget(self, subscriber_id: str) -> None: ...


class MarketingFeature:
    commands = frozenset({"marketing"})
    buttons: frozenset[str] = frozenset()
    before_consent: frozenset[str] = frozenset()

    def __init__(
        self, *, store: Store, clock: Clock, rights: PrivacyRights, mailing: MailingList | None,
        codes: EmailCodes | None = None,
    ) -> None:  # fmt: skip
        self.store = store
        self.clock = clock
        self.rights = rights
        self.mailing = mailing
        self.codes = codes

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
        except (smtplib.SMTPException, OSError) as exc:  # the code e-mail was refused
            log.warning("confirmation code not e-mailed: %s", type(exc).__name__)
            reply = Reply(code_texts.MAIL_UNAVAILABLE)
        await request.reply(reply)

    async def _choose(
        self, uow: UnitOfWork, user: UserRecord, request: Request, choice: str,
        rest: tuple[str, ...],
    ) -> Reply:  # fmt: skip
        if self.mailing is None and self.codes is None:  # the consent flag alone
            return await self.rights.marketing(uow, user, request.chat, (choice,))
        if choice == "confirm" and self.codes is not None:
            return await self._confirm(uow, user, "".join(rest))
        record = await uow.marketing.get(user.id)
        subscribed = record is not None and record.opted_out_at is None
        if choice == "on" and rest:
            return await self._opt_in(uow, user, request, " ".join(rest).strip())
        if choice == "on":
            return Reply(code_texts.ASK_EMAIL if self.codes else texts.MARKETING_ASK_EMAIL)
        if choice == "off":
            if subscribed and record is not None:
                if self.mailing is not None and record.subscriber_id:
                    await self.mailing.unsubscribe(record.subscriber_id)
                await uow.marketing.save(user.id, opted_out_at=self.clock.now())
            await uow.marketing.drop_code(user.id)
            await self.rights.marketing(uow, user, request.chat, ("off",))
            return Reply(texts.MARKETING_OFF)
        return Reply(texts.MARKETING_STATE.format(state="on" if subscribed else "off"))

    async def _opt_in(
        self, uow: UnitOfWork, user: UserRecord, request: Request, email: str
    ) -> Reply:
        problem = validate_profile("email", email)
        if problem:
            return Reply(problem)
        now = self.clock.now()
        if self.codes is not None and not await self.codes.may_send(uow, user.id, now):
            return Reply(code_texts.TOO_MANY_SENDS)  # before anything changes
        await self.rights.marketing(uow, user, request.chat, ("on",))
        await uow.users.set_profile(user, email=email)  # a new address is unconfirmed
        if self.codes is not None:
            await self._stop_unconfirmed(uow, user.id)
            await self.codes.issue(uow, user.id, email, now)
            log.info("marketing opt-in started; confirmation code e-mailed")
            minutes = int(CODE_TTL.total_seconds() // 60)
            return Reply(code_texts.CODE_SENT.format(email=email, minutes=minutes), private=True)
        assert self.mailing is not None
        subscriber = await self.mailing.subscribe(email, opted_in_at=now)  # raises: rollback
        await uow.marketing.save(
            user.id, opted_in_at=now, method=METHOD, subscriber_id=subscriber, opted_out_at=None
        )
        log.info("marketing opt-in recorded; confirmation e-mail requested")
        return Reply(texts.MARKETING_CONFIRM_SENT.format(email=email), private=True)

    async def _stop_unconfirmed(self, uow: UnitOfWork, user_id: int) -> None:
        """A new address is unconfirmed: tips stop until it is confirmed."""
        record = await uow.marketing.get(user_id)
        if record is None or record.opted_out_at is not None:
            return
        if self.mailing is not None and record.subscriber_id:
            await self.mailing.unsubscribe(record.subscriber_id)
        await uow.marketing.save(user_id, opted_out_at=self.clock.now())

    async def _confirm(self, uow: UnitOfWork, user: UserRecord, code: str) -> Reply:
        """`/marketing confirm CODE`: a match confirms the address and records the opt-in."""
        assert self.codes is not None
        if not code:
            return Reply(code_texts.CONFIRM_HOW)
        now = self.clock.now()
        outcome = await self.codes.check(uow, user.id, code, now)
        if outcome != "ok":
            log.info("e-mail confirmation refused (%s)", outcome)
            return Reply(REFUSED[outcome])
        await uow.users.confirm_email(user)
        email = (await uow.users.profile(user)).get("email")
        subscriber = None
        if self.mailing is not None and email:  # raises: rollback, the code stays pending
            subscriber = await self.mailing.subscribe(email, opted_in_at=now, confirmed=True)
        await uow.marketing.save(
            user.id, opted_in_at=now, method=CODE_METHOD, subscriber_id=subscriber,
            opted_out_at=None,
        )  # fmt: skip
        log.info("e-mail confirmed by code; marketing opt-in recorded")
        return Reply(code_texts.CONFIRMED)


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
