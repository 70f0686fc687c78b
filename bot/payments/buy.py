"""`/buy`, `/paysupport` and payment events: Telegram Stars in Telegram, a checkout link
(Lemon Squeezy) everywhere else."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.clock import Clock
from bot.core.models import Reply
from bot.core.store import Store
from bot.flows.commands import Command
from bot.flows.features import Request
from bot.payments import lemonsqueezy, stars, texts
from bot.payments.credits import Credits
from bot.payments.packs import Pack


@dataclass(frozen=True, slots=True)
class ShopSettings:
    star_packs: tuple[Pack, ...] = ()
    checkout_url: str | None = None
    support_contact: str = "privacy@example.org"


class PaymentsFeature:
    commands = frozenset({"buy", "paysupport"})
    buttons = frozenset({"payment"})
    before_consent = frozenset({"paysupport"})

    def __init__(
        self, *, store: Store, clock: Clock, credits: Credits, settings: ShopSettings
    ) -> None:
        self.store = store
        self.clock = clock
        self.credits = credits
        self.settings = settings

    async def command(self, request: Request, command: Command) -> None:
        if command.name == "paysupport":
            await request.reply(texts.PAY_SUPPORT.format(contact=self.settings.support_contact))
            return
        user = request.user
        assert user is not None  # `/buy` is routed after the consent gate
        if not self.credits.policy.enabled:
            await request.reply(texts.CREDITS_OFF)
            return
        now, url = self.clock.now(), self.settings.checkout_url
        replies: list[Reply] = [Reply(texts.BUY_UNAVAILABLE)]
        async with self.store.unit_of_work() as uow:
            if request.chat.platform == "telegram" and self.settings.star_packs:
                cost = self.credits.policy.cost
                replies = await stars.invoices(
                    uow, user, self.settings.star_packs, cost=cost, now=now
                )
            elif url:
                link = await lemonsqueezy.checkout_link(uow, user, url, now=now)
                replies = [Reply(texts.BUY_LINK.format(url=link), private=True)]
        for reply in replies:
            await request.reply(reply)

    async def button(self, request: Request, kind: str, args: tuple[str, ...]) -> None:
        """A payment event from the adapter (never a real button: those carry no payment)."""
        payment = request.inbound.payment
        if payment is None:
            await request.reply("That button has expired. Send /buy to see the packs.")
            return
        now = self.clock.now()
        async with self.store.unit_of_work() as uow:
            if payment.kind == "pre_checkout":
                answer = await stars.check(uow, payment, request.chat.user_id, now)
                reply = Reply("", checkout=answer)
            else:
                reply = await stars.settle(uow, payment, now)
        await request.reply(reply)
