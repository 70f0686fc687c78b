"""Lemon Squeezy: checkout links carrying a purchase token, and its signed order webhooks.

The checkout link carries an opaque token in the checkout's custom data; Lemon Squeezy
returns it in `meta.custom_data` of every order event. Each delivery is signed: `X-Signature`
is the hex HMAC-SHA256 of the raw body under the webhook's signing secret. An order is
credited once per order id (redeliveries change nothing) and a refund takes it back. Only
the order id, the credits and the buyer's internal id are stored: no name, no e-mail.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aiohttp import web

from bot.core.clock import Clock
from bot.core.records import UserRecord
from bot.core.store import Store, UnitOfWork
from bot.payments.stars import new_token

log = logging.getLogger(__name__)
LEMONSQUEEZY = "lemonsqueezy"
WEBHOOK_PATH = "/webhooks/lemonsqueezy"
SIGNATURE_HEADER = "X-Signature"
TOKEN_FIELD = "checkout[custom][token]"


async def checkout_link(uow: UnitOfWork, user: UserRecord, base_url: str, *, now: datetime) -> str:
    """The checkout URL with a fresh purchase token in its custom data."""
    token = new_token()
    await uow.purchases.create(
        token, user.id, provider=LEMONSQUEEZY, credits=None, price=None, now=now
    )
    parts = urlsplit(base_url)
    query = urlencode([*parse_qsl(parts.query), (TOKEN_FIELD, token)])
    return urlunsplit(parts._replace(query=query))


def signature(body: bytes, secret: str) -> str:
    """What Lemon Squeezy sends in X-Signature for `body`."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class BadEvent(ValueError):
    """A signed body that is not an order event we can read."""


class OrderEvents:
    """Applies verified order events to the ledger."""

    def __init__(self, *, store: Store, clock: Clock, variants: Mapping[str, int]) -> None:
        self.store = store
        self.clock = clock
        self.variants = variants

    async def apply(self, event: dict[str, Any]) -> str:
        """Credit or take back one order; a short outcome for the HTTP answer."""
        name, order_id, variant, token = _read(event)
        now = self.clock.now()
        async with self.store.unit_of_work() as uow:
            if name == "order_created":
                credits = self.variants.get(variant)
                if credits is None:
                    raise BadEvent(f"variant {variant} is not in LEMONSQUEEZY_VARIANTS")
                purchase = await uow.purchases.get(token) if token else None
                owner = purchase.user_id if purchase and purchase.provider == LEMONSQUEEZY else None
                if owner is None:
                    log.error("lemon squeezy order without a known purchase token: kept unlinked")
                added = await uow.ledger.add(
                    owner, kind="purchase", amount=credits, provider=LEMONSQUEEZY,
                    external_id=order_id, now=now,
                )  # fmt: skip
                if purchase is not None:
                    await uow.purchases.mark_used(purchase.token, now=now)
                return "credited" if added else "already credited"
            bought = await uow.ledger.find(LEMONSQUEEZY, order_id, "purchase")
            if bought is None:
                return "no such order"
            added = await uow.ledger.add(
                bought["user_id"], kind="refund", amount=-int(bought["amount"]),
                provider=LEMONSQUEEZY, external_id=order_id, now=now,
            )  # fmt: skip
            return "refunded" if added else "already refunded"


def _read(event: dict[str, Any]) -> tuple[str, str, str, str | None]:
    """(event name, order id, variant id, purchase token) of an order event."""
    try:
        meta, data = event["meta"], event["data"]
        name = str(meta["event_name"])
        order_id = str(data["id"])
        variant = str(data["attributes"]["first_order_item"]["variant_id"])
    except (KeyError, TypeError) as exc:
        raise BadEvent(f"not an order event ({type(exc).__name__})") from exc
    if name not in ("order_created", "order_refunded") or data.get("type") != "orders":
        raise BadEvent("not an order event")
    custom = meta.get("custom_data") or {}
    token = custom.get("token") if isinstance(custom, dict) else None
    return name, order_id, variant, str(token) if token else None


def webhook_handler(
    events: OrderEvents, secret: str
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The aiohttp handler of `POST /webhooks/lemonsqueezy`."""

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        presented = request.headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(presented.encode(), signature(body, secret).encode()):
            log.warning("lemon squeezy webhook refused: missing or wrong signature")
            return web.Response(status=401, text="bad signature")
        try:
            event = json.loads(body)
            if not isinstance(event, dict):
                raise BadEvent("not a JSON object")
            if event.get("meta", {}).get("event_name") not in ("order_created", "order_refunded"):
                return web.Response(text="ignored")
            outcome = await events.apply(event)
        except (ValueError, AttributeError) as exc:  # BadEvent and JSON errors
            log.warning("lemon squeezy webhook rejected: %s", exc)
            return web.Response(status=400, text="malformed event")
        log.info("lemon squeezy order event: %s", outcome)
        return web.Response(text=outcome)

    return receive
