"""Audio costs: decode (and probe) a 60 s OGG/Opus answer, encode a 20 s reply, loop lag.

Targets (issue: benchmarks): encode a 20 s reply <= 200 ms on one core; event-loop lag
while 32 encodes run at once <= 20 ms. Prints MET or MISSED; never fails on timing.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import numpy as np

from bot import audio
from bot.core.models import Pcm

RUNS = 7


def _speechlike(seconds: float, rate: int = 16000) -> Pcm:
    """A deterministic tone with a syllable-rate envelope: codecs work as on speech."""
    t = np.arange(int(seconds * rate)) / rate
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    wave = 0.3 * envelope * (np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 1200 * t))
    return Pcm((wave * 32767 / 1.5).astype("<i2").tobytes(), rate)


def _timed(runs: int, fn: object, *args: object) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(*args)  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return times


async def _loop_lag(pcm: Pcm, encodes: int = 32) -> float:
    """Worst delay of a 5 ms ticker while `encodes` encodes run in the pool."""
    worst = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst
        while not done.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            worst = max(worst, (time.perf_counter() - start - 0.005) * 1000)

    task = asyncio.create_task(ticker())
    await asyncio.gather(*(audio.encode_voice(pcm) for _ in range(encodes)))
    done.set()
    await task
    return worst


def main(runs: int = RUNS, encodes: int = 32) -> list[tuple[str, float, float, str]]:
    """(measure, value, target or 0, verdict) rows: medians of `runs`, lag under `encodes`."""
    reply = _speechlike(20)
    answer = audio.encode_voice_sync(_speechlike(60)).data
    encode = _timed(runs, audio.encode_voice_sync, reply)
    decode = _timed(runs, audio.decode_sync, answer)
    probe = _timed(runs, audio.probe_sync, answer)
    lag = asyncio.run(_loop_lag(reply, encodes))
    rows = [
        ("encode 20 s reply to OGG/Opus (ms)", statistics.median(encode), 200.0),
        ("decode 60 s OGG/Opus answer (ms)", statistics.median(decode), 0.0),
        ("probe 60 s answer, as a turn does (ms)", statistics.median(probe), 0.0),
        (f"loop lag, {encodes} encodes at once (ms)", lag, 20.0),
    ]
    return [(n, v, t, ("MET" if v <= t else "MISSED") if t else "-") for n, v, t in rows]


if __name__ == "__main__":
    for name, value, target, verdict in main():
        print(f"{name:40} {value:8.1f}  target {target or '-':>6}  {verdict}")
