"""Retrying Bot API calls: 429 waits `retry_after` (only the caller waits), 5xx backs off."""

from __future__ import annotations

import asyncio
import logging
import random
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)
T = TypeVar("T")
NOT_RETRYABLE = (BadRequest, Forbidden, InvalidToken, Conflict)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry; `max_wait_s` caps one flood-control wait."""

    attempts: int = 4
    backoff_s: float = 0.5
    max_wait_s: float = 60.0


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for, without PTB's int/timedelta deprecation warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def with_retry(
    call: Callable[[], Awaitable[T]], *, method: str, policy: RetryPolicy, retry_timeouts: bool
) -> T:
    """Run `call`; on 429 sleep as told, on 5xx/network errors back off with jitter.

    A timed-out send may have been delivered, so timeouts are retried only when
    `retry_timeouts` (idempotent calls such as chat actions).
    """
    attempt = 1
    while True:
        try:
            return await call()
        except RetryAfter as exc:
            if attempt >= policy.attempts:
                raise
            wait = min(retry_after_seconds(exc), policy.max_wait_s)
            log.warning("telegram %s rate-limited; retrying in %.1f s", method, wait)
        except NOT_RETRYABLE:
            raise
        except TimedOut:
            if not retry_timeouts or attempt >= policy.attempts:
                raise
            wait = _backoff(policy, attempt)
        except NetworkError as exc:
            if attempt >= policy.attempts:
                raise
            wait = _backoff(policy, attempt)
            log.warning("telegram %s failed (%s); retry %s in %.2f s", method,
                        type(exc).__name__, attempt, wait)  # fmt: skip
        attempt += 1
        await asyncio.sleep(wait)


def _backoff(policy: RetryPolicy, attempt: int) -> float:
    base = policy.backoff_s * 2 ** (attempt - 1)
    return float(base * random.uniform(0.5, 1.0))
