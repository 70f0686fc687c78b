"""Thin timing wrappers around the providers and the codec, attributing time to turns.

The connector's handler is wrapped to open a `TurnClock` in a context variable; every
provider call made while handling that update (tasks inherit the context) adds its
wall-clock interval to it, and every codec call its interval and its worker-thread CPU time.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot import audio
from bot.core.models import AudioClip, Inbound, Pcm
from bot.core.ports import Handler, ReplySink

T = TypeVar("T")
Interval = tuple[float, float]


@dataclass
class TurnClock:
    chat_id: str
    providers: list[Interval] = field(default_factory=list)
    codec: list[Interval] = field(default_factory=list)
    db: list[Interval] = field(default_factory=list)


@dataclass
class Recorder:
    """Everything measured while the benchmark runs."""

    turns: dict[str, TurnClock] = field(default_factory=dict)
    codec_cpu_s: list[float] = field(default_factory=list)
    encode_s: list[float] = field(default_factory=list)


CURRENT: ContextVar[TurnClock | None] = ContextVar("bench_turn", default=None)


def timed_handler(handle: Handler, recorder: Recorder) -> Handler:
    """The engine's handler, with a fresh TurnClock per update (keyed by chat)."""

    async def handler(inbound: Inbound, sink: ReplySink) -> None:
        clock = TurnClock(inbound.chat.chat_id)
        if inbound.attachment is not None:
            recorder.turns[clock.chat_id] = clock
        CURRENT.set(clock)
        await handle(inbound, sink)

    return handler


async def _timed(kind: str, call: Awaitable[T]) -> T:
    started = time.monotonic()
    try:
        return await call
    finally:
        clock = CURRENT.get()
        if clock is not None:
            getattr(clock, kind).append((started, time.monotonic()))


class Timed:
    """Passes every attribute through to the wrapped provider (name, aclose, providers...)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class TimedSTT(Timed):
    async def transcribe(self, clip: AudioClip, **kwargs: Any) -> Any:
        return await _timed("providers", self.inner.transcribe(clip, **kwargs))


class TimedCoach(Timed):
    async def assess(self, **kwargs: Any) -> Any:
        return await _timed("providers", self.inner.assess(**kwargs))

    async def next_question(self, *args: Any, **kwargs: Any) -> Any:
        return await _timed("providers", self.inner.next_question(*args, **kwargs))


class TimedTTS(Timed):
    async def synthesize(self, text: str, **kwargs: Any) -> Any:
        return await _timed("providers", self.inner.synthesize(text, **kwargs))


class TimedCodec(Timed):
    """The PyAV codec in its processes, with wall time and the worker's CPU time recorded."""

    def __init__(self, inner: Any, recorder: Recorder) -> None:
        super().__init__(inner)
        self.recorder = recorder

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        job = functools.partial(cpu_timed, fn, *args, **kwargs)
        result, cpu_s = await _timed("codec", audio.run_codec(job))
        self.recorder.codec_cpu_s.append(cpu_s)
        return result

    async def decode(self, data: bytes, *, sample_rate: int = 16000) -> Pcm:
        return await self._run(audio.decode_sync, data, sample_rate=sample_rate, limits=self.limits)

    async def probe(self, data: bytes) -> float:
        return await self._run(audio.probe_sync, data, limits=self.limits)

    async def encode_voice(self, pcm: Pcm) -> AudioClip:
        started = time.monotonic()
        clip = await self._run(audio.encode_voice_sync, pcm)
        self.recorder.encode_s.append(time.monotonic() - started)
        return clip


def cpu_timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    """`fn(...)` and the CPU time it took (run in the codec process: module level)."""
    started = time.thread_time()
    result = fn(*args, **kwargs)
    return result, time.thread_time() - started


def time_units_of_work(db: Any) -> None:
    """Record every unit of work of `db` (waiting for it included) in the current turn."""
    unit_of_work = db.unit_of_work

    @contextlib.asynccontextmanager
    async def timed() -> AsyncIterator[Any]:
        started = time.monotonic()
        try:
            async with unit_of_work() as uow:
                yield uow
        finally:
            clock = CURRENT.get()
            if clock is not None:
                clock.db.append((started, time.monotonic()))

    db.unit_of_work = timed


def covered(intervals: list[Interval], start: float, end: float) -> float:
    """Seconds of [start, end] covered by the union of `intervals`."""
    total, reach = 0.0, start
    for a, b in sorted(intervals):
        a, b = max(a, reach), min(b, end)
        if b > a:
            total += b - a
            reach = b
    return total
