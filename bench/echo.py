"""The library's floor: a bare python-telegram-bot echo bot against the same fake Bot API.

It polls like our connector (concurrent updates, no job queue) and answers each text with
`reply_text`. CPU time of this process per update, one at a time and in a burst.
"""

from __future__ import annotations

import time
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bench.harness import FakeWorld
from tests.fake_servers.telegram_api import message_update

FIRST_CHAT = 20_000_000


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(update.message.text or "")


async def echo_bot_cpu(world: FakeWorld, *, one_by_one: int, burst: int) -> dict[str, Any]:
    """CPU ms per update of the echo bot, one at a time and `burst` at once."""
    app = (
        Application.builder().token(world.urls["token"]).base_url(world.urls["telegram"])
        .base_file_url(world.urls["telegram_files"]).concurrent_updates(256).job_queue(None)
        .build()
    )  # fmt: skip
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=30)
    try:
        single = await _measure(world, one_by_one, at_once=False)
        bursty = await _measure(world, burst, at_once=True)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    return {"one_at_a_time_ms": single, "burst_ms": bursty, "burst": burst}


async def _measure(world: FakeWorld, count: int, *, at_once: bool) -> float:
    await world.call("/reset")
    updates = [message_update(FIRST_CHAT + i, text=f"echo {i}") for i in range(count)]
    started = time.process_time()
    if at_once:
        await world.call("/push", updates)
        await world.call("/wait", {"method": "sendMessage", "count": count, "timeout": 120})
    else:
        for done, update in enumerate(updates, start=1):
            await world.call("/push", [update])
            await world.call("/wait", {"method": "sendMessage", "count": done, "timeout": 30})
    return (time.process_time() - started) / count * 1000
