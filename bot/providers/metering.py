"""Time a provider call and report its `Usage` to the meter, whether it worked or not."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.core.usage import Usage, UsageMeter
from bot.providers.retry import error_kind


@dataclass
class Tally:
    """What the call consumed, filled in by the provider as it learns it."""

    input_tokens: int = 0
    output_tokens: int = 0
    audio_seconds: float = 0.0
    characters: int = 0


@asynccontextmanager
async def metered(
    meter: UsageMeter | None, *, stage: str, provider: str, model: str
) -> AsyncIterator[Tally]:
    """Report the block as one call: its latency, its outcome and the `Tally` it filled."""
    tally = Tally()
    started = time.perf_counter()
    error: str | None = None
    try:
        yield tally
    except BaseException as exc:
        error = error_kind(exc)
        raise
    finally:
        if meter is not None:
            meter.report(
                Usage(
                    stage=stage,
                    provider=provider,
                    model=model,
                    latency_s=time.perf_counter() - started,
                    ok=error is None,
                    error_kind=error,
                    input_tokens=tally.input_tokens,
                    output_tokens=tally.output_tokens,
                    audio_seconds=tally.audio_seconds,
                    characters=tally.characters,
                )  # fmt: skip
            )
