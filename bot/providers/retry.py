"""Retry provider calls with full-jitter backoff, only when the failure is retryable.

Providers translate SDK errors into `ProviderError(retryable=...)` (429, 529, 5xx, timeouts
and connection errors are retryable; 4xx are not) and call `with_retries`. A `Retry-After`
header on the underlying HTTP response (`exc.__cause__.response`) is honoured, capped by
`RetryPolicy.max_delay_s`. `sleep` and `jitter` are injectable so tests never really wait.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.core.errors import ProviderError

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRYABLE_STATUSES = frozenset({408, 409, 425, 429, 529})


def status_is_retryable(status: int) -> bool:
    """Rate limits, overload, request timeouts and server errors are worth another try."""
    return status in RETRYABLE_STATUSES or status >= 500


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """`attempts` counts the first call; delays grow from `base_delay_s` up to `max_delay_s`."""

    attempts: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    jitter: Callable[[], float] = field(default=random.random, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Full jitter on an exponential ceiling; a server's `Retry-After` is a floor."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        wait = ceiling * self.jitter()
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.max_delay_s)


NO_WAIT = RetryPolicy(base_delay_s=0.0, max_delay_s=0.0)


def retry_after_s(exc: BaseException) -> float | None:
    """Seconds from a `Retry-After` header on the HTTP response behind `exc`, if any."""
    response = getattr(exc.__cause__, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


async def with_retries(
    call: Callable[[], Awaitable[T]], *, policy: RetryPolicy, what: str = "provider call"
) -> T:
    """Await `call()`, retrying retryable `ProviderError`s up to `policy.attempts` times."""
    attempt = 1
    while True:
        try:
            return await call()
        except ProviderError as exc:
            if not exc.retryable or attempt >= policy.attempts:
                raise
            wait = policy.delay(attempt, retry_after_s(exc))
            log.info(
                "%s failed (%s), retry %s of %s in %.2fs",
                what,
                type(exc.__cause__ or exc).__name__,
                attempt,
                policy.attempts - 1,
                wait,
            )
            await policy.sleep(wait)
            attempt += 1
