"""Lemon Squeezy: `/buy` off Telegram gives a checkout link; signed order webhooks over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from bot.web import build_web_app, start_web
from tests.fakes import Candidate
from tests.world import World, make_world

SECRET = "whsec-test-8d0c6f"
CHECKOUT = "https://coach.lemonsqueezy.com/checkout/buy/7c1e-uuid?embed=0"
VARIANT_5, VARIANT_20 = 4401, 4402


class LemonSqueezySender:
    """Posts webhook events the way Lemon Squeezy does: JSON body, hex HMAC in X-Signature."""

    def __init__(self, url: str, secret: str) -> None:
        self.url = url
        self.secret = secret

    async def deliver(self, event: dict[str, Any], *, signature: str | None = None) -> int:
        body = json.dumps(event).encode()
        sign = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Event-Name": event["meta"]["event_name"]}
        headers["X-Signature"] = sign if signature is None else signature
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url, data=body, headers=headers) as r,
        ):
            return r.status

    async def raw(self, body: bytes) -> int:
        sign = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url, data=body, headers={"X-Signature": sign}) as response,
        ):
            return response.status


def order_event(
    name: str, order_id: int, token: str | None, variant: int = VARIANT_5
) -> dict[str, Any]:
    """An order event as Lemon Squeezy sends it (trimmed to the fields that matter)."""
    return {
        "meta": {
            "event_name": name,
            "test_mode": True,
            "custom_data": {"token": token} if token else None,
        },
        "data": {
            "type": "orders",
            "id": str(order_id),
            "attributes": {
                "store_id": 1,
                "user_name": "Ada Lovelace",
                "user_email": "ada@example.org",
                "status": "refunded" if name == "order_refunded" else "paid",
                "total": 900,
                "currency": "USD",
                "first_order_item": {"order_id": order_id, "variant_id": variant, "quantity": 1},
            },
        },
    }


@dataclass
class Store:
    world: World
    sender: LemonSqueezySender

    async def balance(self, user_id: str = "2002") -> int:
        async with self.world.app.db.unit_of_work() as uow:
            user = await uow.users.find("discord", user_id)
            assert user is not None
            return await uow.ledger.balance(user.id)

    async def token_for(self, candidate: Candidate) -> str:
        reply = await candidate.say("/buy")
        link = next(word for word in reply.text.split() if word.startswith("https://"))
        query = parse_qs(urlsplit(link).query)
        assert query["embed"] == ["0"]  # the configured URL's own parameters are kept
        return query["checkout[custom][token]"][0]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    world = await make_world(
        tmp_path, COACH_CREDITS="on", COACH_FREE_CREDITS="1", LEMONSQUEEZY_CHECKOUT_URL=CHECKOUT,
        LEMONSQUEEZY_WEBHOOK_SECRET=SECRET,
        LEMONSQUEEZY_VARIANTS=f"{VARIANT_5}:5,{VARIANT_20}:20",
    )  # fmt: skip
    web = await start_web(
        build_web_app(lemonsqueezy=world.app.lemonsqueezy), host="127.0.0.1", port=0
    )
    port = web.addresses[0][1]
    yield Store(world, LemonSqueezySender(f"http://127.0.0.1:{port}/webhooks/lemonsqueezy", SECRET))
    await web.cleanup()
    await world.app.close()


async def customer(store: Store) -> Candidate:
    c = Candidate(store.world.app.engine, platform="discord", user_id="2002")
    await c.consent()
    return c


async def test_buy_off_telegram_returns_a_checkout_link_with_an_opaque_token(store: Store) -> None:
    c = await customer(store)
    token = await store.token_for(c)
    assert len(token) >= 32 and "2002" not in token
    assert token != await store.token_for(c)  # one per purchase


async def test_a_signed_webhook_delivered_three_times_credits_once(store: Store) -> None:
    c = await customer(store)
    event = order_event("order_created", 90001, await store.token_for(c), VARIANT_20)
    statuses = [await store.sender.deliver(event) for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert await store.balance() == 21
    assert await store.world.count("credit_ledger") == 2  # welcome grant + one purchase


async def test_a_forged_signature_gives_401_and_no_credit(store: Store) -> None:
    c = await customer(store)
    event = order_event("order_created", 90002, await store.token_for(c))
    forged = hmac.new(b"not-the-secret", json.dumps(event).encode(), hashlib.sha256).hexdigest()
    assert await store.sender.deliver(event, signature=forged) == 401
    assert await store.sender.deliver(event, signature="") == 401
    assert await store.balance() == 1


async def test_malformed_or_unmapped_signed_bodies_get_400_and_change_nothing(store: Store) -> None:
    c = await customer(store)
    token = await store.token_for(c)
    assert await store.sender.raw(b"{not json") == 400
    assert await store.sender.raw(b'{"meta": {"event_name": "order_created"}, "data": []}') == 400
    assert await store.sender.deliver(order_event("order_created", 90003, token, 999)) == 400
    assert await store.balance() == 1


async def test_a_refund_takes_the_credits_back_once(store: Store) -> None:
    c = await customer(store)
    token = await store.token_for(c)
    await store.sender.deliver(order_event("order_created", 90004, token))
    assert await store.balance() == 6
    for _ in range(2):
        assert await store.sender.deliver(order_event("order_refunded", 90004, token)) == 200
    assert await store.balance() == 1


async def test_other_events_are_acknowledged_and_ignored(store: Store) -> None:
    event = order_event("subscription_created", 1, None)
    assert await store.sender.deliver(event) == 200
    assert await store.world.count("credit_ledger") == 0


async def test_only_what_the_financial_record_needs_is_stored(store: Store) -> None:
    c = await customer(store)
    await store.sender.deliver(order_event("order_created", 90005, await store.token_for(c)))
    async with store.world.app.db.engine.connect() as conn:
        dump = "\n".join(
            str(row) for row in (await conn.exec_driver_sql("SELECT * FROM credit_ledger"))
        )
    assert "90005" in dump
    assert "Ada" not in dump and "ada@example.org" not in dump
