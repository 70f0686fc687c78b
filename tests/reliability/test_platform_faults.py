"""Telegram misbehaving: sends refused with 429/5xx are retried, a dropped long poll
reconnects; the candidate gets every reply exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.adapters.telegram import TelegramConnector
from tests.fake_servers.telegram_api import FakeBotApi, message_update
from tests.integration.test_telegram import CHAT, options, say
from tests.world import World, make_world


class FlakyBotApi(FakeBotApi):
    """Can cut the connection of the next long polls, as a proxy or a flaky network does."""

    def __init__(self) -> None:
        super().__init__()
        self.drop_polls = 0
        self.dropped = 0

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info.get("method") == "getUpdates" and self.drop_polls:
            self.drop_polls -= 1
            self.dropped += 1
            await request.read()
            if request.transport is not None:
                request.transport.abort()
            return web.Response()
        return await super()._api(request)


@pytest.fixture
async def flaky(tmp_path: Path) -> AsyncIterator[tuple[FlakyBotApi, World]]:
    api = FlakyBotApi()
    await api.start()
    world = await make_world(tmp_path)
    connector = TelegramConnector(options(api))
    await connector.start(world.app.engine.handle)
    yield api, world
    await connector.stop()
    await world.app.close()
    await api.stop()


async def test_dropped_and_refused_long_polls_reconnect_and_the_next_message_is_answered(
    flaky: tuple[FlakyBotApi, World],
) -> None:
    api, _ = flaky
    await say(api, "/help")
    api.drop_polls = 2
    api.fail_once("getUpdates", 502)
    api.fail_once("getUpdates", 429, retry_after=1)
    await say(api, "/help")  # the poll already waiting delivers this one
    polls = len(api.sent("getUpdates"))
    await api.push(message_update(CHAT, text="/help"))
    await api.wait_for(lambda a: len(a.texts(CHAT)) == 3, timeout=60)
    assert api.dropped == 2 and len(api.sent("getUpdates")) >= polls + 2
    assert len(set(api.texts(CHAT))) == 1


@pytest.mark.parametrize("status", [429, 500, 502, 503])
async def test_a_reply_refused_by_telegram_is_retried_and_delivered_once(
    flaky: tuple[FlakyBotApi, World], status: int
) -> None:
    api, _ = flaky
    await say(api, "/help")
    for _ in range(2):
        api.fail_once("sendMessage", status, retry_after=1 if status == 429 else None)
    await api.push(message_update(CHAT, text="/help"))
    await api.wait_for(lambda a: len(a.texts(CHAT)) == 4, timeout=30)
    first, *attempts = api.texts(CHAT)
    assert attempts == [first] * 3  # refused twice, then delivered
    assert not api._failures["sendMessage"]
