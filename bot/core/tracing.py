"""The turn id: one short random id per handled update, on every log line of that turn.

`traced` wraps `FlowEngine.handle`; the id lives in a context variable, so work the turn
starts (tasks, threads via `asyncio.to_thread`) carries it too. `bot.logs` adds it to records.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

TURN_ID: ContextVar[str] = ContextVar("turn_id", default="-")
P = ParamSpec("P")
R = TypeVar("R")


class _InFlight:
    """Updates being handled right now in this process (queue depth), and handled so far."""

    count = 0
    handled = 0


def in_flight() -> int:
    return _InFlight.count


def handled() -> int:
    return _InFlight.handled


def new_turn_id() -> str:
    return secrets.token_hex(4)


def traced(handle: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Run `handle` under a fresh turn id, counted as in flight while it runs."""

    @wraps(handle)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        token = TURN_ID.set(new_turn_id())
        _InFlight.count += 1
        try:
            return await handle(*args, **kwargs)
        finally:
            _InFlight.count -= 1
            _InFlight.handled += 1
            TURN_ID.reset(token)

    return run
