"""Pacing a bot's messages to Telegram's limits, so the bot waits instead of getting 429s.

Telegram lets one bot send about 30 messages a second overall and about one a second per
chat (short bursts are tolerated). We pace at 28 a second: the margin absorbs the jitter
between leaving the pacer and reaching Telegram, which would otherwise cost 429s. A send
first waits for its chat's turn (GCRA with a burst), then takes the next free slot of the
bot's overall budget; slots go out in the order they were asked for, so a burst of replies
is queued fairly and a busy chat holds no one else back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class SendPacer:
    def __init__(
        self, *, per_second: float = 28.0, per_chat_per_second: float = 1.0, chat_burst: int = 5,
        actions_per_second: float = 10.0, clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:  # fmt: skip
        self.interval = 1 / per_second
        self.chat_interval = 1 / per_chat_per_second
        self.chat_slack = (chat_burst - 1) * self.chat_interval
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0
        self._overall = asyncio.Lock()
        self.actions_per_second = actions_per_second
        self._action_tokens = actions_per_second
        self._action_refilled = clock()
        self._chats: dict[int, float] = {}
        """chat id -> the chat's theoretical next send time (GCRA)."""

    async def wait(self, chat_id: int) -> None:
        """Sleep until this send may go out: the chat's turn, then an overall slot.

        Overall slots are handed out one at a time under a (first come, first served) lock,
        so sends whose slots passed while the event loop was busy do not all go at once.
        """
        await self._until(self.reserve_chat(chat_id))
        async with self._overall:
            await self._until(self.reserve_slot())

    def allow_action(self) -> bool:
        """Whether a repeated chat action ("recording voice") may go out now: a separate
        budget of `actions_per_second`, never queued, so hundreds of waiting candidates
        cannot flood the API (or our CPU) with indicators."""
        now = self.clock()
        refill = (now - self._action_refilled) * self.actions_per_second
        self._action_tokens = min(self.actions_per_second, self._action_tokens + refill)
        self._action_refilled = now
        if self._action_tokens < 1:
            return False
        self._action_tokens -= 1
        return True

    def reserve_chat(self, chat_id: int) -> float:
        """When the chat may receive its next message; the turn is taken at once."""
        now = self.clock()
        due = self._chats.get(chat_id, now)
        at = max(now, due - self.chat_slack)
        self._chats[chat_id] = max(due, at) + self.chat_interval
        if len(self._chats) > 10_000:
            self._chats = {chat: d for chat, d in self._chats.items() if d > now}
        return at

    def reserve_slot(self) -> float:
        """The next free slot of the bot's overall budget, at least an interval after the
        previous one; taken at once."""
        at = max(self.clock(), self._next)
        self._next = at + self.interval
        return at

    async def _until(self, at: float) -> None:
        delay = at - self.clock()
        if delay > 0:
            await self.sleep(delay)
