"""Try providers in order until one works: the one loop behind every fallback chain."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from bot.core.errors import ProviderError, ProviderUnavailable

log = logging.getLogger(__name__)
P = TypeVar("P", bound="Named")
R = TypeVar("R")


class Named(Protocol):
    name: str


async def first_that_works(
    providers: Sequence[P], call: Callable[[int, P], Awaitable[R]], *, kind: str
) -> R:
    """`call(index, provider)` for each provider until one succeeds.

    Each failure is logged by provider name and error type only (never content). When all
    fail: ProviderUnavailable if none could run at all, else a ProviderError that is
    retryable when any failure was.
    """
    errors: list[ProviderError] = []
    for index, provider in enumerate(providers):
        try:
            return await call(index, provider)
        except ProviderError as exc:
            errors.append(exc)
            log.warning(
                "%s provider %s failed (%s, %s of %s)",
                kind, provider.name, type(exc).__name__, index + 1, len(providers),
            )  # fmt: skip
    names = ", ".join(provider.name for provider in providers)
    if all(isinstance(exc, ProviderUnavailable) for exc in errors):
        raise ProviderUnavailable(f"no {kind} provider can run: {names}") from errors[-1]
    retryable = any(exc.retryable for exc in errors)
    raise ProviderError(f"every {kind} provider failed: {names}", retryable=retryable) from (
        errors[-1]
    )
