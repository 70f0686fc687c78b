"""Telegram Stars: invoices for the credit packs, pre-checkout answers, crediting, refunds.

An invoice's payload is an opaque one-time token stored with the buyer and the pack, so
neither the person's id nor the pack can be read or forged from it. A purchase is
credited once per Telegram charge id; a refund takes the same credits back.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.models import CheckoutAnswer, Invoice, Payment, Reply
from bot.core.records import UserRecord
from bot.core.store import Store, UnitOfWork
from bot.payments import texts
from bot.payments.packs import Pack

log = logging.getLogger(__name__)
STARS = "telegram-stars"
XTR = "XTR"
INVOICE_TTL = timedelta(hours=24)


class StarsGateway(Protocol):
    """What a refund needs from Telegram (the running TelegramConnector provides it)."""

    async def refund_star_payment(self, user_id: int, charge_id: str) -> None: ...


def new_token() -> str:
    return secrets.token_urlsafe(24)


async def invoices(
    uow: UnitOfWork, user: UserRecord, packs: tuple[Pack, ...], *, cost: int, now: datetime
) -> list[Reply]:
    """One invoice per pack, each carrying a fresh purchase token."""
    replies = [Reply(texts.BUY_TELEGRAM)]
    for pack in packs:
        token = new_token()
        await uow.purchases.create(
            token, user.id, provider=STARS, credits=pack.credits, price=pack.price, now=now
        )
        title = texts.INVOICE_TITLE.format(credits=pack.credits)
        description = texts.INVOICE_DESCRIPTION.format(credits=pack.credits, cost=cost)
        invoice = Invoice(title, description, token, XTR, pack.price)
        replies.append(Reply(f"{title}: {pack.price} Stars", invoice=invoice))
    return replies


async def check(uow: UnitOfWork, payment: Payment, buyer_id: str, now: datetime) -> CheckoutAnswer:
    """Accept a pre-checkout query only for a fresh, unused invoice of this buyer and price."""
    token = await uow.purchases.get(payment.payload)
    buyer = await uow.users.find("telegram", buyer_id)
    known = (
        token is not None
        and token.provider == STARS
        and buyer is not None
        and buyer.id == token.user_id
        and payment.currency == XTR
        and payment.amount == token.price
    )
    if token is None or not known:
        log.info("pre-checkout refused: unknown invoice")
        return CheckoutAnswer(payment.query_id, False, texts.CHECKOUT_UNKNOWN)
    if token.used_at is not None or token.created_at + INVOICE_TTL < now:
        log.info("pre-checkout refused: stale invoice")
        return CheckoutAnswer(payment.query_id, False, texts.CHECKOUT_STALE)
    return CheckoutAnswer(payment.query_id, True)


async def settle(uow: UnitOfWork, payment: Payment, now: datetime) -> Reply:
    """Credit a completed payment to the invoice's buyer, once per charge id."""
    token = await uow.purchases.get(payment.payload)
    if token is None or token.provider != STARS or not token.credits:
        log.error("a Stars payment could not be matched to an invoice")
        return Reply(texts.PAYMENT_UNMATCHED)
    added = await uow.ledger.add(
        token.user_id, kind="purchase", amount=token.credits, provider=STARS,
        external_id=payment.charge_id, now=now,
    )  # fmt: skip
    await uow.purchases.mark_used(token.token, now=now)
    if added:
        log.info("stars purchase credited: %s credits", token.credits)
    balance = await uow.ledger.balance(token.user_id)
    return Reply(texts.PAID.format(credits=token.credits, balance=balance))


async def refund_star_payment(
    store: Store, gateway: StarsGateway, *, telegram_user_id: str, charge_id: str, now: datetime
) -> int:
    """Refund a Stars payment and take its credits back; the number of credits removed
    (0 when it was already refunded). LookupError when no such payment of this person.
    The ledger entry and Telegram's refund succeed or fail together."""
    async with store.unit_of_work() as uow:
        purchase = await uow.ledger.find(STARS, charge_id, "purchase")
        if purchase is None:
            raise LookupError("no Telegram Stars payment has that charge id")
        owner = purchase["user_id"]
        person = await uow.users.find("telegram", telegram_user_id)
        if owner is not None and (person is None or person.id != owner):
            raise LookupError("that payment was made by someone else")
        credits = int(purchase["amount"])
        added = await uow.ledger.add(
            owner, kind="refund", amount=-credits, provider=STARS, external_id=charge_id,
            now=now,
        )  # fmt: skip
        if not added:
            return 0
        await gateway.refund_star_payment(int(telegram_user_id), charge_id)  # raises: rollback
    log.info("stars payment refunded: %s credits removed", credits)
    return credits
