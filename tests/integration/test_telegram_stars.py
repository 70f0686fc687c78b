"""Telegram Stars through the real PTB connector and a loopback fake Bot API."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.adapters.telegram import TelegramConnector, TelegramOptions
from bot.adapters.telegram.connector import ALLOWED_UPDATES
from bot.adapters.telegram.retry import RetryPolicy
from bot.payments.stars import refund_star_payment
from tests.fake_servers.telegram_api import (
    FakeBotApi,
    button_update,
    message_update,
    pre_checkout_update,
    successful_payment_update,
)
from tests.world import World, make_world

CHAT = 5151
OTHER = 6262


@dataclass
class Shop:
    api: FakeBotApi
    world: World
    connector: TelegramConnector

    async def balance(self, chat: int = CHAT) -> int:
        async with self.world.app.db.unit_of_work() as uow:
            user = await uow.users.find("telegram", str(chat))
            assert user is not None
            return await uow.ledger.balance(user.id)


@pytest.fixture
async def shop(api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Shop]:
    world = await make_world(
        tmp_path, COACH_CREDITS="on", COACH_FREE_CREDITS="1", COACH_STAR_PACKS="5:250,20:900"
    )
    options = TelegramOptions(
        token=api.token, api_base_url=api.base_url, file_base_url=api.file_base_url,
        poll_timeout_s=5, retry=RetryPolicy(attempts=3, backoff_s=0.01),
    )  # fmt: skip
    connector = TelegramConnector(options)
    await connector.start(world.app.engine.handle)
    yield Shop(api, world, connector)
    await connector.stop()
    await world.app.close()


async def consent(api: FakeBotApi, chat: int) -> None:
    for update, count in (
        (message_update(chat, text="/start"), 1),
        (button_update(chat, "age:16plus"), 2),
        (button_update(chat, "consent:agree:16plus"), 4),
    ):
        await api.push(update)
        await api.wait_for(lambda a, n=count: len(a.texts(chat)) >= n)  # type: ignore[misc]


async def invoices(shop: Shop, chat: int = CHAT) -> list[dict[str, str]]:
    before = len(shop.api.sent("sendInvoice", chat))
    await shop.api.push(message_update(chat, text="/buy"))
    await shop.api.wait_for(lambda a: len(a.sent("sendInvoice", chat)) >= before + 2)
    return [c.params for c in shop.api.sent("sendInvoice", chat)[before:]]


async def pre_checkout(shop: Shop, payload: str, amount: int, chat: int = CHAT) -> dict[str, str]:
    before = len(shop.api.sent("answerPreCheckoutQuery"))
    await shop.api.push(pre_checkout_update(chat, payload, amount))
    call = await shop.api.wait_for_call("answerPreCheckoutQuery", before + 1)
    return call.params


async def pay(shop: Shop, payload: str, amount: int, charge: str) -> str:
    before = len(shop.api.texts(CHAT))
    await shop.api.push(successful_payment_update(CHAT, payload, amount, charge))
    await shop.api.wait_for(lambda a: len(a.texts(CHAT)) > before)
    return shop.api.texts(CHAT)[before]


async def test_buy_sends_one_stars_invoice_per_pack_with_an_opaque_payload(shop: Shop) -> None:
    await consent(shop.api, CHAT)
    sent = await invoices(shop)
    assert [(p["currency"], p["provider_token"]) for p in sent] == [("XTR", "")] * 2
    assert [json.loads(p["prices"]) for p in sent] == [
        [{"label": "5 interview credits", "amount": 250}],
        [{"label": "20 interview credits", "amount": 900}],
    ]
    payloads = [p["payload"] for p in sent]
    assert len(set(payloads)) == 2 and all(str(CHAT) not in p for p in payloads)
    assert "pre_checkout_query" in ALLOWED_UPDATES


async def test_a_stars_purchase_credits_once_and_a_refund_takes_it_back(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await consent(shop.api, CHAT)
    payload = (await invoices(shop))[0]["payload"]
    answer = await pre_checkout(shop, payload, 250)
    assert answer["ok"] == "true"
    assert await shop.balance() == 1
    reply = await pay(shop, payload, 250, "stxCHARGE1")
    assert "5 credits were added" in reply and "You now have 6" in reply
    await pay(shop, payload, 250, "stxCHARGE1")  # Telegram delivered it again
    assert await shop.balance() == 6
    db, clock = shop.world.app.db, shop.world.app.engine.clock
    removed = await refund_star_payment(
        db, shop.connector, telegram_user_id=str(CHAT), charge_id="stxCHARGE1", now=clock.now()
    )
    assert removed == 5 and await shop.balance() == 1
    call = shop.api.sent("refundStarPayment")[0]
    assert call.params == {"user_id": str(CHAT), "telegram_payment_charge_id": "stxCHARGE1"}
    again = await refund_star_payment(
        db, shop.connector, telegram_user_id=str(CHAT), charge_id="stxCHARGE1", now=clock.now()
    )
    assert again == 0 and len(shop.api.sent("refundStarPayment")) == 1
    assert "stars purchase credited" in caplog.text and str(CHAT) not in caplog.text
    assert payload not in caplog.text


async def test_a_refund_telegram_refuses_leaves_the_credits(shop: Shop) -> None:
    await consent(shop.api, CHAT)
    payload = (await invoices(shop))[0]["payload"]
    await pay(shop, payload, 250, "stxCHARGE2")
    shop.api.fail_once("refundStarPayment", 400)
    db, clock = shop.world.app.db, shop.world.app.engine.clock
    with pytest.raises(Exception, match="injected failure"):
        await refund_star_payment(
            db, shop.connector, telegram_user_id=str(CHAT), charge_id="stxCHARGE2",
            now=clock.now(),
        )  # fmt: skip
    assert await shop.balance() == 6
    with pytest.raises(LookupError):
        await refund_star_payment(
            db, shop.connector, telegram_user_id=str(OTHER), charge_id="stxCHARGE2",
            now=clock.now(),
        )  # fmt: skip


async def test_pre_checkout_rejects_unknown_used_forwarded_and_mispriced_invoices(
    shop: Shop,
) -> None:
    await consent(shop.api, CHAT)
    await consent(shop.api, OTHER)
    payload = (await invoices(shop))[0]["payload"]
    unknown = await pre_checkout(shop, "made-up-payload", 250)
    assert unknown["ok"] == "false" and "/buy" in unknown["error_message"]
    assert (await pre_checkout(shop, payload, 1))["ok"] == "false"  # wrong price
    assert (await pre_checkout(shop, payload, 250, chat=OTHER))["ok"] == "false"  # forwarded
    await pay(shop, payload, 250, "stxCHARGE3")
    used = await pre_checkout(shop, payload, 250)
    assert used["ok"] == "false" and "expired" in used["error_message"]


async def test_paysupport_answers_before_consent(shop: Shop) -> None:
    await shop.api.push(message_update(CHAT, text="/paysupport"))
    await shop.api.wait_for(lambda a: len(a.texts(CHAT)) >= 1)
    assert "Help with a payment" in shop.api.texts(CHAT)[0]
