"""Observe the SDKs' own retries: each logs `Retrying request ... in N seconds` at INFO.

Nothing is mocked: the SDK really waits (tests keep the waits short through the fakes'
`Retry-After`) and these records say how long it chose to wait.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable
from typing import Protocol, TypeVar

import pytest

SDK_LOGGERS = ("openai._base_client", "anthropic._base_client", "cartesia._base_client")
_WAIT = re.compile(r"Retrying request (?:to \S+ )?in ([0-9.]+) seconds")
T = TypeVar("T", bound="Closable")
FAST = "0.01"
"""A `Retry-After` (seconds) that keeps injected retryable failures quick to retry."""


class RetryWaits:
    """The waits the SDKs chose before each retry, in order."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog
        for name in SDK_LOGGERS:
            caplog.set_level(logging.INFO, logger=name)

    @property
    def waits(self) -> list[float]:
        found = (_WAIT.search(r.getMessage()) for r in self._caplog.records)
        return [float(m.group(1)) for m in found if m]


class Closable(Protocol):
    def aclose(self) -> Awaitable[None]: ...


class Opened:
    """Providers a test built, closed when it ends."""

    def __init__(self) -> None:
        self.providers: list[Closable] = []

    def keep(self, provider: T) -> T:
        self.providers.append(provider)
        return provider

    async def close(self) -> None:
        for provider in self.providers:
            await provider.aclose()
