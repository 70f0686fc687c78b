"""What each provider call cost: stage, provider, model, latency, outcome, tokens, audio.

Providers report every call to a `UsageMeter`. The meter hands each `Usage` to its
listeners (metrics exporters) and to whichever `collect()` block is open in the current
task (the interview flow stores a turn's calls with that turn). A `Usage` holds no person's
data: no user, no text, no audio.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

log = logging.getLogger(__name__)
STAGES = ("stt", "judge", "interviewer", "tts")


@dataclass(frozen=True, slots=True)
class Usage:
    """One provider call."""

    stage: str  # "stt" | "judge" | "interviewer" | "tts"
    provider: str
    model: str
    latency_s: float
    ok: bool
    error_kind: str | None
    input_tokens: int = 0
    output_tokens: int = 0
    audio_seconds: float = 0.0
    characters: int = 0


UsageListener = Callable[[Usage], None]
_collecting: ContextVar[list[Usage] | None] = ContextVar("usage_collecting", default=None)


class UsageMeter:
    """Fans each reported `Usage` out to listeners and to the open `collect()` block."""

    def __init__(self) -> None:
        self._listeners: list[UsageListener] = []

    def add_listener(self, listener: UsageListener) -> None:
        """Call `listener(usage)` for every call reported from now on."""
        self._listeners.append(listener)

    def report(self, usage: Usage) -> None:
        """Record one call; a failing listener is logged and never breaks the call."""
        collected = _collecting.get()
        if collected is not None:
            collected.append(usage)
        for listener in self._listeners:
            try:
                listener(usage)
            except Exception:
                log.exception("usage listener failed")

    @contextmanager
    def collect(self) -> Iterator[list[Usage]]:
        """The calls reported inside this block (and tasks it starts), in order."""
        calls: list[Usage] = []
        token = _collecting.set(calls)
        try:
            yield calls
        finally:
            _collecting.reset(token)
