"""Our backoff on top of discord.py's: when the library gives up on a 429 or a 5xx, wait
and try again a few times, with jitter, before the error reaches the caller."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import discord

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    backoff_s: float = 1.0
    max_wait_s: float = 60.0


def _retryable(exc: Exception) -> float | None:
    """The wait Discord asked for (or 0 for "back off"), None when retrying cannot help."""
    if isinstance(exc, discord.RateLimited):
        return exc.retry_after
    if isinstance(exc, discord.HTTPException) and (exc.status == 429 or exc.status >= 500):
        return 0.0
    return None


async def with_backoff(call: Callable[[], Awaitable[T]], *, what: str, policy: RetryPolicy) -> T:
    """Run `call`; after a 429 or 5xx the library did not absorb, retry with jitter."""
    attempt = 1
    while True:
        try:
            return await call()
        except (discord.HTTPException, discord.RateLimited) as exc:
            asked = _retryable(exc)
            if asked is None or attempt >= policy.attempts:
                raise
            backoff = policy.backoff_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
            wait = min(max(asked, backoff), policy.max_wait_s)
            log.warning("discord %s failed (%s); retry %s in %.2f s", what,
                        type(exc).__name__, attempt, wait)  # fmt: skip
        attempt += 1
        await asyncio.sleep(wait)
